import warnings

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ---- the torch oracle of the *_vs_torch case tables ---------------------------------------------------
def _lib_dtype(d):
    return str(d).split(".")[-1]


def _exc_kind(e, kinds):
    for k in kinds:
        if isinstance(e, k):
            return k
    return type(e)


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _leaves(x)]
    return [out]


def _run(L, f, arrays, wants_grad):
    xs = [L.tensor(a, requires_grad=wants_grad(a)) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = f(L, *xs)
        except Exception as e:                       # noqa: BLE001 (the oracle decides)
            return e, xs, None
    return None, xs, out


def torch_check(f, arrays, grad, *, rtol, atol, grad_rtol, grad_atol, f32_tol=None,
                grad_kinds="f", weight_dtype=np.float64, need_grad_output=False,
                exc_kinds=(IndexError, TypeError, ValueError, RuntimeError)):
    """Run ``f(L, *xs)`` with L = torch and L = corelib on the same arrays: where torch raises,
    corelib must raise the same kind; else values, dtypes and shapes must match (float32 outputs
    at ``f32_tol`` when given), and with ``grad`` the gradients of a random weighting of the
    outputs with respect to the inputs of a dtype kind in ``grad_kinds`` ("f": any float, "f8":
    float64 only)."""
    import torch
    import corelib as cl
    wants = (lambda a: grad and a.dtype == np.float64) if grad_kinds == "f8" else \
        (lambda a: grad and a.dtype.kind == "f")
    et, xt, ot = _run(torch, f, arrays, wants)
    ec, xc, oc = _run(cl, f, arrays, wants)
    if et is not None:
        assert ec is not None, f"torch raises {type(et).__name__}: {et}; corelib returned {oc}"
        assert _exc_kind(ec, exc_kinds) is _exc_kind(et, exc_kinds), (repr(ec), repr(et))
        return
    if ec is not None:
        raise ec

    def as_np(y):
        if isinstance(y, (cl.Tensor, torch.Tensor)):
            return _lib_dtype(y.dtype), tuple(y.shape), np.asarray(y.detach().numpy(), np.float64)
        return type(y).__name__, (), np.asarray(y, np.float64)
    lt, lc = _leaves(ot), _leaves(oc)
    assert len(lt) == len(lc)
    for a, b in zip(lc, lt):
        (da, sa, va), (db, sb, vb) = as_np(a), as_np(b)
        assert (da, sa) == (db, sb)
        rt, at = f32_tol if f32_tol and da == "float32" else (rtol, atol)
        np.testing.assert_allclose(va, vb, rtol=rt, atol=at, equal_nan=True)
    if not grad:
        return
    g = np.random.default_rng(1)
    loss_t, loss_c = 0, 0
    for a, b in zip(lc, lt):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            w = g.standard_normal(tuple(b.shape)).astype(weight_dtype)
            loss_t = loss_t + (b * torch.tensor(w, dtype=b.dtype)).sum()
            loss_c = loss_c + (a * cl.tensor(w, dtype=a.dtype)).sum()
    if isinstance(loss_t, int):
        assert not need_grad_output, "grad=True but torch's output does not require grad"
        return
    loss_t.backward()
    loss_c.backward()
    for a, b in zip(xc, xt):
        if b.requires_grad:
            if b.grad is None:
                assert a.grad is None or not a.grad.numpy().any()
                continue
            assert a.grad is not None
            tg = torch.zeros(b.shape, dtype=b.dtype) + b.grad        # densifies a ZeroTensor
            np.testing.assert_allclose(a.grad.numpy(), tg.numpy(), rtol=grad_rtol, atol=grad_atol)


@pytest.fixture
def oracle():
    """torch_check (tests/core/conftest.py), for the case tables checked against torch."""
    return torch_check
