"""corelib: PyTorch's API on numpy and numba, with every component a plugin.

    import corelib as cl
    x = cl.randn(3, 4, requires_grad=True)
    (x.exp() * 2).sum().backward()

`import corelib` stays light: numba, pillow, pluggy and the plugin bundles load on first use.
"""
import builtins as _builtins

from corelib._dtype import (dtype, float16, float32, float64, int8, int16, int32, int64, uint8,
                            bool_ as bool, get_default_dtype, set_default_dtype, promote_types,
                            can_cast, finfo, iinfo)
from corelib._device import device
from corelib._tensor import Tensor, Size
from corelib.autograd import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                              is_inference_mode_enabled, is_anomaly_enabled, set_detect_anomaly)
from corelib import autograd
from corelib import ops as _ops  # noqa: F401  (binds Tensor methods)
from corelib.random import (Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
                            default_generator)
from corelib._creation import (tensor, as_tensor, asarray, from_numpy, frombuffer, empty, zeros,
                               ones, full, empty_like, zeros_like, ones_like, full_like, arange,
                               linspace, logspace, eye, rand, randn, rand_like, randn_like, randint,
                               randint_like, randperm, normal, bernoulli, multinomial, poisson,
                               empty_strided, scalar_tensor)
from corelib._creation import range_ as range  # noqa: A001
from corelib.ops.elementwise import (add, sub, subtract, mul, multiply, div, divide, true_divide,
                                     floor_divide, remainder, fmod, pow, float_power, maximum,
                                     minimum, fmax, fmin, atan2, arctan2, exp, exp2, expm1, log,
                                     log2, log10, log1p, sqrt, rsqrt, sin, cos, tan, asin, arcsin,
                                     asinh, arcsinh, acosh, arccosh, atanh, arctanh,
                                     bitwise_left_shift, bitwise_right_shift,
                                     acos, arccos, atan, arctan, sinh, cosh, tanh, sigmoid, relu,
                                     erf, neg, negative, abs, absolute, reciprocal, square, sign,
                                     sgn, signbit, floor, ceil, trunc, fix, round, frac, clamp,
                                     clip, clamp_min, clamp_max, addcmul, addcdiv, lerp, hypot,
                                     logaddexp, xlogy, eq, ne, not_equal, lt, less, le, less_equal,
                                     gt, greater, ge, greater_equal, logical_and, logical_or,
                                     logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor,
                                     bitwise_not, isnan, isinf, isfinite, isposinf, isneginf,
                                     nan_to_num)
from corelib.ops.reduce import (sum, nansum, mean, nanmean, prod, var, std, var_mean, std_mean,
                                amax, amin, aminmax, max, min, argmax, argmin, softmax, log_softmax,
                                logsumexp, cumsum, cumprod, norm, dist, all, any, count_nonzero)
from corelib.ops.movement import (reshape, flatten, unflatten, permute, transpose, swapaxes,
                                  swapdims, t, movedim, moveaxis, squeeze, unsqueeze,
                                  broadcast_to, broadcast_shapes, broadcast_tensors, select, narrow, as_strided,
                                  index_select, masked_select, masked_fill, cat, concat, concatenate,
                                  stack, hstack, vstack, atleast_1d, atleast_2d, chunk, split,
                                  tensor_split, unbind, flip, fliplr, flipud, roll, tile,
                                  repeat_interleave, gather, scatter, scatter_add, scatter_reduce,
                                  index_add, index_fill, index_copy, take, take_along_dim, where,
                                  nonzero, argwhere, tril, triu, diagonal, diag, diag_embed, trace,
                                  sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique,
                                  searchsorted, bucketize, meshgrid)
from corelib.ops.linalg import (matmul, mm, bmm, mv, dot, vdot, inner, outer, ger, addmm, addmv,
                                baddbmm, addbmm, einsum)
from corelib.ops.convert import clone
from corelib.ops import equal, allclose, isclose, index_put, masked_scatter
from corelib.ops.reduce import return_types as _rt
from corelib.ops.extra import *  # noqa: F401,F403  (more torch functions; see its __all__)
from corelib.ops.extra_linalg import *  # noqa: F401,F403
from corelib import linalg, special  # noqa: F401

# NOTE: torch computes inf/nan silently; numpy warns ("divide by zero encountered in log").
# Silence those floating-point warnings for corelib's own modules only.
import warnings as _warnings
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"corelib(\.|_|$)",
                         message=r"(divide by zero|invalid value|overflow|underflow) encountered")

half, float, double = float16, float32, float64   # noqa: A001
short, int, long = int16, int32, int64            # noqa: A001
strided = "strided"
__version__ = "0.1.0"


def _typed_constructor(name, dt, device="cpu"):
    def make(*args):
        if args and _builtins.all(isinstance(a, _builtins.int) for a in args):
            return empty(*args, dtype=dt, device=device)
        if len(args) == 1:
            return tensor(args[0], dtype=dt, device=device)
        return empty(0, dtype=dt, device=device)
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"Legacy constructor: {name}(sizes...) or {name}(data) -> a {dt} tensor on {device}."
    make._legacy = (dt, device)         # Tensor.type(corelib.FloatTensor) casts to it
    return make


FloatTensor = _typed_constructor("FloatTensor", float32)
DoubleTensor = _typed_constructor("DoubleTensor", float64)
HalfTensor = _typed_constructor("HalfTensor", float16)
LongTensor = _typed_constructor("LongTensor", int64)
IntTensor = _typed_constructor("IntTensor", int32)
ShortTensor = _typed_constructor("ShortTensor", int16)
CharTensor = _typed_constructor("CharTensor", int8)
ByteTensor = _typed_constructor("ByteTensor", uint8)
BoolTensor = _typed_constructor("BoolTensor", bool)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def detach(input):
    return input.detach()


def result_type(tensor1, tensor2):
    from corelib._dtype import result_type as _r
    return _r(tensor1, tensor2)


def is_floating_point(input):
    return input.is_floating_point()


from corelib._printing import set_printoptions, get_printoptions, printoptions  # noqa: E402,F401
from corelib._config import (set_num_threads, get_num_threads, use_deterministic_algorithms,  # noqa: E402,F401
                             are_deterministic_algorithms_enabled,
                             is_deterministic_algorithms_warn_only_enabled,
                             set_float32_matmul_precision, get_float32_matmul_precision, compile)


class return_types:  # noqa: N801  (torch.return_types namespace)
    pass


for _n, _c in _rt.items():
    setattr(return_types, _n, _c)

_LAZY = {"registry": "corelib.registry", "nn": "corelib.nn", "optim": "corelib.optim",
         "utils": "corelib.utils", "transforms": "corelib.transforms", "datasets": "corelib.datasets",
         "testing": "corelib.testing", "cuda": "corelib.cuda", "backends": "corelib.backends",
         "hookspecs": "corelib.hookspecs"}


def __getattr__(name):
    # NOTE: keeps `import corelib` light; the registry (pluggy), nn, cuda, ... load on first use.
    if name in _LAZY:
        import importlib
        return importlib.import_module(_LAZY[name])
    if name == "hookimpl":
        from corelib.hookspecs import hookimpl
        return hookimpl
    if name in ("save", "load"):
        import importlib
        return getattr(importlib.import_module("corelib.serialization"), name)
    raise AttributeError(f"module 'corelib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"hookimpl", "save", "load"})
