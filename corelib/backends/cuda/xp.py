"""The array namespace of the cuda backend: ``CudaArray`` (a strided view of a pooled device
buffer that mimics the part of numpy.ndarray the core ops use) and numpy-named functions.

Storage is touched only by kernels (corelib.backends.cuda._kernels) and explicit host<->device
copies; shape/stride algebra of views (reshape, transpose, basic slicing, broadcast_to, flip, ...)
is computed by numpy on a 1-byte dummy array with the same strides, which never reads memory.
numpy functions called on CudaArrays dispatch here through __array_ufunc__/__array_function__;
functions with no device implementation yet (sort, unique, nonzero, searchsorted, ...) run on
the host through an explicit device->host->device round trip (counted in ``host_fallbacks``).
"""
import builtins
import collections
import math
import sys

import numpy as np
from numpy.lib.stride_tricks import as_strided

from corelib.backends.cuda import _rt
from corelib.backends.cuda import _kernels as K

host_fallbacks = collections.Counter()
REDUCE_SPLIT_K = 512          # reductions with K > this (and few outputs) run in two passes
SCAN_CHUNK = 1024             # cumulative sums/products of longer rows run in three passes
_DUMMY = np.zeros(1, np.uint8)
_ADDR0 = _DUMMY.__array_interface__["data"][0]


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


_CST = {}


def _cstrides(shape):
    """C-contiguous element strides of shape (0 for size-1 dims), cached per shape."""
    st = _CST.get(shape)
    if st is None:
        lst = [0] * len(shape)
        acc = 1
        for d in range(len(shape) - 1, -1, -1):
            lst[d] = acc if shape[d] != 1 else 0
            acc *= builtins.max(shape[d], 1)
        st = tuple(lst)
        if len(_CST) < 4096:
            _CST[shape] = st
    return st


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "writeable", "owndata")

    def __init__(self, a):
        self.c_contiguous = a._is_c()
        self.f_contiguous = a.ndim <= 1 and self.c_contiguous
        self.writeable = True
        self.owndata = False

    def __getitem__(self, k):
        return getattr(self, {"C_CONTIGUOUS": "c_contiguous", "F_CONTIGUOUS": "f_contiguous",
                              "WRITEABLE": "writeable", "OWNDATA": "owndata"}.get(k, k.lower()))


def _arr(blk, shape, st, off, dtype):
    """A CudaArray from already-normalised parts (int tuples, a numpy dtype): the hot path."""
    a = _new(CudaArray)
    a._blk = blk
    a._buf = blk.dev
    a.shape = shape
    a._st = st
    a._off = off
    a.dtype = dtype
    return a


_new = object.__new__


