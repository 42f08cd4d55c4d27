"""Comparing an op on "cuda" with the same op on "cpu" (shared by the cuda case-table tests)."""
import importlib.util
import types
import warnings

import numpy as np

import corelib as cl

FACTORIES = {"tensor", "as_tensor", "zeros", "ones", "full", "empty", "arange", "linspace",
             "logspace", "eye", "rand", "randn", "randint", "randperm", "normal",
             "tril_indices", "triu_indices", "scalar_tensor"}


class _OnCuda(types.ModuleType):
    """corelib, with creation functions defaulting to device="cuda" (the tables build index and
    value tensors through ``L.tensor(...)``)."""

    def __getattr__(self, name):
        v = getattr(cl, name)
        if name not in FACTORIES:
            return v

        def make(*a, **k):
            if k.get("device") is None:
                k["device"] = "cuda"
            return v(*a, **k)
        return make


CUDA_L = _OnCuda("corelib_on_cuda")


def load_module(path):
    """Another suite's test module (its case tables and program generators), or None when it
    cannot load: those modules skip themselves without torch (or a bundle)."""
    spec = importlib.util.spec_from_file_location(f"_cases_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except BaseException:                 # pytest's Skipped is a BaseException
        return None
    return mod


def _run(L, f, arrays, grad, device):
    xs = [cl.tensor(a, device=device, requires_grad=bool(grad and a.dtype.kind == "f"))
          for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return None, xs, f(L, *xs)
        except Exception as e:           # noqa: BLE001 (compared with cpu's)
            return e, xs, None


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _leaves(x)]
    return [out]


def _host(y):
    if isinstance(y, cl.Tensor):
        return str(y.dtype), tuple(y.shape), y.detach().cpu().numpy().astype(np.float64)
    return type(y).__name__, (), np.asarray(y, np.float64)


def matches_cpu(f, arrays, grad, tol=1e-5):
    """f(L, *xs) with L = corelib on cpu tensors and L = CUDA_L on cuda tensors: the same
    values, dtypes, shapes, output devices, exception kinds and (with grad) input gradients
    of a random weighting of the outputs."""
    ec, xc, oc = _run(cl, f, arrays, grad, "cpu")
    eg, xg, og = _run(CUDA_L, f, arrays, grad, "cuda")
    if ec is not None:
        assert eg is not None, f"cpu raises {ec!r}; cuda returned {og}"
        assert type(eg) is type(ec), (repr(eg), repr(ec))
        return
    if eg is not None:
        raise eg
    lc, lg = _leaves(oc), _leaves(og)
    assert len(lc) == len(lg)
    for a, b in zip(lc, lg):
        if isinstance(a, cl.Tensor):
            assert isinstance(b, cl.Tensor) and b.device.type == a.device.type.replace("cpu", "cuda")
        (da, sa, va), (db, sb, vb) = _host(a), _host(b)
        assert (db, sb) == (da, sa)
        np.testing.assert_allclose(vb, va, rtol=tol, atol=tol, equal_nan=True)
    if not grad:
        return
    w = np.random.default_rng(1)
    loss_c = loss_g = 0
    for a, b in zip(lc, lg):
        if isinstance(a, cl.Tensor) and a.requires_grad:
            wt = w.standard_normal(tuple(a.shape))
            loss_c = loss_c + (a * cl.tensor(wt, dtype=a.dtype)).sum()
            loss_g = loss_g + (b * cl.tensor(wt, dtype=b.dtype, device="cuda")).sum()
    if isinstance(loss_c, int):
        return
    try:
        loss_c.backward()
    except Exception:                    # noqa: BLE001 (a gradient cpu does not have either)
        return
    loss_g.backward()
    for a, b in zip(xc, xg):
        if a.grad is None:
            assert b.grad is None or not b.grad.cpu().numpy().any()
            continue
        assert b.grad is not None and b.grad.device.type == "cuda"
        np.testing.assert_allclose(b.grad.cpu().numpy(), a.grad.numpy(), rtol=tol, atol=tol)
