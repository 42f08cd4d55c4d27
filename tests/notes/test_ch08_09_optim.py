"""Notes chapters 八 (优化器) and 九 (学习率调整策略) against PyTorch.

Optimizer: defaults / state / param_groups, zero_grad / step(closure) / add_param_group /
state_dict / load_state_dict, the learning-rate and momentum formulas of 8.3/8.4 computed by
hand, the ten optimizers with their arguments (signatures, reprs, trajectories). Schedulers:
the base class attributes (optimizer, last_epoch, base_lrs, get_lr, step), StepLR,
MultiStepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau and LambdaLR.
"""
import collections
import inspect
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import corelib as cl  # noqa: E402
import corelib.nn as nn  # noqa: E402
import corelib.optim as optim  # noqa: E402
from corelib.optim import lr_scheduler  # noqa: E402

TEN = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "SparseAdam", "ASGD", "Rprop", "LBFGS"]


def _params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


rng = np.random.default_rng(0)
W0 = rng.standard_normal((3, 4)).astype(np.float32)
B0 = rng.standard_normal(3).astype(np.float32)
X = rng.standard_normal((6, 4)).astype(np.float32)


def _pair():
    cw, cb = cl.tensor(W0.copy(), requires_grad=True), cl.tensor(B0.copy(), requires_grad=True)
    tw, tb = torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)
    return (cw, cb), (tw, tb)


def _loss(lib, w, b):
    x = lib.tensor(X)
    y = x @ w.t() + b
    return (y * y).mean() + (w ** 4).sum() * 0.01


# ----------------------------------------------------------------------------------------------
# signatures, defaults, reprs

@pytest.mark.parametrize("name", TEN + ["AdamW"])
def test_optimizer_signature(name):
    assert _params(getattr(optim, name)) == _params(getattr(torch.optim, name))


@pytest.mark.parametrize("name", TEN + ["AdamW"])
def test_defaults_param_groups_state_and_repr(name):
    (cw, cb), (tw, tb) = _pair()
    kw = {} if name in ("LBFGS",) else {}
    mine = getattr(optim, name)([cw, cb], **kw)
    ref = getattr(torch.optim, name)([tw, tb], **kw)
    assert mine.defaults == ref.defaults
    assert list(mine.defaults) == list(ref.defaults)
    assert len(mine.param_groups) == 1
    assert list(mine.param_groups[0]) == list(ref.param_groups[0])
    assert mine.param_groups[0]["params"][0] is cw
    assert isinstance(mine.state, collections.defaultdict) and len(mine.state) == len(ref.state)
    assert repr(mine) == repr(ref)
    assert isinstance(mine, optim.Optimizer)


def test_notes_sgd_snippet_and_repr_with_groups():
    (cw, cb), (tw, tb) = _pair()
    mine = optim.SGD([{"params": [cw]}, {"params": [cb], "lr": 0.5}], lr=0.01, momentum=0.9, dampening=0,
                     weight_decay=1e-4, nesterov=True)
    ref = torch.optim.SGD([{"params": [tw]}, {"params": [tb], "lr": 0.5}], lr=0.01, momentum=0.9, dampening=0,
                          weight_decay=1e-4, nesterov=True)
    assert repr(mine) == repr(ref)
    assert str(mine) == str(ref)
    assert [g["lr"] for g in mine.param_groups] == [0.01, 0.5]


def test_sgd_lr_default_and_errors():
    p = cl.zeros(2, requires_grad=True)
    assert optim.SGD([p]).defaults["lr"] == torch.optim.SGD([torch.zeros(2, requires_grad=True)]).defaults["lr"]
    for kw in (dict(lr=-1.0), dict(lr=0.1, momentum=-0.1), dict(lr=0.1, weight_decay=-1),
               dict(lr=0.1, nesterov=True)):
        with pytest.raises(ValueError):
            torch.optim.SGD([torch.zeros(2, requires_grad=True)], **kw)
        with pytest.raises(ValueError):
            optim.SGD([p], **kw)


