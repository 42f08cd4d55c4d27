"""torch's top-level linear-algebra and special functions (det, inverse, lgamma, ...); the
namespaces corelib.linalg and corelib.special re-export them under torch's names there.
Names in __all__ are re-exported by corelib.

Decompositions are primitives whose forward is numpy.linalg and whose backward is written with
Tensor ops (so double backward works). A Function has one output: a decomposition with several
outputs packs them into one array (batch..., sum of sizes) and the caller slices them apart.
Special functions without a numpy counterpart are numba kernels computed in float64.
"""
import collections
import math

import numpy as np

from corelib import _dtype as D
from corelib import _tensor as T
from corelib.autograd import Function
from corelib.backends.cpu import njit
from corelib.ops import elementwise as E, reduce as R, movement as M, linalg as L, inplace as I
from corelib.ops._util import float_input

Tensor = T.Tensor

__all__ = ["det", "inverse", "slogdet", "logdet", "cholesky", "cholesky_inverse", "cholesky_solve",
           "pinverse", "matrix_power", "matrix_exp", "cross", "chain_matmul", "svd", "qr",
           "lgamma", "digamma", "polygamma", "erfinv", "erfc", "i0", "logit", "sinc", "mvlgamma"]

class LinAlgError(RuntimeError):
    """A matrix was singular / not positive-definite (torch.linalg.LinAlgError)."""


def _rt(name, fields):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"corelib.return_types.{name}(\n{body})"
    R_ = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    R_.__module__ = "corelib.return_types"
    return R_


_slogdet_t = _rt("slogdet", ["sign", "logabsdet"])
_linalg_slogdet_t = _rt("linalg_slogdet", ["sign", "logabsdet"])
_qr_t = _rt("linalg_qr", ["Q", "R"])
_old_qr_t = _rt("qr", ["Q", "R"])
_eigh_t = _rt("linalg_eigh", ["eigenvalues", "eigenvectors"])
_svd_t = _rt("linalg_svd", ["U", "S", "Vh"])
_old_svd_t = _rt("svd", ["U", "S", "V"])
_lstsq_t = _rt("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_inv_ex_t = _rt("linalg_inv_ex", ["inverse", "info"])
_cholesky_ex_t = _rt("linalg_cholesky_ex", ["L", "info"])
_solve_ex_t = _rt("linalg_solve_ex", ["result", "info"])


def _new(arr, ref):
    """A result array (numpy, or already on ref's device) as a Tensor on ref's device."""
    from corelib._creation import _wrap
    return _wrap(arr, ref._device)


def _check_matrix(A, fn, square=True, name="A"):
    if not isinstance(A, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")
    if A._data.dtype.kind != "f" or A._data.dtype == np.float16:
        nm = D.torch_name(A.dtype)
        if A._data.dtype == np.float16:
            raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got Half; use .float()")
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {nm}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fn}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _eye_like(A):
    n = A.shape[-1]
    return _new(np.eye(n, dtype=A._data.dtype), A)


def _batch_prefix(shape, flat_index):
    if len(shape) <= 2:
        return ""
    return f"(Batch element {flat_index}): "


def _lu_zero_pivot(a):
    """1-based index of the first zero pivot of LAPACK getrf (partial pivoting), 0 if none."""
    a = np.array(a, dtype=np.float64)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return 0


def _singular_error(a, fn):
    flat = a.reshape((-1,) + a.shape[-2:])
    for b in range(flat.shape[0]):
        info = _lu_zero_pivot(flat[b])
        if info:
            break
    else:
        b, info = 0, a.shape[-1]
    return LinAlgError(f"{fn}: {_batch_prefix(a.shape, b)}The diagonal element {info} is zero, the "
                       f"inversion could not be completed because the input matrix is singular.")


# ---- det / slogdet / inv / solve ------------------------------------------------------------------
class Det(Function):
    def forward(self, a):
        self.retain_inputs(0)
        self.retain_output()
        return np.linalg.det(a).astype(a.dtype, copy=False)

    def backward(self, gy):
        A, = self.saved_inputs()
        d = self.saved_output()
        if (d._data == 0).any():                    # singular: adj(A)^T from the SVD, as torch
            return gy.unsqueeze(-1).unsqueeze(-1) * _new(_adjugate_t(A._data), A)
        return (gy * d).unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def _adjugate_t(a):
    """adj(A)^T = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh (no division by a zero s_i)."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    p = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return (sign[..., None, None] * (u * p[..., None, :]) @ vh).astype(a.dtype)


class LogAbsDet(Function):
    fp_quiet = True

    def forward(self, a):
        self.retain_inputs(0)
        return np.linalg.slogdet(a)[1].astype(a.dtype, copy=False)

    def backward(self, gy):
        A, = self.saved_inputs()
        return gy.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


class Inv(Function):
    def forward(self, a):
        self.retain_output()
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular_error(a, "linalg.inv") from None

    def backward(self, gy):
        Ai = self.saved_output()
        return -(Ai.mT @ gy @ Ai.mT)


class Solve(Function):
    """X = A^{-1} B for B of shape (..., n, k); batch dims broadcast."""

    def forward(self, a, b):
        self.retain_inputs(0)
        self.retain_output()
        try:
            return np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                              "singular.") from None

    def backward(self, gy):
        A, = self.saved_inputs()
        X = self.saved_output()
        gB = Solve.apply(A.mT, gy)
        gA = -(gB @ X.mT) if self.needs_input_grad[0] else None
        return gA, gB


def det(A, *, out=None):
    _check_matrix(A, "linalg.det")
    return E._out(Det.apply(A), out)


def slogdet(A):
    _check_matrix(A, "linalg.slogdet")
    sign = _new(np.linalg.slogdet(A._data)[0].astype(A._data.dtype, copy=False), A)
    return _slogdet_t(sign, LogAbsDet.apply(A))


def _linalg_slogdet(A, *, out=None):
    s, l = slogdet(A)
    return _linalg_slogdet_t(s, l)


def logdet(input):
    _check_matrix(input, "linalg.logdet")
    s, l = slogdet(input)
    with np.errstate(all="ignore"):
        return l + _new(np.log(s._data), s)


def inv(A, *, out=None):
    _check_matrix(A, "linalg.inv")
    return E._out(Inv.apply(A), out)


def inverse(input, *, out=None):
    return inv(input, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    _check_matrix(A, "linalg.inv")
    try:
        r = Inv.apply(A)
        info = np.zeros(A.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        r = _new(np.full(A.shape, np.nan, A._data.dtype), A)
        flat = A._data.reshape((-1,) + A.shape[-2:])
        info = np.array([_lu_zero_pivot(m) for m in flat], np.int32).reshape(A.shape[:-2])
    return _inv_ex_t(r, _new(info, A))


def _solve_shapes(A, B, fn="linalg.solve"):
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != n:
        k = 1 if vector else B.shape[-1]
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {rows}x{k})")
    return vector


def solve(A, B, *, left=True, out=None):
    _check_matrix(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    if not left:
        if B.dim() < 2:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                               "supported for left=False. In this case linalg.solve is equivalent "
                               "to B / A.squeeze(-1)")
        return E._out(solve(A.mT, B.mT).mT, out)
    vector = _solve_shapes(A, B)
    if vector:
        return E._out(Solve.apply(A, B.unsqueeze(-1)).squeeze(-1), out)
    return E._out(Solve.apply(A, B), out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    r = solve(A, B, left=left)
    return _solve_ex_t(r, _new(np.zeros(A.shape[:-2], np.int32), A))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    _check_matrix(A, "linalg.solve_triangular")
    if B.dim() < 2:
        raise RuntimeError(f"linalg.solve_triangular: The input tensor B must have at least 2 "
                           f"dimensions.")
    T_ = A.triu() if upper else A.tril()
    if unitriangular:
        I_ = _eye_like(A)
        T_ = T_ * (1 - I_) + I_
    return E._out(solve(T_, B, left=left), out)


# ---- cholesky ------------------------------------------------------------------------------------
def _bad_minors(a):
    """Per matrix of the batch a (..., n, n): the order of its first leading minor that is not
    positive-definite, 0 where there is none (LAPACK's info, as torch's cholesky_ex reports)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):
        for k in range(1, a.shape[-1] + 1):
            try:
                np.linalg.cholesky(flat[b, :k, :k])
            except np.linalg.LinAlgError:
                info[b] = k
                break
    return info.reshape(a.shape[:-2])


