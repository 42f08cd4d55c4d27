"""In-place ops (``add_``, ``mul_``, ``copy_``, ``t[idx] = v``, ...).

An in-place op computes its result out of place through the usual primitives, writes it into
the tensor's storage and bumps the version counter. When autograd records it, the tensor's
history is rebased onto the result; for a view, the base gets a CopySlices node so that
gradients flow through the written region (as in PyTorch).
"""
import numpy as np

from corelib.autograd import Function, grad_mode
from corelib import _dtype as D
from corelib import _tensor as T

Tensor = T.Tensor
_enabled = grad_mode._enabled


def check_inplace(t):
    if _enabled[0] and t._rg:
        if t.grad_fn is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"(tensor of shape {list(t.shape)}). Wrap the update in `with corelib.no_grad():`, "
                f"or use the out-of-place form.")
    if _enabled[0] and t._base is not None and t._base._rg and t._base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation. Wrap it in `with corelib.no_grad():`.")


def _write(t, arr):
    try:
        if arr.shape != t._data.shape:
            np.broadcast_shapes(arr.shape, t._data.shape)
            if np.broadcast_shapes(arr.shape, t._data.shape) != t._data.shape:
                raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast "
                                   f"shape {list(np.broadcast_shapes(arr.shape, t._data.shape))}")
        if t._device is T.CPU:
            np.copyto(t._data, arr, casting="unsafe")
        else:
            T._backend(t._device).copy_into(t._data, arr)
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to a "
                "single memory location (e.g. an expand()ed tensor). Please clone() the tensor "
                "before performing the operation.") from None
        raise RuntimeError(f"in-place write into a tensor of shape {list(t.shape)} failed: {e}") from None


def _device_mismatch(t, dev, name):
    return RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                        f"devices, {dev} and {t._device}! (in-place {name} writes into a {t._device} "
                        f"tensor; move the other operand with .to({str(t._device)!r}))")


def commit(t, res):
    """Write ``res`` into ``t``; rebase t's autograd history onto res's."""
    if res._device is not t._device and res._device != t._device:
        raise _device_mismatch(t, res._device, "op")
    if res._data.dtype != t._data.dtype and not D.can_cast(res.dtype, t.dtype):
        raise RuntimeError(f"result type {res.dtype.name.capitalize()} can't be cast to the desired "
                           f"output type {t.dtype.name.capitalize()}")
    graph = res._rg and _enabled[0]
    if graph:
        _snapshot_retained(res.grad_fn, t)
    if res._data is not t._data:
        _write(t, res._data)
    t._vc[0] += 1
    if graph:
        if res._data.dtype != t._data.dtype:
            from corelib.ops.convert import cast
            res = cast(res, t.dtype)
        if res._data.shape != t._data.shape:
            res = res.expand(t.shape)
        if t._base is None:
            t.grad_fn = res.grad_fn
            t._rg = True
        else:
            base = t._base
            view_fn = _view_fn(t)
            new_base = CopySlices.apply(base, res, view_fn)
            base.grad_fn, base._rg = new_base.grad_fn, True
            v = view_fn(base)
            t.grad_fn, t._rg = v.grad_fn, True
            t._base_gfn = base.grad_fn
    return t


def _snapshot_retained(fn, t):
    # NOTE: the in-place result was computed from t's old values; a primitive that kept t
    # for backward must keep those old values, not the ones we just wrote.
    if fn is None or not fn._retained:
        return
    ins = list(fn._inputs)
    for i, ver in fn._retained:
        if ins[i] is t:
            snap = T._make(t._data.copy(), t._device, t._rg, t.grad_fn)
            snap._vc = [ver]
            ins[i] = snap
    fn._inputs = tuple(ins)


def _view_fn(t):
    """A function base -> the view t, replaying the view ops that made t."""
    steps = []
    cur = t
    while cur is not None and cur._view_fn is not None:
        steps.append(cur._view_fn)
        cur = cur._view_fn[3]
    steps.reverse()

    def replay(b):
        x = b
        for cls, rest, kw, _ in steps:
            x = cls.apply(x, *rest, **kw)
        return x
    return replay