def test_bad_params_errors():
    with pytest.raises(ValueError):
        torch.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError):
        torch.optim.SGD(torch.zeros(2, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError):
        optim.SGD(cl.zeros(2, requires_grad=True), lr=0.1)
    p = cl.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


# ----------------------------------------------------------------------------------------------
# the notes' basic methods

def test_zero_grad_set_to_none_default_and_false():
    (cw, cb), (tw, tb) = _pair()
    mine, ref = optim.SGD([cw, cb], lr=0.1), torch.optim.SGD([tw, tb], lr=0.1)
    _loss(cl, cw, cb).backward()
    _loss(torch, tw, tb).backward()
    mine.zero_grad()
    ref.zero_grad()
    assert cw.grad is None and tw.grad is None
    _loss(cl, cw, cb).backward()
    _loss(torch, tw, tb).backward()
    mine.zero_grad(set_to_none=False)
    ref.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(cw.grad.numpy(), np.zeros_like(W0))
    assert cw.grad.requires_grad is False and cw.grad.grad_fn is None


def test_grads_accumulate_without_zero_grad():
    # "pytorch 特性：张量梯度不自动清零"
    (cw, cb), _ = _pair()
    _loss(cl, cw, cb).backward()
    g1 = cw.grad.numpy().copy()
    _loss(cl, cw, cb).backward()
    np.testing.assert_allclose(cw.grad.numpy(), 2 * g1, rtol=1e-6)


def test_step_with_closure_returns_loss():
    (cw, cb), (tw, tb) = _pair()
    mine, ref = optim.SGD([cw, cb], lr=0.1), torch.optim.SGD([tw, tb], lr=0.1)

    def mk(lib, opt, w, b):
        def closure():
            opt.zero_grad()
            loss = _loss(lib, w, b)
            loss.backward()
            return loss
        return closure
    lm = mine.step(mk(cl, mine, cw, cb))
    lt = ref.step(mk(torch, ref, tw, tb))
    np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-6)
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-5)
    assert mine.step() is None


def test_add_param_group_fills_defaults():
    (cw, cb), (tw, tb) = _pair()
    mine, ref = optim.SGD([cw], lr=0.1, momentum=0.9), torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    mine.add_param_group({"params": cb, "lr": 0.01})
    ref.add_param_group({"params": tb, "lr": 0.01})
    assert len(mine.param_groups) == 2
    assert [dict((k, v) for k, v in g.items() if k != "params") for g in mine.param_groups] == \
        [dict((k, v) for k, v in g.items() if k != "params") for g in ref.param_groups]
    assert mine.param_groups[1]["params"] == [cb] or mine.param_groups[1]["params"][0] is cb
    assert repr(mine) == repr(ref)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        mine.add_param_group({"params": [cw]})
    with pytest.raises(ValueError):
        ref.add_param_group({"params": [tw]})
    # a required default missing (SGD lr has a default; Optimizer base with required lr)


def test_state_dict_structure_and_roundtrip():
    (cw, cb), (tw, tb) = _pair()
    mine = optim.SGD([{"params": [cw]}, {"params": [cb], "lr": 0.05}], lr=0.1, momentum=0.9)
    ref = torch.optim.SGD([{"params": [tw]}, {"params": [tb], "lr": 0.05}], lr=0.1, momentum=0.9)
    for _ in range(2):
        mine.zero_grad(); _loss(cl, cw, cb).backward(); mine.step()
        ref.zero_grad(); _loss(torch, tw, tb).backward(); ref.step()
    sm, sr = mine.state_dict(), ref.state_dict()
    assert list(sm) == list(sr) == ["state", "param_groups"]
    assert list(sm["state"]) == list(sr["state"]) == [0, 1]
    assert list(sm["state"][0]) == list(sr["state"][0]) == ["momentum_buffer"]
    np.testing.assert_allclose(sm["state"][0]["momentum_buffer"].numpy(), sr["state"][0]["momentum_buffer"].numpy(),
                               rtol=1e-5)
    assert sm["param_groups"] == sr["param_groups"]
    assert [g["params"] for g in sm["param_groups"]] == [[0], [1]]
    # load into a fresh optimizer and continue identically
    (cw2, cb2), _ = _pair()
    cw2.data.copy_(cw.data)
    cb2.data.copy_(cb.data)
    fresh = optim.SGD([{"params": [cw2]}, {"params": [cb2]}], lr=1.0, momentum=0.0)
    fresh.load_state_dict(sm)
    assert fresh.param_groups[1]["lr"] == 0.05 and fresh.param_groups[0]["momentum"] == 0.9
    assert fresh.param_groups[0]["params"][0] is cw2
    for opt, w, b in ((mine, cw, cb), (fresh, cw2, cb2)):
        opt.zero_grad(); _loss(cl, w, b).backward(); opt.step()
    np.testing.assert_array_equal(cw.detach().numpy(), cw2.detach().numpy())
    # the state dict is a copy: stepping does not change a saved one's groups
    sm["param_groups"][0]["lr"] = 123.0
    assert mine.param_groups[0]["lr"] == 0.1


