"""Differential fuzz of the LR schedulers against PyTorch: random valid parameters, get_last_lr
over 60 steps (exact), one and two param groups, state_dict keys, the order warning, and
ReduceLROnPlateau in every mode."""
import warnings

import numpy as np
import pytest

import corelib
from corelib.optim import lr_scheduler as cl_sched

torch = pytest.importorskip("torch")
tsched = torch.optim.lr_scheduler
STEPS = 60


def _opts(groups, opt_name="SGD", lr=0.1, **kw):
    def build(lib):
        ps = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
        gs = [{"params": [ps[0]]}] + [{"params": [p], "lr": lr / (k + 2)}
                                      for k, p in enumerate(ps[1:])]
        return getattr(lib.optim, opt_name)(gs, lr=lr, **kw)
    return build(corelib), build(torch)


def _random_kw(name, rng, groups):
    u = lambda a, b: float(rng.uniform(a, b))        # noqa: E731
    i = lambda a, b: int(rng.integers(a, b))          # noqa: E731
    per = lambda f: [f() for _ in range(groups)] if rng.random() < 0.5 else f()  # noqa: E731
    if name == "StepLR":
        return dict(step_size=i(1, 15), gamma=u(0.1, 0.99))
    if name == "MultiStepLR":
        return dict(milestones=sorted(int(m) for m in rng.integers(0, 70, i(1, 6))),
                    gamma=u(0.1, 0.99))
    if name == "ExponentialLR":
        return dict(gamma=u(0.8, 1.0))
    if name == "CosineAnnealingLR":
        return dict(T_max=i(1, 40), eta_min=u(0, 0.05))
    if name == "LinearLR":
        return dict(start_factor=u(0.01, 1.0), end_factor=u(0.0, 1.0), total_iters=i(1, 70))
    if name == "ConstantLR":
        return dict(factor=u(0.0, 1.0), total_iters=i(1, 70))
    if name == "PolynomialLR":
        return dict(total_iters=i(1, 70), power=u(0.3, 3.0))
    if name == "CosineAnnealingWarmRestarts":
        return dict(T_0=i(1, 20), T_mult=i(1, 4), eta_min=u(0, 0.01))
    if name == "CyclicLR":
        kw = dict(base_lr=per(lambda: u(0.001, 0.01)), max_lr=per(lambda: u(0.05, 0.2)),
                  step_size_up=i(1, 15), mode=["triangular", "triangular2", "exp_range"][i(0, 3)],
                  gamma=u(0.9, 1.0), cycle_momentum=bool(rng.random() < 0.5),
                  base_momentum=u(0.7, 0.85), max_momentum=u(0.86, 0.95))
        if rng.random() < 0.5:
            kw["step_size_down"] = i(1, 15)
        return kw
    if name == "OneCycleLR":
        kw = dict(max_lr=per(lambda: u(0.1, 1.0)), pct_start=u(0.1, 0.6),
                  anneal_strategy=["cos", "linear"][i(0, 2)], cycle_momentum=bool(rng.random() < 0.5),
                  div_factor=u(5, 30), final_div_factor=u(10, 1e4), three_phase=bool(rng.random() < 0.5))
        if rng.random() < 0.5:
            kw["total_steps"] = STEPS + i(0, 10)
        else:
            kw["epochs"], kw["steps_per_epoch"] = 6, 10 + i(0, 3)
        return kw
    if name == "LambdaLR":
        a = u(0.9, 0.99)
        return dict(lr_lambda=lambda e: a ** e)
    if name == "MultiplicativeLR":
        a = u(0.9, 1.0)
        return dict(lr_lambda=lambda e: a)
    raise AssertionError(name)


NAMES = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR",
         "PolynomialLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "LambdaLR",
         "MultiplicativeLR"]
CASES = [(n, g, s) for n in NAMES for g in (1, 2) for s in range(3)]


def _run(opt, sched, n=STEPS):
    out = []
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(list(sched.get_last_lr()) + [g.get("momentum", 0) for g in opt.param_groups])
    return out


