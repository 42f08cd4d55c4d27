"""Reductions (sum, mean, max, var, prod, ...), softmax / log_softmax, cumsum."""
import builtins
import collections

import numpy as np

from corelib.autograd import Function
from corelib import _dtype as D
from corelib import _tensor as T
from corelib.ops._util import dims_tuple, wrap_dim, float_input, named
from corelib.ops.convert import cast

Tensor = T.Tensor


class Sum(Function):
    fp_quiet = True                     # an overflow to inf is silent, as in torch

    def forward(self, x, dims, keepdim, dtype):
        self.in_shape = x.shape
        self.dims, self.keepdim = dims, keepdim
        return x.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, gy):
        if not self.keepdim:
            gy = gy.reshape(_keep_shape(self.in_shape, self.dims))
        return gy.expand(self.in_shape)


class SumTo(Function):
    """Sum a broadcast gradient back to ``shape`` (used by the engine)."""

    def forward(self, x, shape):
        self.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
        r = x.sum(axis=axes, keepdims=True) if axes else x
        return r.reshape(shape)

    def backward(self, gy):
        return gy.expand(self.in_shape)


def sum_to(x, shape):
    return SumTo.apply(x, tuple(shape))


class Expand(Function):
    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        return self.xp.broadcast_to(x, shape)

    def backward(self, gy):
        return sum_to(gy, self.in_shape)


class Amax(Function):
    """max/min over dims without indices: the gradient is split evenly among ties (as torch)."""

    def forward(self, x, dims, keepdim, largest):
        xp = self.xp
        if x.size == 0 and (not dims or builtins.any(x.shape[d] == 0 for d in dims)):
            _empty_reduce_error("max" if largest else "min")     # (other empty dims are fine)
        y = (x.max if largest else x.min)(axis=dims, keepdims=True)
        if self._inputs is not None:
            mask = (x == y) | (xp.isnan(x) & xp.isnan(y)) if x.dtype.kind == "f" else (x == y)
            self.save_for_backward(mask)
            self.meta = (x.shape, dims, keepdim)
        return y if keepdim else y.reshape(_drop_shape(x.shape, dims))

    def backward(self, gy):
        mask, = self.saved_tensors
        shape, dims, keepdim = self.meta
        if not keepdim:
            gy = gy.reshape(_keep_shape(shape, dims))
        m = mask.to(gy.dtype)
        return gy * m / m.sum(dim=dims, keepdim=True)


def _empty_reduce_error(name):
    raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                       f"Specify the reduction dim with the 'dim' argument.")