def test_load_state_dict_errors():
    (cw, cb), _ = _pair()
    a = optim.SGD([cw, cb], lr=0.1)
    b = optim.SGD([{"params": [cw]}, {"params": [cb]}], lr=0.1)
    with pytest.raises(ValueError, match="parameter groups"):
        b.load_state_dict(a.state_dict())
    c = optim.SGD([cw], lr=0.1)
    with pytest.raises(ValueError, match="size"):
        c.load_state_dict(a.state_dict())


@pytest.mark.parametrize("name,kw", [
    ("Adam", dict(lr=0.01)), ("Adam", dict(lr=0.01, amsgrad=True)), ("RMSprop", dict(momentum=0.5, centered=True)),
    ("Adagrad", dict(lr_decay=0.01)), ("Adadelta", {}), ("Adamax", {}), ("ASGD", dict(t0=1)), ("Rprop", {}),
    ("AdamW", {}),
])
def test_state_dict_keys_match_torch(name, kw):
    (cw, cb), (tw, tb) = _pair()
    mine, ref = getattr(optim, name)([cw, cb], **kw), getattr(torch.optim, name)([tw, tb], **kw)
    for _ in range(3):
        mine.zero_grad(); _loss(cl, cw, cb).backward(); mine.step()
        ref.zero_grad(); _loss(torch, tw, tb).backward(); ref.step()
    sm, sr = mine.state_dict(), ref.state_dict()
    assert sm["param_groups"] == sr["param_groups"]
    for k in (0, 1):
        assert list(sm["state"][k]) == list(sr["state"][k])
        for key, v in sr["state"][k].items():
            mv = sm["state"][k][key]
            if isinstance(v, torch.Tensor):
                assert isinstance(mv, cl.Tensor), key
                assert str(mv.dtype).split(".")[-1] == str(v.dtype).split(".")[-1], key
                np.testing.assert_allclose(mv.numpy(), v.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)
            else:
                assert mv == v
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-4, atol=1e-6)
    # torch can load corelib's state dict and vice versa (same structure)
    (cw2, cb2), _ = _pair()
    again = getattr(optim, name)([cw2, cb2], **kw)
    again.load_state_dict(sm)
    assert again.state_dict()["param_groups"] == sm["param_groups"]


# ----------------------------------------------------------------------------------------------
# 8.3 learning rate / 8.4 momentum by hand

def test_notes_gradient_descent_lr_by_hand():
    # w_{i+1} = w_i - LR * g(w_i), for y = 4 w^2 (the notes' illustration), g = 8 w
    w = cl.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.01)
    ws = [2.0]
    for _ in range(5):
        opt.zero_grad()
        y = 4 * w ** 2
        y.backward()
        opt.step()
        ws.append(ws[-1] - 0.01 * 8 * ws[-1])
        np.testing.assert_allclose(w.item(), ws[-1], rtol=1e-6)


def test_notes_momentum_formula_by_hand():
    # v_i = m * v_{i-1} + g(w_i);  w_{i+1} = w_i - lr * v_i
    m, lr = 0.9, 0.1
    w = cl.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=lr, momentum=m)
    wn, v = np.array([1.0, -2.0]), np.zeros(2)
    for _ in range(6):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
        g = 2 * wn
        v = m * v + g
        wn = wn - lr * v
        np.testing.assert_allclose(w.detach().numpy(), wn, rtol=1e-5)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"].numpy(), v, rtol=1e-5)


