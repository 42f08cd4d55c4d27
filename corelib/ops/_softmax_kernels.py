"""Fused float32 softmax kernels over the rows of a C-contiguous 2-d array (numba, lazy).

numpy's float32 exp is not vectorised here and softmax costs it five passes (max, subtract,
exp, sum, scale); ``rows_exp`` does subtract + exp in one vectorised pass (then the row
sums) with a Cephes-style exp (range reduction by ln 2, degree-6 polynomial, scale by 2**n
built from the exponent bits): within about 1 ulp of the correctly rounded value, as numpy's.

Only for rows whose max is finite (the kernel checks each row first): then x - max lies in
[-inf, 0], no NaN is possible, and the exp loop may assume so. Results below float32's smallest normal number
(exp(v) for v < -87.3365) are flushed to 0 (PyTorch keeps denormals down to 1.4e-45).

Single-threaded: two threads gained nothing on 512x1000 (each parallel region's wake-up costs
what the second core saves).
"""
import numpy as np

from corelib.backends.cpu import njit

# nnan is safe only because of the finite-max check (see above); no ninf: x may be -inf.
# NOTE: reassoc only where a sum needs it: elsewhere it rewrites (x - m) - l as x - (m + l) and
# undoes exp's exact range reduction (errors of ulp(m) instead of 1-2 ulp).
_FM = {"nnan", "nsz", "arcp", "contract"}


@njit(fastmath=_FM, error_model="numpy")
def _rows_exp(x, xi, m, e):
    """Row max into m, then e = exp(x - m); returns how many rows have no finite max (NaN
    anywhere, or an infinite max): the caller must not use e then."""
    N, C = x.shape
    L2E = np.float32(1.4426950408889634)
    C1 = np.float32(0.693359375)                # ln 2 = C1 - C2, C1 exact in 9 bits
    C2 = np.float32(-2.12194440e-4)
    LO = np.float32(-87.33654)                  # log of float32's smallest normal number
    FLIP = np.int32(0x7fffffff)
    EXP = np.int32(0x7f800000)
    mi_bits = m.view(np.int32)
    bad = 0
    for i in range(N):
        # NOTE: the max runs on the int bits (negative floats' magnitude bits flipped keeps the
        # order): numba does not vectorise a float max reduction, the int one is 8x faster.
        ir = xi[i]
        k = np.int32(-2147483648)
        a = np.int32(0)
        for j in range(C):
            b = ir[j]
            k = max(k, b if b >= 0 else b ^ FLIP)
            a = max(a, b & FLIP)
        mb = k if k >= 0 else k ^ FLIP
        mi_bits[i] = mb
        if a > EXP or (mb & EXP) == EXP:
            bad += 1
            continue
        xr = x[i]
        er = e[i]
        mi = m[i]
        for j in range(C):
            v = xr[j] - mi
            vc = max(v, LO)
            n = np.floor(vc * L2E + np.float32(0.5))
            r = vc - n * C1 - n * C2
            y = np.float32(1.9875691500E-4)
            y = y * r + np.float32(1.3981999507E-3)
            y = y * r + np.float32(8.3334519073E-3)
            y = y * r + np.float32(4.1665795894E-2)
            y = y * r + np.float32(1.6666665459E-1)
            y = y * r + np.float32(5.0000001201E-1)
            y = y * r * r + r + np.float32(1.0)
            # 2**n from its exponent bits (a table lookup or a branch here stops vectorising)
            y = y * np.int32((np.int32(n) + np.int32(127)) << np.int32(23)).view(np.float32)
            er[j] = y if v >= LO else np.float32(0.0)
    return bad


@njit(fastmath=_FM | {"reassoc"}, error_model="numpy")
def _rows_sum(e, s):
    N, C = e.shape
    for i in range(N):
        er = e[i]
        acc = np.float32(0.0)
        for j in range(C):
            acc += er[j]
        s[i] = acc


@njit(fastmath=_FM, error_model="numpy")
def _rows_scale(e, f, out, idx, g):
    N, C = e.shape
    for i in range(N):
        er = e[i]
        orow = out[i]
        fi = f[i]
        for j in range(C):
            orow[j] = er[j] * fi
        if idx.shape[0]:
            orow[idx[i]] -= g[i]


@njit(fastmath=_FM, error_model="numpy")
def _rows_log_softmax(x, m, s, out):
    N, C = x.shape
    for i in range(N):
        xr = x[i]
        orow = out[i]
        mi = m[i]
        li = np.log(s[i])
        for j in range(C):
            orow[j] = (xr[j] - mi) - li


def fast_rows(x):
    """True when ``rows_exp`` applies: a float32, C-contiguous, non-empty 2-d numpy array."""
    return (type(x) is np.ndarray and x.dtype == np.float32 and x.ndim == 2
            and x.flags.c_contiguous and x.size > 0)


def rows_exp(x):
    """(m, e, s) with m = row max, e = exp(x - m), s = row sums of e; None where a row's max is
    not finite (inf or NaN): the caller then takes its numpy path."""
    m = np.empty(x.shape[0], np.float32)
    e = np.empty_like(x)
    if _rows_exp(x, x.view(np.int32), m, e):
        return None
    s = np.empty(x.shape[0], np.float32)
    _rows_sum(e, s)
    return m, e, s


def rows_scale(e, f, out=None, pick=None):
    """e * f[:, None] for float32 (N, C) e and (N,) f, into ``out`` (may be e); with
    ``pick=(idx, g)`` (class indices in [0, C), (N,) values) g[i] is then taken off out[i, idx[i]]
    (the cross-entropy gradient)."""
    if out is None:
        out = np.empty_like(e)
    if pick is None:
        idx, g = np.empty(0, np.int64), f
    else:
        idx, g = np.ascontiguousarray(pick[0], np.int64), np.ascontiguousarray(pick[1], np.float32)
    _rows_scale(e, np.ascontiguousarray(f, dtype=np.float32), out, idx, g)
    return out


def rows_log_softmax(x, m, s):
    """(x - m) - log(s) row-wise, from ``rows_exp``'s m and s."""
    out = np.empty_like(x)
    _rows_log_softmax(x, m, s, out)
    return out