class Prod(Function):
    fp_quiet = True

    def forward(self, x, dims, keepdim, dtype):
        self.meta = (x.shape, dims, keepdim)
        if self._inputs is not None:
            self.save_for_backward(_prod_others(x, dims))
        return x.prod(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(self, gy):
        shape, dims, keepdim = self.meta
        if not keepdim:
            gy = gy.reshape(_keep_shape(shape, dims))
        if gy.requires_grad or self._inputs[0].requires_grad and _grad_enabled():
            return gy * _prod_others_graph(self._inputs[0], dims)     # create_graph: differentiable
        others, = self.saved_tensors
        return gy * others


def _prod_others(x, dims):
    """Product of all other elements in the reduced dims (exact with zeros)."""
    xp = np
    if x.size == 0:
        return xp.zeros_like(x)
    moved = xp.moveaxis(x, dims, tuple(range(x.ndim - len(dims), x.ndim)))
    lead = moved.shape[:x.ndim - len(dims)]
    flat = moved.reshape(lead + (-1,))
    ones = xp.ones(lead + (1,), dtype=x.dtype)
    left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    res = (left * right).reshape(moved.shape)
    return xp.moveaxis(res, tuple(range(x.ndim - len(dims), x.ndim)), dims)


def _grad_enabled():
    from corelib.autograd.grad_mode import _enabled
    return _enabled[0]


def _prod_others_graph(x, dims):
    """prod of the other elements of each reduced slice, from differentiable ops (O(n^2))."""
    from corelib.ops.movement import cat, stack
    nd = x.dim()
    rest = [d for d in range(nd) if d not in dims]
    xt = x.permute(rest + list(dims))
    lead = tuple(xt.shape[:len(rest)])
    flat = xt.reshape(lead + (-1,))
    n = flat.shape[-1]
    cols = []
    for i in range(n):
        parts = [p for p in (flat[..., :i], flat[..., i + 1:]) if p.shape[-1]]
        cols.append(prod(cat(parts, -1), -1) if parts else flat[..., 0] * 0 + 1)
    res = stack(cols, -1).reshape(xt.shape)
    inv = [0] * nd
    for k, d in enumerate(rest + list(dims)):
        inv[d] = k
    return res.permute(inv)


def _sk():
    from corelib.ops import _softmax_kernels
    return _softmax_kernels


def _rows_exp_last(x, dim):
    """The fused float32 kernel's (m, e, s) over the last dim of a contiguous cpu array, or None."""
    if dim != x.ndim - 1 or x.ndim == 0 or type(x) is not np.ndarray or x.dtype != np.float32:
        return None
    from corelib.ops import _softmax_kernels as sk      # imports numba: not at `import corelib`
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
    return sk.rows_exp(x2) if sk.fast_rows(x2) else None


class Softmax(Function):
    fp_quiet = True

    def forward(self, x, dim):
        self.dim = dim
        self.retain_output()
        if x.size == 0:
            return x.copy()
        r = _rows_exp_last(x, dim)
        if r is not None:
            m, e, s = r
            return _sk().rows_scale(e, 1 / s, out=e).reshape(x.shape)
        e = self.xp.exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, gy):
        y = self.saved_output()
        if not _grad_enabled():             # first order: a few in-place array passes
            t = gy._data * y._data
            t -= y._data * t.sum(axis=self.dim, keepdims=True)
            return T._make(t, gy.device)
        return y * (gy - (gy * y).sum(dim=self.dim, keepdim=True))


class LogSoftmax(Function):
    fp_quiet = True

    def forward(self, x, dim):
        self.dim = dim
        self.retain_output()
        if x.size == 0:
            return x.copy()
        r = _rows_exp_last(x, dim)
        if r is not None:
            m, e, s = r
            return _sk().rows_log_softmax(x.reshape(e.shape), m, s).reshape(x.shape)
        xp = self.xp
        s = x - x.max(axis=dim, keepdims=True)      # an inf max gives NaN rows, as PyTorch
        s -= xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        return s

    def backward(self, gy):
        y = self.saved_output()
        if not _grad_enabled():             # first order: a few in-place array passes
            e = self.xp.exp(y._data)
            e *= gy._data.sum(axis=self.dim, keepdims=True)
            return T._make(self.xp.subtract(gy._data, e, out=e), gy.device)
        return gy - y.exp() * gy.sum(dim=self.dim, keepdim=True)


class Cumsum(Function):
    def forward(self, x, dim, dtype):
        self.dim = dim
        if np.dtype(dtype or x.dtype) == np.float16:      # accumulated in float32, as torch
            return self.xp.cumsum(x, axis=dim, dtype=np.float32).astype(np.float16)
        return self.xp.cumsum(x, axis=dim, dtype=dtype)

    def backward(self, gy):
        return gy.flip(self.dim).cumsum(self.dim).flip(self.dim)