def test_notes_weight_decay_formula_by_hand():
    # 12.1: w_{i+1} = w_i - (dLoss/dw + lambda * w_i)
    lam, lr = 0.1, 0.5
    w = cl.tensor([1.0, 3.0], requires_grad=True)
    opt = optim.SGD([w], lr=lr, weight_decay=lam)
    (w * 2.0).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, 3.0]) - lr * (2.0 + lam * np.array([1.0, 3.0])),
                               rtol=1e-6)


def test_exponentially_weighted_average_example():
    # the notes' momentum illustration: v_t = beta * v_{t-1} + (1 - beta) * theta_t with dampening
    w = cl.tensor([0.0], requires_grad=True)
    tw = torch.tensor([0.0], requires_grad=True)
    o = optim.SGD([w], lr=1.0, momentum=0.9, dampening=0.1)
    t = torch.optim.SGD([tw], lr=1.0, momentum=0.9, dampening=0.1)
    for i in range(5):
        for p, opt in ((w, o), (tw, t)):
            opt.zero_grad()
            (p * float(i + 1)).sum().backward()
            opt.step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# the ten optimizers: trajectories vs torch with their arguments

CASES = [
    ("SGD", dict(lr=0.05)), ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, maximize=True)),
    ("Adagrad", dict()), ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict()), ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01)),
    ("Adadelta", dict()), ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adam", dict()), ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adamax", dict()), ("Adamax", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1)),
    ("ASGD", dict()), ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=2, weight_decay=0.01)),
    ("Rprop", dict()), ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
    ("AdamW", dict(lr=0.01)),
]


@pytest.mark.parametrize("name,kw", CASES)
def test_trajectories_vs_torch(name, kw):
    (cw, cb), (tw, tb) = _pair()
    mine, ref = getattr(optim, name)([cw, cb], **kw), getattr(torch.optim, name)([tw, tb], **kw)
    for _ in range(8):
        mine.zero_grad(); _loss(cl, cw, cb).backward(); mine.step()
        ref.zero_grad(); _loss(torch, tw, tb).backward(); ref.step()
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(cb.detach().numpy(), tb.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_closure_vs_torch(line_search_fn):
    (cw, cb), (tw, tb) = _pair()
    kw = dict(lr=0.5, max_iter=5, history_size=4, line_search_fn=line_search_fn)
    mine, ref = optim.LBFGS([cw, cb], **kw), torch.optim.LBFGS([tw, tb], **kw)

    def mk(lib, opt, w, b):
        def closure():
            opt.zero_grad()
            loss = _loss(lib, w, b)
            loss.backward()
            return loss
        return closure
    for _ in range(2):
        lm = mine.step(mk(cl, mine, cw, cb))
        lt = ref.step(mk(torch, ref, tw, tb))
        np.testing.assert_allclose(float(lm), float(lt), rtol=1e-4)
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-3, atol=1e-5)
    with pytest.raises(Exception):
        mine.step()                                    # a closure is required
    assert list(mine.state_dict()["state"]) == list(ref.state_dict()["state"])


def test_lbfgs_one_group_only():
    (cw, cb), (tw, tb) = _pair()
    with pytest.raises(ValueError):
        torch.optim.LBFGS([{"params": [tw]}, {"params": [tb]}])
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [cw]}, {"params": [cb]}])


def test_sparse_adam_with_sparse_embedding_and_dense_error():
    cl.manual_seed(0)
    emb = nn.Embedding(10, 3, sparse=True)
    temb = torch.nn.Embedding(10, 3, sparse=True)
    with torch.no_grad():
        temb.weight.copy_(torch.tensor(emb.weight.detach().numpy()))
    mine = optim.SparseAdam(emb.parameters(), lr=0.1)
    ref = torch.optim.SparseAdam(temb.parameters(), lr=0.1)
    idx = [[1, 2, 4], [4, 3, 2]]
    for _ in range(3):
        mine.zero_grad(); emb(cl.tensor(idx)).pow(2).sum().backward(); mine.step()
        ref.zero_grad(); temb(torch.tensor(idx)).pow(2).sum().backward(); ref.step()
    np.testing.assert_allclose(emb.weight.detach().numpy(), temb.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(mine) == repr(ref)
    assert mine.state_dict()["state"][0]["step"] == ref.state_dict()["state"][0]["step"] == 3
    # corelib has no sparse layout: a dense gradient is treated row-sparsely (rows that are all
    # zero are left alone), where PyTorch demands a sparse gradient


def test_float64_params():
    p = cl.tensor(np.arange(4.0), requires_grad=True)
    tp = torch.tensor(np.arange(4.0), requires_grad=True)
    for name in ("SGD", "Adam", "RMSprop"):
        mine = getattr(optim, name)([p], lr=0.1)
        ref = getattr(torch.optim, name)([tp], lr=0.1)
        for _ in range(3):
            mine.zero_grad(); (p ** 3).sum().backward(); mine.step()
            ref.zero_grad(); (tp ** 3).sum().backward(); ref.step()
        assert p.dtype == cl.float64
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-10)