class CopySlices(Function):
    """base after an in-place write into one of its views (data already written)."""

    def forward(self, base, res, view_fn):
        self.view_fn = view_fn
        return base

    def backward(self, gy):
        gb = gr = None
        if self.needs_input_grad[0]:
            gb = gy.clone()
            with grad_mode.no_grad():
                self.view_fn(gb)._data[...] = 0
        if self.needs_input_grad[1]:
            gr = self.view_fn(gy)
        return gb, gr


def copy_into_out(out, r):
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, got {type(out).__name__}")
    if out._data.shape != r._data.shape:             # resized, as torch does
        xp = np if out._device is T.CPU else T._backend(out._device).xp
        out._data = xp.empty(r._data.shape, dtype=out._data.dtype)
    _write(out, r._data)
    out._vc[0] += 1
    return out


# ---- in-place methods --------------------------------------------------------------------------
def _inplace(op):
    def method(self, *args, **kwargs):
        check_inplace(self)
        return commit(self, op(self, *args, **kwargs))
    method.__name__ = op.__name__ + "_"
    return method


def _fast_binary(npfn, op):
    """In-place binary op with a no-autograd fast path straight into the storage."""
    def method(self, other, *args, **kwargs):
        check_inplace(self)
        if isinstance(other, Tensor) and self._device is T.CPU and other._device is not T.CPU:
            raise _device_mismatch(self, other._device, op.__name__ + "_")
        if not (_enabled[0] and (self._rg or isinstance(other, Tensor) and other._rg)) and \
                self._device is T.CPU and not args:
            alpha = kwargs.pop("alpha", 1)
            if not kwargs:
                o = other._data if isinstance(other, Tensor) else other
                if self._data.dtype.kind != "f" and (isinstance(o, float) or npfn is np.true_divide or
                                                     getattr(o, "dtype", None) is not None and o.dtype.kind == "f"):
                    raise RuntimeError(f"result type Float can't be cast to the desired output type "
                                       f"{self.dtype.name.capitalize()}")
                if alpha != 1:
                    if isinstance(alpha, float) and self._data.dtype.kind != "f":
                        raise RuntimeError("For integral input tensors, argument alpha must not be a "
                                           "floating point number; convert with .float() first.")
                    o = o * alpha
                try:
                    npfn(self._data, o, out=self._data, casting="unsafe")
                except ValueError as e:
                    raise RuntimeError(f"in-place op on tensor of shape {list(self.shape)}: {e}") from None
                self._vc[0] += 1
                return self
            kwargs["alpha"] = alpha
        return commit(self, op(self, other, *args, **kwargs))
    method.__name__ = op.__name__ + "_"
    return method


class CopyFrom(Function):
    def forward(self, dst, src):
        self.src_dtype = src.dtype
        return self.xp.broadcast_to(src, dst.shape).astype(dst.dtype)

    def backward(self, gy):
        g = None
        if self.needs_input_grad[1]:
            from corelib.ops.convert import cast
            from corelib._dtype import from_numpy_dtype
            g = cast(gy, from_numpy_dtype(self.src_dtype)) if self.src_dtype.kind == "f" else None
        return None, g


def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if not isinstance(src, Tensor):
        from corelib._creation import tensor
        src = tensor(src)
    if src._device != self._device:
        src = src.to(self._device)
    if not (_enabled[0] and (src._rg or self._rg)):
        _write(self, src._data)
        self._vc[0] += 1
        return self
    return commit(self, CopyFrom.apply(self, src))


def zero_(self):
    return fill_(self, 0)


def fill_(self, value):
    check_inplace(self)
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        if _enabled[0] and value._rg:
            return copy_(self, value.expand(self.shape))
        value = value.item()
    if _enabled[0] and self._rg:
        from corelib._creation import full
        return commit(self, CopyFrom.apply(self, full((), value, dtype=self.dtype, device=self._device)))
    try:
        self._data[...] = value
    except ValueError:
        _write(self, np.asarray(value))
    self._vc[0] += 1
    return self