class NormP(Function):
    """Vector p-norm over dims; the subgradient at 0 is 0 (as torch)."""
    fp_quiet = True

    def forward(self, x, p, dims, keepdim):
        xp = self.xp
        self.meta = (x.shape, dims, keepdim, p)
        self.retain_inputs(0)
        self.retain_output()
        a = xp.abs(x)
        if p == float("inf"):
            return a.max(axis=dims, keepdims=keepdim)
        if p == float("-inf"):
            return a.min(axis=dims, keepdims=keepdim)
        if p == 2:
            return xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        if p == 1:
            return a.sum(axis=dims, keepdims=keepdim)
        if p == 0:
            return (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        return (a ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)

    def backward(self, gy):
        x, = self.saved_inputs()
        y = self.saved_output()
        shape, dims, keepdim, p = self.meta
        if not keepdim:
            gy = gy.reshape(_keep_shape(shape, dims))
            y = y.reshape(_keep_shape(shape, dims))
        if p == 0:
            return gy * 0 * x
        if p == 1:
            return gy * x.sign()
        if p in (float("inf"), float("-inf")):
            m = (x.abs() == y).to(x.dtype)
            return gy * x.sign() * m / m.sum(dim=dims, keepdim=True)
        if p == 2:
            g = x / (y + (y == 0).to(y.dtype))
        else:
            g = x * x.abs() ** (p - 2) / (y + (y == 0).to(y.dtype)) ** (p - 1)
        return gy * g * (y != 0)


# ---- helpers ---------------------------------------------------------------------------------
def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _drop_shape(shape, dims):
    return tuple(s for i, s in enumerate(shape) if i not in dims)


values_indices = collections.namedtuple("values_indices", ["values", "indices"])


def _rt(name):
    class R(values_indices):
        __slots__ = ()

        def __repr__(self):
            return f"corelib.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    R.__name__ = R.__qualname__ = name
    return R


return_types = {n: _rt(n) for n in ("max", "min", "sort", "topk", "kthvalue", "median", "mode",
                                    "cummax", "cummin")}
return_types["aminmax"] = collections.namedtuple("aminmax", ["min", "max"])


def _sum_dtype(x, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    if x._data.dtype.kind in "iub":
        return np.int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    dims = dims_tuple(dim, input._data.ndim)
    r = Sum.apply(input, dims, keepdim, _sum_dtype(input, dtype))
    return r if dim is None else named(r, "SumBackward1")


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from corelib.ops.movement import where
    if input._data.dtype.kind != "f":
        return sum(input, dim, keepdim, dtype=dtype)
    return sum(where(input.isnan(), 0.0, input), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name.capitalize()} "
                           f"(use input.float().mean())")
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    dims = dims_tuple(dim, input._data.ndim)
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    s = Sum.apply(input, dims, keepdim, None)
    return named(s / n if n != 0 else s * float("nan"), "MeanBackward0" if dim is None else "MeanBackward1")


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is None and not input.is_floating_point():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but "
                           f"got {D.torch_name(input.dtype)}")
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    notnan = (~input.isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim) / notnan


def prod(input, dim=None, keepdim=False, *, dtype=None):
    dims = dims_tuple(dim, input._data.ndim)
    return Prod.apply(input, dims, keepdim, _sum_dtype(input, dtype))


def _var_impl(input, dim, unbiased, keepdim, correction):
    if correction is None:
        correction = 1 if unbiased in (None, True) else 0
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = dims_tuple(dim, input._data.ndim)
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    mu = mean(input, dims, keepdim=True)
    d = input - mu
    ss = sum(d * d, dims, keepdim)
    return ss / builtins.max(n - correction, 0)     # dof <= 0: inf, or nan for 0/0 (as torch)


def _var_args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):          # var(x, True): the old unbiased positional form
        return None, dim, keepdim, correction
    return dim, unbiased, keepdim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased, keepdim, correction = _var_args(dim, unbiased, keepdim, correction)
    return named(_var_impl(input, dim, unbiased, keepdim, correction), "VarBackward0")


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased, keepdim, correction = _var_args(dim, unbiased, keepdim, correction)
    return named(_var_impl(input, dim, unbiased, keepdim, correction).sqrt(), "StdBackward0")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def _nonempty_dims(input, dim, name):
    """dims of an explicit reduction; an empty one is an IndexError, as torch."""
    dims = dims_tuple(dim, input._data.ndim)
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def amax(input, dim=(), keepdim=False):
    dims = dims_tuple(None, input._data.ndim) if dim == () else _nonempty_dims(input, dim, "amax")
    return Amax.apply(input, dims, keepdim, True)


def amin(input, dim=(), keepdim=False):
    dims = dims_tuple(None, input._data.ndim) if dim == () else _nonempty_dims(input, dim, "amin")
    return Amax.apply(input, dims, keepdim, False)