def test_params_without_grad_are_skipped():
    (cw, cb), _ = _pair()
    opt = optim.Adam([cw, cb], lr=0.1)
    (cw.sum()).backward()
    opt.step()
    np.testing.assert_array_equal(cb.detach().numpy(), B0)
    assert cb not in opt.state or len(opt.state[cb]) == 0


def test_named_parameters_accepted():
    net = nn.Linear(2, 2)
    tnet = torch.nn.Linear(2, 2)
    mine = optim.SGD(net.named_parameters(), lr=0.1)
    ref = torch.optim.SGD(tnet.named_parameters(), lr=0.1)
    assert mine.param_groups[0]["param_names"] == ref.param_groups[0]["param_names"] == ["weight", "bias"]


# ----------------------------------------------------------------------------------------------
# chapter 九: schedulers

SCHEDS = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau", "LambdaLR"]


@pytest.mark.parametrize("name", SCHEDS)
def test_scheduler_signature(name):
    mine, ref = _params(getattr(lr_scheduler, name)), _params(getattr(torch.optim.lr_scheduler, name))
    if name == "ReduceLROnPlateau":
        # the notes (9.5) name verbose=False, which torch 2.13 dropped: kept as a trailing no-op
        assert mine[:-1] == ref and mine[-1][0] == "verbose"
    else:
        assert mine == ref
    for meth in ("step", "state_dict", "load_state_dict", "get_last_lr"):
        assert _params(getattr(getattr(lr_scheduler, name), meth)) == \
            _params(getattr(getattr(torch.optim.lr_scheduler, name), meth)), meth


def test_notes_scheduler_snippets_run_unchanged():
    opt = optim.SGD([cl.zeros(2, requires_grad=True)], lr=0.1)
    lr_scheduler.StepLR(opt, 10, gamma=0.1, last_epoch=-1)
    lr_scheduler.MultiStepLR(opt, [2, 5], gamma=0.1, last_epoch=-1)
    lr_scheduler.ExponentialLR(opt, 0.9, last_epoch=-1)
    lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0, last_epoch=-1)
    lr_scheduler.ReduceLROnPlateau(opt, mode='min', factor=0.1, patience=10, verbose=False, threshold=0.0001,
                                   threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-08)
    lr_scheduler.LambdaLR(opt, lambda epoch: 0.95 ** epoch, last_epoch=-1)


def _sched_pair(name, kw, groups=2, lr=0.1):
    cps = [cl.zeros(2, requires_grad=True) for _ in range(groups)]
    tps = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    co = optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(cps)], lr=lr, momentum=0.9)
    to = torch.optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(tps)], lr=lr, momentum=0.9)
    return co, to, getattr(lr_scheduler, name)(co, **kw), getattr(torch.optim.lr_scheduler, name)(to, **kw)


SCHED_CASES = [
    ("StepLR", dict(step_size=3)), ("StepLR", dict(step_size=2, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 9])), ("MultiStepLR", dict(milestones=[3, 3, 7], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5)), ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.5 ** (e // 2)])),
]


