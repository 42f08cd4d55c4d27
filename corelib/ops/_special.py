"""Special functions numpy lacks (erf), as lazily compiled numba kernels."""
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