def _not_pd_error(a, fn):
    info = _bad_minors(a).reshape(-1)
    for b in np.flatnonzero(info):
        return LinAlgError(
            f"{fn}: {_batch_prefix(a.shape, int(b))}The factorization could not be completed "
            f"because the input is not positive-definite (the leading minor of order {info[b]} "
            f"is not positive-definite).")
    return LinAlgError(f"{fn}: The factorization could not be completed because the input is not "
                       f"positive-definite.")


class Cholesky(Function):
    def forward(self, a):
        self.retain_output()
        try:
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _not_pd_error(a, "linalg.cholesky") from None

    def backward(self, gL):
        L_ = self.saved_output()
        P = (L_.mT @ gL).tril()
        P = 0.5 * (P + P.tril(-1).mT)
        P = solve(L_.mT, P)                        # L^{-T} P
        return solve(L_, P, left=False)             # ... L^{-1}


def _cholesky(A, upper=False, fn="linalg.cholesky"):
    _check_matrix(A, fn)
    r = Cholesky.apply(A)
    return r.mT if upper else r


def linalg_cholesky(A, *, upper=False, out=None):
    return E._out(_cholesky(A, upper), out)


def cholesky(input, upper=False, *, out=None):
    return E._out(_cholesky(input, upper), out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    try:
        r = _cholesky(A, upper)
        info = np.zeros(A.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        info = _bad_minors(A._data)
        r = _new(np.zeros(A.shape, A._data.dtype), A)
    return _cholesky_ex_t(r, _new(info, A))


def cholesky_solve(B, L, upper=False, *, out=None):
    """Solve A X = B given the Cholesky factor of A (lower L, or upper U with upper=True)."""
    _check_matrix(L, "cholesky_solve")
    Lo = L.mT if upper else L
    return E._out(solve(Lo.mT, solve(Lo.tril(), B)), out)


def cholesky_inverse(L, upper=False, *, out=None):
    _check_matrix(L, "cholesky_inverse")
    Lo = (L.mT if upper else L).tril()
    Li = inv(Lo)
    return E._out(Li.mT @ Li, out)


# ---- multi-output decompositions: pack into one array, slice apart --------------------------------
def _pack(arrays):
    batch = arrays[0].shape[:-2] if arrays[0].ndim >= 2 else ()
    nb = len(batch)
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1), \
        [a.shape[nb:] for a in arrays]


def _split(t, shapes):
    """Slice a packed Tensor (batch..., total) into Tensors of shapes batch + s."""
    batch = tuple(t.shape[:-1])
    res, off = [], 0
    for s in shapes:
        n = int(np.prod(s)) if len(s) else 1
        res.append(t.narrow(-1, off, n).reshape(batch + tuple(s)))
        off += n
    return res


class QR(Function):
    def forward(self, a, mode):
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        out, self.shapes = _pack([q, r])
        self.retain_inputs(0)
        self.retain_output()
        return out

    def backward(self, gy):
        A, = self.saved_inputs()
        Q, R_ = _split(self.saved_output(), self.shapes)
        gQ, gR = _split(gy, self.shapes)
        m, n = A.shape[-2], A.shape[-1]
        if Q.shape[-1] > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_backward(gQ, gR, Q, R_)
        X, Y = A.narrow(-1, 0, m), A.narrow(-1, m, n - m)
        U, V = R_.narrow(-1, 0, m), R_.narrow(-1, m, n - m)
        gU, gV = gR.narrow(-1, 0, m), gR.narrow(-1, m, n - m)
        gX = _qr_backward(gQ + Y @ gV.mT, gU, Q, U)
        gY = Q @ gV
        return M.cat([gX, gY], -1)


def _qr_backward(gQ, gR, Q, R_):
    """A = QR with m >= n: gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q."""
    Mx = R_ @ gR.mT - gQ.mT @ Q
    low = Mx.tril(-1)
    b = gQ + Q @ (low + low.mT + M.diag_embed(Mx.diagonal(0, -2, -1)))
    return solve(R_.mT, b, left=False)


def linalg_qr(A, mode="reduced", *, out=None):
    _check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           f"(default), 'r', or 'complete'")
    if mode == "r":
        r = _new(np.linalg.qr(A._data, mode="r"), A)
        if A.requires_grad:
            r = _RNoGrad.apply(A, r._data)
        return _qr_t(_new(np.empty((0,), A._data.dtype), A), r)
    Q, R_ = _split(QR.apply(A, mode), _qr_shapes(A, mode))
    return _qr_t(Q, R_)


