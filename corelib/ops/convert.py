"""Casts, device copies and clone."""
import numpy as np

from corelib.autograd import Function
from corelib import _tensor as T


class Cast(Function):
    fp_quiet = True

    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype.np)

    def backward(self, gy):
        if self.in_dtype.kind != "f":
            return None
        return cast(gy, _np2dt(self.in_dtype))


def _np2dt(npdt):
    from corelib._dtype import from_numpy_dtype
    return from_numpy_dtype(npdt)


def cast(x, dtype):
    if x._data.dtype == dtype.np:
        return x
    if x._rg and not dtype.is_floating_point:
        with_grad = Cast.apply(x, dtype)   # non-differentiable result
        with_grad.grad_fn = None
        with_grad._rg = False
        return with_grad
    r = Cast.apply(x, dtype)
    if r.grad_fn is not None:
        r.grad_fn._display = "ToCopyBackward0"
    return r


class ToDevice(Function):
    host_output = False

    def forward(self, x, dev):
        self.src = self._dev
        if dev.type == "cpu":
            return T._backend(self._dev).to_host(x)
        return T._backend(dev).from_host(np.asarray(x, order="C") if isinstance(x, np.ndarray) else x, dev)

    def backward(self, gy):
        return ToDevice.apply(gy, self.src)

    @classmethod
    def apply(cls, x, dev):
        out = super().apply(x, dev)
        out._device = dev
        return out


class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(x, memory_format=None):
    return Clone.apply(x)