class CudaArray:
    """A strided view (element strides, element offset) of a pooled 1-D device buffer."""
    __slots__ = ("_blk", "_buf", "shape", "_st", "_off", "dtype", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, blk, shape, st, off, dtype):
        self._blk = blk
        self._buf = blk.dev
        self.shape = tuple(map(int, shape))
        self._st = tuple(map(int, st))
        self._off = int(off)
        self.dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)

    # ---- attributes --------------------------------------------------------------------------
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: _prod(self.shape))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: _prod(self.shape) * self.dtype.itemsize)
    strides = property(lambda self: tuple(s * self.dtype.itemsize for s in self._st))
    flags = property(lambda self: _Flags(self))
    T = property(lambda self: self.transpose())
    base = None
    device = property(lambda self: "cuda")

    @property
    def device_ctypes_pointer(self):
        return self._buf.device_ctypes_pointer

    def data_ptr(self):
        """The device address of the first element (the simulator's host address there)."""
        ary = getattr(self._buf, "_ary", None)
        base = ary.ctypes.data if ary is not None else int(self._buf.device_ctypes_pointer.value or 0)
        return base + self._off * self.dtype.itemsize

    def _axpy_(self, alpha, x):
        """self += alpha * x in one kernel (optimizers' parameter update)."""
        _ufunc("axpy", (self, x, self.dtype.type(alpha)), self, dtype=self.dtype)

    def _exclusive(self):
        """True when no other array views this one's buffer and it is C-contiguous (the autograd
        engine may then make it a leaf's .grad without a copy, as it does numpy arrays whose
        .base is None; a CudaArray has no .base to ask)."""
        return sys.getrefcount(self._blk) <= 2 and self._is_c()

    def _is_c(self):
        if self._st == _CST.get(self.shape):
            return True
        acc = 1
        for d in range(self.ndim - 1, -1, -1):
            if self.shape[d] != 1 and self._st[d] != acc:
                return False
            acc *= self.shape[d]
        return True

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self):
        return f"CudaArray({to_host(self)!r})"

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a cuda array cannot be converted to numpy implicitly (that would be a "
                        "silent device->host copy); use Tensor.cpu() or backend.to_host()")

    def _scalar(self):
        if self.size != 1:
            raise ValueError(f"The truth value of an array with {self.size} elements is ambiguous")
        return to_host(self).reshape(()).item()

    def __bool__(self):
        return bool(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __float__(self):
        return float(self._scalar())

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError("only integer arrays can be used as an index")
        return int(self._scalar())

    def item(self):
        return self._scalar()

    def tolist(self):
        return to_host(self).tolist()

    # ---- views -------------------------------------------------------------------------------
    def _dummy(self):
        return as_strided(_DUMMY, shape=self.shape, strides=self._st)

    def _from_dummy(self, d):
        off = self._off + (d.__array_interface__["data"][0] - _ADDR0)
        return CudaArray(self._blk, d.shape, d.strides, off, self.dtype)

    def _view(self, fn):
        return self._from_dummy(fn(self._dummy()))

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if shape == self.shape:
            return _arr(self._blk, self.shape, self._st, self._off, self.dtype)
        shape = tuple(map(int, shape))
        size = _prod(self.shape)
        if -1 in shape:
            known = _prod([s for s in shape if s != -1])
            shape = tuple(size // known if s == -1 and known else s for s in shape)
        if _prod(shape) != size:
            raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
        if self._is_c():
            return _arr(self._blk, shape, _cstrides(shape), self._off, self.dtype)
        d = self._dummy()
        try:
            d = d.view()
            d.shape = shape
            return self._from_dummy(d)
        except AttributeError:
            return ascontiguousarray(self).reshape(shape)

    def view(self, dtype=None):
        if dtype is None or np.dtype(dtype) == self.dtype:
            return CudaArray(self._blk, self.shape, self._st, self._off, self.dtype)
        raise TypeError("reinterpreting the dtype of a cuda array is not supported")

    def ravel(self):
        return self.reshape(-1)

    flatten = lambda self: ascontiguousarray(self).reshape(-1).copy()

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        nd = len(self.shape)
        if not axes:
            axes = range(nd - 1, -1, -1)
        try:
            axes = [int(a) + nd if int(a) < 0 else int(a) for a in axes]
        except TypeError:
            return self._view(lambda d: d.transpose(axes))      # numpy's error
        if sorted(axes) != list(range(nd)):
            raise ValueError("axes don't match array")
        return _arr(self._blk, tuple([self.shape[a] for a in axes]),
                   tuple([self._st[a] for a in axes]), self._off, self.dtype)

    def swapaxes(self, a, b):
        return self._view(lambda d: d.swapaxes(a, b))

    def squeeze(self, axis=None):
        return self._view(lambda d: d.squeeze(axis))

    # ---- copies / casts ----------------------------------------------------------------------
    def copy(self, order="C"):
        out = empty(self.shape, self.dtype)
        K.launch_ew("{0}", out, [self], self.shape)
        return out

    def astype(self, dtype, copy=True, casting=None, order=None):
        dtype = np.dtype(dtype)
        if dtype == self.dtype and not copy:
            return self
        out = empty(self.shape, dtype)
        expr = "{0} != 0" if dtype.kind == "b" and self.dtype.kind != "b" else "{0}"
        K.launch_ew(expr, out, [self], self.shape)
        return out

    def fill(self, value):
        K.launch_ew("{0}", self, [(self.dtype.type(value),)], self.shape)

    # ---- indexing ----------------------------------------------------------------------------
    def __getitem__(self, idx):
        b = _basic(idx)
        if b is not None:
            return self._view(lambda d: d[b])
        return _adv_get(self, idx)

    def __setitem__(self, idx, value):
        b = _basic(idx)
        if b is not None:
            copyto(self._view(lambda d: d[b]), value)
        else:
            _adv_set(self, idx, value, None)

    # ---- numpy protocols ---------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        name = ufunc.__name__
        if method == "__call__":
            out = kw.pop("out", None)
            dtype = kw.pop("dtype", None)
            kw.pop("casting", None)
            if kw:
                return NotImplemented
            if out is not None:
                out = out[0] if isinstance(out, tuple) else out
            return _ufunc(name, inputs, out, dtype)
        if method == "at":
            return _ufunc_at(name, *inputs)
        if method == "reduce":
            red = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
                   "logical_or": "any", "logical_and": "all"}.get(name)
            if red is not None:
                return _reduce(inputs[0], red, kw.get("axis", 0), kw.get("keepdims", False),
                               kw.get("dtype"))
        if "out" in kw:
            raise TypeError(f"numpy.{name}.{method}(out=...) is not supported for cuda arrays")
        return _host_fallback(getattr(ufunc, method), inputs, kw)

    def __array_function__(self, func, types, args, kwargs):
        impl = _FUNCS.get(func)
        if impl is not None:
            return impl(*args, **kwargs)
        return _host_fallback(func, args, kwargs)

    # ---- reductions --------------------------------------------------------------------------
    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(self, "sum", axis, keepdims, dtype)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        return _reduce(self, "prod", axis, keepdims, dtype)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return mean(self, axis, dtype, keepdims=keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "max", axis, keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "min", axis, keepdims)

    def argmax(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "argmax", axis, keepdims)

    def argmin(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "argmin", axis, keepdims)

    def any(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "any", axis, keepdims)

    def all(self, axis=None, out=None, keepdims=False):
        return _reduce(self, "all", axis, keepdims)

    def cumsum(self, axis=None, dtype=None):
        return cumsum(self, axis, dtype)

    def clip(self, lo=None, hi=None):
        r = self
        if lo is not None:
            r = maximum(r, lo)
        if hi is not None:
            r = minimum(r, hi)
        return r


def _binop(name, reflected=False):
    if reflected:
        return lambda self, other: _ufunc(name, (other, self), None, None)
    return lambda self, other: _ufunc(name, (self, other), None, None)


def _iop(name):
    def op(self, other):
        _ufunc(name, (self, other), self, None)
        return self
    return op


for _n, _u in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "divide"),
               ("floordiv", "floor_divide"), ("mod", "remainder"), ("pow", "power"),
               ("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor")):
    setattr(CudaArray, f"__{_n}__", _binop(_u))
    setattr(CudaArray, f"__r{_n}__", _binop(_u, True))
    setattr(CudaArray, f"__i{_n}__", _iop(_u))
for _n, _u in (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("le", "less_equal"),
               ("gt", "greater"), ("ge", "greater_equal")):
    setattr(CudaArray, f"__{_n}__", _binop(_u))
