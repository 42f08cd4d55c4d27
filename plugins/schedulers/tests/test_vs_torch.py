"""LR (and momentum) sequences over 100 epochs against PyTorch's schedulers (test-only oracle)."""
import warnings

import numpy as np
import pytest

import corelib
from corelib.optim import lr_scheduler as cl_sched

torch = pytest.importorskip("torch")
tsched = torch.optim.lr_scheduler


def _opts(opt_name="SGD", **kw):
    kw = dict(kw) or dict(lr=0.1, momentum=0.9)
    cp = [corelib.zeros(2, requires_grad=True), corelib.zeros(3, requires_grad=True)]
    tp = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    lr = kw.pop("lr")
    cgroups = [{"params": [cp[0]]}, {"params": [cp[1]], "lr": lr / 2}]
    tgroups = [{"params": [tp[0]]}, {"params": [tp[1]], "lr": lr / 2}]
    return (getattr(corelib.optim, opt_name)(cgroups, lr=lr, **kw),
            getattr(torch.optim, opt_name)(tgroups, lr=lr, **kw))


def _lambda(e):
    return 0.95 ** e


def _mult(e):
    return 0.97


CASES = [
    ("StepLR", dict(step_size=7)),
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[10, 30, 30, 60], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.97)),
    ("CosineAnnealingLR", dict(T_max=17)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=_lambda)),
    ("LambdaLR", dict(lr_lambda=[_lambda, lambda e: 1.0 / (e + 1)])),
    ("MultiplicativeLR", dict(lr_lambda=_mult)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=30)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=20)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=50, power=2.0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=10)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=0.001)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=7)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5, step_size_down=9, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.98)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, cycle_momentum=False)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations")),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=100)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=10, anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=100, pct_start=0.2, cycle_momentum=False, div_factor=10.0, final_div_factor=100.0)),
]
ADAM_CASES = [
    ("OneCycleLR", dict(max_lr=0.01, total_steps=100)),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=10)),
]


def _record(opt, sched, n=100, metric=None):
    out = []
    for e in range(n):
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric(e))
        g = opt.param_groups
        out.append([*sched.get_last_lr(), *[x.get("momentum", x.get("betas", (0,))[0]) for x in g]])
    return np.array(out, dtype=np.float64)


def _pair(name, kw, opt_name="SGD", **okw):
    co, to = _opts(opt_name, **okw)
    return (co, getattr(cl_sched, name)(co, **kw)), (to, getattr(tsched, name)(to, **kw))


@pytest.mark.parametrize("name,kw", CASES + [(n, dict(kw, _adam=True)) for n, kw in ADAM_CASES])
def test_sequence_matches_torch(name, kw):
    kw = dict(kw)
    okw = dict(lr=0.001) if kw.pop("_adam", False) else {}
    (co, cs), (to, ts) = _pair(name, kw, "Adam" if okw else "SGD", **okw)
    n = 100
    got, want = _record(co, cs, n), _record(to, ts, n)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", factor=0.5, patience=2, threshold=0.01,
                                             threshold_mode="abs", cooldown=3, min_lr=[0.01, 0.02]),
                                dict(patience=0, eps=0.05, min_lr=0.001)])
def test_reduce_lr_on_plateau_matches_torch(kw):
    (co, cs), (to, ts) = _pair("ReduceLROnPlateau", kw)
    metric = lambda e: float(np.sin(e / 3.0) + 10.0 / (e + 1))   # noqa: E731
    np.testing.assert_allclose(_record(co, cs, metric=metric), _record(to, ts, metric=metric),
                               rtol=1e-12, atol=0)


def _seq(mod, opt):
    s1 = mod.LinearLR(opt, start_factor=0.1, total_iters=10)
    s2 = mod.ExponentialLR(opt, gamma=0.9)
    s3 = mod.CosineAnnealingLR(opt, T_max=20)
    return mod.SequentialLR(opt, [s1, s2, s3], milestones=[10, 40])


def _chain(mod, opt):
    return mod.ChainedScheduler([mod.ConstantLR(opt, factor=0.5, total_iters=8),
                                 mod.ExponentialLR(opt, gamma=0.95)])


@pytest.mark.parametrize("build", [_seq, _chain])
def test_composed_match_torch(build):
    co, to = _opts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs, ts = build(cl_sched, co), build(tsched, to)
        np.testing.assert_allclose(_record(co, cs), _record(to, ts), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name,kw", CASES[::2] + [("ReduceLROnPlateau", dict(patience=1))])
def test_state_dict_round_trip(name, kw):
    metric = (lambda e: 1.0) if name == "ReduceLROnPlateau" else None
    co, _ = _opts()
    cs = getattr(cl_sched, name)(co, **kw)
    _record(co, cs, 37, metric)
    osd, ssd = co.state_dict(), cs.state_dict()
    co2, _ = _opts()
    cs2 = getattr(cl_sched, name)(co2, **kw)
    cs2.load_state_dict(ssd)
    co2.load_state_dict(osd)
    n = 20 if name == "OneCycleLR" else 50
    np.testing.assert_array_equal(_record(co, cs, n, metric), _record(co2, cs2, n, metric))


@pytest.mark.parametrize("name,kw", CASES[::3])
def test_closed_form_matches_torch(name, kw):
    if not hasattr(getattr(tsched, name), "_get_closed_form_lr"):
        pytest.skip("no closed form")
    (co, cs), (to, ts) = _pair(name, kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e in [3, 10, 25, 60]:
            co.step(); to.step()
            cs.step(e); ts.step(e)
            np.testing.assert_allclose(cs.get_last_lr(), ts.get_last_lr(), rtol=1e-12)
