"""CPU kernels for convolution and pooling (numba, compiled lazily and cached).

Every kernel works on 3-d spatial data: 1-d and 2-d callers add singleton dims.

* ``im2col`` writes the (C*KD*KH*KW, N*OD*OH*OW) column matrix: each row is one (channel,
  kernel offset) pair over contiguous output columns (5x faster GEMMs than the (N*L, C*K)
  layout, see FACTS.md section 2), as one numpy strided copy of a window view. Convolution is
  then one GEMM (a batched GEMM per group).
* ``col2im`` is its adjoint (the input gradient of a convolution and the forward of a
  transposed convolution), a numba loop nest adding contiguous row slices (vectorised).
* Pooling kernels take, per spatial dim, the unclipped window start of each output, the first
  and one-past-last valid tap, and the dilation; adaptive pooling passes per-output windows.
  Max pooling initialises from the first in-window element and propagates NaN (as PyTorch);
  no fastmath on anything that compares.
"""
import functools

import numpy as np
from numba import prange  # this module is imported lazily (first conv/pool call)

from corelib.backends.cpu import njit

# fastmath without nnan/ninf: NaN/inf still behave (FACTS.md section 2).
_FM = {"nsz", "arcp", "contract", "afn", "reassoc"}




@njit(fastmath=_FM)
def _col2im(cols, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw, OD, OH, OW, x):
    N, C, D, H, W = x.shape
    K = KD * KH * KW
    L = OD * OH * OW
    for nc in prange(N * C):
        n = nc // C
        c = nc % C
        xf = x[n, c].reshape(D * H * W)
        xf[:] = 0
        for k in range(K):
            crow = cols[c * K + k]
            kd = k // (KH * KW)
            kh = (k // KW) % KH
            kw = k % KW
            lo = 0                                   # valid ow: 0 <= ow * sw + t < W
            t = kw * dw - pw
            if t < 0:
                lo = (-t + sw - 1) // sw
            hi = OW
            m = W - 1 - t
            if m < 0:
                hi = 0
            elif m // sw + 1 < OW:
                hi = m // sw + 1
            if hi <= lo:
                continue
            for od in range(OD):
                id_ = od * sd - pd + kd * dd
                if id_ < 0 or id_ >= D:
                    continue
                for oh in range(OH):
                    ih = oh * sh - ph + kh * dh
                    if ih < 0 or ih >= H:
                        continue
                    xb = (id_ * H + ih) * W + lo * sw + t
                    cb = n * L + (od * OH + oh) * OW
                    # NOTE: a loop over two 1-d slices; with computed indices into the
                    # full arrays LLVM does not vectorise it (3 ms -> 1 ms single-threaded).
                    cs = crow[cb + lo:cb + hi]
                    if sw == 1:                      # a separate path, or it is not vectorised
                        xs = xf[xb:xb + hi - lo]
                        for i in range(hi - lo):
                            xs[i] += cs[i]
                    else:
                        xs = xf[xb:xb + (hi - lo - 1) * sw + 1:sw]
                        for i in range(hi - lo):
                            xs[i] += cs[i]


@njit(parallel=True)
def _max_pool_fwd(x, sD, loD, hiD, dD, sH, loH, hiH, dH, sW, loW, hiW, dW, y, idx):
    P, D, H, W = x.shape
    OD = sD.shape[0]
    OH = sH.shape[0]
    OW = sW.shape[0]
    for p in prange(P):
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    found = False
                    best = x[p, 0, 0, 0]
                    bi = -1
                    for a in range(loD[od], hiD[od]):
                        i0 = sD[od] + a * dD
                        for b in range(loH[oh], hiH[oh]):
                            i1 = sH[oh] + b * dH
                            for c in range(loW[ow], hiW[ow]):
                                i2 = sW[ow] + c * dW
                                v = x[p, i0, i1, i2]
                                if not found:
                                    found = True
                                    best = v
                                    bi = (i0 * H + i1) * W + i2
                                elif v > best or v != v:
                                    best = v
                                    bi = (i0 * H + i1) * W + i2
                    if not found:
                        best = -np.inf
                    y[p, od, oh, ow] = best
                    idx[p, od, oh, ow] = bi


@njit(fastmath=_FM)
def _conv_direct_fwd(xp, w, dh, dw, OH, OW, y):
    # xp (N, C, Hp, Wp) padded and contiguous, w (O, C, KH, KW), y (N, O, OH*Wp): output row oh
    # at [oh*Wp, oh*Wp + OW); the Wp - OW columns after each row are junk.
    # NOTE: taps of a kernel row are taken 5 or 3 at a time (one pass over y for several
    # shifted reads of x): 1.5x faster than one tap per pass; a 25-tap pass is no faster.
    N, C, Hp, Wp = xp.shape
    O, _, KH, KW = w.shape
    P = (OH - 1) * Wp + OW
    for n in range(N):
        xf = xp[n].reshape(C * Hp * Wp)
        for o in range(O):
            yr = y[n, o]
            for q in range(P):
                yr[q] = 0
            ys = yr[:P]
            for c in range(C):
                for kh in range(KH):
                    sh = (c * Hp + kh * dh) * Wp
                    wr = w[o, c, kh]
                    kw0 = 0
                    if dw == 1:
                        while kw0 + 5 <= KW:
                            w0, w1, w2, w3, w4 = wr[kw0], wr[kw0 + 1], wr[kw0 + 2], wr[kw0 + 3], wr[kw0 + 4]
                            xs = xf[sh + kw0:sh + kw0 + P + 4]
                            for q in range(P):
                                ys[q] += (w0 * xs[q] + w1 * xs[q + 1] + w2 * xs[q + 2]
                                          + w3 * xs[q + 3] + w4 * xs[q + 4])
                            kw0 += 5
                        while kw0 + 3 <= KW:
                            w0, w1, w2 = wr[kw0], wr[kw0 + 1], wr[kw0 + 2]
                            xs = xf[sh + kw0:sh + kw0 + P + 2]
                            for q in range(P):
                                ys[q] += w0 * xs[q] + w1 * xs[q + 1] + w2 * xs[q + 2]
                            kw0 += 3
                    for kw in range(kw0, KW):
                        wv = wr[kw]
                        xs = xf[sh + kw * dw:sh + kw * dw + P]
                        for q in range(P):
                            ys[q] += wv * xs[q]


@njit(fastmath=_FM)
def _conv_direct_wgrad(xp, g, dh, dw, OH, OW, gw, zero):
    # g (N, O, OH*Wp) laid out as _conv_direct_fwd's y, with zeros in the junk columns; zero
    # is 0 in the dtype (a 0.0 literal would make the dots float64 ones, 2x slower). Taps 5 or
    # 3 at a time, as in the forward.
    N, C, Hp, Wp = xp.shape
    O, _, KH, KW = gw.shape
    P = (OH - 1) * Wp + OW
    for o in range(O):
        for c in range(C):
            for kh in range(KH):
                for kw in range(KW):
                    gw[o, c, kh, kw] = 0
    for n in range(N):
        xf = xp[n].reshape(C * Hp * Wp)
        for o in range(O):
            gr = g[n, o, :P]
            for c in range(C):
                for kh in range(KH):
                    sh = (c * Hp + kh * dh) * Wp
                    gwr = gw[o, c, kh]
                    kw0 = 0
                    if dw == 1:
                        while kw0 + 5 <= KW:
                            xs = xf[sh + kw0:sh + kw0 + P + 4]
                            a0 = a1 = a2 = a3 = a4 = zero
                            for q in range(P):
                                gq = gr[q]
                                a0 += gq * xs[q]
                                a1 += gq * xs[q + 1]
                                a2 += gq * xs[q + 2]
                                a3 += gq * xs[q + 3]
                                a4 += gq * xs[q + 4]
                            gwr[kw0] += a0
                            gwr[kw0 + 1] += a1
                            gwr[kw0 + 2] += a2
                            gwr[kw0 + 3] += a3
                            gwr[kw0 + 4] += a4
                            kw0 += 5
                        while kw0 + 3 <= KW:
                            xs = xf[sh + kw0:sh + kw0 + P + 2]
                            a0 = a1 = a2 = zero
                            for q in range(P):
                                gq = gr[q]
                                a0 += gq * xs[q]
                                a1 += gq * xs[q + 1]
                                a2 += gq * xs[q + 2]
                            gwr[kw0] += a0
                            gwr[kw0 + 1] += a1
                            gwr[kw0 + 2] += a2
                            kw0 += 3
                    for kw in range(kw0, KW):
                        xs = xf[sh + kw * dw:sh + kw * dw + P]
                        acc = zero
                        for q in range(P):
                            acc += gr[q] * xs[q]
                        gwr[kw] += acc


@njit
def _max_pool_2x2(x, y, idx):
    # NOTE: the common 2x2/stride-2 window unrolled, branch-free (selects): 2.5x faster than the
    # general kernel single-threaded. Same order and NaN rule as _max_pool_fwd.
    P, H, W = x.shape
    OH = y.shape[1]
    OW = y.shape[2]
    for p in range(P):
        xp = x[p]
        for oh in range(OH):
            r0 = xp[2 * oh]
            r1 = xp[2 * oh + 1]
            yr = y[p, oh]
            ir = idx[p, oh]
            b0 = 2 * oh * W
            b1 = b0 + W
            for ow in range(OW):
                j = 2 * ow
                m = r0[j]
                i = b0 + j
                v = r0[j + 1]
                c = (v > m) | (v != v)
                m = v if c else m
                i = b0 + j + 1 if c else i
                v = r1[j]
                c = (v > m) | (v != v)
                m = v if c else m
                i = b1 + j if c else i
                v = r1[j + 1]
                c = (v > m) | (v != v)
                m = v if c else m
                i = b1 + j + 1 if c else i
                yr[ow] = m
                ir[ow] = i


@njit(parallel=True)
def _max_pool_bwd(gy, idx, gx):
    P = gy.shape[0]
    L = gy.shape[1]
    M = gx.shape[1]
    for p in prange(P):
        for j in range(M):
            gx[p, j] = 0
        for o in range(L):
            i = idx[p, o]
            if i >= 0:
                gx[p, i] += gy[p, o]


@njit(parallel=True)
def _gather_plane(g, idx, out):
    P = out.shape[0]
    L = out.shape[1]
    for p in prange(P):
        for o in range(L):
            i = idx[p, o]
            out[p, o] = g[p, i] if i >= 0 else 0


@njit(parallel=True, fastmath=_FM)
def _avg_pool_fwd(x, sD, loD, hiD, sH, loH, hiH, sW, loW, hiW, fD, fH, fW, override, y):
    P, D, H, W = x.shape
    OD = sD.shape[0]
    OH = sH.shape[0]
    OW = sW.shape[0]
    for p in prange(P):
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    s = 0.0
                    for a in range(loD[od], hiD[od]):
                        i0 = sD[od] + a
                        for b in range(loH[oh], hiH[oh]):
                            i1 = sH[oh] + b
                            for c in range(loW[ow], hiW[ow]):
                                s += x[p, i0, i1, sW[ow] + c]
                    div = override if override > 0 else fD[od] * fH[oh] * fW[ow]
                    y[p, od, oh, ow] = s / div


@njit(parallel=True, fastmath=_FM)
def _avg_pool_bwd(gy, sD, loD, hiD, sH, loH, hiH, sW, loW, hiW, fD, fH, fW, override, gx):
    P, D, H, W = gx.shape
    OD = sD.shape[0]
    OH = sH.shape[0]
    OW = sW.shape[0]
    for p in prange(P):
        for i0 in range(D):
            for i1 in range(H):
                for i2 in range(W):
                    gx[p, i0, i1, i2] = 0
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    div = override if override > 0 else fD[od] * fH[oh] * fW[ow]
                    g = gy[p, od, oh, ow] / div
                    for a in range(loD[od], hiD[od]):
                        i0 = sD[od] + a
                        for b in range(loH[oh], hiH[oh]):
                            i1 = sH[oh] + b
                            for c in range(loW[ow], hiW[ow]):
                                gx[p, i0, i1, sW[ow] + c] += g


# ---- Python wrappers ------------------------------------------------------------------------
def _dev(a):
    """The device kernels (corelib.backends.cuda._nn) for a non-numpy (cuda) array, else None."""
    if isinstance(a, np.ndarray):
        return None
    from corelib.backends.cuda import _nn
    return _nn


class _Scratch:
    """Reuse of the big column buffers (one conv layer's are tens of MB).

    NOTE: a fresh large numpy array is mmap'ed and page-faulted in on every step; reusing
    the buffers took a 32x16x32x32 conv2d forward+backward from 22 to 16 ms. Only buffers
    whose owner is done with them come back (``release``); the pool is bounded.
    """
    MAX_BYTES = 256 << 20
    PER_KEY = 2

    def __init__(self):
        self.free = {}
        self.nbytes = 0

    def empty(self, shape, dtype):
        lst = self.free.get((shape, np.dtype(dtype)))
        if lst:
            a = lst.pop()
            self.nbytes -= a.nbytes
            return a
        return np.empty(shape, dtype=dtype)

    def release(self, a):
        if type(a) is not np.ndarray or a.base is not None or not a.flags.c_contiguous:
            return
        lst = self.free.setdefault((a.shape, a.dtype), [])
        if len(lst) < self.PER_KEY and self.nbytes + a.nbytes <= self.MAX_BYTES:
            lst.append(a)
            self.nbytes += a.nbytes


scratch = _Scratch()


def im2col(x5, k, s, p, d, out_sp):
    """(N, C, D, H, W) -> the (C*KD*KH*KW, N*OD*OH*OW) column matrix.

    One strided copy of a window view of the (padded) input: numpy's copy loops beat a
    numba loop nest here by 2.5-3.5x (64x3x32x32, 5x5: 0.7 ms against 2.5 ms).
    """
    if not isinstance(x5, np.ndarray):
        return _dev(x5).im2col(x5, k, s, p, d, out_sp)
    N, C, D, H, W = x5.shape
    K = k[0] * k[1] * k[2]
    L = out_sp[0] * out_sp[1] * out_sp[2]
    cols = scratch.empty((C * K, N * L), x5.dtype)
    if cols.size == 0:
        return cols
    if any(p):
        xp = np.zeros((N, C, D + 2 * p[0], H + 2 * p[1], W + 2 * p[2]), dtype=x5.dtype)
        xp[:, :, p[0]:p[0] + D, p[1]:p[1] + H, p[2]:p[2] + W] = x5
    else:
        xp = x5
    sN, sC, sD, sH, sW = xp.strides
    win = np.lib.stride_tricks.as_strided(
        xp, (C, k[0], k[1], k[2], N) + tuple(out_sp),
        (sC, sD * d[0], sH * d[1], sW * d[2], sN, sD * s[0], sH * s[1], sW * s[2]), writeable=False)
    np.copyto(cols.reshape(win.shape), win)
    return cols


def direct_ok(x, O, prm):
    """Whether the direct (shifted-row) convolution beats im2col + GEMM: a stride-1, ungrouped
    1-d or 2-d convolution on the cpu with few output channels over a large plane.

    NOTE: OpenBLAS runs a GEMM with 6-8 rows (a first layer: LeNet's 3 -> 6 channels) at a
    quarter of its speed and im2col's matrix is 25x the input; from 16 outputs on, GEMM wins.
    """
    if (type(x) is not np.ndarray or x.dtype.kind != "f" or x.dtype.itemsize < 4
            or prm.groups != 1 or O > 8 or prm.k[0] != 1 or any(v != 1 for v in prm.s)):
        return False
    Wp = x.shape[-1] + 2 * prm.p[2]
    OH = (x.shape[-2] + 2 * prm.p[1] - prm.d[1] * (prm.k[1] - 1)) if prm.nsp == 2 else 1
    return OH * Wp >= 256


def _direct_input(x, prm):
    """x as a contiguous, zero-padded (N, C, Hp, Wp) array, and (OH, OW)."""
    N, C = x.shape[:2]
    x4 = x.reshape(N, C, 1 if prm.nsp == 1 else x.shape[-2], x.shape[-1])
    ph, pw = prm.p[1], prm.p[2]
    if ph or pw:
        xp = np.zeros((N, C, x4.shape[2] + 2 * ph, x4.shape[3] + 2 * pw), x.dtype)
        xp[:, :, ph:ph + x4.shape[2], pw:pw + x4.shape[3]] = x4
    else:
        xp = np.ascontiguousarray(x4)
    OH = xp.shape[2] - prm.d[1] * (prm.k[1] - 1)
    OW = xp.shape[3] - prm.d[2] * (prm.k[2] - 1)
    return xp, OH, OW


def conv_direct(x, w, b, prm):
    """The forward of a convolution that ``direct_ok`` accepts: (N, O, *osp), bias added."""
    xp, OH, OW = _direct_input(x, prm)
    N, O = x.shape[0], w.shape[0]
    Wp = xp.shape[3]
    w4 = np.ascontiguousarray(w.reshape(O, w.shape[1], prm.k[1], prm.k[2]), dtype=x.dtype)
    y = np.empty((N, O, OH * Wp), x.dtype)
    _conv_direct_fwd(xp, w4, prm.d[1], prm.d[2], OH, OW, y)
    out = np.empty((N, O, OH, OW), x.dtype)
    src = y.reshape(N, O, OH, Wp)[..., :OW]
    if b is not None:
        np.add(src, b.reshape(1, O, 1, 1), out=out)
    else:
        np.copyto(out, src)
    return out.reshape((N, O) + ((OW,) if prm.nsp == 1 else (OH, OW)))


def conv_direct_wgrad(x, g, prm, w_shape):
    """The weight gradient of a convolution that ``direct_ok`` accepts."""
    xp, OH, OW = _direct_input(x, prm)
    N, O = g.shape[:2]
    Wp = xp.shape[3]
    ge = np.zeros((N, O, OH, Wp), x.dtype)
    ge[..., :OW] = g.reshape(N, O, OH, OW)
    gw = np.empty((O, x.shape[1], prm.k[1], prm.k[2]), x.dtype)
    _conv_direct_wgrad(xp, ge.reshape(N, O, OH * Wp), prm.d[1], prm.d[2], OH, OW, gw, x.dtype.type(0))
    return gw.reshape(w_shape)


def col2im(cols, x_shape, k, s, p, d, out_sp, dtype):
    if not isinstance(cols, np.ndarray):
        return _dev(cols).col2im(cols, x_shape, k, s, p, d, out_sp, dtype)
    x = np.empty(x_shape, dtype=dtype)
    if x.size == 0:
        return x
    if cols.size == 0:
        x.fill(0)
        return x
    _col2im(np.ascontiguousarray(cols), k[0], k[1], k[2], s[0], s[1], s[2], p[0], p[1], p[2],
            d[0], d[1], d[2], out_sp[0], out_sp[1], out_sp[2], x)
    return x


@functools.lru_cache(maxsize=512)
def window_arrays(n_in, n_out, k, s, p, d):
    """Per-output (start, first valid tap, end tap) of a strided, dilated, padded window.
    Cached: the arrays are shared between calls and must not be written to."""
    o = np.arange(n_out, dtype=np.int64)
    start = o * s - p
    a = np.arange(k, dtype=np.int64)
    pos = start[:, None] + a[None, :] * d
    valid = (pos >= 0) & (pos < n_in)
    anyv = valid.any(1)
    lo = np.where(anyv, valid.argmax(1), 0).astype(np.int64)
    hi = np.where(anyv, k - valid[:, ::-1].argmax(1), 0).astype(np.int64)
    return start.astype(np.int64), lo, hi


def adaptive_arrays(n_in, n_out):
    o = np.arange(n_out, dtype=np.int64)
    start = (o * n_in) // n_out
    end = -((-(o + 1) * n_in) // n_out)
    return start, np.zeros(n_out, np.int64), (end - start).astype(np.int64)


def max_pool(x4, wins, dil):
    """x4: (P, D, H, W); wins: three (start, lo, hi) triples. Returns y, flat indices."""
    if not isinstance(x4, np.ndarray):
        return _dev(x4).max_pool(x4, wins, dil)
    (sD, loD, hiD), (sH, loH, hiH), (sW, loW, hiW) = wins
    P = x4.shape[0]
    y = np.empty((P, sD.size, sH.size, sW.size), dtype=x4.dtype)
    idx = np.empty(y.shape, dtype=np.int64)
    if y.size == 0:
        return y, idx
    x4 = np.ascontiguousarray(x4)
    if (x4.shape[1] == 1 and dil[1] == 1 and dil[2] == 1
            and _plain2(sH, loH, hiH) and _plain2(sW, loW, hiW)):
        P, _, H, W = x4.shape
        _max_pool_2x2(x4.reshape(P, H, W), y.reshape(P, sH.size, sW.size),
                      idx.reshape(P, sH.size, sW.size))
    else:
        _max_pool_fwd(x4, sD, loD, hiD, dil[0], sH, loH, hiH, dil[1], sW, loW, hiW, dil[2], y, idx)
    return y, idx


def _plain2(start, lo, hi):
    """Windows of 2 at stride 2 from 0, all inside the input."""
    return (start[0] == 0 and (start.size == 1 or start[1] == 2) and hi.min() == 2
            and lo.max() == 0 and hi.max() == 2)


def max_pool_backward(gy, idx, plane_size):
    if not isinstance(gy, np.ndarray):
        return _dev(gy).max_pool_backward(gy, idx, plane_size)
    P = gy.shape[0]
    gx = np.empty((P, plane_size), dtype=gy.dtype)
    if gx.size:
        _max_pool_bwd(np.ascontiguousarray(gy).reshape(P, -1), np.ascontiguousarray(idx).reshape(P, -1), gx)
    return gx


def gather_plane(g, idx):
    if not isinstance(g, np.ndarray):
        return _dev(g).gather_plane(g, idx)
    P = idx.shape[0]
    out = np.empty(idx.reshape(P, -1).shape, dtype=g.dtype)
    if out.size:
        _gather_plane(np.ascontiguousarray(g).reshape(P, -1), np.ascontiguousarray(idx).reshape(P, -1), out)
    return out


def avg_pool(x4, wins, divs, override):
    if not isinstance(x4, np.ndarray):
        return _dev(x4).avg_pool(x4, wins, divs, override)
    (sD, loD, hiD), (sH, loH, hiH), (sW, loW, hiW) = wins
    P = x4.shape[0]
    y = np.empty((P, sD.size, sH.size, sW.size), dtype=x4.dtype)
    if y.size:
        _avg_pool_fwd(np.ascontiguousarray(x4), sD, loD, hiD, sH, loH, hiH, sW, loW, hiW,
                      divs[0], divs[1], divs[2], float(override or 0), y)
    return y


def avg_pool_backward(gy, in_sp, wins, divs, override):
    if not isinstance(gy, np.ndarray):
        return _dev(gy).avg_pool_backward(gy, in_sp, wins, divs, override)
    (sD, loD, hiD), (sH, loH, hiH), (sW, loW, hiW) = wins
    P = gy.shape[0]
    gx = np.empty((P,) + tuple(in_sp), dtype=gy.dtype)
    if gx.size:
        _avg_pool_bwd(np.ascontiguousarray(gy), sD, loD, hiD, sH, loH, hiH, sW, loW, hiW,
                      divs[0], divs[1], divs[2], float(override or 0), gx)
    return gx