CudaArray.__hash__ = None
CudaArray.__neg__ = lambda self: _ufunc("negative", (self,), None, None)
CudaArray.__pos__ = lambda self: self
CudaArray.__abs__ = lambda self: _ufunc("absolute", (self,), None, None)
CudaArray.__invert__ = lambda self: _ufunc("logical_not" if self.dtype.kind == "b" else "invert",
                                          (self,), None, None)
CudaArray.__matmul__ = lambda self, other: matmul(self, other)
CudaArray.__rmatmul__ = lambda self, other: matmul(other, self)
ndarray = CudaArray


# ---- creation / transfer ---------------------------------------------------------------------------
def empty(shape, dtype=np.float32, order="C"):
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(map(int, shape))
    dtype = np.dtype(dtype)
    blk = _rt.Block(_prod(shape), dtype)
    return _arr(blk, shape, _cstrides(shape), 0, dtype)


def full(shape, value, dtype=None):
    if dtype is None:
        dtype = np.asarray(value).dtype if not isinstance(value, CudaArray) else value.dtype
    out = empty(shape, dtype)
    if isinstance(value, CudaArray):
        copyto(out, value)
    else:
        out.fill(value)
    return out


def zeros(shape, dtype=np.float64, order="C"):
    return full(shape, 0, dtype)


def ones(shape, dtype=np.float64, order="C"):
    return full(shape, 1, dtype)


def empty_like(a, dtype=None, shape=None):
    return empty(a.shape if shape is None else shape, dtype or a.dtype)


def zeros_like(a, dtype=None, shape=None):
    return full(a.shape if shape is None else shape, 0, dtype or a.dtype)


def ones_like(a, dtype=None, shape=None):
    return full(a.shape if shape is None else shape, 1, dtype or a.dtype)


def full_like(a, value, dtype=None, shape=None):
    return full(a.shape if shape is None else shape, value, dtype or a.dtype)


def from_host(arr):
    arr = np.asarray(arr, order="C")         # not ascontiguousarray: it makes 0-d arrays 1-d
    out = empty(arr.shape, arr.dtype)
    n = arr.size
    if n:
        out._buf[:n].copy_to_device(arr.reshape(-1))
    return out


def to_host(a):
    if a.size == 0:
        return np.empty(a.shape, a.dtype)
    if not (a._is_c()):
        a = a.copy()
    n = a.size
    return a._buf[a._off:a._off + n].copy_to_host().reshape(a.shape)


def asarray(a, dtype=None):
    if isinstance(a, CudaArray):
        return a if dtype is None else a.astype(dtype, copy=False)
    return from_host(np.asarray(a, dtype=dtype))


array = lambda a, dtype=None, copy=True: (a.astype(dtype or a.dtype) if isinstance(a, CudaArray)
                                          else from_host(np.array(a, dtype=dtype)))


def ascontiguousarray(a, dtype=None):
    a = asarray(a, dtype)
    return a if a._is_c() else a.copy()


def _fresh(a):
    """Contiguous with offset 0 (what the flat kernels take)."""
    return a if a._off == 0 and a._is_c() else a.copy()


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    n = builtins.max(0, math.ceil((stop - start) / step))
    if dtype is None:
        dtype = np.arange(start, start + step, step).dtype if n else np.int64
    out = empty((n,), dtype)
    if n:
        K.arange_k[_rt.grid(n)](out._buf, start, step, n)
    return out


# ---- elementwise -------------------------------------------------------------------------------------
_rdt_cache = {}


def _operand(x):
    if isinstance(x, CudaArray):
        return x
    if isinstance(x, np.ndarray):
        return from_host(x) if x.ndim else (x[()],)
    if isinstance(x, (int, float, bool, np.generic)):
        return (x,)
    if isinstance(x, (list, tuple)):
        return from_host(np.asarray(x))
    raise TypeError(f"unsupported operand for a cuda array: {type(x).__name__}")


def _plan(name, ops, dtype):
    """(result dtype, expression, fix) of a ufunc on these operand dtypes; fix: bool arrays are
    cast to the result dtype and integer scalars converted to it before the kernel."""
    key = (name, dtype) + tuple(o.dtype.str if isinstance(o, CudaArray) else
                                (type(o[0]), getattr(o[0], "dtype", None)) for o in ops)
    p = _rdt_cache.get(key)
    if p is None:
        p = _rdt_cache[key] = _make_plan(name, ops, dtype)
    return p


def _make_plan(name, ops, dtype):
    dummies = [np.ones(1, o.dtype) if isinstance(o, CudaArray) else o[0] for o in ops]
    if dtype is not None:
        rdt = np.dtype(dtype)
    elif name == "where":
        rdt = np.result_type(*dummies[1:])
    elif name == "relu_grad":                   # not a numpy ufunc: 0 where y <= 0, else gy
        rdt = np.asarray(dummies[0]).dtype
    else:
        with np.errstate(all="ignore"):
            rdt = np.asarray(getattr(np, "exp" if name in ("erf", "sigmoid") else name)(*dummies)).dtype
    n = len(ops)
    expr = K.UNARY[name] if n == 1 else K.BINARY[name] if n == 2 else K.TERNARY[name]
    kind0 = ops[0].dtype.kind if isinstance(ops[0], CudaArray) else np.asarray(ops[0][0]).dtype.kind
    if name == "power" and rdt.kind in "iu":
        expr = K.INT_POWER
    elif name in ("remainder", "mod") and rdt.kind == "f":
        expr = K.FLOAT_MOD
    elif name == "signbit" and kind0 == "f":
        expr = K.FLOAT_SIGNBIT
    elif name in ("isnan", "isinf", "isfinite") and kind0 in "biu":
        expr = "True" if name == "isfinite" else "False"
    # bool arithmetic with a non-bool result (pow, remainder, logaddexp of bools) runs in the
    # result dtype: numba-cuda promotes, the simulator's numpy refuses bool - bool
    kinds = [o.dtype.kind for o in ops if isinstance(o, CudaArray)]
    fix = name != "where" and rdt.kind != "b" and (
        builtins.all(k == "b" for k in kinds) or
        (rdt.kind in "iu" and builtins.any(not isinstance(o, CudaArray) for o in ops)))
    return rdt, expr, fix


