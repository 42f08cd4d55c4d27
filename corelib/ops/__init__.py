"""All differentiable ops, and their binding as Tensor methods and operators."""
import numpy as np

from corelib import _tensor as T
from corelib import _dtype as D
from corelib.ops import elementwise as E, reduce as R, movement as M, linalg as L, inplace as I
from corelib.ops.convert import clone, cast
from corelib.ops._util import named

Tensor = T.Tensor


def _rev(fn):
    def r(self, other):
        return fn(other, self)
    return r


def _not_impl_guard(fn):
    def op(self, other):
        if not isinstance(other, (Tensor, int, float, bool, np.ndarray, np.generic)):
            return NotImplemented
        return fn(self, other)
    op.__name__ = fn.__name__
    return op


def _nnf():
    from corelib.nn import functional
    return functional


def _bind():
    t = Tensor
    g = _not_impl_guard
    # operators
    t.__add__ = g(lambda a, b: E.add(a, b))
    t.__radd__ = g(lambda a, b: E.add(b, a))
    t.__sub__ = g(lambda a, b: E.sub(a, b))
    t.__rsub__ = g(lambda a, b: named(E.sub(b, a), "RsubBackward1"))
    t.__mul__ = g(lambda a, b: E.mul(a, b))
    t.__rmul__ = g(lambda a, b: E.mul(b, a))
    t.__truediv__ = g(lambda a, b: E.div(a, b))
    t.__rtruediv__ = g(lambda a, b: named(E.div(b, a), "MulBackward0"))
    t.__floordiv__ = g(lambda a, b: E.floor_divide(a, b))
    t.__rfloordiv__ = g(lambda a, b: E.floor_divide(b, a))
    t.__mod__ = g(lambda a, b: E.remainder(a, b))
    t.__rmod__ = g(lambda a, b: E.remainder(b, a))
    t.__pow__ = g(lambda a, b: E.pow(a, b))
    t.__rpow__ = g(lambda a, b: E.pow(b, a))
    t.__matmul__ = lambda a, b: L.matmul(a, b)
    t.__rmatmul__ = lambda a, b: L.matmul(b, a)
    t.__neg__ = E.neg
    t.__pos__ = lambda a: a
    t.__abs__ = E.abs
    t.__invert__ = lambda a: E.bitwise_not(a)
    t.__and__ = g(lambda a, b: E.bitwise_and(a, b))
    t.__rand__ = g(lambda a, b: E.bitwise_and(b, a))
    t.__or__ = g(lambda a, b: E.bitwise_or(a, b))
    t.__ror__ = g(lambda a, b: E.bitwise_or(b, a))
    t.__xor__ = g(lambda a, b: E.bitwise_xor(a, b))
    t.__rxor__ = g(lambda a, b: E.bitwise_xor(b, a))
    t.__lshift__ = g(lambda a, b: E.bitwise_left_shift(a, b))
    t.__rlshift__ = g(lambda a, b: E.bitwise_left_shift(b, a))
    t.__rshift__ = g(lambda a, b: E.bitwise_right_shift(a, b))
    t.__rrshift__ = g(lambda a, b: E.bitwise_right_shift(b, a))
    t.__eq__ = g(lambda a, b: E.eq(a, b))
    t.__ne__ = g(lambda a, b: E.ne(a, b))
    t.__lt__ = g(lambda a, b: E.lt(a, b))
    t.__le__ = g(lambda a, b: E.le(a, b))
    t.__gt__ = g(lambda a, b: E.gt(a, b))
    t.__ge__ = g(lambda a, b: E.ge(a, b))
    t.__hash__ = lambda a: id(a)
    t.__getitem__ = M.getitem
    t.__setitem__ = I.setitem

    def iop(name):
        def op(self, other):
            return getattr(self, name)(other)
        return op
    t.__iadd__ = iop("add_")
    t.__isub__ = iop("sub_")
    t.__imul__ = iop("mul_")
    t.__itruediv__ = iop("div_")
    t.__ifloordiv__ = iop("floor_divide_")
    t.__imod__ = iop("remainder_")
    t.__ipow__ = iop("pow_")
    t.__iand__ = iop("bitwise_and_")
    t.__ior__ = iop("bitwise_or_")
    t.__ixor__ = iop("bitwise_xor_")
    t.__ilshift__ = iop("bitwise_left_shift_")
    t.__irshift__ = iop("bitwise_right_shift_")
    t.__imatmul__ = I._inplace(L.matmul)

    methods = dict(
        add=E.add, sub=E.sub, subtract=E.sub, mul=E.mul, multiply=E.mul, div=E.div, divide=E.div,
        true_divide=E.div, floor_divide=E.floor_divide, remainder=E.remainder, fmod=E.fmod,
        pow=E.pow, float_power=E.float_power, maximum=E.maximum, minimum=E.minimum,
        fmax=E.fmax, fmin=E.fmin, atan2=E.atan2, arctan2=E.atan2,
        exp=E.exp, exp2=E.exp2, expm1=E.expm1, log=E.log, log2=E.log2, log10=E.log10,
        log1p=E.log1p, sqrt=E.sqrt, rsqrt=E.rsqrt, sin=E.sin, cos=E.cos, tan=E.tan, asin=E.asin,
        arcsin=E.asin, acos=E.acos, arccos=E.acos, atan=E.atan, arctan=E.atan, sinh=E.sinh,
        asinh=E.asinh, arcsinh=E.asinh, acosh=E.acosh, arccosh=E.acosh, atanh=E.atanh,
        arctanh=E.atanh,
        cosh=E.cosh, tanh=E.tanh, sigmoid=E.sigmoid, relu=E.relu, erf=E.erf, neg=E.neg,
        negative=E.neg, abs=E.abs, absolute=E.abs, reciprocal=E.reciprocal, square=E.square,
        sign=E.sign, sgn=E.sign, signbit=E.signbit, floor=E.floor, ceil=E.ceil, trunc=E.trunc,
        fix=E.trunc, round=E.round, frac=E.frac, clamp=E.clamp, clip=E.clamp,
        clamp_min=E.clamp_min, clamp_max=E.clamp_max, addcmul=E.addcmul, addcdiv=E.addcdiv,
        lerp=E.lerp, hypot=E.hypot, logaddexp=E.logaddexp, xlogy=E.xlogy,
        eq=E.eq, ne=E.ne, not_equal=E.ne, lt=E.lt, less=E.lt, le=E.le, less_equal=E.le, gt=E.gt,
        greater=E.gt, ge=E.ge, greater_equal=E.ge, logical_and=E.logical_and,
        logical_or=E.logical_or, logical_xor=E.logical_xor, logical_not=E.logical_not,
        bitwise_and=E.bitwise_and, bitwise_or=E.bitwise_or, bitwise_xor=E.bitwise_xor,
        bitwise_not=E.bitwise_not, bitwise_left_shift=E.bitwise_left_shift,
        bitwise_right_shift=E.bitwise_right_shift, isnan=E.isnan, isinf=E.isinf, isfinite=E.isfinite,
        isposinf=E.isposinf, isneginf=E.isneginf, nan_to_num=E.nan_to_num,
        sum=R.sum, nansum=R.nansum, mean=R.mean, nanmean=R.nanmean, prod=R.prod, var=R.var,
        std=R.std, amax=R.amax, amin=R.amin, max=R.max, min=R.min, aminmax=R.aminmax,
        argmax=R.argmax, argmin=R.argmin, softmax=R.softmax, log_softmax=R.log_softmax,
        logsumexp=R.logsumexp, cumsum=R.cumsum, cumprod=R.cumprod, norm=R.norm, dist=R.dist,
        all=R.all, any=R.any, count_nonzero=R.count_nonzero,
        reshape=M.reshape, view=M.view, view_as=M.view_as, reshape_as=M.reshape_as,
        flatten=M.flatten, unflatten=M.unflatten, permute=M.permute, transpose=M.transpose,
        swapaxes=M.transpose, swapdims=M.transpose, t=M.t, movedim=M.movedim, moveaxis=M.movedim,
        squeeze=M.squeeze, unsqueeze=M.unsqueeze, expand=M.expand, expand_as=M.expand_as,
        broadcast_to=M.broadcast_to, contiguous=M.contiguous, select=M.select, narrow=M.narrow,
        as_strided=M.as_strided,
        index_select=M.index_select, masked_select=M.masked_select, masked_fill=M.masked_fill,
        chunk=M.chunk, split=M.split, tensor_split=M.tensor_split, unbind=M.unbind, flip=M.flip,
        fliplr=M.fliplr, flipud=M.flipud, roll=M.roll, repeat=M.repeat, tile=M.tile,
        repeat_interleave=M.repeat_interleave, gather=M.gather, scatter=M.scatter,
        scatter_add=M.scatter_add, scatter_reduce=M.scatter_reduce, index_add=M.index_add,
        index_fill=M.index_fill, index_copy=M.index_copy, take=M.take,
        take_along_dim=M.take_along_dim, where=lambda self, cond, other: M.where(cond, self, other),
        nonzero=M.nonzero, argwhere=M.argwhere, tril=M.tril, triu=M.triu, diagonal=M.diagonal,
        diag=M.diag, diag_embed=M.diag_embed, trace=M.trace, sort=M.sort, argsort=M.argsort,
        msort=M.msort, topk=M.topk, kthvalue=M.kthvalue, median=M.median, nanmedian=M.nanmedian, mode=M.mode,
        unique=M.unique, matmul=L.matmul, mm=L.mm, bmm=L.bmm, mv=L.mv, dot=L.dot, vdot=L.dot,
        inner=L.inner, outer=L.outer, ger=L.outer, addmm=L.addmm, addmv=L.addmv,
        baddbmm=L.baddbmm, addbmm=L.addbmm, clone=clone, atleast_1d=M.atleast_1d,
        atleast_2d=M.atleast_2d,
        copy_=I.copy_, zero_=I.zero_, fill_=I.fill_, uniform_=I.uniform_, normal_=I.normal_,
        bernoulli_=I.bernoulli_, random_=I.random_, exponential_=I.exponential_,
        geometric_=I.geometric_, log_normal_=I.log_normal_, cauchy_=I.cauchy_,
    )
    for name, fn in methods.items():
        setattr(t, name, fn)
    from corelib import _creation as C
    t.hardshrink = lambda self, lambd=0.5: _nnf().hardshrink(self, lambd)
    t.prelu = lambda self, weight: _nnf().prelu(self, weight)
    t.bernoulli = lambda self, p=None, *, generator=None: C.bernoulli(self, p, generator=generator)
    t.multinomial = lambda self, num_samples, replacement=False, *, generator=None: \
        C.multinomial(self, num_samples, replacement, generator=generator)

    fast = dict(add_=(np.add, E.add), sub_=(np.subtract, E.sub), mul_=(np.multiply, E.mul),
                div_=(np.true_divide, E.div))
    for name, (npfn, op) in fast.items():
        setattr(t, name, I._fast_binary(npfn, op))
    for name in ("pow", "floor_divide", "remainder", "fmod", "exp", "expm1", "log", "log2", "log10",
                 "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                 "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "arcsin", "arccos",
                 "arctan", "arctan2", "divide", "multiply", "subtract", "true_divide", "greater",
                 "greater_equal", "less", "less_equal", "not_equal", "logical_xor", "sgn",
                 "cosh", "tanh", "sigmoid", "relu", "erf", "neg", "negative", "abs", "absolute",
                 "reciprocal", "square", "sign", "floor", "ceil", "trunc", "fix", "round", "frac",
                 "clamp", "clip", "clamp_min", "clamp_max", "addcmul", "addcdiv", "lerp", "atan2",
                 "masked_fill", "scatter", "scatter_add", "scatter_reduce", "index_add",
                 "index_fill", "index_copy", "tril", "triu", "logical_not", "logical_and",
                 "logical_or", "eq", "ne", "lt", "le", "gt", "ge", "nan_to_num", "maximum",
                 "minimum", "hypot", "xlogy", "bitwise_and", "bitwise_or", "bitwise_xor",
                 "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "exp2", "cumsum",
                 "cumprod", "addmm", "addmv", "baddbmm", "addbmm"):
        setattr(t, name + "_", I._inplace(methods[name]))

    def _shape_inplace(name):
        def op(self, *args, **kwargs):
            r = methods[name](self, *args, **kwargs)
            self._data = r._data
            return self
        return op
    for name in ("t", "transpose", "squeeze", "unsqueeze", "swapaxes", "swapdims"):
        setattr(t, name + "_", _shape_inplace(name))

    t.T = property(lambda a: M.permute(a, tuple(range(a.dim() - 1, -1, -1))))
    t.mT = property(lambda a: M.transpose(a, -2, -1))
    t.H = t.T
    t.mH = t.mT
    t.is_nonzero = lambda a: bool(a)
    t.equal = lambda a, b: equal(a, b)
    t.allclose = lambda a, b, rtol=1e-05, atol=1e-08, equal_nan=False: allclose(a, b, rtol, atol, equal_nan)
    t.isclose = lambda a, b, rtol=1e-05, atol=1e-08, equal_nan=False: isclose(a, b, rtol, atol, equal_nan)
    t.apply_ = _apply_
    t.map_ = lambda a, other, fn: _map_(a, other, fn)
    t.masked_scatter = lambda a, mask, source: masked_scatter(a, mask, source)
    t.masked_scatter_ = I._inplace(masked_scatter)
    t.index_put = lambda a, indices, values, accumulate=False: index_put(a, indices, values, accumulate)
    t.index_put_ = lambda a, indices, values, accumulate=False: I.commit(a, index_put(a, indices, values, accumulate))
    t.fill_diagonal_ = _fill_diagonal_
    t.unfold = _unfold
    t.new = lambda a, *args: Tensor(*args).to(a.dtype) if args else T._make(np.empty((0,), a._data.dtype), a.device)
    t.resize_ = _resize_
    t.resize_as_ = lambda a, o: _resize_(a, *o.shape)


