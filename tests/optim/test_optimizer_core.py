"""Core optim: Optimizer base contract, clip_grad vs torch, check_optimizer on every optimizer,
the LR range test."""
import warnings

import numpy as np
import pytest

import corelib
from corelib.optim import Optimizer
from corelib.testing.optim import OptimizerCheckError, check_optimizer

ALL = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adagrad", dict(lr=0.5)), ("RMSprop", dict(lr=0.01)),
       ("Adadelta", dict()), ("Adam", dict(lr=0.1)), ("AdamW", dict(lr=0.1)),
       ("Adamax", dict(lr=0.1)), ("NAdam", dict(lr=0.1)), ("RAdam", dict(lr=0.1)),
       ("SparseAdam", dict(lr=0.1)), ("ASGD", dict(lr=0.1)), ("Rprop", dict(lr=0.01)),
       ("LBFGS", dict()), ("LBFGS", dict(line_search_fn="strong_wolfe"))]


def _p(*shape):
    return corelib.randn(*shape, requires_grad=True)


@pytest.mark.parametrize("name,kw", ALL)
def test_check_optimizer_every_optimizer(name, kw):
    check_optimizer(getattr(corelib.optim, name), **kw)


def test_check_optimizer_catches_a_broken_optimizer():
    class Wrong(Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        p._data += g["lr"] * p.grad._data     # wrong sign
    with pytest.raises(OptimizerCheckError, match="did not decrease"):
        check_optimizer(Wrong)


def test_base_contract_and_errors():
    a, b = _p(2), _p(3)
    opt = corelib.optim.SGD([a], lr=0.1)
    assert opt.defaults["lr"] == 0.1 and isinstance(opt.state, dict) and len(opt.param_groups) == 1
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    opt.add_param_group({"params": (x for x in [b]), "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        corelib.optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        corelib.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {_p(1)}})
    with pytest.raises(ValueError, match="non-leaf"):
        corelib.optim.SGD([a * 2], lr=0.1)
    r = repr(opt)
    assert r.startswith("SGD (\nParameter Group 0\n    dampening: 0\n") and "Parameter Group 1" in r


@pytest.mark.parametrize("name,kw,msg", [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("AdamW", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    ("RMSprop", dict(alpha=-1), "Invalid alpha value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("SparseAdam", dict(lr=0.0), "Invalid learning rate: 0.0"),
    ("Rprop", dict(etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
    ("LBFGS", dict(lr=-1), "Invalid learning rate: -1"),
])
def test_validation_messages_match_torch(name, kw, msg):
    with pytest.raises(ValueError) as e:
        getattr(corelib.optim, name)([_p(2)], **kw)
    assert str(e.value) == msg
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as te:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    assert str(te.value) == msg


def test_defaults_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
                 "RAdam", "SparseAdam", "ASGD", "Rprop", "LBFGS"]:
        c = getattr(corelib.optim, name)([_p(2)]).defaults
        t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
        assert c == t, name


def test_zero_grad_and_hooks():
    a = _p(3)
    opt = corelib.optim.SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kw: calls.append("post"))
    (a * a).sum().backward()
    opt.step()
    assert calls == ["pre", "post"]
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and not a.grad.numpy().any()
    opt.zero_grad()
    assert a.grad is None


def test_load_state_dict_casts_and_copies():
    a = _p(3)
    opt = corelib.optim.Adam([a], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.5
    b = corelib.randn(3, dtype=corelib.float64, requires_grad=True)
    opt2 = corelib.optim.Adam([b], lr=0.1)
    opt2.load_state_dict(sd)
    st = opt2.state[b]
    assert st["exp_avg"].dtype == corelib.float64 and st["step"].dtype == corelib.float32
    assert opt2.param_groups[0]["lr"] == 0.5 and opt2.param_groups[0]["params"][0] is b
    assert st["exp_avg"]._data is not opt.state[a]["exp_avg"]._data
    with pytest.raises(ValueError, match="different number of parameter groups"):
        corelib.optim.Adam([{"params": [_p(1)]}, {"params": [_p(1)]}]).load_state_dict(sd)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf")])
def test_clip_grad_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    from corelib.nn.utils import clip_grad_norm_, clip_grad_value_
    rng = np.random.default_rng(0)
    gs = [rng.standard_normal(s).astype(np.float32) * 3 for s in [(4, 5), (7,)]]
    cp = [corelib.zeros(g.shape, requires_grad=True) for g in gs]
    tp = [torch.zeros(g.shape, requires_grad=True) for g in gs]
    for p, q, g in zip(cp, tp, gs):
        p.grad, q.grad = corelib.tensor(g), torch.tensor(g)
    n1 = clip_grad_norm_(cp, 1.5, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(tp, 1.5, norm_type)
    assert n1.dtype == corelib.float32
    np.testing.assert_allclose(n1.item(), n2.item(), rtol=1e-6)
    for p, q in zip(cp, tp):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-7)
    clip_grad_value_(cp, 0.01)
    torch.nn.utils.clip_grad_value_(tp, 0.01)
    for p, q in zip(cp, tp):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6)
    cp[0].grad._data[0, 0] = np.nan
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(cp, 1.0, error_if_nonfinite=True)


def test_parameters_vector_round_trip():
    from corelib.nn.utils import parameters_to_vector, vector_to_parameters
    ps = [_p(2, 3), _p(4)]
    v = parameters_to_vector(ps)
    assert tuple(v.shape) == (10,)
    vector_to_parameters(corelib.arange(10.0), ps)
    np.testing.assert_array_equal(ps[1].detach().numpy(), [6, 7, 8, 9])


def test_lr_finder_restores_and_suggests():
    import corelib.nn as nn
    from corelib.optim.lr_finder import LRFinder

    class Lin(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(corelib.zeros(3, 1))
            self.bias = nn.Parameter(corelib.zeros(1))

        def forward(self, x):
            return x @ self.weight + self.bias

    corelib.manual_seed(0)
    x = corelib.randn(256, 3)
    y = x @ corelib.tensor([[1.0], [-2.0], [0.5]]) + 0.1
    model = Lin()
    opt = corelib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    finder = LRFinder(model, opt, lambda o, t: ((o - t) ** 2).mean())
    h = finder.range_test(batches, start_lr=1e-4, end_lr=10, num_iter=100)
    assert 20 < len(h["lr"]) < 100          # diverged before the end at lr ~ 1
    assert h["lr"][0] == pytest.approx(1e-4) and all(np.diff(h["lr"]) > 0)
    assert 1e-3 < finder.suggestion() < 1.0
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.detach().numpy(), before[k])
    assert opt.param_groups[0]["lr"] == 0.01 and len(opt.state) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h2 = LRFinder(model, opt, lambda o, t: ((o - t) ** 2).mean()).range_test(
            batches, 1e-3, 1e-1, num_iter=10, step_mode="linear")
    assert len(h2["lr"]) == 10 and h2["lr"][-1] == pytest.approx(0.1)
