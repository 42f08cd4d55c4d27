"""Elementwise functions numpy lacks or does slowly (erf; where, which np.where does at 16-40x
the cost of a multiply on random masks), as lazily compiled numba kernels."""
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
def _where_aa(c, a, b, out):
    for i in range(c.size):
        out[i] = a[i] if c[i] else b[i]


@njit
def _where_as(c, a, b, out):
    for i in range(c.size):
        out[i] = a[i] if c[i] else b


@njit
def _where_sa(c, a, b, out):
    for i in range(c.size):
        out[i] = a if c[i] else b[i]


def where_np(c, a, b):
    """np.where(c, a, b); a numba loop when c and the array operands are C-contiguous with one
    shape and the array operands already have the result dtype (np.where is slow on random
    masks), else numpy's."""
    aa, ba = isinstance(a, np.ndarray), isinstance(b, np.ndarray)
    if (c.dtype == np.bool_ and c.flags.c_contiguous and c.size > 4096 and (aa or ba) and
            all(not isinstance(v, np.ndarray) and isinstance(v, (int, float, np.number)) or
                (v.shape == c.shape and v.flags.c_contiguous) for v in (a, b))):
        rdt = np.result_type(a, b)
        if (not aa or a.dtype == rdt) and (not ba or b.dtype == rdt) and rdt.kind in "fiu":
            out = np.empty(c.shape, rdt)
            fl = c.reshape(-1)
            if aa and ba:
                _where_aa(fl, a.reshape(-1), b.reshape(-1), out.reshape(-1))
            elif aa:
                _where_as(fl, a.reshape(-1), rdt.type(b), out.reshape(-1))
            else:
                _where_sa(fl, rdt.type(a), b.reshape(-1), out.reshape(-1))
            return out
    return np.where(c, a, b)