def equal(input, other):
    return input.shape == other.shape and bool(np.array_equal(np.asarray(input.cpu()._data),
                                                              np.asarray(other.cpu()._data)))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from corelib._creation import _wrap
    if isinstance(other, Tensor) and other.dtype is not input.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}; cast one of the "
                           f"tensors (e.g. other.to(input.dtype)) first")
    o = other._data if isinstance(other, Tensor) else other
    return _wrap(np.isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan), input.device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def masked_scatter(input, mask, source):
    if mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    m = mask.expand(input.shape)._data if mask.shape != input.shape else mask._data
    n = int(m.sum())
    if n > source.numel():
        raise RuntimeError(f"masked_scatter: Number of elements of source ({source.numel()}) < number "
                           f"of ones in mask ({n})")
    vals = source.reshape(-1)[:n]
    return M.IndexPut.apply(input, vals, m)


def index_put(input, indices, values, accumulate=False):
    idx = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    if not isinstance(values, Tensor):
        from corelib._creation import tensor
        values = tensor(values, dtype=input.dtype)
    return M.IndexPut.apply(input, values, idx, accumulate)


def _apply_(self, fn):
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    self._vc[0] += 1
    return self


def _map_(self, other, fn):
    a, b = self._data.reshape(-1), np.broadcast_to(other._data, self._data.shape).reshape(-1)
    for i in range(a.size):
        a[i] = fn(a[i].item(), b[i].item())
    self._vc[0] += 1
    return self


def _fill_diagonal_(self, fill_value, wrap=False):
    I.check_inplace(self)
    np.fill_diagonal(self._data, fill_value, wrap=wrap)
    self._vc[0] += 1
    return self


def _unfold(self, dimension, size, step):
    d = T._wrap_dim(dimension, self.dim())
    n = self.shape[d]
    starts = range(0, n - size + 1, step)
    pieces = [self.narrow(d, s, size) for s in starts]
    stacked = M.stack(pieces, d)               # (..., nwin, size, ...)
    return stacked.movedim(d + 1, -1)


def _resize_(self, *sizes):
    sizes = M._shape_arg(sizes)
    n = int(np.prod(sizes))
    flat = self._data.reshape(-1)
    if n <= flat.size:
        self._data = flat[:n].reshape(sizes)
    else:
        new = np.zeros(n, dtype=self._data.dtype)
        new[:flat.size] = flat
        self._data = new.reshape(sizes)
    self._vc[0] += 1
    return self


_bind()
