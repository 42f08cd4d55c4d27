"""Differential fuzz of the optimizers against PyTorch: random option subsets (30-step
trajectories in float64 and float32), state_dict layout (state keys, group keys and values, state
dtypes), repr, loading a torch-made state dict, add_param_group, zero_grad and the errors of
invalid hyper-parameters (type and message)."""
import warnings

import numpy as np
import pytest

import corelib

torch = pytest.importorskip("torch")

# capturable=True is rejected by torch on cpu, so only False is compared.
SPACES = {
    "SGD": dict(lr=[0.05, 0.1], momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True],
                weight_decay=[0, 0.01], maximize=[False, True], foreach=[None, False],
                differentiable=[False], fused=[None, False]),
    "Adagrad": dict(lr=[0.1], lr_decay=[0, 0.01], weight_decay=[0, 0.01],
                    initial_accumulator_value=[0, 0.1], eps=[1e-10, 1e-6], foreach=[None, False],
                    maximize=[False, True], differentiable=[False], fused=[None]),
    "RMSprop": dict(lr=[0.01], alpha=[0.99, 0.9], eps=[1e-8, 1e-4], weight_decay=[0, 0.01],
                    momentum=[0, 0.5], centered=[False, True], capturable=[False],
                    foreach=[None], maximize=[False, True], differentiable=[False]),
    "Adadelta": dict(lr=[1.0, 0.5], rho=[0.9, 0.8], eps=[1e-6], weight_decay=[0, 0.01],
                     foreach=[None], capturable=[False], maximize=[False, True],
                     differentiable=[False]),
    "Adam": dict(lr=[0.01], betas=[(0.9, 0.999), (0.3, 0.9)], eps=[1e-8, 1e-3],
                 weight_decay=[0, 0.01], amsgrad=[False, True], foreach=[None, False],
                 maximize=[False, True], capturable=[False], differentiable=[False],
                 fused=[None], decoupled_weight_decay=[False, True]),
    "AdamW": dict(lr=[0.01], betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0.01, 0.1],
                  amsgrad=[False, True], maximize=[False, True], foreach=[None],
                  capturable=[False], differentiable=[False], fused=[None]),
    "Adamax": dict(lr=[0.01], betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.01],
                   foreach=[None], maximize=[False, True], differentiable=[False],
                   capturable=[False]),
    "NAdam": dict(lr=[0.01], betas=[(0.9, 0.999), (0.8, 0.99)], weight_decay=[0, 0.01],
                  momentum_decay=[0.004, 0.01], decoupled_weight_decay=[False, True],
                  foreach=[None], maximize=[False, True], capturable=[False],
                  differentiable=[False]),
    "RAdam": dict(lr=[0.01], betas=[(0.9, 0.999), (0.8, 0.99)], weight_decay=[0, 0.01],
                  decoupled_weight_decay=[False, True], foreach=[None], maximize=[False, True],
                  capturable=[False], differentiable=[False]),
    "ASGD": dict(lr=[0.01], lambd=[1e-4, 1e-3], alpha=[0.75, 0.5], t0=[1e6, 10],
                 weight_decay=[0, 0.01], foreach=[None], maximize=[False, True],
                 differentiable=[False], capturable=[False]),
    "Rprop": dict(lr=[0.01], etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-4, 0.5)],
                  capturable=[False], foreach=[None], maximize=[False, True],
                  differentiable=[False]),
}

RNG = np.random.default_rng(0)
A = RNG.standard_normal((5, 5))
A = A.T @ A / 5 + 0.1 * np.eye(5)
W0 = RNG.standard_normal((3, 5))
B0 = RNG.standard_normal(4)


def _options(name, k):
    rng = np.random.default_rng(k)
    space = SPACES[name]
    kw = {key: vals[rng.integers(len(vals))] for key, vals in space.items()
          if rng.random() < 0.7 or key == "lr"}
    if name == "SGD" and kw.get("nesterov") and (kw.get("momentum", 0) == 0
                                                 or kw.get("dampening", 0) != 0):
        kw["nesterov"] = False
    return kw


CASES = [(n, _options(n, k)) for n in SPACES for k in range(4)]


def _params(lib, dtype):
    return [lib.tensor(W0.astype(dtype), requires_grad=True),
            lib.tensor(B0.astype(dtype), requires_grad=True)]