class _RNoGrad(Function):
    def forward(self, a, r):
        return r

    def backward(self, gy):
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through linalg.qr.")


def _qr_shapes(A, mode):
    m, n = A.shape[-2], A.shape[-1]
    k = m if mode == "complete" else min(m, n)
    return [(m, k), (k, n)]


def qr(input, some=True, *, out=None):
    Q, R_ = linalg_qr(input, "reduced" if some else "complete")
    return _old_qr_t(Q, R_)


class Eigh(Function):
    def forward(self, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        out, self.shapes = _pack([w[..., None, :], v])
        self.retain_output()
        return out

    def backward(self, gy):
        w, V = _split(self.saved_output(), self.shapes)
        gw, gV = _split(gy, self.shapes)
        w, gw = w.squeeze(-2), gw.squeeze(-2)
        S = V.mT @ gV
        S = 0.5 * (S - S.mT)
        I_ = _eye_like(V)
        Ediff = w.unsqueeze(-2) - w.unsqueeze(-1) + I_
        inner = S / Ediff * (1 - I_) + M.diag_embed(gw)
        return V @ inner @ V.mT


def eigh(A, UPLO="L", *, out=None):
    _check_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    n = A.shape[-1]
    w, V = _split(Eigh.apply(A, UPLO), [(1, n), (n, n)])
    return _eigh_t(w.squeeze(-2), V)


class Eigvalsh(Function):
    def forward(self, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        self.save_for_backward(v)
        return w

    def backward(self, gw):
        V, = self.saved_tensors
        return (V * gw.unsqueeze(-2)) @ V.mT


def eigvalsh(A, UPLO="L", *, out=None):
    _check_matrix(A, "linalg.eigvalsh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return E._out(Eigvalsh.apply(A, UPLO), out)


class SVD(Function):
    def forward(self, a, full):
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        out, self.shapes = _pack([u, s[..., None, :], vh])
        self.retain_output()
        return out

    def backward(self, gy):
        U, S, Vh = _split(self.saved_output(), self.shapes)
        gU, gS, gVh = _split(gy, self.shapes)
        S, gS = S.squeeze(-2), gS.squeeze(-2)
        k = S.shape[-1]
        if U.shape[-1] > k:                         # full_matrices: torch narrows as here
            U, gU = U.narrow(-1, 0, k), gU.narrow(-1, 0, k)
        if Vh.shape[-2] > k:
            Vh, gVh = Vh.narrow(-2, 0, k), gVh.narrow(-2, 0, k)
        return _svd_backward(gU, gS, gVh, U, S, Vh)


def _svd_backward(gU, gS, gVh, U, S, Vh):
    m, n = U.shape[-2], Vh.shape[-1]
    UhgU = U.mT @ gU
    UhgU = UhgU - UhgU.mT
    VhgV = Vh @ gVh.mT
    VhgV = VhgV - VhgV.mT
    S2 = S * S
    I_ = _new(np.eye(S.shape[-1], dtype=S._data.dtype), S)
    Ed = S2.unsqueeze(-2) - S2.unsqueeze(-1) + I_
    gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / Ed * (1 - I_) + M.diag_embed(gS)
    if m > n:
        gA = U @ gA
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U @ (U.mT @ gUSinv)
        return gA @ Vh
    if m < n:
        gA = gA @ Vh
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - (SinvgVh @ Vh.mT) @ Vh
        return U @ gA
    return U @ gA @ Vh


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    _check_matrix(A, "linalg.svd", square=False)
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    shapes = [(m, m if full_matrices else k), (1, k), (n if full_matrices else k, n)]
    U, S, Vh = _split(SVD.apply(A, bool(full_matrices)), shapes)
    return _svd_t(U, S.squeeze(-2), Vh)


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd (deprecated API): returns V, not Vh; compute_uv=False gives zero U and V."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        z = input._data.dtype
        return _old_svd_t(_new(np.zeros(input.shape[:-2] + (m, m), z), input), S,
                          _new(np.zeros(input.shape[:-2] + (n, n), z), input))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _old_svd_t(U, S, Vh.mT)


class Svdvals(Function):
    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        self.save_for_backward(u, vh)
        return s

    def backward(self, gS):
        U, Vh = self.saved_tensors
        return (U * gS.unsqueeze(-2)) @ Vh


def svdvals(A, *, driver=None, out=None):
    _check_matrix(A, "linalg.svdvals", square=False)
    return E._out(Svdvals.apply(A), out)


# ---- pinv / rank / lstsq -------------------------------------------------------------------------
def _tols(a_arr, atol, rtol, smax):
    """torch's cutoff max(atol, rtol * smax), rtol = eps * max(m, n) when neither is given."""
    eps = np.finfo(a_arr.dtype).eps
    if rtol is None:
        rtol = eps * max(a_arr.shape[-2], a_arr.shape[-1]) if atol is None or _is_zero(atol) else 0.0
    a = atol._data if isinstance(atol, Tensor) else (0.0 if atol is None else atol)
    r = rtol._data if isinstance(rtol, Tensor) else rtol
    return np.maximum(np.asarray(a)[..., None] if np.ndim(a) else a,
                      (np.asarray(r)[..., None] if np.ndim(r) else r) * smax[..., None])


def _is_zero(v):
    return not isinstance(v, Tensor) and v == 0


class Pinv(Function):
    def forward(self, a, atol, rtol, hermitian):
        if hermitian:
            w, v = np.linalg.eigh(a)
            s = np.abs(w)
            tol = _tols(a, atol, rtol, s.max(-1) if s.size else np.zeros(a.shape[:-2]))
            winv = np.where(s > tol, 1 / np.where(s > tol, w, 1), 0).astype(a.dtype)
            r = (v * winv[..., None, :]) @ np.swapaxes(v, -1, -2)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            tol = _tols(a, atol, rtol, s[..., 0] if s.shape[-1] else np.zeros(a.shape[:-2]))
            sinv = np.where(s > tol, 1 / np.where(s > tol, s, 1), 0).astype(a.dtype)
            r = np.swapaxes(vh, -1, -2) @ (sinv[..., :, None] * np.swapaxes(u, -1, -2))
        self.retain_inputs(0)
        self.retain_output()
        return r

    def backward(self, grad):
        A, = self.saved_inputs()
        P = self.saved_output()
        m, n = A.shape[-2], A.shape[-1]
        Ph, gh = P.mT, grad.mT
        if m <= n:
            K = gh @ P
            KPh = K @ Ph
            return -(P @ K).mT + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
        K = P @ gh
        PhK = Ph @ K
        return -(K @ P).mT + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    _check_matrix(A, "linalg.pinv", square=hermitian)
    return E._out(Pinv.apply(A, atol, rtol, hermitian), out)


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    _check_matrix(A, "linalg.matrix_rank", square=hermitian)
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    smax = s.max(-1) if s.shape[-1] else np.zeros(a.shape[:-2], a.dtype)
    tol = _tols(a, atol, rtol, smax)
    return E._out(_new((s > tol).sum(-1).astype(np.int64), A), out)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least squares via the pseudo-inverse (differentiable); residuals as torch's drivers."""
    _check_matrix(A, "linalg.lstsq", square=False)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"(gels, gelsy, gelsd, gelss), but got {driver}")
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = driver or "gelsy"
    m, n = A.shape[-2], A.shape[-1]
    eps = np.finfo(A._data.dtype).eps
    rt = (eps * max(m, n)) if rcond is None or rcond < 0 else rcond
    X = pinv(A, rtol=rt) @ Bm
    s = np.linalg.svd(A._data, compute_uv=False)
    rank = (s > rt * s[..., :1]).sum(-1).astype(np.int64)
    empty = np.empty((0,), A._data.dtype)
    res = empty
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        res = R.sum((A @ X - Bm) ** 2, -2)
        res = res.squeeze(-1) if vector else res
    else:
        res = _new(empty, A)
    sv = _new(s if driver in ("gelsd", "gelss") else empty, A)
    rank_t = _new(rank if driver != "gels" else np.empty((0,), np.int64), A)
    return _lstsq_t(X.squeeze(-1) if vector else X, res, rank_t, sv)


# ---- matrix exponential ----------------------------------------------------------------------
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)


def _expm_np(a):
    """Scaling and squaring with the [13/13] Pade approximant (Higham 2005), in float64."""
    A = a.astype(np.float64)
    if A.size == 0:
        return a.copy()
    norm = float(np.abs(A).sum(-2).max())
    s = max(0, int(math.ceil(math.log2(norm / 5.371920351148152)))) if norm > 0 else 0
    A = A / 2.0 ** s
    b = _PADE13
    I_ = np.broadcast_to(np.eye(A.shape[-1]), A.shape)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * I_)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * I_
    R_ = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R_ = R_ @ R_
    return R_.astype(a.dtype)