@pytest.mark.parametrize("name,kw", SCHED_CASES)
def test_scheduler_lrs_vs_torch(name, kw):
    co, to, cs, ts = _sched_pair(name, kw)
    assert cs.last_epoch == ts.last_epoch == 0
    assert cs.base_lrs == ts.base_lrs
    assert cs.optimizer is co
    assert [g["initial_lr"] for g in co.param_groups] == [g["initial_lr"] for g in to.param_groups]
    for epoch in range(20):
        co.step(); to.step()
        cs.step(); ts.step()
        assert cs.last_epoch == ts.last_epoch == epoch + 1
        np.testing.assert_allclose(cs.get_last_lr(), ts.get_last_lr(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose([g["lr"] for g in co.param_groups], [g["lr"] for g in to.param_groups],
                                   rtol=1e-12, atol=1e-15)
    assert type(cs.get_last_lr()) is list and isinstance(cs.get_last_lr()[0], float)


def test_notes_formulas_by_hand():
    def run(sched_fn, n=12):
        opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
        s = sched_fn(opt)
        out = [opt.param_groups[0]["lr"]]
        for _ in range(n):
            opt.step()
            s.step()
            out.append(opt.param_groups[0]["lr"])
        return np.array(out)
    e = np.arange(13)
    np.testing.assert_allclose(run(lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.1)), 0.1 * 0.1 ** (e // 5))
    np.testing.assert_allclose(run(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 7], gamma=0.5)),
                               0.1 * 0.5 ** ((e >= 2).astype(int) + (e >= 7)))
    np.testing.assert_allclose(run(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9)), 0.1 * 0.9 ** e)
    np.testing.assert_allclose(run(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.001)),
                               0.001 + 0.5 * (0.1 - 0.001) * (1 + np.cos(e / 12 * np.pi)), rtol=1e-10)
    np.testing.assert_allclose(run(lambda o: lr_scheduler.LambdaLR(o, lambda ep: 0.95 ** ep)), 0.1 * 0.95 ** e,
                               rtol=1e-12)


@pytest.mark.parametrize("kw", [
    dict(), dict(mode="max"), dict(factor=0.5, patience=2), dict(threshold_mode="abs", threshold=0.1),
    dict(mode="max", threshold_mode="abs", patience=1, cooldown=2), dict(patience=0, min_lr=0.02),
    dict(patience=0, min_lr=[0.05, 0.001], factor=0.5), dict(patience=0, eps=0.05, factor=0.9),
])
def test_reduce_lr_on_plateau_vs_torch(kw):
    co, to, cs, ts = _sched_pair("ReduceLROnPlateau", kw)
    metrics = [1.0, 0.9, 0.9, 0.95, 0.9, 0.899, 0.91, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7,
               0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2]
    for m in metrics:
        co.step(); to.step()
        cs.step(m); ts.step(m)
        assert [g["lr"] for g in co.param_groups] == pytest.approx([g["lr"] for g in to.param_groups], rel=1e-12)
        assert cs.num_bad_epochs == ts.num_bad_epochs
        assert cs.cooldown_counter == ts.cooldown_counter
        assert cs.best == ts.best
        assert cs.last_epoch == ts.last_epoch
    assert cs.get_last_lr() == pytest.approx(ts.get_last_lr())
    assert cs.state_dict() == ts.state_dict()
    assert "optimizer" not in cs.state_dict()


def test_reduce_lr_on_plateau_errors():
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="avg")
    with pytest.raises(ValueError, match="threshold mode"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])


def test_scheduler_state_dict_and_resume_vs_torch():
    co, to, cs, ts = _sched_pair("StepLR", dict(step_size=3, gamma=0.5))
    for _ in range(4):
        co.step(); to.step(); cs.step(); ts.step()
    assert cs.state_dict() == ts.state_dict()
    co2, to2, cs2, ts2 = _sched_pair("StepLR", dict(step_size=3, gamma=0.5))
    cs2.load_state_dict(cs.state_dict())
    assert cs2.last_epoch == 4 and cs2.get_last_lr() == cs.get_last_lr()
    lam = _sched_pair("LambdaLR", dict(lr_lambda=lambda e: 0.9 ** e))
    assert set(lam[2].state_dict()) == set(lam[3].state_dict())
    assert lam[2].state_dict()["lr_lambdas"] == lam[3].state_dict()["lr_lambdas"] == [None, None]