def _fix_operands(ops, rdt):
    out = []
    for o in ops:
        if isinstance(o, CudaArray):
            out.append(o.astype(rdt) if o.dtype.kind == "b" else o)
        elif rdt.kind in "iu" and isinstance(o[0], (int, np.integer)):
            out.append((np.array(o[0]).astype(rdt)[()],))       # wraps, as the result dtype does
        else:
            out.append(o)
    return out


def _broadcast_shape(shapes):
    """numpy's broadcast of these shapes (numpy's own error when they do not broadcast)."""
    first = shapes[0]
    if builtins.all(sh == first for sh in shapes):
        return first
    nd = builtins.max(len(sh) for sh in shapes)
    out = [1] * nd
    for sh in shapes:
        for i, n in enumerate(sh, nd - len(sh)):
            if n != 1:
                if out[i] == 1:
                    out[i] = n
                elif out[i] != n:
                    return np.broadcast_shapes(*shapes)
    return tuple(out)


def _bview(a, shape):
    """a broadcast to shape: a view with stride 0 along the broadcast dims."""
    if a.shape == shape:
        return a
    off = len(shape) - len(a.shape)
    st = [0] * len(shape)
    for i, n in enumerate(a.shape):
        m = shape[off + i] if off >= 0 else -1
        if n == m:
            st[off + i] = a._st[i]
        elif n != 1 or m < 0:
            raise ValueError(f"operands could not be broadcast together with remapped shapes "
                             f"[original->remapped]: {a.shape} and requested shape {shape}")
    if builtins.any(m < 0 for m in shape):
        raise ValueError("all elements of broadcast shape must be non-negative")
    return _arr(a._blk, tuple(int(m) for m in shape), tuple(st), a._off, a.dtype)


def _ufunc(name, inputs, out=None, dtype=None):
    expr = K.UNARY.get(name) if len(inputs) == 1 else K.BINARY.get(name) if len(inputs) == 2 else \
        K.TERNARY.get(name)
    if expr is None:
        return _host_ufunc(name, inputs, out, dtype)
    ops = [_operand(x) for x in inputs]
    rdt, expr, fix = _plan(name, ops, dtype)
    if fix:
        ops = _fix_operands(ops, rdt)
    if dtype is not None:
        ops = [o.astype(rdt, copy=False) if isinstance(o, CudaArray) else o for o in ops]
    arrs = [o for o in ops if isinstance(o, CudaArray)]
    if out is None and arrs:
        s0 = arrs[0].shape
        if builtins.all(o.shape == s0 and o._is_c() for o in arrs):   # common: no broadcasting
            out = empty(s0, rdt)
            K.launch_contiguous(expr, out, ops, out.size)
            return out
    shape = _broadcast_shape([o.shape for o in arrs])
    if out is None:
        out = empty(shape, rdt)
    else:
        if not isinstance(out, CudaArray):
            raise TypeError("out= must be a cuda array")
        if np.broadcast_shapes(shape, out.shape) != out.shape:
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't "
                             f"match the broadcast shape {shape}")
        # an input that is another view of out's memory (a += a.T) is read from a copy, as numpy
        ops = [o.copy() if isinstance(o, CudaArray) and _overlaps(out, o) else o for o in ops]
    args = [_bview(o, out.shape) if isinstance(o, CudaArray) else o for o in ops]
    if out.dtype.kind == "b" and rdt.kind != "b":
        expr = "(" + expr + ") != 0"
    K.launch_ew(expr, out, args, out.shape)
    return out


def _mk(name):
    def f(*a, out=None, dtype=None, **kw):
        return _ufunc(name, a, out, dtype)
    f.__name__ = name
    return f