class MatrixExp(Function):
    def forward(self, a):
        self.retain_inputs(0)
        return _expm_np(a)

    def backward(self, gy):
        A, = self.saved_inputs()
        n = A.shape[-1]
        top = M.cat([A.mT, gy], -1)
        bottom = M.cat([E.zeros_like_(A), A.mT], -1)
        big = matrix_exp(M.cat([top, bottom], -2))
        return big.narrow(-2, 0, n).narrow(-1, n, n)


def matrix_exp(A):
    _check_matrix(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


# ---- norms, cond, powers, products ---------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {D.torch_name(x.dtype)}")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got '{ord}'")
    if dim is None:
        r = R.norm(x.reshape(-1), float(ord), 0, False)
        if keepdim:
            r = r.reshape((1,) * x.dim())
        return E._out(r, out)
    return E._out(R.norm(x, float(ord), dim, keepdim), out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        A = A.to(dtype)
    _check_matrix(A, "linalg.matrix_norm", square=False)
    d0, d1 = (T._wrap_dim(d, A.dim()) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return E._out(R.norm(A, 2.0, (d0, d1), keepdim), out)
    if ord not in ("nuc", 2, -2, 1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in ("nuc", 2, -2):
        s = svdvals(M.movedim(A, (d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return E._out(r, out)
    sum_dim, red_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
    s = A.abs().sum(sum_dim, keepdim=True)
    r = s.amax(red_dim, keepdim=True) if ord > 0 else s.amin(red_dim, keepdim=True)
    return E._out(r if keepdim else r.squeeze((d0, d1)), out)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if dim is not None:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.dim() == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if A.dim() == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                       f"2D. Got {A.dim()}D.")


def cond(A, p=None, *, out=None):
    _check_matrix(A, "linalg.cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = svdvals(A)
        with np.errstate(all="ignore"):
            r = s.amax(-1) / s.amin(-1) if p != -2 else s.amin(-1) / s.amax(-1)
        return E._out(r, out)
    return E._out(matrix_norm(A, p) * matrix_norm(inv(A), p), out)


def matrix_power(A, n, *, out=None):
    _check_matrix(A, "linalg.matrix_power")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        return E._out(_eye_like(A).expand(A.shape).clone(), out)
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return E._out(result, out)


def linalg_cross(input, other, *, dim=-1, out=None):
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    d = T._wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    a = [input.select(d, i) for i in range(3)]
    b = [other.select(d, i) for i in range(3)]
    r = M.stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]],
                d if d >= 0 else d)
    return E._out(r, out)


def cross(input, other, dim=None, *, out=None):
    if dim is None:
        dims = [i for i, s in enumerate(input.shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return linalg_cross(input, other, dim=dim, out=out)


def multi_dot(tensors, *, out=None):
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        ok = t.dim() == 2 or (t.dim() == 1 and i in (0, len(tensors) - 1))
        if not ok:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D" if 0 < i <
                               len(tensors) - 1 else f"multi_dot(): the {'first' if i == 0 else 'last'}"
                               f" tensor must be 1D or 2D but got {t.dim()}D")
    first1, last1 = tensors[0].dim() == 1, tensors[-1].dim() == 1
    ts = [tensors[0].unsqueeze(0) if first1 else tensors[0]] + tensors[1:-1] + \
        [tensors[-1].unsqueeze(-1) if last1 else tensors[-1]]
    r = ts[0]
    for t in ts[1:]:
        r = L.matmul(r, t)
    if first1:
        r = r.squeeze(0)
    if last1:
        r = r.squeeze(-1)
    return E._out(r, out)


def chain_matmul(*matrices, out=None):
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    return E._out(R.sum(x * y, dim), out)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return M.diagonal(A, offset, dim1, dim2)


def vander(x, *, N=None):
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n < 1:
        raise RuntimeError("N must be greater than 1.")
    from corelib._creation import arange
    pw = arange(n, dtype=x.dtype if x._data.dtype.kind == "f" else None)
    if x._data.dtype.kind != "f":
        return x.unsqueeze(-1) ** pw.to(x.dtype)
    return x.unsqueeze(-1) ** pw


def tensorinv(A, ind=2, *, out=None):
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    outs, ins = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p = int(np.prod(outs))
    if p != int(np.prod(ins)):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {int(np.prod(ins))} != {p}")
    return E._out(inv(A.reshape(p, p)).reshape(ins + outs), out)


def tensorsolve(A, B, dims=None, *, out=None):
    if dims is not None:
        A = M.movedim(A, dims, tuple(range(A.dim() - len(dims), A.dim())))
    rest = tuple(A.shape[B.dim():])
    n = int(np.prod(rest))
    return E._out(solve(A.reshape(-1, n), B.reshape(-1)).reshape(rest), out)


# ---- special functions: float64 numba kernels ----------------------------------------------------
@njit
def _k_lgamma(x, out):
    for i in range(x.size):
        out[i] = math.lgamma(x[i])


@njit
def _k_erfc(x, out):
    for i in range(x.size):
        out[i] = math.erfc(x[i])


@njit
def _k_digamma(x, out):
    # torch's calc_digamma: reflection for x < 0, recurrence to x >= 10, asymptotic series
    for i in range(x.size):
        v = x[i]
        if v == 0:
            out[i] = -math.copysign(math.inf, v)
            continue
        res = 0.0
        if v < 0:
            if v == math.floor(v):
                out[i] = math.nan
                continue
            r = v - math.trunc(v)
            res = -math.pi / math.tan(math.pi * r)
            v = 1 - v
        while v < 10:
            res -= 1 / v
            v += 1
        if v == 10:
            out[i] = res + 2.25175258906672110764
            continue
        y = 0.0
        if v < 1e17:
            z = 1 / (v * v)
            y = z * (((((((1 / 12 * z - 691 / 32760) * z + 1 / 132) * z - 1 / 240) * z + 1 / 252)
                       * z - 1 / 120) * z + 1 / 12))
        out[i] = res + math.log(v) - 0.5 / v - y


@njit
def _k_trigamma(x, out):
    for i in range(x.size):
        v = x[i]
        sign = 1.0
        res = 0.0
        if v < 0.5:
            sign = -1.0
            s = math.sin(math.pi * v)
            res -= math.pi * math.pi / (s * s)
            v = 1 - v
        for _ in range(6):
            res += 1 / (v * v)
            v += 1
        ixx = 1 / (v * v)
        res += (1 + 1 / (2 * v) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / v
        out[i] = sign * res


@njit
def _k_zeta(x, q, out, A):
    # Hurwitz zeta(x, q), Cephes (as torch): Euler-Maclaurin with A[i] = (2i+2)! / B_{2i+2}
    machep = 1.11022302462515654042e-16
    for i in range(x.size):
        s_, q_ = x[i], q[i]
        if s_ == 1:
            out[i] = math.inf
            continue
        if s_ < 1 or math.isnan(s_) or math.isnan(q_):
            out[i] = math.nan
            continue
        if q_ <= 0:
            if q_ == math.floor(q_):
                out[i] = math.inf
                continue
            if s_ != math.floor(s_):
                out[i] = math.nan
                continue
        s = q_ ** -s_
        a = q_
        j = 0
        b = 0.0
        done = False
        while j < 9 or a <= 9.0:
            j += 1
            a += 1
            b = a ** -s_
            s += b
            if -machep * s < b < machep * s:
                done = True
                break
        if not done:
            w = a
            s += b * w / (s_ - 1)
            s -= 0.5 * b
            a = 1.0
            k = 0.0
            for j in range(12):
                a *= s_ + k
                b /= w
                t = a * b / A[j]
                s = s + t
                if abs(t / s) < machep:
                    break
                k += 1
                a *= s_ + k
                b /= w
                k += 1
        out[i] = s


@njit
def _k_bessel_i(x, out, nu, scaled):
    # I_nu(x), nu in {0, 1}: power series (all terms positive) for |x| <= 30, else the
    # asymptotic expansion of exp(-|x|) I_nu(x); scaled=True gives exp(-|x|) I_nu(x)
    for i in range(x.size):
        v = x[i]
        ax = abs(v)
        if math.isnan(v):
            out[i] = v
            continue
        if ax <= 30:
            h = ax / 2
            t = 1.0 if nu == 0 else h
            s = t
            k = 0
            while True:
                k += 1
                t *= h * h / (k * (k + nu))
                s += t
                if t <= 1e-17 * s:
                    break
            r = s * math.exp(-ax) if scaled else s
        else:
            mu = 4.0 * nu * nu
            t = 1.0
            s = 1.0
            for k in range(1, 60):
                t *= -(mu - (2 * k - 1) ** 2) / (k * 8 * ax)
                s += t
                if abs(t) < 1e-17 * abs(s):
                    break
            r = s / math.sqrt(2 * math.pi * ax) if scaled else \
                s * math.exp(ax - 0.5 * math.log(2 * math.pi * ax))
        out[i] = -r if (nu == 1 and v < 0) else r


@njit
def _k_erfcx(x, out):
    for i in range(x.size):
        v = x[i]
        neg = v < 0
        a = -v if neg else v
        if a < 25:
            r = math.exp(a * a) * math.erfc(a)
        else:
            z = 1 / (2 * a * a)
            t = 1.0
            s = 1.0
            for k in range(1, 12):
                t *= -(2 * k - 1) * z
                s += t
            r = s / (a * math.sqrt(math.pi))
        out[i] = 2 * math.exp(a * a) - r if neg else r


@njit
def _k_log_ndtr(x, out):
    for i in range(x.size):
        v = x[i]
        if v > -1:
            out[i] = math.log1p(-0.5 * math.erfc(v / math.sqrt(2.0)))
            continue
        a = -v / math.sqrt(2.0)
        if a < 25:
            ex = math.exp(a * a) * math.erfc(a)
        else:
            z = 1 / (2 * a * a)
            t = 1.0
            s = 1.0
            for k in range(1, 12):
                t *= -(2 * k - 1) * z
                s += t
            ex = s / (a * math.sqrt(math.pi))
        out[i] = math.log(0.5 * ex) - a * a


@njit
def _k_ndtri(x, out):
    # Acklam's rational approximation, refined by two Halley steps on 0.5 erfc(-x/sqrt2) = p
    for i in range(x.size):
        p = x[i]
        if math.isnan(p) or p < 0 or p > 1:
            out[i] = math.nan
            continue
        if p == 0:
            out[i] = -math.inf
            continue
        if p == 1:
            out[i] = math.inf
            continue
        flip = p > 0.5
        q = 1 - p if flip else p
        if q < 0.02425:
            t = math.sqrt(-2 * math.log(q))
            z = (((((-7.784894002430293e-03 * t - 3.223964580411365e-01) * t
                    - 2.400758277161838e+00) * t - 2.549732539343734e+00) * t
                  + 4.374664141464968e+00) * t + 2.938163982698783e+00) / \
                ((((7.784695709041462e-03 * t + 3.224671290700398e-01) * t
                   + 2.445134137142996e+00) * t + 3.754408661907416e+00) * t + 1)
        else:
            u = q - 0.5
            r = u * u
            z = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r
                    - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
                  - 3.066479806614716e+01) * r + 2.506628277459239e+00) * u / \
                (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
                    - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
                  - 1.328068155288572e+01) * r + 1)
        for _ in range(2):
            e = 0.5 * math.erfc(-z / math.sqrt(2.0)) - q
            u = e * math.sqrt(2 * math.pi) * math.exp(z * z / 2)
            z = z - u / (1 + z * u / 2)
        out[i] = -z if flip else z


@njit
def _k_erfinv(x, out):
    # Giles' single-precision approximation, refined by Newton steps on erf (erfc in the tails)
    c = 2 / math.sqrt(math.pi)
    for i in range(x.size):
        y = x[i]
        if math.isnan(y) or abs(y) > 1:
            out[i] = math.nan
            continue
        if abs(y) == 1:
            out[i] = math.copysign(math.inf, y)
            continue
        w = -math.log((1 - y) * (1 + y))
        if w < 5:
            w = w - 2.5
            p = 2.81022636e-08
            p = 3.43273939e-07 + p * w
            p = -3.5233877e-06 + p * w
            p = -4.39150654e-06 + p * w
            p = 0.00021858087 + p * w
            p = -0.00125372503 + p * w
            p = -0.00417768164 + p * w
            p = 0.246640727 + p * w
            p = 1.50140941 + p * w
        else:
            w = math.sqrt(w) - 3
            p = -0.000200214257
            p = 0.000100950558 + p * w
            p = 0.00134934322 + p * w
            p = -0.00367342844 + p * w
            p = 0.00573950773 + p * w
            p = -0.0076224613 + p * w
            p = 0.00943887047 + p * w
            p = 1.00167406 + p * w
            p = 2.83297682 + p * w
        z = p * y
        for _ in range(3):
            if abs(y) <= 0.5:
                f = math.erf(z) - y
            elif y > 0:
                f = (1 - y) - math.erfc(z)
            else:
                f = math.erfc(-z) - (1 + y)
            z = z - f / (c * math.exp(-z * z))
        out[i] = z


def _bernoulli_A():
    B = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798,
         -174611 / 330, 854513 / 138, -236364091 / 2730]
    return np.array([math.factorial(2 * i + 2) / b for i, b in enumerate(B)])


_ZETA_A = _bernoulli_A()


def _run(kernel, x, *extra):
    """Apply a float64 flat kernel to array x; result in x's dtype."""
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(flat)
    kernel(flat, out, *extra)
    return out.reshape(np.shape(x)).astype(x.dtype, copy=False)


def _on_host(fn, dev, *arrays):
    """fn (numpy arrays -> numpy array) applied to device arrays through the host."""
    if dev is T.CPU:
        return fn(*arrays)
    b = T._backend(dev)
    return b.from_host(fn(*(b.to_host(a) for a in arrays)), dev)


def _zeta_np(x, q):
    x, q = np.broadcast_arrays(x, q)
    dt = np.result_type(x.dtype, q.dtype)
    xf = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    qf = np.ascontiguousarray(q, dtype=np.float64).reshape(-1)
    out = np.empty_like(xf)
    _k_zeta(xf, qf, out, _ZETA_A)
    return out.reshape(x.shape).astype(dt, copy=False)


def _polygamma_np(n, x):
    if n == 0:
        return _run(_k_digamma, x)
    if n == 1:
        return _run(_k_trigamma, x)
    r = _zeta_np(np.full_like(x, n + 1.0), x)
    return ((-1.0) ** (n + 1) * math.factorial(n) * r.astype(np.float64)).astype(x.dtype)


class Special(Function):
    """y = f(x) by a kernel; dy/dx given as a Tensor expression grad(x, y)."""
    fp_quiet = True

    def forward(self, x, fn, grad):
        self.grad = grad
        self.retain_inputs(0)
        self.retain_output()
        return _on_host(fn, self._dev, x)          # CPU kernels: a device array goes via the host

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * self.grad(x, self.saved_output())


def _special(x, fn, grad):
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor, got {type(x).__name__}")
    return Special.apply(float_input(x), fn, grad)


_SQRT_PI = math.sqrt(math.pi)


def lgamma(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_lgamma, a), lambda x, y: digamma(x)), out)


