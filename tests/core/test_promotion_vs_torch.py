"""Result dtypes and values of unary/binary ops over every dtype pair, against PyTorch."""
import itertools
import warnings

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")

DTS = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def mk(lib, dt, seed=0):
    r = np.random.default_rng(seed)
    if dt == "bool":
        a = r.random((2, 3)) > 0.5
    elif dt.startswith("float"):
        a = r.standard_normal((2, 3))
    elif dt == "uint8":
        a = r.integers(1, 5, (2, 3))
    else:
        a = r.integers(1, 5, (2, 3)) * np.where(r.random((2, 3)) > 0.5, 1, -1)
    return lib.tensor(a.astype(dt if dt != "bool" else bool), dtype=getattr(lib, dt))


def run(fn, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            z = fn(lib)
        except Exception as e:               # noqa: BLE001  (torch's own refusals are skipped)
            return "ERR", type(e).__name__
    return str(z.dtype).split(".")[-1], np.asarray(z.numpy(), dtype=np.float64)


def compare(fn):
    dt_t, v_t = run(fn, torch)
    if dt_t == "ERR":
        return
    dt_c, v_c = run(fn, cl)
    assert dt_c == dt_t, (dt_c, dt_t, v_c)
    np.testing.assert_allclose(v_c, v_t, rtol=1e-2, atol=1e-2, equal_nan=True)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "floor_divide", "remainder",
                                "maximum", "eq", "lt", "logical_and", "bitwise_and", "atan2"])
def test_binary_all_dtype_pairs(op):
    for d1, d2 in itertools.product(DTS, DTS):
        if op in ("floor_divide", "remainder", "pow") and "bool" in (d1, d2):
            continue
        compare(lambda lib: getattr(lib, op)(mk(lib, d1), mk(lib, d2, 1)))


@pytest.mark.parametrize("scalar", [2, 2.5, -3, True])
def test_tensor_scalar(scalar):
    for dt in DTS:
        for op in ["add", "mul", "div", "pow", "sub", "lt", "floor_divide"]:
            if dt == "bool" and op in ("floor_divide", "pow"):
                continue
            compare(lambda lib: getattr(lib, op)(mk(lib, dt), scalar))
            compare(lambda lib: getattr(lib, op)(scalar, mk(lib, dt)) if op in ("add", "mul", "sub")
                    else getattr(lib, op)(mk(lib, dt), scalar))


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "abs", "neg", "sigmoid", "tanh", "floor", "sum",
                                "mean", "prod", "max", "min", "cumsum", "square", "reciprocal", "sin",
                                "float", "long", "bool"])
def test_unary_all_dtypes(op):
    for dt in DTS:
        if dt == "bool" and op in ("abs", "floor"):
            continue
        compare(lambda lib: getattr(mk(lib, dt), op)(*((0,) if op == "cumsum" else ())))