def _minmax(input, dim, keepdim, largest, name, other=None):
    if isinstance(dim, Tensor):               # max(a, b): elementwise
        from corelib.ops.elementwise import maximum, minimum
        return (maximum if largest else minimum)(input, dim)
    if other is not None:
        from corelib.ops.elementwise import maximum, minimum
        return (maximum if largest else minimum)(input, other)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                               f"== 0. Specify the reduction dim with the 'dim' argument.")
        return named(Amax.apply(input, tuple(range(input._data.ndim)), False, largest),
                     "MaxBackward1" if largest else "MinBackward1")
    d = wrap_dim(dim, input._data.ndim)
    a = input._data
    if a.ndim == 0:
        from corelib._creation import _wrap
        return return_types[name](input.clone(), _wrap(np.array(0, dtype=np.int64), input.device))
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    idx = _arg_nan(a, d, largest)
    from corelib._creation import _wrap
    idx_t = _wrap(np.expand_dims(idx, d), input.device)
    from corelib.ops.movement import gather
    vals = gather(input, d, idx_t)
    if not keepdim:
        vals = vals.squeeze(d)
        idx_t = idx_t.squeeze(d)
    return return_types[name](named(vals, "MaxBackward0" if largest else "MinBackward0"), idx_t)


def _arg_nan(a, d, largest):
    f = np.argmax if largest else np.argmin
    idx = f(a, axis=d)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            has = nan.any(axis=d)
            idx = np.where(has, np.argmax(nan, axis=d), idx)
    return idx.astype(np.int64)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    return _minmax(input, dim, keepdim, True, "max", other)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _minmax(input, dim, keepdim, False, "min", other)


def aminmax(input, *, dim=None, keepdim=False):
    if dim is not None:
        _nonempty_dims(input, dim, "aminmax")
    return return_types["aminmax"](amin(input, dim if dim is not None else (), keepdim),
                                   amax(input, dim if dim is not None else (), keepdim))


def _check_arg_empty(a, name, d=None):
    if a.size == 0 and (d is None or a.shape[d] == 0):
        raise IndexError(f"{name}(): Expected reduction dim {'' if d is None else d} to be specified "
                         f"for input.numel() == 0 (input of shape {list(a.shape)}).")


def _no_bool(a, name):
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input; convert it with .long() first")


def argmax(input, dim=None, keepdim=False):
    from corelib._creation import _wrap
    a = input._data
    _no_bool(a, "argmax")
    if dim is None:
        _check_arg_empty(a, "argmax")
        r = _arg_nan(a.reshape(-1), 0, True)
        return _wrap(r.reshape((1,) * a.ndim if keepdim else ()), input.device)
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(np.array(0, np.int64), input.device)
    _check_arg_empty(a, "argmax", d)
    r = _arg_nan(a, d, True)
    return _wrap(np.expand_dims(r, d) if keepdim else r, input.device)


def argmin(input, dim=None, keepdim=False):
    from corelib._creation import _wrap
    a = input._data
    _no_bool(a, "argmin")
    if dim is None:
        _check_arg_empty(a, "argmin")
        r = _arg_nan(a.reshape(-1), 0, False)
        return _wrap(r.reshape((1,) * a.ndim if keepdim else ()), input.device)
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(np.array(0, np.int64), input.device)
    _check_arg_empty(a, "argmin", d)
    r = _arg_nan(a, d, False)
    return _wrap(np.expand_dims(r, d) if keepdim else r, input.device)


def _softmax_dim(ndim, dim, name):
    if dim is None:
        import warnings
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                      f"to include dim=X as an argument.", stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return wrap_dim(dim, ndim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"softmax\" not implemented for '{input.dtype.name}': "
                                  f"pass a floating tensor, or dtype=corelib.float32")
    if input._data.ndim == 0:
        return softmax(input.reshape(1), _softmax_dim(1, dim, "softmax")).reshape(())
    return Softmax.apply(input, _softmax_dim(input._data.ndim, dim, "softmax"))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"log_softmax\" not implemented for '{input.dtype.name}': "
                                  f"pass a floating tensor, or dtype=corelib.float32")
    if input._data.ndim == 0:
        return log_softmax(input.reshape(1), _softmax_dim(1, dim, "log_softmax")).reshape(())
    return LogSoftmax.apply(input, _softmax_dim(input._data.ndim, dim, "log_softmax"))


def logsumexp(input, dim, keepdim=False):
    input = float_input(input)
    dims = dims_tuple(dim, input._data.ndim)
    if builtins.any(input._data.shape[d] == 0 for d in dims):      # an empty sum: log(0) = -inf
        r = input.exp().sum(dims, keepdim=True).log()
        return r if keepdim else r.squeeze(dims) if dims else r
    m = amax(input, dims, keepdim=True).detach()
    m = T._make(np.where(np.isfinite(m._data), m._data, 0).astype(m._data.dtype), m.device)
    r = (input - m).exp().sum(dims, keepdim=True).log() + m
    return r if keepdim else r.squeeze(dims) if dims else r