@pytest.mark.parametrize("name,groups,seed", CASES, ids=[f"{n}-{g}g-{s}" for n, g, s in CASES])
def test_sequence_and_state_dict_match_torch(name, groups, seed):
    kw = _random_kw(name, np.random.default_rng(seed), groups)
    okw = dict(momentum=0.9) if name in ("CyclicLR", "OneCycleLR") else {}
    co, to = _opts(groups, **okw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs, ts = getattr(cl_sched, name)(co, **kw), getattr(tsched, name)(to, **kw)
        assert cs.get_last_lr() == ts.get_last_lr()
        assert sorted(cs.state_dict()) == sorted(ts.state_dict())
        rc, rt = _run(co, cs), _run(to, ts)
    np.testing.assert_array_equal(np.array(rc), np.array(rt), err_msg=f"{name} {kw}")
    assert sorted(cs.state_dict()) == sorted(ts.state_dict())
    assert [g["lr"] for g in co.param_groups] == [g["lr"] for g in to.param_groups]
    assert [g.get("initial_lr") for g in co.param_groups] == \
        [g.get("initial_lr") for g in to.param_groups]


@pytest.mark.parametrize("seed", range(3))
def test_sequential_and_chained_random(seed):
    rng = np.random.default_rng(100 + seed)
    picks = [NAMES[k] for k in rng.choice(8, 3, replace=False)]        # the closed-form ones
    kws = [_random_kw(n, rng, 2) for n in picks]
    milestones = sorted(int(m) for m in rng.choice(np.arange(1, 50), 2, replace=False))
    for composed in ("SequentialLR", "ChainedScheduler"):
        co, to = _opts(2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            subs_c = [getattr(cl_sched, n)(co, **k) for n, k in zip(picks, kws)]
            subs_t = [getattr(tsched, n)(to, **k) for n, k in zip(picks, kws)]
            if composed == "SequentialLR":
                cs = cl_sched.SequentialLR(co, subs_c, milestones)
                ts = tsched.SequentialLR(to, subs_t, milestones)
            else:
                cs = cl_sched.ChainedScheduler(subs_c, co)
                ts = tsched.ChainedScheduler(subs_t, to)
            rc, rt = _run(co, cs), _run(to, ts)
        np.testing.assert_array_equal(np.array(rc), np.array(rt), err_msg=f"{composed} {picks}")
        assert sorted(cs.state_dict()) == sorted(ts.state_dict())


MODES = [dict(mode=m, threshold_mode=t) for m in ("min", "max") for t in ("rel", "abs")]


@pytest.mark.parametrize("modes", MODES, ids=lambda d: f"{d['mode']}-{d['threshold_mode']}")
@pytest.mark.parametrize("seed", range(3))
def test_reduce_lr_on_plateau_all_modes(modes, seed):
    rng = np.random.default_rng(200 + seed)
    kw = dict(modes, factor=float(rng.uniform(0.1, 0.9)), patience=int(rng.integers(0, 5)),
              threshold=float(rng.choice([0.0, 1e-4, 0.01, 0.1])), cooldown=int(rng.integers(0, 4)),
              min_lr=[0.0, 0.01] if rng.random() < 0.5 else float(rng.uniform(0, 0.01)),
              eps=float(rng.choice([1e-8, 1e-3])))
    # a noisy metric with plateaus, going the mode's way on average
    sign = 1.0 if modes["mode"] == "min" else -1.0
    metric = np.round(sign * (5 - np.arange(STEPS) * 0.05 + rng.standard_normal(STEPS) * 0.3), 1)
    co, to = _opts(2)
    cs, ts = cl_sched.ReduceLROnPlateau(co, **kw), tsched.ReduceLROnPlateau(to, **kw)
    rc, rt = [], []
    for e in range(STEPS):
        for opt, s, out in ((co, cs, rc), (to, ts, rt)):
            opt.step()
            s.step(float(metric[e]))
            out.append(s.get_last_lr() + [s.best, s.num_bad_epochs, s.cooldown_counter])
    np.testing.assert_array_equal(np.array(rc, dtype=float), np.array(rt, dtype=float))
    assert sorted(cs.state_dict()) == sorted(ts.state_dict())


@pytest.mark.parametrize("name", NAMES[:8])
def test_warns_when_scheduler_steps_first(name):
    kw = _random_kw(name, np.random.default_rng(0), 1)
    res = []
    for lib, mod in ((corelib, cl_sched), (torch, tsched)):
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        s = getattr(mod, name)(opt, **kw)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s.step()
        res.append([str(x.message) for x in w if "optimizer.step()" in str(x.message)])
    assert res[0] == res[1]
    assert len(res[0]) == (0 if name == "CosineAnnealingWarmRestarts" else 1)   # (own step())


BAD = [
    ("LinearLR", dict(start_factor=0)),
    ("LinearLR", dict(start_factor=1.5)), ("LinearLR", dict(end_factor=-0.1)),
    ("ConstantLR", dict(factor=1.5)), ("ConstantLR", dict(factor=-0.1)),
    ("CosineAnnealingWarmRestarts", dict(T_0=0)), ("CosineAnnealingWarmRestarts", dict(T_0=2.0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=0)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, mode="foo")),
    ("CyclicLR", dict(base_lr=[0.01], max_lr=0.1)),
    ("OneCycleLR", dict(max_lr=0.1)), ("OneCycleLR", dict(max_lr=0.1, total_steps=0)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=1.5)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, anneal_strategy="foo")),
    ("OneCycleLR", dict(max_lr=0.1, epochs=0, steps_per_epoch=10)),
    ("OneCycleLR", dict(max_lr=[0.1], total_steps=10)),
    ("ReduceLROnPlateau", dict(factor=1.0)), ("ReduceLROnPlateau", dict(mode="foo")),
    ("ReduceLROnPlateau", dict(threshold_mode="foo")), ("ReduceLROnPlateau", dict(min_lr=[0.1])),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0])),
    ("SequentialLR", dict(schedulers=[], milestones=[])),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{sorted(k)}" for n, k in BAD])
def test_invalid_arguments_raise_as_torch(name, kw):
    res = []
    for lib, mod in ((torch, tsched), (corelib, cl_sched)):
        opt, _ = _opts(2) if lib is corelib else _opts(2)[::-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                getattr(mod, name)(opt, **kw)
                res.append(None)
            except Exception as e:                            # noqa: BLE001
                res.append((type(e).__name__, str(e)))
    assert res[0] is not None
    assert res[1] == res[0]
