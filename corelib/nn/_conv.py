"""Convolution primitives: forward, input gradient (= transposed convolution), weight gradient.

All three are linear in each argument and each one's backward is expressed with the other two,
so gradients of any order work (create_graph=True):

    y  = Conv(x, w)           dL/dx = ConvT(gy, w)       dL/dw = ConvW(x, gy)
    z  = ConvT(g, w)          dL/dg = Conv(gz, w)        dL/dw = ConvW(gz, g)
    gw = ConvW(x, gy)         dL/dx = ConvT(gy, ggw)     dL/dgy = Conv(x, ggw)

Data are viewed as 3-d spatial (N, C, D, H, W); the column matrix is (C*K, N*L) (see _kernels).
Groups are a batched GEMM over the group axis.
"""
import numpy as np

from corelib import _tensor as T
from corelib.autograd import Function, is_grad_enabled


class ConvParams:
    __slots__ = ("k", "s", "p", "d", "groups", "nsp")

    def __init__(self, k, s, p, d, groups, nsp):
        pad = (1,) * (3 - nsp)
        zero = (0,) * (3 - nsp)
        self.k = pad + tuple(k)
        self.s = pad + tuple(s)
        self.p = zero + tuple(p)
        self.d = pad + tuple(d)
        self.groups = groups
        self.nsp = nsp

    def out_sp(self, in_sp):
        return tuple((i + 2 * p - d * (k - 1) - 1) // s + 1
                     for i, k, s, p, d in zip(in_sp, self.k, self.s, self.p, self.d))


def _sp3(shape, nsp):
    return (1,) * (3 - nsp) + tuple(shape[2:])


def _k():
    from corelib.nn import _kernels
    return _kernels


def _xp(a):
    """The array namespace of ``a``: numpy, or the cuda backend's for a device array."""
    if isinstance(a, np.ndarray):
        return np
    from corelib.backends.cuda import xp
    return xp


