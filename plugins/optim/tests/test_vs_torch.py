"""Parameter trajectories over 100 steps against PyTorch (a test-only oracle).

The gradients come from numpy (float64 math cast to float32) and are fed to both libraries, so
the comparison measures the optimizers alone.
"""
import copy

import numpy as np
import pytest

import corelib

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((8, 5))
A = A.T @ A / 8 + 0.1 * np.eye(5)          # SPD Hessian for W's rows
B = RNG.standard_normal((4, 5))
W0 = RNG.standard_normal((4, 5)).astype(np.float32)
b0 = RNG.standard_normal(3).astype(np.float32)


def loss_and_grads(w, b):
    w = w.astype(np.float64)
    b = b.astype(np.float64)
    r = w - B
    loss = 0.5 * np.einsum("ij,jk,ik->", r, A, r) + 0.25 * np.sum(b ** 4) + 0.5 * np.sum(b ** 2)
    gw = r @ A
    gb = b ** 3 + b
    return loss, gw.astype(np.float32), gb.astype(np.float32)


def _cl_params():
    return [corelib.tensor(W0.copy(), requires_grad=True), corelib.tensor(b0.copy(), requires_grad=True)]


def _t_params():
    return [torch.tensor(W0.copy(), requires_grad=True), torch.tensor(b0.copy(), requires_grad=True)]


def _np(p):
    return p.detach().numpy().copy()


def _set_grads(params, lib, sign=1.0, sparse=False):
    _, gw, gb = loss_and_grads(_np(params[0]), _np(params[1]))
    gw, gb = sign * gw, sign * gb
    if sparse:
        gw = gw.copy()
        gw[1] = 0          # a row without gradient: SparseAdam must leave it alone
    if lib == "cl":
        params[0].grad = corelib.tensor(gw)
        params[1].grad = corelib.tensor(gb)
    else:
        g0, g1 = torch.tensor(gw), torch.tensor(gb)
        if sparse:
            g0, g1 = g0.to_sparse(1), g1.to_sparse(1)
        params[0].grad, params[1].grad = g0, g1


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-8)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, maximize=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.999))),         # lerp's other branch
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True, maximize=True)),
    ("SparseAdam", dict(lr=0.01)),
    ("SparseAdam", dict(lr=0.01, betas=(0.8, 0.99), maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01, lambd=1e-3, alpha=0.5, t0=20, weight_decay=0.01)),
    ("ASGD", dict(lr=0.01, t0=10, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.5), maximize=True)),
]


def _ids(c):
    return c[0] + "-" + "-".join(f"{k}={v}" for k, v in c[1].items())


def _run(lib, name, kw, steps, params=None, opt=None):
    sign = -1.0 if kw.get("maximize") else 1.0
    sparse = name == "SparseAdam"
    if params is None:
        params = _cl_params() if lib == "cl" else _t_params()
        opt = (getattr(corelib.optim, name) if lib == "cl" else getattr(torch.optim, name))(params, **kw)
    traj = []
    for _ in range(steps):
        _set_grads(params, lib, sign, sparse)
        opt.step()
        traj.append(np.concatenate([_np(p).ravel() for p in params]))
    return np.array(traj), params, opt


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_torch(case):
    name, kw = case
    got, _, _ = _run("cl", name, kw, 100)
    want, _, _ = _run("torch", name, kw, 100)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES[1::3], ids=[_ids(c) for c in CASES[1::3]])
def test_state_keys_and_state_dict_layout(case):
    name, kw = case
    _, _, opt = _run("cl", name, kw, 3)
    _, _, topt = _run("torch", name, kw, 3)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == [
        {k: v for k, v in g.items()} for g in tsd["param_groups"]] or \
        [sorted(g) for g in sd["param_groups"]] == [sorted(g) for g in tsd["param_groups"]]
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for i in tsd["state"]:
        assert sorted(sd["state"][i]) == sorted(tsd["state"][i])
        for k, tv in tsd["state"][i].items():
            v = sd["state"][i][k]
            if isinstance(tv, torch.Tensor):
                assert isinstance(v, corelib.Tensor), k
                assert str(v.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], k
                assert tuple(v.shape) == tuple(tv.shape), k
                tvd = tv.to_dense() if tv.is_sparse else tv
                np.testing.assert_allclose(v.numpy(), tvd.numpy(), rtol=1e-5, atol=1e-6)
            else:
                assert v == tv, k


@pytest.mark.parametrize("case", CASES[::2], ids=[_ids(c) for c in CASES[::2]])
def test_state_dict_round_trip_continues_identically(case):
    name, kw = case
    _, params, opt = _run("cl", name, kw, 30)
    sd = opt.state_dict()
    fresh = [corelib.tensor(_np(p), requires_grad=True) for p in params]
    opt2 = getattr(corelib.optim, name)(fresh, **kw)
    opt2.load_state_dict(sd)
    a, _, _ = _run("cl", name, kw, 30, params, opt)
    b, _, _ = _run("cl", name, kw, 30, fresh, opt2)
    np.testing.assert_array_equal(a, b)


def _closure_for(params, lib):
    def closure():
        loss, gw, gb = loss_and_grads(_np(params[0]), _np(params[1]))
        if lib == "cl":
            params[0].grad, params[1].grad = corelib.tensor(gw), corelib.tensor(gb)
            return corelib.tensor(np.float32(loss))
        params[0].grad, params[1].grad = torch.tensor(gw), torch.tensor(gb)
        return torch.tensor(np.float32(loss))
    return closure


@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe"),
                                dict(lr=0.5, max_iter=5, history_size=3),
                                dict(lr=0.8, max_iter=4, history_size=2, line_search_fn="strong_wolfe")])
def test_lbfgs_matches_torch(kw):
    res = {}
    for lib in ("cl", "torch"):
        params = _cl_params() if lib == "cl" else _t_params()
        opt = (corelib.optim.LBFGS if lib == "cl" else torch.optim.LBFGS)(params, **kw)
        traj = []
        for _ in range(8):
            opt.step(_closure_for(params, lib))
            traj.append(np.concatenate([_np(p).ravel() for p in params]))
        res[lib] = (np.array(traj), opt)
    np.testing.assert_allclose(res["cl"][0], res["torch"][0], rtol=1e-5, atol=1e-5)
    st = res["cl"][1].state[res["cl"][1].param_groups[0]["params"][0]]
    tst = res["torch"][1].state[res["torch"][1].param_groups[0]["params"][0]]
    assert st["func_evals"] == tst["func_evals"] and st["n_iter"] == tst["n_iter"]
    assert set(st) == set(tst)


def test_lbfgs_state_dict_round_trip():
    params = _cl_params()
    opt = corelib.optim.LBFGS(params, max_iter=3, history_size=4)
    for _ in range(2):
        opt.step(_closure_for(params, "cl"))
    sd = opt.state_dict()
    fresh = [corelib.tensor(_np(p), requires_grad=True) for p in params]
    opt2 = corelib.optim.LBFGS(fresh, max_iter=3, history_size=4)
    opt2.load_state_dict(sd)
    for _ in range(3):
        opt.step(_closure_for(params, "cl"))
        opt2.step(_closure_for(fresh, "cl"))
    np.testing.assert_array_equal(_np(params[0]), _np(fresh[0]))