def setitem(self, idx, value):
    from corelib.ops.movement import _convert_index, _ints_first, getitem, IndexPut
    idx = _convert_index(idx, self._data.ndim)
    split = _ints_first(idx)
    if split is not None:
        return setitem(getitem(self, split[0]), split[1], value)
    check_inplace(self)
    vt = isinstance(value, Tensor)
    if not (_enabled[0] and (self._rg or vt and value._rg)):
        v = value._data if vt else value
        if vt and value._device != self._device:
            v = value.to(self._device)._data
        try:
            if self._device is T.CPU:
                self._data[idx] = v
            else:
                T._backend(self._device).setitem(self._data, idx, v)
        except (ValueError, IndexError) as e:
            msg = str(e)
            if "read-only" in msg:
                raise RuntimeError("unsupported operation: more than one element of the written-to "
                                   "tensor refers to a single memory location. Please clone() the "
                                   "tensor before performing the operation.") from None
            raise type(e)(f"{msg} (assigning into a tensor of shape {list(self.shape)})") from None
        self._vc[0] += 1
        return
    if not vt:
        from corelib._creation import tensor
        value = tensor(value, dtype=self.dtype, device=self._device)
    elif value.dtype is not self.dtype:
        from corelib.ops.convert import cast
        value = cast(value, self.dtype)
    commit(self, IndexPut.apply(self, value, idx))


def uniform_(self, a=0, b=1, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    _check_float(self, "uniform_")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    if self._device is not T.CPU and generator is None:     # drawn on the device
        return _fill_device(self, T._backend(self._device).uniform(self._data.shape, self._data.dtype, a, b))
    arr = (numpy_rng(generator).random(self._data.shape) * (b - a) + a).astype(self._data.dtype)
    if b > a:       # rounding to float32 must not reach b itself: the range is [a, b)
        arr = np.minimum(arr, np.nextafter(arr.dtype.type(b), arr.dtype.type(a)))
    return _fill_random(self, arr)


def _check_float(t, name):
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{t.dtype.name}' (needs a floating dtype)")


def normal_(self, mean=0, std=1, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    _check_float(self, "normal_")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if self._device is not T.CPU and generator is None:     # drawn on the device
        return _fill_device(self, T._backend(self._device).normal(self._data.shape, self._data.dtype, mean, std))
    arr = numpy_rng(generator).standard_normal(self._data.shape) * std + mean
    return _fill_random(self, arr)


def bernoulli_(self, p=0.5, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    probs = p._data if isinstance(p, Tensor) else p
    if self._device is not T.CPU and generator is None and not isinstance(p, Tensor):
        return _fill_device(self, T._backend(self._device).bernoulli(self._data.shape, float(p), self._data.dtype))
    arr = (numpy_rng(generator).random(self._data.shape) < probs)
    return _fill_random(self, arr)


def random_(self, from_=0, to=None, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    if to is None:
        to = 2 ** 24 if self.is_floating_point() else int(np.iinfo(self._data.dtype).max) + 1 \
            if self._data.dtype.kind != "b" else 2
        from_, to = (0, from_) if from_ else (0, to)
    arr = numpy_rng(generator).integers(from_, to, size=self._data.shape)
    return _fill_random(self, arr)


def exponential_(self, lambd=1.0, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    return _fill_random(self, numpy_rng(generator).exponential(1.0 / lambd, self._data.shape))


def geometric_(self, p, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    return _fill_random(self, numpy_rng(generator).geometric(p, self._data.shape))


def log_normal_(self, mean=1, std=2, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    return _fill_random(self, numpy_rng(generator).lognormal(mean, std, self._data.shape))


def cauchy_(self, median=0, sigma=1, *, generator=None):
    from corelib.random import numpy_rng
    check_inplace(self)
    return _fill_random(self, median + sigma * numpy_rng(generator).standard_cauchy(self._data.shape))


def _fill_device(self, arr):
    T._backend(self._device).copy_into(self._data, arr)
    self._vc[0] += 1
    return self


def _fill_random(self, arr):
    if self._device is T.CPU:
        _write(self, arr.astype(self._data.dtype))
    else:
        T._backend(self._device).copy_into(self._data, T._backend(self._device).from_host(
            arr.astype(self._data.dtype), self._device))
    self._vc[0] += 1
    return self