def _set_grads(params, lib, dtype, sign):
    w, b = (p.detach().numpy().astype(np.float64) for p in params)
    params[0].grad = lib.tensor((sign * (w @ A)).astype(dtype))
    params[1].grad = lib.tensor((sign * (b ** 3 + b)).astype(dtype))


def _dt(t):
    return str(t.dtype).split(".")[-1]


def _compare_state_dicts(ts, cs):
    assert list(ts["param_groups"]) and len(ts["param_groups"]) == len(cs["param_groups"])
    for tg, cg in zip(ts["param_groups"], cs["param_groups"]):
        assert list(tg) == list(cg)
        for k in tg:
            assert repr(tg[k]) == repr(cg[k]), (k, tg[k], cg[k])
    assert list(ts["state"]) == list(cs["state"])
    for i in ts["state"]:
        assert list(ts["state"][i]) == list(cs["state"][i])
        for k, v in ts["state"][i].items():
            c = cs["state"][i][k]
            if isinstance(v, torch.Tensor):
                assert isinstance(c, corelib.Tensor), k
                assert (_dt(v), tuple(v.shape)) == (_dt(c), tuple(c.shape)), k
                np.testing.assert_allclose(c.numpy(), v.detach().numpy(), rtol=1e-3, atol=1e-6)
            else:
                assert v == c, (k, v, c)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i % 4}" for i, (n, _) in enumerate(CASES)])
def test_random_options_trajectory_state_dict_repr(name, kw, dtype):
    tp, cp = _params(torch, dtype), _params(corelib, dtype)
    to, co = getattr(torch.optim, name)(tp, **kw), getattr(corelib.optim, name)(cp, **kw)
    assert repr(co) == repr(to)
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(30):
        _set_grads(tp, torch, dtype, sign)
        _set_grads(cp, corelib, dtype, sign)
        to.step()
        co.step()
    # float32: the centered RMSprop's sqrt(E[g^2] - E[g]^2) amplifies last-bit differences
    tol = dict(rtol=1e-9, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=1e-6)
    if dtype == np.float32 and kw.get("centered"):
        tol = dict(rtol=2e-3, atol=1e-5)
    for t, c in zip(tp, cp):
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), **tol)
    _compare_state_dicts(to.state_dict(), co.state_dict())
    assert repr(co) == repr(to)


def _t2c(v):
    if isinstance(v, torch.Tensor):
        return corelib.tensor(v.detach().numpy().copy())
    if isinstance(v, dict):
        return {k: _t2c(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_t2c(x) for x in v)
    return v


@pytest.mark.parametrize("name,kw", CASES[1::4], ids=[n for n, _ in CASES[1::4]])
def test_load_torch_state_dict_continues_as_torch(name, kw):
    """Both libraries load the same torch-made state dict into fresh float64 optimizers."""
    tp = _params(torch, np.float64)
    to = getattr(torch.optim, name)(tp, **kw)
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(5):
        _set_grads(tp, torch, np.float64, sign)
        to.step()
    sd = to.state_dict()
    start = [p.detach().numpy().copy() for p in tp]
    tp2 = [torch.tensor(a, requires_grad=True) for a in start]
    cp2 = [corelib.tensor(a, requires_grad=True) for a in start]
    to2 = getattr(torch.optim, name)(tp2, **kw)
    co2 = getattr(corelib.optim, name)(cp2, **kw)
    to2.load_state_dict(sd)
    co2.load_state_dict(_t2c(sd))
    _compare_state_dicts(to2.state_dict(), co2.state_dict())
    for _ in range(10):
        _set_grads(tp2, torch, np.float64, sign)
        _set_grads(cp2, corelib, np.float64, sign)
        to2.step()
        co2.step()
    for t, c in zip(tp2, cp2):
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(SPACES) + ["SparseAdam", "LBFGS"])
def test_add_param_group_defaults_and_repr(name):
    to = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.1)
    co = getattr(corelib.optim, name)([corelib.zeros(2, requires_grad=True)], lr=0.1)
    to.add_param_group({"params": [torch.zeros(3, requires_grad=True)], "lr": 0.5})
    co.add_param_group({"params": [corelib.zeros(3, requires_grad=True)], "lr": 0.5})
    assert [list(g) for g in co.param_groups] == [list(g) for g in to.param_groups]
    assert repr(co) == repr(to)
    assert list(co.defaults) == list(to.defaults)
    for lib, opt, p in ((torch, to, torch.zeros(1, requires_grad=True)),
                        (corelib, co, corelib.zeros(1, requires_grad=True))):
        with pytest.raises(ValueError, match="more than one parameter group"):
            opt.add_param_group({"params": opt.param_groups[0]["params"]})
        with pytest.raises(TypeError):
            opt.add_param_group([p])


