"""Elementwise functions numpy lacks or does slowly (erf; relu's gradient, where np.where
takes 16x a multiply on random masks), as lazily compiled numba kernels."""
import math

import numpy as np

from corelib.backends.cpu import njit


@njit
def _erf_flat(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


def erf_np(x):
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    _erf_flat(flat, out)
    return out.reshape(x.shape)


@njit
def _relu_grad_flat(g, y, out):
    for i in range(g.size):
        out[i] = 0 if y[i] <= 0 else g[i]


def relu_grad_np(g, y):
    """0 where y <= 0, else g (torch's threshold_backward: NaN g or NaN y pass as torch's do)."""
    if g.shape == y.shape and g.dtype == y.dtype and g.flags.c_contiguous and y.flags.c_contiguous:
        out = np.empty_like(g)
        _relu_grad_flat(g.reshape(-1), y.reshape(-1), out.reshape(-1))
        return out
    return np.where(y <= 0, g.dtype.type(0), g)