def digamma(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_digamma, a),
                           lambda x, y: polygamma(1, x)), out)


def polygamma(n, input, *, out=None):
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return E._out(_special(input, lambda a: _polygamma_np(n, a),
                           lambda x, y: polygamma(n + 1, x)), out)


def erfc(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_erfc, a),
                           lambda x, y: (-2 / _SQRT_PI) * E.exp(-(x * x))), out)


def erfinv(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_erfinv, a),
                           lambda x, y: (_SQRT_PI / 2) * E.exp(y * y)), out)


def erfcx(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_erfcx, a),
                           lambda x, y: 2 * x * y - 2 / _SQRT_PI), out)


def _nonzero(x):
    return M.where(x == 0, 1 + 0 * x, x)


def i0(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_bessel_i, a, 0, False),
                           lambda x, y: i1(x)), out)


def i0e(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_bessel_i, a, 0, True),
                           lambda x, y: i1e(x) - x.sign() * y), out)


def i1(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_bessel_i, a, 1, False),
                           lambda x, y: M.where(x == 0, 0.5 + 0 * x, i0(x) - y / _nonzero(x))), out)


def i1e(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_bessel_i, a, 1, True),
                           lambda x, y: M.where(x == 0, 0.5 + 0 * x,
                                                i0e(x) - y * (x.sign() + 1 / _nonzero(x)))), out)