def cumsum(input, dim, *, dtype=None):
    if input._data.ndim == 0:
        wrap_dim(dim, 1)
        return cast(input, D.from_numpy_dtype(np.dtype(_sum_dtype(input, dtype) or input._data.dtype)))
    d = wrap_dim(dim, input._data.ndim)
    return Cumsum.apply(input, d, _sum_dtype(input, dtype))


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    elif input._data.dtype.kind in "iub":
        input = cast(input, D.int64)
    if input._data.ndim == 0:
        wrap_dim(dim, 1)
        return input.clone()
    return Cumprod.apply(input, wrap_dim(dim, input._data.ndim))


def _cumprod_slices(x, d):
    from corelib.ops.movement import stack
    outs, acc = [], None
    for i in range(x.shape[d]):
        xi = x.select(d, i)
        acc = xi if acc is None else acc * xi
        outs.append(acc)
    return stack(outs, d)


class Cumprod(Function):
    """Running product along dim. Its gradient (torch's, exact with zeros) is composed of
    differentiable ops, so it differentiates again: with z the first zero of a slice,
    g_k = rcumsum(gy * y)_k / x_k before z, g_z = rcumsum(gy * y')_z where y' is the cumprod
    with x_z replaced by 1, and 0 after z."""

    def forward(self, x, dim):
        self.dim = dim
        self.retain_inputs(0)
        self.retain_output()
        if x.dtype == np.float16:                       # accumulated in float32, as torch
            return self.xp.cumprod(x, axis=dim, dtype=np.float32).astype(np.float16)
        return self.xp.cumprod(x, axis=dim)

    def backward(self, gy):
        from corelib.ops.movement import where
        from corelib import autograd
        x, = self.saved_inputs()
        y, d = self.saved_output(), self.dim
        if autograd.is_grad_enabled():
            # create_graph: the masks below are not differentiable at zeros of x; the gradient of
            # the running product of slices is (O(n) ops, as the reference formula)
            return autograd.grad(_cumprod_slices(x, d), x, gy, create_graph=True)[0], None

        def rcumsum(t):
            return t.flip(d).cumsum(d).flip(d)
        zero = x == 0
        seen = zero.long().cumsum(d)                    # zeros at or before each position
        first = zero & (seen == 1)
        x1 = where(first, 1, x)
        before = seen == 0
        g_before = rcumsum(gy * y) / where(before, x1, 1)
        g_first = rcumsum(gy * cumprod(x1, d))
        return where(before, g_before, where(first, g_first, 0)), None


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if isinstance(p, str):
        if p == "fro":
            p = 2
        elif p == "nuc":
            raise RuntimeError("nuclear norm is not supported by corelib.norm; use p=2 or 'fro'")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): expected a floating point tensor as input, got {input.dtype}; "
                           f"convert it with .float() first")
    dims = dims_tuple(dim, input._data.ndim)
    return NormP.apply(input, float(p), dims, keepdim)


def dist(input, other, p=2):
    return norm(input - other, p)


def all(input, dim=None, keepdim=False):
    from corelib._creation import _wrap
    a = input._data
    r = a.all(axis=None if dim is None else dims_tuple(dim, a.ndim), keepdims=keepdim)
    return _wrap(r.astype(np.uint8) if a.dtype == np.uint8 else r, input.device)     # uint8 stays uint8


def any(input, dim=None, keepdim=False):
    from corelib._creation import _wrap
    a = input._data
    r = a.any(axis=None if dim is None else dims_tuple(dim, a.ndim), keepdims=keepdim)
    return _wrap(r.astype(np.uint8) if a.dtype == np.uint8 else r, input.device)     # uint8 stays uint8


def count_nonzero(input, dim=None):
    from corelib._creation import _wrap
    a = input._data
    r = np.count_nonzero(a, axis=None if dim is None else dims_tuple(dim, a.ndim))
    return _wrap(r.astype(np.int64) if hasattr(r, "astype") else np.int64(r), input.device)