def test_last_epoch_resume_requires_initial_lr():
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError):
        torch.optim.lr_scheduler.StepLR(topt, 2, last_epoch=3)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, 2, last_epoch=3)
    opt.param_groups[0]["initial_lr"] = 0.1
    topt.param_groups[0]["initial_lr"] = 0.1
    s = lr_scheduler.StepLR(opt, 2, last_epoch=3)
    t = torch.optim.lr_scheduler.StepLR(topt, 2, last_epoch=3)
    assert s.last_epoch == t.last_epoch == 4
    assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"])


def test_scheduler_before_optimizer_step_warns():
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
    s = lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match=r"lr_scheduler\.step\(\)` before `optimizer\.step\(\)"):
        s.step()


def test_get_lr_outside_step_warns_and_base_class():
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
    s = lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()

    # the notes' base class: subclass _LRScheduler / LRScheduler and implement get_lr
    class Halve(lr_scheduler._LRScheduler):
        def __init__(self, optimizer, last_epoch=-1):
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.8)
    h = Halve(opt)
    assert h.last_epoch == 0 and h.base_lrs == [0.8]
    for _ in range(3):
        opt.step()
        h.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    assert issubclass(lr_scheduler.StepLR, lr_scheduler.LRScheduler)
    with pytest.raises(NotImplementedError):
        lr_scheduler.LRScheduler.get_lr(h)


def test_step_with_epoch_argument_deprecated_like_torch():
    co, to, cs, ts = _sched_pair("StepLR", dict(step_size=2))
    co.step(); to.step()
    with warnings.catch_warnings(record=True) as wm:
        warnings.simplefilter("always")
        cs.step(5)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        ts.step(5)
    assert [str(w.message) for w in wm] == [str(w.message) for w in wt]
    assert cs.last_epoch == ts.last_epoch
    assert cs.get_last_lr() == pytest.approx(ts.get_last_lr())