def conv_forward(x, w, prm, cols=None):
    """x (N, C, *sp), w (O, C/G, *k) arrays -> y (N, O, *osp), cols (C*K, N*L)."""
    K = _k()
    N, C = x.shape[:2]
    O = w.shape[0]
    G = prm.groups
    in3 = _sp3(x.shape, prm.nsp)
    out3 = prm.out_sp(in3)
    L = out3[0] * out3[1] * out3[2]
    if cols is None:
        cols = K.im2col(x.reshape((N, C) + in3), prm.k, prm.s, prm.p, prm.d, out3)
    kk = cols.shape[0] // G
    if G == 1:
        y = w.reshape(O, -1) @ cols                                  # (O, N*L)
    else:
        y = _xp(cols).matmul(w.reshape(G, O // G, kk), cols.reshape(G, kk, N * L)).reshape(O, N * L)
    return y, cols, out3, L


def to_ncl(y, N, O, L, bias=None):
    """(O, N*L) -> (N, O, L) contiguous, adding a per-channel bias on the way."""
    out = _xp(y).empty((N, O, L), dtype=y.dtype)
    src = y.reshape(O, N, L).transpose(1, 0, 2)
    if bias is not None:
        np.add(src, bias.reshape(1, O, 1), out=out)
    else:
        np.copyto(out, src)
    return out


def to_onl(g):
    """(N, O, *sp) -> (O, N*L) contiguous."""
    N, O = g.shape[:2]
    L = 1
    for v in g.shape[2:]:
        L *= v
    return _xp(g).ascontiguousarray(g.reshape(N, O, L).transpose(1, 0, 2)).reshape(O, N * L)


def conv_input_grad(g, w, prm, in_sp, g2=None):
    """The adjoint of conv_forward in x: g (N, O, *osp), w (O, C/G, *k) -> (N, C, *in_sp).
    ``g2`` is g as (O, N*L) when the caller has it already."""
    K = _k()
    N, O = g.shape[:2]
    G = prm.groups
    Cg = w.shape[1]
    in3 = (1,) * (3 - prm.nsp) + tuple(in_sp)
    out3 = _sp3(g.shape, prm.nsp)
    if g2 is None:
        g2 = to_onl(g)
    L = g2.shape[1]
    kk = Cg * prm.k[0] * prm.k[1] * prm.k[2]
    if G == 1:
        if isinstance(g2, np.ndarray):
            cols = np.matmul(w.reshape(O, kk).T, g2, out=K.scratch.empty((kk, L), np.result_type(w, g2)))
        else:
            cols = w.reshape(O, kk).T @ g2
    else:
        cols = _xp(g2).matmul(w.reshape(G, O // G, kk).transpose(0, 2, 1), g2.reshape(G, O // G, L))
        cols = cols.reshape(G * kk, L)
    x = K.col2im(cols, (N, Cg * G) + in3, prm.k, prm.s, prm.p, prm.d, out3, g.dtype)
    K.scratch.release(cols)
    return x.reshape((N, Cg * G) + tuple(in_sp))


def conv_weight_grad(x, g, prm, w_shape, cols=None, g2=None):
    """The adjoint of conv_forward in w: x (N, C, *sp), g (N, O, *osp) -> (O, C/G, *k)."""
    K = _k()
    N, C = x.shape[:2]
    O = g.shape[1]
    G = prm.groups
    in3 = _sp3(x.shape, prm.nsp)
    out3 = _sp3(g.shape, prm.nsp)
    own = cols is None
    if own and K.direct_ok(x, O, prm) and x.dtype == g.dtype:
        return K.conv_direct_wgrad(x, g, prm, w_shape)
    if own:
        cols = K.im2col(x.reshape((N, C) + in3), prm.k, prm.s, prm.p, prm.d, out3)
    if g2 is None:
        g2 = to_onl(g)
    L = g2.shape[1]
    kk = cols.shape[0] // G
    if G == 1:
        gw = g2 @ cols.T
    else:
        gw = _xp(g2).matmul(g2.reshape(G, O // G, L), cols.reshape(G, kk, L).transpose(0, 2, 1))
    if own:
        K.scratch.release(cols)
    return gw.reshape(w_shape)


class Conv(Function):
    """y = conv(x, w) + b."""

    def forward(self, x, w, b, prm):
        self.retain_inputs(0, 1)
        self.prm = prm
        N = x.shape[0]
        O = w.shape[0]
        if _k().direct_ok(x, O, prm) and x.dtype == w.dtype:
            return _k().conv_direct(x, w, b, prm)
        y, cols, out3, L = conv_forward(x, w, prm)
        if self._inputs is not None and self.needs_input_grad[1]:
            self.cols = cols                      # reused by the weight gradient
        else:
            _k().scratch.release(cols)
        out = to_ncl(y, N, O, L, b)
        return out.reshape((N, O) + out3[3 - prm.nsp:])

    def backward(self, gy):
        x, w = self.saved_inputs()
        nx, nw, nb = self.needs_input_grad[:3]
        gx = gw = gb = None
        g2 = None                                 # gy as (O, N*L), shared by the three
        if not is_grad_enabled() and (nx + nw + nb) > 1:
            g2 = to_onl(gy._data)
        if nx:
            gx = ConvT.apply(gy, w, self.prm, tuple(x.shape[2:]), g2=g2)
        if nw:
            gw = ConvW.apply(x, gy, self.prm, tuple(w.shape), cols=getattr(self, "cols", None), g2=g2)
        if nb:
            if g2 is not None:
                gb = T._make(g2.sum(1), gy.device)
            else:
                gb = gy.sum((0,) + tuple(range(2, gy.dim())))
        cols, self.cols = getattr(self, "cols", None), None
        if cols is not None:
            _k().scratch.release(cols)
        return gx, gw, gb


class ConvT(Function):
    """z = conv's input-gradient operator applied to g (a transposed convolution)."""

    def forward(self, g, w, prm, in_sp, g2=None):
        self.retain_inputs(0, 1)
        self.prm = prm
        return conv_input_grad(g, w, prm, in_sp, g2)

    def backward(self, gz):
        g, w = self.saved_inputs()
        ng, nw = self.needs_input_grad[:2]
        gg = gw = None
        if ng:
            gg = Conv.apply(gz, w, None, self.prm)
        if nw:
            gw = ConvW.apply(gz, g, self.prm, tuple(w.shape))
        return gg, gw


class ConvW(Function):
    """gw = conv's weight-gradient operator of (x, gy)."""

    def forward(self, x, g, prm, w_shape, cols=None, g2=None):
        self.retain_inputs(0, 1)
        self.prm = prm
        return conv_weight_grad(x, g, prm, w_shape, cols, g2)

    def backward(self, ggw):
        x, g = self.saved_inputs()
        nx, ng = self.needs_input_grad[:2]
        gx = gg = None
        if nx:
            gx = ConvT.apply(g, ggw, self.prm, tuple(x.shape[2:]))
        if ng:
            gg = Conv.apply(x, ggw, None, self.prm)
        return gx, gg


class Unfold(Function):
    """(N, C, *sp) -> (N, C*K, L): the column matrix as a public op."""

    def forward(self, x, prm):
        self.prm = prm
        self.in_sp = x.shape[2:]
        N, C = x.shape[:2]
        in3 = _sp3(x.shape, prm.nsp)
        out3 = prm.out_sp(in3)
        self.out3 = out3
        cols = _k().im2col(x.reshape((N, C) + in3), prm.k, prm.s, prm.p, prm.d, out3)
        CK = cols.shape[0]
        L = out3[0] * out3[1] * out3[2]
        return _xp(cols).ascontiguousarray(cols.reshape(CK, N, L).transpose(1, 0, 2))

    def backward(self, gy):
        return Fold.apply(gy, self.prm, tuple(self.in_sp))


class Fold(Function):
    """(N, C*K, L) -> (N, C, *out_sp): sums overlapping blocks (the adjoint of Unfold)."""

    def forward(self, c, prm, out_sp):
        self.prm = prm
        N, CK, L = c.shape
        K = prm.k[0] * prm.k[1] * prm.k[2]
        C = CK // K
        in3 = (1,) * (3 - prm.nsp) + tuple(out_sp)
        o3 = prm.out_sp(in3)
        cols = _xp(c).ascontiguousarray(c.transpose(1, 0, 2)).reshape(CK, N * L)
        x = _k().col2im(cols, (N, C) + in3, prm.k, prm.s, prm.p, prm.d, o3, c.dtype)
        return x.reshape((N, C) + tuple(out_sp))

    def backward(self, gz):
        return Unfold.apply(gz, self.prm)
