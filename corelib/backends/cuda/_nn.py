"""CUDA kernels for convolution and pooling: the device versions of corelib.nn._kernels.

Same layouts and semantics as the CPU kernels (3-d spatial data; the column matrix is
(C*KD*KH*KW, N*OD*OH*OW); pooling windows given per output as (start, first valid tap,
one-past-last tap)). Every kernel is grid-stride over flat indices and never reads or writes
out of bounds:

* ``im2col``: one thread per column-matrix element (zero outside the padded input).
* ``col2im``: gather by input pixel (each thread sums its own taps, kernel offsets in the same
  ascending order as the CPU kernel), so no atomics and a deterministic result.
* max pooling: NaN propagates (the last NaN in the window wins, as on cpu) and flat in-plane
  indices are saved; its backward is a scatter with atomic adds (windows may overlap).
* average pooling (also adaptive): float64 accumulation as the CPU kernel; its backward adds
  each output's share to its window with atomics.

The host window arrays (a few int64s per output position) are packed into one array and copied
to the device once per call.
"""
import math

import math

import numpy as np

from corelib.backends.cuda._rt import cuda, grid, jit, scatter_grid
from corelib.backends.cuda import xp
from corelib.backends.cuda.xp import CudaArray


# ---- kernels -------------------------------------------------------------------------------------
@jit
def im2col_k(x, x_off, C, D, H, W, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw,
             N, OD, OH, OW, cols, total):
    K = KD * KH * KW
    L = OD * OH * OW
    NL = N * L
    for i in range(cuda.grid(1), total, cuda.gridsize(1)):
        r = i // NL
        j = i - r * NL
        c = r // K
        k = r - c * K
        kd = k // (KH * KW)
        kh = (k // KW) % KH
        kw = k % KW
        n = j // L
        l_ = j - n * L
        od = l_ // (OH * OW)
        oh = (l_ // OW) % OH
        ow = l_ % OW
        i0 = od * sd - pd + kd * dd
        i1 = oh * sh - ph + kh * dh
        i2 = ow * sw - pw + kw * dw
        if 0 <= i0 < D and 0 <= i1 < H and 0 <= i2 < W:
            cols[i] = x[x_off + (((n * C + c) * D + i0) * H + i1) * W + i2]
        else:
            cols[i] = 0


@jit
def col2im_k(cols, c_off, C, D, H, W, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw,
             N, OD, OH, OW, x, total, zero):
    K = KD * KH * KW
    L = OD * OH * OW
    NL = N * L
    for i in range(cuda.grid(1), total, cuda.gridsize(1)):
        w = i % W
        t = i // W
        h = t % H
        t = t // H
        d = t % D
        t = t // D
        c = t % C
        n = t // C
        acc = zero
        for kd in range(KD):
            td = d + pd - kd * dd
            if td < 0 or td % sd != 0:
                continue
            od = td // sd
            if od >= OD:
                continue
            for kh in range(KH):
                th = h + ph - kh * dh
                if th < 0 or th % sh != 0:
                    continue
                oh = th // sh
                if oh >= OH:
                    continue
                for kw in range(KW):
                    tw = w + pw - kw * dw
                    if tw < 0 or tw % sw != 0:
                        continue
                    ow = tw // sw
                    if ow >= OW:
                        continue
                    r = c * K + (kd * KH + kh) * KW + kw
                    acc += cols[c_off + r * NL + n * L + (od * OH + oh) * OW + ow]
        x[i] = acc


@jit
def max_pool_k(x, x_off, D, H, W, win, OD, OH, OW, dD, dH, dW, y, idx, total, ninf):
    # win: [sD, loD, hiD] (OD each), [sH, loH, hiH] (OH each), [sW, loW, hiW] (OW each)
    bH = 3 * OD
    bW = 3 * OD + 3 * OH
    for i in range(cuda.grid(1), total, cuda.gridsize(1)):
        ow = i % OW
        t = i // OW
        oh = t % OH
        t = t // OH
        od = t % OD
        p = t // OD
        base = x_off + p * (D * H * W)
        found = False
        best = ninf
        bi = -1
        for a in range(win[OD + od], win[2 * OD + od]):
            i0 = win[od] + a * dD
            for b in range(win[bH + OH + oh], win[bH + 2 * OH + oh]):
                i1 = win[bH + oh] + b * dH
                for c in range(win[bW + OW + ow], win[bW + 2 * OW + ow]):
                    i2 = win[bW + ow] + c * dW
                    v = x[base + (i0 * H + i1) * W + i2]
                    if not found:
                        found = True
                        best = v
                        bi = (i0 * H + i1) * W + i2
                    elif v > best or v != v:
                        best = v
                        bi = (i0 * H + i1) * W + i2
        y[i] = best
        idx[i] = bi


@jit
def plane_scatter_add_k(gy, g_off, idx, L, M, gx, total):
    """gx[p * M + idx[p, o]] += gy[p, o] (gx zeroed by the caller; atomics: indices repeat)."""
    for t in range(cuda.grid(1), total, cuda.gridsize(1)):
        p = t // L
        j = idx[t]
        if 0 <= j < M:
            cuda.atomic.add(gx, p * M + j, gy[g_off + t])


@jit
def plane_gather_k(g, g_off, idx, L, M, out, total):
    for t in range(cuda.grid(1), total, cuda.gridsize(1)):
        p = t // L
        j = idx[t]
        if 0 <= j < M:
            out[t] = g[g_off + p * M + j]
        else:
            out[t] = 0


@jit
def avg_pool_k(x, x_off, D, H, W, win, divs, OD, OH, OW, override, y, total):
    bH = 3 * OD
    bW = 3 * OD + 3 * OH
    for i in range(cuda.grid(1), total, cuda.gridsize(1)):
        ow = i % OW
        t = i // OW
        oh = t % OH
        t = t // OH
        od = t % OD
        p = t // OD
        base = x_off + p * (D * H * W)
        s = 0.0
        for a in range(win[OD + od], win[2 * OD + od]):
            i0 = win[od] + a
            for b in range(win[bH + OH + oh], win[bH + 2 * OH + oh]):
                i1 = win[bH + oh] + b
                for c in range(win[bW + OW + ow], win[bW + 2 * OW + ow]):
                    s += x[base + (i0 * H + i1) * W + win[bW + ow] + c]
        div = override
        if not override > 0:
            div = divs[od] * divs[OD + oh] * divs[OD + OH + ow]
        y[i] = s / div


@jit
def avg_pool_bwd_k(gy, g_off, D, H, W, win, divs, OD, OH, OW, override, gx, total):
    """gx (zeroed by the caller) += each output's gradient / divisor over its window."""
    bH = 3 * OD
    bW = 3 * OD + 3 * OH
    for i in range(cuda.grid(1), total, cuda.gridsize(1)):
        ow = i % OW
        t = i // OW
        oh = t % OH
        t = t // OH
        od = t % OD
        p = t // OD
        base = p * (D * H * W)
        div = override
        if not override > 0:
            div = divs[od] * divs[OD + oh] * divs[OD + OH + ow]
        g = gy[g_off + i] / div
        for a in range(win[OD + od], win[2 * OD + od]):
            i0 = win[od] + a
            for b in range(win[bH + OH + oh], win[bH + 2 * OH + oh]):
                i1 = win[bH + oh] + b
                for c in range(win[bW + OW + ow], win[bW + 2 * OW + ow]):
                    cuda.atomic.add(gx, base + (i0 * H + i1) * W + win[bW + ow] + c, g)


@jit
def lsm_pick_k(x, x_off, M, C, idx, i_off, e, s, out):
    """Per row r of a contiguous (M, C) block: m = max (NaN wins), e = exp(x - m), s = sum(e)
    (accumulated in float64), out = log(s) + m - x[r, idx[r]] (idx validated by the caller)."""
    for r in range(cuda.grid(1), M, cuda.gridsize(1)):
        base = x_off + r * C
        m = x[base]
        for c in range(1, C):
            v = x[base + c]
            if v > m or v != v:
                m = v
        acc = 0.0
        for c in range(C):
            t = math.exp(x[base + c] - m)
            e[r * C + c] = t
            acc += t
        s[r] = acc
        out[r] = math.log(acc) + m - x[base + idx[i_off + r]]


@jit
def lsm_pick_grad_k(e, s, g, g_off, g_st, idx, i_off, M, C, out):
    """out[r, c] = e[r, c] * (g[r] / s[r]) - (g[r] if c == idx[r]) (in place over e allowed)."""
    for i in range(cuda.grid(1), M * C, cuda.gridsize(1)):
        r = i // C
        c = i - r * C
        gr = g[g_off + r * g_st]
        v = e[i] * (gr / s[r])
        if c == idx[i_off + r]:
            v -= gr
        out[i] = v


KERNELS = {"im2col_k": im2col_k, "col2im_k": col2im_k, "max_pool_k": max_pool_k,
           "plane_scatter_add_k": plane_scatter_add_k, "plane_gather_k": plane_gather_k,
           "avg_pool_k": avg_pool_k, "avg_pool_bwd_k": avg_pool_bwd_k}


# ---- wrappers (same signatures as corelib.nn._kernels) ---------------------------------------------
def log_softmax_pick(x, idx):
    """-log_softmax(x, 1)[r, idx[r]] for a contiguous 2-d float CudaArray x and an int64 CudaArray
    idx (M or (M, 1)) of valid class indices: (out (M,), e = exp(x - rowmax) (M, C), s = row sums
    of e (M,)), in one kernel instead of a dozen ops."""
    M, C = x.shape
    e = xp.empty((M, C), x.dtype)
    s = xp.empty((M,), x.dtype)
    out = xp.empty((M,), x.dtype)
    if M and C:
        ix = _c(idx.reshape(-1))
        lsm_pick_k[grid(M)](x._buf, x._off, M, C, ix._buf, ix._off, e._buf, s._buf, out._buf)
    return out, e, s


def log_softmax_pick_grad(e, s, idx, g):
    """The gradient of log_softmax_pick's out with respect to x, for the upstream gradient g (M,),
    written over e."""
    M, C = e.shape
    if M and C:
        ix = _c(idx.reshape(-1))
        g = xp.asarray(g).reshape(M)
        lsm_pick_grad_k[grid(M * C)](e._buf, s._buf, g._buf, g._off, g._st[0], ix._buf, ix._off,
                                     M, C, e._buf)
    return e


def _c(a):
    """A contiguous CudaArray (offset kept: kernels take it)."""
    a = xp.asarray(a)
    return a if a._is_c() else a.copy()


_CONST = {}          # small host tables (pooling windows, divisors) -> their device copy


def _const(h):
    """The device copy of a small read-only host table, uploaded once: an upload per call is a
    synchronous copy that would stall the host on the GPU every training step."""
    key = (h.dtype.str, h.tobytes())
    d = _CONST.get(key)
    if d is None:
        if len(_CONST) >= 512:
            _CONST.clear()
        d = _CONST[key] = xp.from_host(h)
    return d


def _win(wins):
    return _const(np.concatenate([np.asarray(w, dtype=np.int64) for t in wins for w in t]))


def im2col(x5, k, s, p, d, out_sp):
    N, C = x5.shape[:2]
    K = k[0] * k[1] * k[2]
    L = out_sp[0] * out_sp[1] * out_sp[2]
    cols = xp.empty((C * K, N * L), x5.dtype)
    n = cols.size
    if n:
        x = _c(x5)
        im2col_k[grid(n)](x._buf, x._off, C, *x.shape[2:], *k, *s, *p, *d, N, *out_sp,
                          cols._buf, n)
    return cols


def col2im(cols, x_shape, k, s, p, d, out_sp, dtype):
    x = xp.empty(x_shape, dtype)
    n = x.size
    if n == 0:
        return x
    if cols.size == 0:
        x.fill(0)
        return x
    c = _c(cols)
    N, C = x_shape[:2]
    col2im_k[grid(n)](c._buf, c._off, C, *x_shape[2:], *k, *s, *p, *d, N, *out_sp,
                      x._buf, n, np.dtype(dtype).type(0))
    return x


def max_pool(x4, wins, dil):
    P, D, H, W = x4.shape
    OD, OH, OW = (w[0].size for w in wins)
    y = xp.empty((P, OD, OH, OW), x4.dtype)
    idx = xp.empty(y.shape, np.int64)
    n = y.size
    if n:
        x = _c(x4)
        max_pool_k[grid(n)](x._buf, x._off, D, H, W, _win(wins)._buf, OD, OH, OW,
                            int(dil[0]), int(dil[1]), int(dil[2]), y._buf, idx._buf, n,
                            x4.dtype.type(-np.inf))
    return y, idx


def max_pool_backward(gy, idx, plane_size):
    P = gy.shape[0]
    gx = xp.zeros((P, plane_size), gy.dtype)
    g = _c(gy).reshape(P, -1)
    ix = xp._fresh(_c(idx)).reshape(P, -1)
    n = g.size
    if n and gx.size:
        plane_scatter_add_k[scatter_grid(n)](g._buf, g._off, ix._buf, g.shape[1], plane_size, gx._buf, n)
    return gx


def gather_plane(g, idx):
    P = idx.shape[0]
    ix = xp._fresh(_c(idx)).reshape(P, -1)
    out = xp.empty(ix.shape, g.dtype)
    gc = _c(g).reshape(P, -1)
    n = out.size
    if n:
        plane_gather_k[grid(n)](gc._buf, gc._off, ix._buf, ix.shape[1], gc.shape[1], out._buf, n)
    return out


def _divs(divs):
    return _const(np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in divs]))


def avg_pool(x4, wins, divs, override):
    P, D, H, W = x4.shape
    OD, OH, OW = (w[0].size for w in wins)
    y = xp.empty((P, OD, OH, OW), x4.dtype)
    n = y.size
    if n:
        x = _c(x4)
        avg_pool_k[grid(n)](x._buf, x._off, D, H, W, _win(wins)._buf, _divs(divs)._buf,
                            OD, OH, OW, float(override or 0), y._buf, n)
    return y


def avg_pool_backward(gy, in_sp, wins, divs, override):
    P = gy.shape[0]
    OD, OH, OW = (w[0].size for w in wins)
    D, H, W = in_sp
    gx = xp.zeros((P, D, H, W), gy.dtype)
    n = P * OD * OH * OW
    if n and gx.size:
        g = _c(gy)
        avg_pool_bwd_k[scatter_grid(n)](g._buf, g._off, D, H, W, _win(wins)._buf, _divs(divs)._buf,
                                OD, OH, OW, float(override or 0), gx._buf, n)
    return gx


_ = CudaArray