def test_base_scheduler_signature_and_no_verbose():
    assert _params(lr_scheduler.LRScheduler) == _params(torch.optim.lr_scheduler.LRScheduler)
    assert _params(lr_scheduler._LRScheduler) == _params(torch.optim.lr_scheduler._LRScheduler)
    opt = optim.SGD([cl.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.StepLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 2,
                                        verbose=True)
    with pytest.raises(TypeError):
        lr_scheduler.StepLR(opt, 2, verbose=True)


def test_optimizer_base_class_and_errors_like_torch():
    p = cl.zeros(2, requires_grad=True)
    tp = torch.zeros(2, requires_grad=True)
    base, tbase = optim.Optimizer([p], {"lr": 0.1}), torch.optim.Optimizer([tp], {"lr": 0.1})
    assert repr(base) == repr(tbase)
    assert base.defaults == {"lr": 0.1} and base.param_groups[0]["lr"] == 0.1
    with pytest.raises(NotImplementedError):
        base.step()
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([p], lr=0.1).add_param_group({"params": {cl.zeros(1, requires_grad=True)}})
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(optim.SGD([{"params": [p]}, {"params": [cl.zeros(1, requires_grad=True)]}], lr=0.1),
                              [lambda e: 1.0])


def test_get_last_lr_before_any_step():
    co, to, cs, ts = _sched_pair("CosineAnnealingLR", dict(T_max=10))
    assert cs.get_last_lr() == ts.get_last_lr() == [0.1, 0.2]
    assert cs.state_dict() == ts.state_dict()


def test_registry_names():
    from corelib import registry
    for n in TEN:
        assert registry.get("optimizer", n) is getattr(optim, n)
    for key, n in [("sgd", "SGD"), ("rmsprop", "RMSprop"), ("lbfgs", "LBFGS"), ("sparse_adam", "SparseAdam"),
                   ("asgd", "ASGD"), ("adamax", "Adamax"), ("adadelta", "Adadelta"), ("rprop", "Rprop")]:
        assert registry.get("optimizer", key) is getattr(optim, n)
    for key, n in [("step_lr", "StepLR"), ("multi_step_lr", "MultiStepLR"), ("exponential_lr", "ExponentialLR"),
                   ("cosine_annealing_lr", "CosineAnnealingLR"), ("reduce_lr_on_plateau", "ReduceLROnPlateau"),
                   ("lambda_lr", "LambdaLR")]:
        assert registry.get("scheduler", key) is getattr(lr_scheduler, n)


def test_two_schedulers_on_one_optimizer_chain_like_torch():
    co, to, cs, ts = _sched_pair("StepLR", dict(step_size=3, gamma=0.5))
    cs2 = lr_scheduler.CosineAnnealingLR(co, T_max=4, eta_min=0.001)
    ts2 = torch.optim.lr_scheduler.CosineAnnealingLR(to, T_max=4, eta_min=0.001)
    cs3 = lr_scheduler.MultiStepLR(co, milestones=[5, 6])
    ts3 = torch.optim.lr_scheduler.MultiStepLR(to, milestones=[5, 6])
    for _ in range(12):
        co.step(); to.step()
        for c, t in ((cs, ts), (cs2, ts2), (cs3, ts3)):
            c.step(); t.step()
        np.testing.assert_allclose([g["lr"] for g in co.param_groups], [g["lr"] for g in to.param_groups],
                                   rtol=1e-12)


def test_lr_set_by_hand_in_param_groups_is_used():
    (cw, cb), (tw, tb) = _pair()
    mine, ref = optim.SGD([cw, cb], lr=0.1, momentum=0.9), torch.optim.SGD([tw, tb], lr=0.1, momentum=0.9)
    for i in range(4):
        for g in mine.param_groups:
            g["lr"] = 0.1 / (i + 1)
        for g in ref.param_groups:
            g["lr"] = 0.1 / (i + 1)
        mine.zero_grad(); _loss(cl, cw, cb).backward(); mine.step()
        ref.zero_grad(); _loss(torch, tw, tb).backward(); ref.step()
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_scheduler_on_every_optimizer():
    for name in TEN:
        if name in ("SparseAdam", "LBFGS"):
            continue
        (cw, cb), (tw, tb) = _pair()
        co, to = getattr(optim, name)([cw, cb], lr=0.1), getattr(torch.optim, name)([tw, tb], lr=0.1)
        cs, ts = lr_scheduler.ExponentialLR(co, 0.5), torch.optim.lr_scheduler.ExponentialLR(to, 0.5)
        for _ in range(3):
            co.zero_grad(); _loss(cl, cw, cb).backward(); co.step(); cs.step()
            to.zero_grad(); _loss(torch, tw, tb).backward(); to.step(); ts.step()
        assert cs.get_last_lr() == pytest.approx(ts.get_last_lr())
        np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_custom_optimizer_subclass_like_the_notes():
    # the notes' Optimizer internals: defaults, state = defaultdict(dict), param_groups; a user
    # optimizer written the PyTorch way works unchanged
    def make(lib):
        class MomentumSGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.1, momentum=0.9):
                super().__init__(params, dict(lr=lr, momentum=momentum))

            @lib.no_grad()
            def step(self, closure=None):
                loss = None
                if closure is not None:
                    with lib.enable_grad():
                        loss = closure()
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        if "v" not in state:
                            state["v"] = lib.zeros_like(p)
                        state["v"].mul_(group["momentum"]).add_(p.grad)
                        p.add_(state["v"], alpha=-group["lr"])
                return loss

            def zero_grad_like_notes(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.grad.detach_()
                            p.grad.zero_()
        return MomentumSGD
    (cw, cb), (tw, tb) = _pair()
    mine, ref = make(cl)([cw, cb], lr=0.05), make(torch)([tw, tb], lr=0.05)
    assert mine.defaults == ref.defaults == {"lr": 0.05, "momentum": 0.9}
    assert repr(mine) == repr(ref).replace("MomentumSGD", "MomentumSGD")
    for _ in range(3):
        mine.zero_grad_like_notes(); _loss(cl, cw, cb).backward(); mine.step()
        ref.zero_grad_like_notes(); _loss(torch, tw, tb).backward(); ref.step()
    np.testing.assert_allclose(cw.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)
    sm, sr = mine.state_dict(), ref.state_dict()
    assert list(sm["state"][0]) == ["v"] and sm["param_groups"] == sr["param_groups"]
    np.testing.assert_array_equal(cw.grad.numpy() * 0, np.zeros_like(W0))
