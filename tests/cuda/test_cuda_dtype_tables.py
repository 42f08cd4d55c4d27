"""Result dtypes and values of elementwise ops and reductions over every dtype (pair) and with
Python scalars, on "cuda" vs "cpu" (cuda_compare.matches_cpu). Differences kept on purpose: an
integer division by zero raises on cpu only (a device check would wait for the GPU; torch's cuda
does not raise either), and erf takes float16 on cuda (as torch's cuda)."""
import itertools
from pathlib import Path

import pytest

from cuda_compare import load_module, matches_cpu

# the dtype inputs of tests/core's promotion tests (that module needs torch)
_mod = load_module(Path(__file__).resolve().parents[1] / "core" / "test_promotion_vs_torch.py")
DTS, mk = (_mod.DTS, _mod.mk) if _mod is not None else ([], None)
pytestmark = pytest.mark.skipif(mk is None, reason="the dtype tables' inputs need torch to load")


def check(f):
    matches_cpu(f, [], False, tol=2e-3)


INT_DIV = ("floor_divide", "remainder", "fmod")


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "floor_divide", "remainder", "fmod",
                                "maximum", "minimum", "eq", "lt", "ge", "logical_and", "logical_xor",
                                "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                "atan2", "hypot", "copysign", "fmax", "xlogy", "logaddexp"])
def test_binary_all_dtype_pairs(op):
    for d1, d2 in itertools.product(DTS, DTS):
        if op in INT_DIV and d2 == "bool":           # the divisor has zeros
            continue
        check(lambda L: getattr(L, op)(mk(L, d1), mk(L, d2, 1)))


@pytest.mark.parametrize("scalar", [2, 2.5, -3, True])
def test_tensor_scalar(scalar):
    for dt in DTS:
        for op in ["add", "mul", "div", "pow", "sub", "lt", "floor_divide", "remainder", "maximum"]:
            check(lambda L: getattr(L, op)(mk(L, dt), scalar))
            if op in ("add", "mul", "sub", "pow", "div"):
                check(lambda L: getattr(L, op)(scalar, mk(L, dt)))


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "abs", "neg", "sigmoid", "tanh", "floor", "ceil",
                                "round", "trunc", "frac", "sign", "sum", "mean", "prod", "max", "min",
                                "argmax", "cumsum", "cumprod", "square", "reciprocal", "sin", "float",
                                "long", "bool", "half", "double", "int", "std", "var", "logical_not",
                                "bitwise_not", "isnan", "isinf", "nansum", "all", "any",
                                "count_nonzero", "exp2", "expm1", "log1p", "rsqrt", "erf", "erfinv",
                                "lgamma", "digamma", "sinc", "signbit", "relu", "softmax",
                                "log_softmax", "logsumexp", "norm", "amax", "aminmax", "sort",
                                "unique", "nan_to_num", "clamp", "deg2rad"])
def test_unary_all_dtypes(op):
    def f(L, dt):
        x = mk(L, dt)
        if op in ("cumsum", "cumprod", "softmax", "log_softmax", "logsumexp"):
            return getattr(x, op)(0)
        if op == "clamp":
            return x.clamp(0, 1)
        if op == "sort":
            return x.sort().values
        return getattr(x, op)()
    for dt in DTS:
        if op == "erf" and dt == "float16":
            continue
        check(lambda L: f(L, dt))