def ndtri(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_ndtri, a),
                           lambda x, y: math.sqrt(2 * math.pi) * E.exp(y * y / 2)), out)


def log_ndtr(input, *, out=None):
    return E._out(_special(input, lambda a: _run(_k_log_ndtr, a),
                           lambda x, y: E.exp(-(x * x) / 2 - y) / math.sqrt(2 * math.pi)), out)


def ndtr(input, *, out=None):
    x = float_input(input)
    return E._out(0.5 * erfc(x * (-1 / math.sqrt(2.0))), out)


class Sinc(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return np.sinc(x).astype(x.dtype, copy=False)

    def backward(self, gy):
        x, = self.saved_inputs()
        px = math.pi * x
        safe = M.where(x == 0, 1 + 0 * x, x)
        g = (px * px.cos() - px.sin()) / (math.pi * safe * safe)
        return gy * M.where(x == 0, 0 * x, g)


def sinc(input, *, out=None):
    return E._out(Sinc.apply(float_input(input)), out)


class Entr(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        safe = np.where(x > 0, x, 1)
        return np.where(x > 0, -x * np.log(safe),
                        np.where(x == 0, 0, np.where(np.isnan(x), x, -np.inf))).astype(x.dtype)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * -(1 + E.log(x))


def entr(input, *, out=None):
    return E._out(Entr.apply(float_input(input)), out)


def logit(input, eps=None, *, out=None):
    x = float_input(input)
    if eps is not None:
        x = E.clamp(x, eps, 1 - eps)
    return E._out(E.log(x / (1 - x)), out)


def expit(input, *, out=None):
    return E._out(E.sigmoid(input), out)


def xlog1py(input, other, *, out=None):
    if not isinstance(input, Tensor):
        input = E._scalar_like(input, float_input(other))
    if not isinstance(other, Tensor):
        other = E._scalar_like(other, float_input(input))
    with np.errstate(invalid="ignore", divide="ignore"):      # 0 * log1p(-1): masked below
        r = input * E.log1p(other)
    keep_nan = E.isnan(other)
    return E._out(M.where((input == 0) & ~keep_nan, E.zeros_like_(r), r), out)


def zeta(input, other, *, out=None):
    """Hurwitz zeta(x, q); differentiable in q only (as torch)."""
    if not isinstance(input, Tensor):
        input = E._scalar_like(input, float_input(other))
    if not isinstance(other, Tensor):
        other = E._scalar_like(other, float_input(input))
    x = float_input(input)
    return E._out(_Zeta.apply(x, float_input(other)), out)


class _Zeta(Function):
    fp_quiet = True

    def forward(self, x, q):
        self.retain_inputs(0, 1)
        return _on_host(_zeta_np, self._dev, x, q)

    def backward(self, gy):
        x, q = self.saved_inputs()
        if self.needs_input_grad[0]:            # as PyTorch (not_implemented in its derivatives)
            raise NotImplementedError("the derivative for 'zeta' with respect to self is not "
                                      "implemented")
        return None, gy * -x * zeta(x + 1, q)


def mvlgamma(input, p):
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1")
    x = float_input(input)
    from corelib._creation import arange
    j = arange(p, dtype=x.dtype) * -0.5
    r = lgamma(x.unsqueeze(-1) + j).sum(-1)
    return r + p * (p - 1) / 4 * math.log(math.pi)


def multigammaln(input, p, *, out=None):
    return E._out(mvlgamma(input, p), out)


def _special_round(input, *, decimals=0, out=None):
    return E.round(input, decimals=decimals, out=out)


def _bind():
    t = Tensor
    methods = dict(det=det, inverse=inverse, slogdet=slogdet, logdet=logdet, cholesky=cholesky,
                   cholesky_inverse=cholesky_inverse, cholesky_solve=cholesky_solve,
                   pinverse=pinverse, matrix_power=matrix_power, matrix_exp=matrix_exp, cross=cross, svd=svd, qr=qr,
                   lgamma=lgamma, digamma=digamma, erfinv=erfinv, erfc=erfc, i0=i0, logit=logit,
                   sinc=sinc, mvlgamma=mvlgamma,
                   polygamma=lambda self, n: polygamma(n, self))
    for name, fn in methods.items():
        setattr(t, name, fn)
    for name in ("lgamma", "digamma", "erfinv", "erfc", "i0", "logit", "sinc", "mvlgamma"):
        setattr(t, name + "_", I._inplace(methods[name]))
    t.polygamma_ = I._inplace(lambda self, n: polygamma(n, self))


_bind()