class _UFuncLike:
    """xp.add / xp.multiply / xp.maximum / xp.minimum: callable, with numpy's ``.at``."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *a, out=None, dtype=None, **kw):
        return _ufunc(self.__name__, a, out, dtype)

    def at(self, a, idx, b=None):
        return _ufunc_at(self.__name__, a, idx, b)


_g = globals()
for _name in list(K.UNARY) + list(K.BINARY):
    if _name not in ("add", "multiply", "maximum", "minimum", "copy", "bool"):
        _g[_name] = _mk(_name)
add, multiply, maximum, minimum = (_UFuncLike(n) for n in ("add", "multiply", "maximum", "minimum"))
abs = absolute  # noqa: F821
mod = remainder  # noqa: F821
true_divide = divide  # noqa: F821


def where(cond, a=None, b=None):
    if a is None and b is None:
        return nonzero(cond)
    return _ufunc("where", (cond, a, b))


def clip(a, lo=None, hi=None):
    return asarray(a).clip(lo, hi)


def round(a, decimals=0):
    if decimals:
        s = 10.0 ** decimals
        return _ufunc("round", (a * s,)) / s
    return _ufunc("round", (a,))


around = round


def copyto(dst, src, casting="unsafe"):
    s = _operand(src)
    if isinstance(s, CudaArray):
        if np.broadcast_shapes(s.shape, dst.shape) != dst.shape:
            raise ValueError(f"could not broadcast input array from shape {s.shape} into shape {dst.shape}")
        s = _bview(s, dst.shape)
        if builtins.any(st == 0 and n > 1 for st, n in zip(dst._st, dst.shape)):
            raise ValueError("assignment destination is read-only (a broadcast view)")
        if _overlaps(dst, s):
            s = s.copy()
    elif dst.dtype.kind == "b":
        s = (bool(s[0]),)
    expr = "{0} != 0" if dst.dtype.kind == "b" and (isinstance(s, tuple) or s.dtype.kind != "b") else "{0}"
    K.launch_ew(expr, dst, [s], dst.shape)


def _overlaps(a, b):
    return a._buf is b._buf and not (a._off == b._off and a._st == b._st)


# ---- reductions --------------------------------------------------------------------------------------
def _axes(axis, nd):
    if axis is None:
        return tuple(range(nd))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -builtins.max(nd, 1) <= a < builtins.max(nd, 1):
            raise np.exceptions.AxisError(f"axis {a} is out of bounds for array of dimension {nd}")
        out.append(a % nd if nd else 0)
    return tuple(sorted(set(out)))


_sum_dtype = {}        # (input dtype, dtype=) -> numpy's result dtype of a sum


def _reduce(x, op, axis=None, keepdims=False, dtype=None):
    x = asarray(x)
    nd = x.ndim
    if op in ("argmax", "argmin") and axis is None:
        r = _reduce(x.reshape(-1), op, 0, False)
        return r.reshape((1,) * nd) if keepdims else r
    axes = _axes(axis, nd) if nd else ()
    kept = [d for d in range(nd) if d not in axes]
    out_shape = tuple(x.shape[d] for d in kept)
    M = _prod(out_shape)
    Kn = _prod([x.shape[d] for d in axes])
    if op in ("sum", "prod"):
        odt = _sum_dtype.get((x.dtype, dtype))
        if odt is None:
            odt = _sum_dtype[(x.dtype, dtype)] = np.zeros(1, x.dtype).sum(dtype=dtype).dtype
        if dtype is not None or x.dtype.kind == "b":
            x = x.astype(odt, copy=False)
    elif op in ("any", "all"):
        odt = np.dtype(bool)
    elif op in ("argmax", "argmin", "count_nonzero"):
        odt = np.dtype(np.int64)
    else:
        odt = x.dtype
    if Kn == 0 and M:
        if op in ("max", "min", "argmax", "argmin"):
            raise ValueError(f"zero-size array to reduction operation {op} which has no identity")
        out = full(out_shape, {"prod": 1, "all": True}.get(op, 0), odt)
    elif M == 0:
        out = empty(out_shape, odt)
    else:
        trailing = axes == tuple(range(nd - len(axes), nd))
        if not trailing and axes == tuple(range(len(axes))) and (M >= 32 or Kn <= 4096) and x._is_c():
            xc, sm, sk = x, 1, M          # leading axes of a contiguous array: (k, m) at k*M + m
        else:
            xc = ascontiguousarray(x.transpose(kept + list(axes)) if not trailing else x)
            sm, sk = Kn, 1
        zero = (np.float64(0) if odt.kind == "f" else np.int64(0) if odt.kind in "iu" else False) \
            if op in ("sum", "prod") else odt.type(0)
        C = 1
        if Kn > REDUCE_SPLIT_K and M < 4096 and op not in ("argmax", "argmin") and sk == 1:
            C = builtins.min(-(-Kn // 256), builtins.max(1, 16384 // M))
            C = builtins.max(C, 2)
        cs = -(-Kn // C)
        C = -(-Kn // cs)
        part = empty((M * C,), odt)
        K.reduce_kernel(op)[_rt.grid(M * C)](xc._buf, xc._off, M, Kn, sm, sk, C, cs, zero, part._buf)
        if C > 1:
            op2 = {"count_nonzero": "sum"}.get(op, op)
            out = _reduce(part.reshape(M, C), op2, 1, False)
        else:
            out = part
        out = out.reshape(out_shape)
    if keepdims:
        out = out.reshape(tuple(1 if d in axes else s for d, s in enumerate(x.shape)))
    return out


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    return _reduce(a, "sum", axis, keepdims, dtype)


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    return _reduce(a, "prod", axis, keepdims, dtype)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    a = asarray(a)
    n = _prod([a.shape[d] for d in _axes(axis, a.ndim)]) if a.ndim else 1
    if dtype is None and a.dtype.kind in "iub":
        dtype = np.float64
    s = _reduce(a, "sum", axis, keepdims, dtype)
    odt = s.dtype
    return (s / n if n else s * np.nan).astype(odt, copy=False)


def amax(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "max", axis, keepdims)


def amin(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "min", axis, keepdims)


max, min = amax, amin


def argmax(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "argmax", axis, keepdims)


def argmin(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "argmin", axis, keepdims)


def any(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "any", axis, keepdims)


def all(a, axis=None, out=None, keepdims=False):
    return _reduce(a, "all", axis, keepdims)


def count_nonzero(a, axis=None, keepdims=False):
    return _reduce(a, "count_nonzero", axis, keepdims)


def _scan(a, axis, dtype, prod_):
    a = asarray(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = _axes(axis, a.ndim)[0]
    odt = np.zeros(1, a.dtype).cumsum(dtype=dtype).dtype
    moved = moveaxis(a, axis, -1)
    xc = _fresh(ascontiguousarray(moved.astype(odt, copy=False)))
    Kn = moved.shape[-1] if moved.ndim else 1
    M = xc.size // builtins.max(Kn, 1)
    out = empty(moved.shape, odt)
    if xc.size and Kn > SCAN_CHUNK and M < 4096:
        # long rows: chunks scanned in parallel, then each chunk offset by the ones before it
        # (float sums associate differently from a serial scan, as on any parallel device)
        C = -(-Kn // SCAN_CHUNK)
        totals = empty((M * C,), odt)
        K.scan_chunks[_rt.grid(M * C)](xc._buf, out._buf, M, Kn, C, SCAN_CHUNK, bool(prod_), totals._buf)
        K.scan_carry[_rt.grid(M)](totals._buf, M, C, bool(prod_))
        K.scan_apply[_rt.grid(M * Kn)](out._buf, M, Kn, C, SCAN_CHUNK, bool(prod_), totals._buf)
    elif xc.size:
        K.cumsum_rows[_rt.grid(M)](xc._buf, out._buf, M, Kn, bool(prod_))
    return moveaxis(out, -1, axis)


def cumsum(a, axis=None, dtype=None):
    return _scan(a, axis, dtype, False)


def cumprod(a, axis=None, dtype=None):
    return _scan(a, axis, dtype, True)


# ---- shape functions --------------------------------------------------------------------------------
def reshape(a, shape, order="C"):
    return asarray(a).reshape(shape)


def transpose(a, axes=None):
    return asarray(a).transpose(axes)


def broadcast_to(a, shape, subok=False):
    a = asarray(a)
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    return _bview(a, shape)


def expand_dims(a, axis):
    return asarray(a)._view(lambda d: np.expand_dims(d, axis))


def squeeze(a, axis=None):
    return asarray(a).squeeze(axis)


def moveaxis(a, src, dst):
    return asarray(a)._view(lambda d: np.moveaxis(d, src, dst))


def swapaxes(a, x, y):
    return asarray(a).swapaxes(x, y)


def flip(a, axis=None):
    return asarray(a)._view(lambda d: np.flip(d, axis))


def concatenate(arrays, axis=0, dtype=None, out=None):
    arrs = [asarray(a) for a in arrays]
    if axis is None:
        arrs, axis = [a.reshape(-1) for a in arrs], 0
    nd = arrs[0].ndim
    axis = axis % nd
    rdt = np.dtype(dtype) if dtype is not None else np.result_type(*[a.dtype for a in arrs])
    shape = list(arrs[0].shape)
    shape[axis] = builtins.sum(a.shape[axis] for a in arrs)
    for a in arrs:
        if a.ndim != nd or builtins.any(a.shape[d] != shape[d] for d in range(nd) if d != axis):
            raise ValueError("all the input array dimensions except for the concatenation axis must match exactly")
    res = empty(tuple(shape), rdt)
    start = 0
    for a in arrs:
        n = a.shape[axis]
        if n:
            copyto(res[(slice(None),) * axis + (slice(start, start + n),)], a)
        start += n
    return res


def stack(arrays, axis=0):
    arrs = [asarray(a) for a in arrays]
    return concatenate([expand_dims(a, axis) for a in arrs], axis)


def take_along_axis(a, idx, axis):
    a = asarray(a)
    idx = asarray(idx).astype(np.int64, copy=False)
    axis = axis % a.ndim
    n = a.shape[axis]
    idx = where(idx < 0, idx + n, idx)
    items = []
    for d in range(a.ndim):
        if d == axis:
            items.append(idx)
        else:
            shp = [1] * a.ndim
            shp[d] = idx.shape[d]
            items.append(arange(idx.shape[d]).reshape(shp))
    return _adv_get(a, tuple(items), checked=True)


def tril(a, k=0):
    a = asarray(a)
    m = from_host(np.tri(a.shape[-2], a.shape[-1], k, dtype=bool))
    return where(m, a, a.dtype.type(0))


def triu(a, k=0):
    a = asarray(a)
    m = from_host(~np.tri(a.shape[-2], a.shape[-1], k - 1, dtype=bool))
    return where(m, a, a.dtype.type(0))


def roll(a, shift, axis=None):
    a = asarray(a)
    if axis is None:
        return roll(a.reshape(-1), shift, 0).reshape(a.shape)
    shifts = shift if isinstance(shift, (tuple, list)) else (shift,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for s, ax in zip(shifts, axes):
        n = a.shape[ax]
        if n:
            sel = (np.arange(n) - s) % n
            a = a[(slice(None),) * (ax % a.ndim) + (sel,)]
    return a


def tile(a, reps):
    a = asarray(a)
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    nd = builtins.max(a.ndim, len(reps))
    reps = (1,) * (nd - len(reps)) + reps
    shp = (1,) * (nd - a.ndim) + a.shape
    x = a.reshape(shp)
    inter = []
    for r, s in zip(reps, shp):
        inter += [1, s]
    x = x.reshape(inter)
    big = []
    for r, s in zip(reps, shp):
        big += [r, s]
    x = broadcast_to(x, big).copy()
    return x.reshape(tuple(r * s for r, s in zip(reps, shp)))


def nonzero(a):
    # NOTE: host round trip: the output size depends on the data
    host_fallbacks["nonzero"] += 1
    return tuple(from_host(z.astype(np.int64)) for z in np.nonzero(to_host(asarray(a))))


def may_share_memory(a, b, max_work=None):
    return isinstance(a, CudaArray) and isinstance(b, CudaArray) and a._buf is b._buf


shares_memory = may_share_memory


def shape(a):
    return a.shape


def ndim(a):
    return a.ndim


# ---- matmul -------------------------------------------------------------------------------------------
def matmul(a, b, out=None):
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    rdt = np.result_type(a.dtype, b.dtype)
    if rdt.kind == "b":
        rdt = np.dtype(np.int64)
    half = rdt == np.float16              # accumulated in float32, rounded once (as torch)
    cdt = np.dtype(np.float32) if half else rdt
    a, b = a.astype(cdt, copy=False), b.astype(cdt, copy=False)
    a1, b1 = a.ndim == 1, b.ndim == 1
    if a1:
        a = a.reshape(1, -1)
    if b1:
        b = b.reshape(-1, 1)
    M, Ka = a.shape[-2:]
    Kb, N = b.shape[-2:]
    if Ka != Kb:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
                         f"(size {Kb} is different from {Ka})")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    av = broadcast_to(a, batch + (M, Ka))
    bv = broadcast_to(b, batch + (Kb, N))
    B = _prod(batch)
    if len(batch) > 1:
        av = av.reshape((B, M, Ka))
        bv = bv.reshape((B, Kb, N))
    if len(batch) == 0:
        ast, bst = (0,) + av._st, (0,) + bv._st
    else:
        ast, bst = av._st, bv._st
    res = empty(batch + (M, N), cdt)
    if Ka == 0:
        res.fill(0)
    else:
        K.launch_matmul(av, bv, res, B, M, N, Ka, ast, bst)
    if a1 and b1:
        res = res.reshape(batch)
    elif a1:
        res = res.reshape(batch + (N,))
    elif b1:
        res = res.reshape(batch + (M,))
    if half:
        res = res.astype(rdt)
    if out is not None:
        copyto(out, res)
        return out
    return res


dot = matmul


# ---- advanced indexing ---------------------------------------------------------------------------------
def _basic(idx):
    """The index as a tuple ending in Ellipsis (so numpy returns a view) if it is basic, else None."""
    t = idx if isinstance(idx, tuple) else (idx,)
    for i in t:
        if not (i is None or i is Ellipsis or isinstance(i, slice) or
                (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))):
            return None
    return t if Ellipsis in t else t + (Ellipsis,)


def _offsets(x, idx, checked=False):
    """(offset array of the result shape, result shape) for numpy advanced indexing x[idx]."""
    items = list(idx) if isinstance(idx, tuple) else [idx]
    conv = []
    masks = []                  # (where its index arrays start in conv, boolean mask shape)
    for it in items:
        if it is None or it is Ellipsis or isinstance(it, slice):
            conv.append(it)
        elif isinstance(it, (bool, np.bool_)) or (isinstance(it, (CudaArray, np.ndarray)) and
                                                   it.ndim == 0 and it.dtype.kind == "b"):
            # a 0-d boolean adds a dimension of size 1 and selects it (True) or nothing (False)
            conv.append(("b", from_host(np.arange(int(bool(it)), dtype=np.int64)), True))
        elif isinstance(it, (int, np.integer)):
            conv.append(("i", int(it)))
        else:
            arr = it if isinstance(it, CudaArray) else np.asarray(it)
            if arr.dtype.kind == "b":
                m = to_host(arr) if isinstance(arr, CudaArray) else arr   # NOTE: host round trip
                host_fallbacks["bool-index"] += 1
                masks.append((len(conv), m.shape))
                conv.extend(("a", from_host(z.astype(np.int64)), True) for z in np.nonzero(m))
            elif arr.dtype.kind not in "iu":
                raise IndexError("arrays used as indices must be of integer (or boolean) type")
            else:
                conv.append(("a", asarray(arr).astype(np.int64, copy=False), False))
    eats = [0 if c is None or c is Ellipsis or (isinstance(c, tuple) and c[0] == "b") else 1
            for c in conv]
    consumed = builtins.sum(eats)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for array: array is {x.ndim}-dimensional, but "
                         f"{consumed} were indexed")
    ell = conv.index(Ellipsis) if Ellipsis in conv else len(conv)
    for j, mshape in masks:
        pos = builtins.sum(eats[:j]) + (x.ndim - consumed if j > ell else 0)
        for d, n in enumerate(mshape):
            if x.shape[pos + d] != n:
                raise IndexError(f"boolean index did not match indexed array along axis {pos + d}; "
                                 f"size of axis is {x.shape[pos + d]} but size of corresponding "
                                 f"boolean axis is {n}")
    if Ellipsis in conv:
        conv[ell:ell + 1] = [slice(None)] * (x.ndim - consumed)
    else:
        conv += [slice(None)] * (x.ndim - consumed)
    basic = tuple(c if c is None or isinstance(c, slice) else None if c[0] == "b" else slice(None)
                  for c in conv)
    V = x._view(lambda d: d[basic + (Ellipsis,)])
    kinds = [c if isinstance(c, tuple) else "s" for c in conv]
    adv = [p for p, k in enumerate(kinds) if k != "s"]
    off = V._off
    arrs = []
    for p in adv:
        k = kinds[p]
        n = V.shape[p]
        if k[0] == "i":
            if not -n <= k[1] < n:
                raise IndexError(f"index {k[1]} is out of bounds for axis {p} with size {n}")
            arrs.append((p, None, k[1] % n if n else 0))
        else:
            a = k[1]
            if a.size and not checked:
                lo, hi = (int(v) for v in to_host(concatenate([a.min().reshape(1),   # one sync
                                                               a.max().reshape(1)])))
                if hi >= n or lo < -n:
                    bad = hi if hi >= n else lo
                    raise IndexError(f"index {bad} is out of bounds for axis {p} with size {n}")
                if lo < 0:
                    a = where(a < 0, a + n, a)
            arrs.append((p, a, None))
    shapes = [a.shape for _, a, _ in arrs if a is not None]
    try:
        B = np.broadcast_shapes(*shapes) if shapes else ()
    except ValueError:                      # numpy's (and torch's) error kind for index arrays
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together with "
                         "shapes " + " ".join(str(sh) for sh in shapes)) from None
    first, last = adv[0], adv[-1]
    adjacent = adv == list(range(first, last + 1))
    slice_pos = [p for p, k in enumerate(kinds) if k == "s"]
    if adjacent:
        out_shape = V.shape[:first] + B + V.shape[last + 1:]
        bstart = first
    else:
        out_shape = B + tuple(V.shape[p] for p in slice_pos)
        bstart = 0
    ond = len(out_shape)
    total = None
    for p, a, c in arrs:
        if a is None:
            off += c * V._st[p]
            continue
        contrib = broadcast_to(a, B).reshape((1,) * bstart + B + (1,) * (ond - bstart - len(B)))
        contrib = contrib * V._st[p]
        total = contrib if total is None else total + contrib
    for p in slice_pos:
        if adjacent:
            q = p if p < first else p - (last - first + 1) + len(B)
        else:
            q = len(B) + slice_pos.index(p)
        n = V.shape[p]
        shp = [1] * ond
        shp[q] = n
        contrib = (arange(n, dtype=np.int64) * V._st[p]).reshape(shp)
        total = contrib if total is None else total + contrib
    if total is None:
        total = full(out_shape, off, np.int64)
    else:
        total = _fresh(ascontiguousarray(broadcast_to(total + off if off else total, out_shape)))
    return total, out_shape


def _adv_get(x, idx, checked=False):
    offs, shape = _offsets(x, idx, checked)
    out = empty(shape, x.dtype)
    n = out.size
    if n:
        K.take_flat[_rt.grid(n)](x._buf, offs._buf, out._buf, n)
    return out


def _adv_set(x, idx, value, op, checked=False):
    b = _basic(idx)
    if b is not None:
        view = x._view(lambda d: d[b])
        if op is None:
            copyto(view, value)
        else:
            _ufunc(op, (view, value), view)
        return
    offs, shape = _offsets(x, idx, checked)
    n = offs.size
    if not n:
        return
    v = _operand(value)
    if isinstance(v, tuple):
        vals = full(shape, v[0], x.dtype)
    else:
        vals = _fresh(ascontiguousarray(broadcast_to(v.astype(x.dtype, copy=False), shape)))
    kern = {None: K.put_flat, "add": K.add_at_flat, "maximum": K.max_at_flat,
            "minimum": K.min_at_flat, "multiply": K.serial_mul_at_flat}[op]
    cfg = (1, 1) if op == "multiply" else _rt.scatter_grid(n) if op in (None, "add") else _rt.grid(n)
    kern[cfg](x._buf, offs._buf, vals._buf, n)


def add_at_unchecked(a, idx, b):
    """numpy.add.at(a, idx, b) for indices the caller has already validated (skips the bounds
    check, which costs a device->host copy, i.e. a wait for the GPU)."""
    _adv_set(a, idx, b, "add", checked=True)


def _ufunc_at(name, a, idx, b=None):
    if name not in ("add", "multiply", "maximum", "minimum"):
        raise TypeError(f"numpy.{name}.at is not implemented for cuda arrays")
    if b is None:
        raise TypeError(f"{name}.at needs a value")
    _adv_set(a, idx, b, name)


# ---- host fallback for functions with no device implementation yet ------------------------------------
def _host(x):
    if isinstance(x, CudaArray):
        return to_host(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_host(i) for i in x)
    return x


def _dev(x):
    if isinstance(x, np.ndarray):
        return from_host(x)
    if isinstance(x, tuple):
        return tuple(_dev(i) for i in x)
    if isinstance(x, list):
        return [_dev(i) for i in x]
    return x


def _host_fallback(func, args, kwargs):
    # NOTE: explicit device->host->device round trip (sort, unique, searchsorted, ...)
    host_fallbacks[getattr(func, "__name__", str(func))] += 1
    return _dev(func(*_host(args), **{k: _host(v) for k, v in kwargs.items()}))


def _host_ufunc(name, inputs, out, dtype):
    """A numpy ufunc with no device expression (frexp, nextafter, ...), on the host."""
    f = getattr(np, name, None)
    if not isinstance(f, np.ufunc):
        raise TypeError(f"numpy.{name} is not implemented for cuda arrays")
    r = _host_fallback(f, inputs, {} if dtype is None else {"dtype": dtype})
    if out is not None:
        copyto(out, r)
        return out
    return r


def __getattr__(name):
    """xp.<any other numpy function or ufunc>: computed on the host (an explicit round trip)."""
    f = getattr(np, name, None)
    if isinstance(f, np.ufunc):
        g = lambda *a, out=None, dtype=None, **kw: _host_ufunc(name, a, out, dtype)
    elif callable(f) and not isinstance(f, type):
        g = lambda *a, **kw: _host_fallback(f, a, kw)
    else:
        raise AttributeError(f"module 'corelib.backends.cuda.xp' has no attribute '{name}'")
    g.__name__ = name
    return g


_FUNCS = {}
for _name in ("where", "concatenate", "stack", "broadcast_to", "expand_dims", "moveaxis", "flip",
              "argmax", "argmin", "sum", "mean", "max", "min", "amax", "amin", "prod", "any", "all",
              "count_nonzero", "take_along_axis", "copyto", "reshape", "transpose", "squeeze",
              "cumsum", "cumprod", "tril", "triu", "roll", "tile", "nonzero", "may_share_memory",
              "shares_memory", "ascontiguousarray", "empty_like", "zeros_like", "ones_like",
              "full_like", "clip", "round", "around", "swapaxes", "matmul", "dot", "shape", "ndim"):
    if hasattr(np, _name):
        _FUNCS[getattr(np, _name)] = globals()[_name]


def erf(x):
    return _ufunc("erf", (x,))


def sigmoid(x):
    return _ufunc("sigmoid", (x,))


# numpy dtype names, so code can write xp.float32
from numpy import (float16, float32, float64, int8, int16, int32, int64, uint8,  # noqa: E402,F401
                   bool_, dtype, inf, nan, pi, e, newaxis, result_type, finfo, iinfo)