def test_sgd_without_momentum_keeps_no_state():
    tp, cp = _params(torch, np.float64), _params(corelib, np.float64)
    to, co = torch.optim.SGD(tp, lr=0.1), corelib.optim.SGD(cp, lr=0.1)
    _set_grads(tp, torch, np.float64, 1.0)
    _set_grads(cp, corelib, np.float64, 1.0)
    to.step()
    co.step()
    assert len(co.state) == len(to.state) == 0
    assert co.state_dict()["state"] == to.state_dict()["state"] == {}


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    out = []
    for lib in (torch, corelib):
        p = lib.ones(2, requires_grad=True)
        q = lib.ones(2, requires_grad=True)          # no gradient: stays None
        (p * 2).sum().backward()
        g = p.grad
        opt = lib.optim.SGD([p, q], lr=0.1)
        opt.zero_grad(set_to_none=set_to_none)
        out.append((p.grad is None, p.grad is g, None if p.grad is None else p.grad.tolist(),
                    q.grad is None, g.tolist()))
    assert out[0] == out[1]


BAD = [
    ("SGD", dict(lr=-1)), ("SGD", dict(lr=0.1, momentum=-0.1)),
    ("SGD", dict(lr=0.1, weight_decay=-1)), ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, fused=True, foreach=True)),
    ("SGD", dict(lr=0.1, fused=True, differentiable=True)),
    ("Adagrad", dict(fused=True, foreach=True)), ("Adagrad", dict(lr=-1)),
    ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(weight_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
    ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-1)),
    ("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(rho=-0.1)),
    ("Adadelta", dict(eps=-1)), ("Adadelta", dict(weight_decay=-1)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, 1.0))), ("Adam", dict(betas=(-0.1, 0.9))),
    ("Adam", dict(weight_decay=-1)), ("Adam", dict(lr="tensor", foreach=True)),
    ("Adam", dict(lr="tensor2")), ("Adam", dict(fused=True, foreach=True)),
    ("Adam", dict(fused=True, differentiable=True)),
    ("AdamW", dict(lr=-1)), ("AdamW", dict(eps=-1)), ("AdamW", dict(betas=(1.0, 0.9))),
    ("AdamW", dict(weight_decay=-1)), ("AdamW", dict(fused=True, foreach=True)),
    ("Adamax", dict(lr=-1)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(1.0, 0.9))),
    ("Adamax", dict(betas=(0.9, 1.0))), ("Adamax", dict(weight_decay=-1)),
    ("NAdam", dict(lr=-1)), ("NAdam", dict(eps=-1)), ("NAdam", dict(betas=(1.0, 0.9))),
    ("NAdam", dict(weight_decay=-1)), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(lr=-1)), ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(0.9, 1.0))),
    ("RAdam", dict(weight_decay=-1)),
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("SparseAdam", dict(lr=-1)), ("SparseAdam", dict(lr=0)), ("SparseAdam", dict(eps=0)),
    ("SparseAdam", dict(betas=(1.0, 0.9))), ("SparseAdam", dict(betas=(0.9, 1.0))),
    ("LBFGS", dict(lr=-1)),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_invalid_hyperparameters_raise_as_torch(name, kw):
    def build(lib):
        k = dict(kw)
        if k.get("lr") == "tensor":
            k["lr"] = lib.tensor(0.01)
        elif k.get("lr") == "tensor2":
            k["lr"] = lib.tensor([0.01, 0.02])
        try:
            getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **k)
        except Exception as e:                              # noqa: BLE001
            return type(e).__name__, str(e)
        return None
    expected = build(torch)
    assert expected is not None
    assert build(corelib) == expected
