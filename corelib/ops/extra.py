"""More of torch's top-level functions (shape, reduction, set and elementwise helpers), composed
from the core ops so autograd comes for free; each is checked against torch in
tests/core/test_extra_ops_vs_torch.py. Names in __all__ are re-exported by corelib."""
import builtins
import collections
import itertools
import math
import warnings

import numpy as np

from corelib.autograd import Function
from corelib import _dtype as D
from corelib import _tensor as T
from corelib.ops import elementwise as E, reduce as R, movement as M, linalg as L, inplace as I
from corelib.ops._util import (wrap_dim, float_input, named, check_tensor, host_array,
                               not_implemented_for)
from corelib.ops.convert import cast

Tensor = T.Tensor

__all__ = [
    "cummax", "cummin", "logcumsumexp", "diff", "rot90", "tensordot", "kron", "cdist",
    "pdist", "bincount", "histc", "isin", "unique_consecutive", "cartesian_prod", "combinations",
    "block_diag", "atleast_3d", "ravel", "dstack", "column_stack", "row_stack", "hsplit", "vsplit",
    "dsplit", "diagflat", "triu_indices", "tril_indices", "vander", "cov", "corrcoef", "trapezoid",
    "trapz", "cumulative_trapezoid", "renorm", "addr", "quantile", "nanquantile", "copysign",
    "heaviside", "gcd", "lcm", "deg2rad", "rad2deg", "logaddexp2", "ldexp", "frexp", "nextafter",
    "positive", "is_nonzero", "is_complex", "isreal", "put", "cosine_similarity",
    "pairwise_distance", "hann_window", "hamming_window", "blackman_window", "bartlett_window",
    "kaiser_window", "rsub", "unravel_index", "typename", "histogram", "split_with_sizes",
    "adjoint", "conj", "conj_physical", "resolve_conj", "resolve_neg", "real", "imag",
    "narrow_copy", "diagonal_scatter", "select_scatter", "slice_scatter",
]


def _wrap(arr, dev):
    from corelib._creation import _wrap as w
    return w(arr, dev)


def _tname(t):
    return D.torch_name(t.dtype)


def _not_impl(name, t):
    return not_implemented_for(name + "_cpu", t)


def _tensor(x, ref=None, dtype=None):
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    from corelib._creation import tensor
    return tensor(x, dtype=dtype, device=ref.device if isinstance(ref, Tensor) else None)


def _zero_grad_from(r, t):
    """r, with t attached to the graph with a zero gradient (torch's grad is zeros, not None)."""
    if not (isinstance(t, Tensor) and t._rg):
        return r
    return M.where(_wrap(np.zeros((), bool), r.device), cast(t, r.dtype), r)


# ---- cumulative ops ----------------------------------------------------------------------------
_rt = R.return_types


def _result_type(name, fields):
    """A named tuple of results printed as torch prints its return_types (registered there)."""
    class R(collections.namedtuple(name, fields)):
        __slots__ = ()

        def __repr__(self):
            body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
            return f"corelib.return_types.{name}(\n{body})"
    R.__name__ = R.__qualname__ = name
    return _rt.setdefault(name, R)


_Frexp = _result_type("frexp", ["mantissa", "exponent"])


def _cum_extreme(input, dim, largest, name):
    check_tensor(input, "input", name)
    a = host_array(input)                      # the running argmax is index bookkeeping
    if a.ndim == 0:
        wrap_dim(dim, 1)
        return _rt[name](input.clone(), _wrap(np.array(0, np.int64), input.device))
    d = wrap_dim(dim, a.ndim)
    m = np.moveaxis(a, d, -1)
    idx = np.zeros(m.shape, np.int64)
    if m.shape[-1]:
        best, bi = m[..., 0].copy(), np.zeros(m.shape[:-1], np.int64)
        isf = a.dtype.kind == "f"
        for i in range(1, m.shape[-1]):
            x = m[..., i]
            # ties move to the later index and NaN sticks (as torch: x >= best or isnan(x))
            upd = (x >= best) if largest else (x <= best)
            if isf:
                upd = np.isnan(x) | (upd & ~np.isnan(best))
            best = np.where(upd, x, best)
            bi = np.where(upd, i, bi)
            idx[..., i] = bi
    idx_t = _wrap(np.ascontiguousarray(np.moveaxis(idx, -1, d)), input.device)
    vals = M.gather(input, d, idx_t)
    return _rt[name](named(vals, "CummaxBackward0" if largest else "CumminBackward0"), idx_t)


def cummax(input, dim):
    return _cum_extreme(input, dim, True, "cummax")


def cummin(input, dim):
    return _cum_extreme(input, dim, False, "cummin")


class _LogCumSumExp(Function):
    fp_quiet = True

    def forward(self, x, dim):
        self.dim = dim
        self.retain_inputs(0)
        self.retain_output()
        return np.logaddexp.accumulate(x, axis=dim)

    def backward(self, gy):
        # d y_i / d x_j = exp(x_j - y_i) for j <= i; summed in log space per sign of gy (as torch)
        x, = self.saved_inputs()
        y = self.saved_output()
        d = self.dim

        def rev_lcse(t):
            return logcumsumexp(t.flip(d), d).flip(d)
        lowest = float(np.finfo(x._data.dtype).min)      # not -inf: no inf - inf below
        with np.errstate(all="ignore"):                   # x + lowest may round to -inf: fine
            log_abs = gy.abs().log()
            pos = rev_lcse(M.where(gy > 0, log_abs - y, lowest))
            neg = rev_lcse(M.where(gy < 0, log_abs - y, lowest))
            return (x + pos).exp() - (x + neg).exp()


def logcumsumexp(input, dim):
    if input._data.dtype.kind != "f":
        raise _not_impl("logcumsumexp_out", input)
    if input._data.ndim == 0:
        wrap_dim(dim, 1)
        return input.clone()
    d = wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        return input.clone()
    return named(_LogCumSumExp.apply(input, d), "LogcumsumexpBackward0")


def diff(input, n=1, dim=-1, prepend=None, append=None):
    check_tensor(input, "input", "diff")
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.dim())
    parts = []
    for nm, t in (("prepend", prepend), (None, input), ("append", append)):
        if t is None:
            continue
        if nm is not None:
            check_tensor(t, nm, "diff")
            if t.dim() != input.dim():
                raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        parts.append(t)
    x = M.cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        k = x.shape[d]
        if k == 0:
            break
        hi, lo = x.narrow(d, 1, k - 1), x.narrow(d, 0, k - 1)
        x = E.logical_xor(hi, lo) if x.dtype is D.bool_ else hi - lo
    return x


# ---- shape helpers ------------------------------------------------------------------------------
def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input.dim()
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return M.flip(input, [d1]).transpose(d0, d1)
    if k == 2:
        return M.flip(input, [d0, d1])
    if k == 3:
        return M.flip(input, [d0]).transpose(d0, d1)
    return input.clone()


def atleast_3d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_3d(t) for t in tensors[0])
    if len(tensors) != 1:
        return tuple(atleast_3d(t) for t in tensors)
    x = tensors[0]
    if x.dim() == 0:
        return x.reshape(1, 1, 1)
    if x.dim() == 1:
        return x.reshape(1, -1, 1)
    if x.dim() == 2:
        return x.unsqueeze(-1)
    return x


def ravel(input):
    return input.reshape(-1)


def dstack(tensors):
    return M.cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    return M.cat([t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in tensors], 1)


def row_stack(tensors):
    return M.vstack(tensors)


def _split_along(name, input, indices_or_sections, d, need):
    if input.dim() < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got "
                           f"a tensor with {input.dim()} dimensions!")
    if isinstance(indices_or_sections, int):
        n = input.shape[d]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of "
                               f"the dimension {n} is not divisible by the split_size "
                               f"{indices_or_sections}!")
    return M.tensor_split(input, indices_or_sections, d)


def hsplit(input, indices_or_sections):
    return _split_along("hsplit", input, indices_or_sections, 1 if input.dim() > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def diagflat(input, offset=0):
    return M.diag(input.reshape(-1), offset)


def _index_pairs(fn, row, col, offset, dtype, device):
    from corelib._creation import tensor
    for nm, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{nm} must be non-negative, got {v}")
    i, j = fn(row, offset, col)
    return tensor(np.stack([i, j]).astype(np.int64), dtype=dtype or D.int64, device=device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _index_pairs(np.triu_indices, row, col, offset, dtype, device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _index_pairs(np.tril_indices, row, col, offset, dtype, device)


def cartesian_prod(*tensors):
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = M.meshgrid(*tensors, indexing="ij")
    return M.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.empty(0, input._data.dtype), input.device)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return M.index_select(input, 0, _wrap(idx.reshape(-1), input.device)).reshape(idx.shape[0], r)


def block_diag(*tensors):
    from corelib._creation import zeros
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
        mats.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not mats:
        return zeros(1, 0)
    rd = mats[0].dtype
    for m in mats[1:]:
        rd = D.promote_types(rd, m.dtype)
    ncol = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        z = lambda k: zeros(r, k, dtype=rd, device=m.device)  # noqa: E731
        rows.append(M.cat([z(left), cast(m, rd), z(ncol - left - c)], 1))
        left += c
    return M.cat(rows, 0)


def vander(x, N=None, increasing=False):
    from corelib._creation import ones
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    x = cast(x, D.promote_types(x.dtype, D.int64))
    cols = [ones(x.shape[0], 1, dtype=x.dtype, device=x.device)[:, :n]]
    if n > 1:
        cols.append(R.cumprod(x.unsqueeze(1).expand(x.shape[0], n - 1), 1))
    r = M.cat(cols, 1)
    return r if increasing else M.flip(r, [1])


# ---- products ------------------------------------------------------------------------------------
def tensordot(a, b, dims=2, out=None):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for x, y in zip(da, db):
        sa, sb = a.shape[x], b.shape[y]
        if sa != sb:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim "
                               f"{x} and second has size {sb} in dim {y}")
    da = [wrap_dim(x, a.dim()) for x in da]
    db = [wrap_dim(y, b.dim()) for y in db]
    fa = [i for i in range(a.dim()) if i not in da]
    fb = [i for i in range(b.dim()) if i not in db]
    k = int(np.prod([a.shape[i] for i in da]))
    pa = a.permute(*(fa + da)).reshape(-1, k) if fa else a.permute(*da).reshape(1, k)
    pb = b.permute(*(db + fb)).reshape(k, -1) if fb else b.permute(*db).reshape(k, 1)
    r = L.mm(pa, pb).reshape([a.shape[i] for i in fa] + [b.shape[i] for i in fb])
    if out is not None:
        return I.copy_into_out(out, r)
    return r


def kron(input, other):
    nd = builtins.max(input.dim(), other.dim())
    sa = (1,) * (nd - input.dim()) + tuple(input.shape)
    sb = (1,) * (nd - other.dim()) + tuple(other.shape)
    a = input.reshape([s for p in zip(sa, (1,) * nd) for s in p])
    b = other.reshape([s for p in zip((1,) * nd, sb) for s in p])
    return (a * b).reshape([x * y for x, y in zip(sa, sb)])


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    for nm, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {nm}, but got {v.dim()}-D")
    if input.dtype.is_floating_point is False and input.dtype is not D.bool_:
        for nm, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float):
                raise RuntimeError(f"For integral input tensors, argument {nm} must not be a floating "
                                   f"point number.")
    prod = L.outer(vec1, vec2)
    prod = prod if alpha == 1 else prod * alpha
    if beta == 0:
        r = prod.expand(M.broadcast_shapes(input.shape, prod.shape))
        return _zero_grad_from(cast(r, D.promote_types(input.dtype, r.dtype)) + 0, input)
    return (input if beta == 1 else input * beta) + prod


# ---- distances ------------------------------------------------------------------------------------
def _check_p(p, name):
    if p < 0:
        raise RuntimeError(f"{name} only supports non-negative p values")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    if x1.dim() < 2 or x2.dim() < 2:
        bad, t = ("X1", x1) if x1.dim() < 2 else ("X2", x2)
        raise RuntimeError(f"cdist only supports at least 2D tensors, {bad} got: {t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    for nm, t in (("X1", x1), ("X2", x2)):
        if t.dtype.is_floating_point is False:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {nm} got: {_tname(t)}")
    _check_p(p, "cdist")
    return R.norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


def pdist(input, p=2):
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input.dtype.is_floating_point is False:
        raise RuntimeError(f"pdist only supports floating-point dtypes")
    _check_p(p, "pdist")
    i, j = np.triu_indices(input.shape[0], 1)
    a = M.index_select(input, 0, _wrap(i.astype(np.int64), input.device))
    b = M.index_select(input, 0, _wrap(j.astype(np.int64), input.device))
    return R.norm(a - b, p, 1)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    from corelib.nn.functional import cosine_similarity as f
    return f(x1, x2, dim=dim, eps=eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    from corelib.nn.functional import pairwise_distance as f
    return f(x1, x2, p=p, eps=eps, keepdim=keepdim)


def renorm(input, p, dim, maxnorm):
    if input.dtype.is_floating_point is False:
        raise RuntimeError(f"renorm: expected a floating point input, got {input.dtype}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = wrap_dim(dim, input.dim())
    norm = R.norm(input, p, [i for i in range(input.dim()) if i != d], keepdim=True)
    factor = M.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor


# ---- counting and sets (no gradient) ------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    a = input._data
    if a.dtype.kind not in "iu":
        raise _not_impl("bincount", input)
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _wrap(np.bincount(a, minlength=minlength).astype(np.int64), input.device)
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = w.dtype if w.dtype.kind == "f" else np.float64
    return _wrap(np.bincount(a, w.astype(np.float64), minlength).astype(dt), input.device)


def histc(input, bins=100, min=0, max=0):
    a = input._data
    if a.dtype.kind != "f":
        raise _not_impl("histogram", input)
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got {} for dimension 0".format(bins))
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    lo_, hi_ = a.dtype.type(lo), a.dtype.type(hi)
    x = a[(a >= lo_) & (a <= hi_)]
    pos = ((x - lo_) / (hi_ - lo_) * a.dtype.type(bins)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _wrap(np.bincount(pos, minlength=bins).astype(a.dtype), input.device)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() expects at least one of elements or test_elements to be a Tensor")
    dev = (elements if isinstance(elements, Tensor) else test_elements).device
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.isin(e, t, assume_unique=assume_unique, invert=invert), dev)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    a = host_array(input)
    if dim is None:
        flat = a.reshape(-1)
        keys = flat.reshape(-1, 1)
    else:
        d = wrap_dim(dim, a.ndim)
        if a.size == 0 and a.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                               "cannot be applied")
        moved = np.moveaxis(a, d, 0)
        keys = moved.reshape(moved.shape[0], int(np.prod(moved.shape[1:])))
    n = keys.shape[0]
    start = np.ones(n, bool)
    if n > 1:
        start[1:] = (keys[1:] != keys[:-1]).any(axis=1) if keys.shape[1] else False
    if dim is None:
        out = flat[start]
    else:
        out = np.ascontiguousarray(np.moveaxis(moved[start], 0, d))
    res = [_wrap(out, input.device)]
    if return_inverse:
        inv = np.cumsum(start) - 1
        res.append(_wrap(inv.reshape(a.shape if dim is None else (n,)).astype(np.int64), input.device))
    if return_counts:
        first = np.flatnonzero(start)
        res.append(_wrap(np.diff(np.append(first, n)).astype(np.int64), input.device))
    return res[0] if len(res) == 1 else tuple(res)


# ---- statistics -----------------------------------------------------------------------------------
def cov(input, *, correction=1, fweights=None, aweights=None):
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input "
                           f"with {input.dim()} dimensions")
    if input.dtype is D.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    nobs = x.shape[1]
    w = None
    for nm, wt, kind in (("fweights", fweights, "integral"), ("aweights", aweights, "floating point")):
        if wt is None:
            continue
        if wt.dim() > 1:
            raise RuntimeError(f"cov(): expected {nm} to have one or fewer dimensions but got {nm} "
                               f"with {wt.dim()} dimensions")
        ok = wt.dtype.is_floating_point if kind == "floating point" else \
            (not wt.dtype.is_floating_point and wt.dtype is not D.bool_)
        if not ok:
            raise RuntimeError(f"cov(): expected {nm} to have {kind} dtype but got {nm} with "
                               f"{_tname(wt)} dtype")
        if wt.numel() != nobs:
            raise RuntimeError(f"cov(): expected {nm} to have the same numel as there are observations "
                               f"in the input but got {wt.numel()} != {nobs}")
        if wt.numel() and bool((wt < 0).any()):
            raise RuntimeError(f"cov(): {nm} cannot be negative")
        w = wt if w is None else w * wt
    if w is not None:
        w_sum = w.sum()
        if not bool(w_sum != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    else:
        w_sum = _wrap(np.array(nobs, np.int64), input.device)
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm_factor = w_sum - correction
    if bool(norm_factor <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "number of observations.", UserWarning, stacklevel=2)
        norm_factor = norm_factor * 0
    x = x - avg.unsqueeze(1)
    c = L.mm(x, (x * w if w is not None else x).t())
    return E.div(c, norm_factor).squeeze()


def corrcoef(input):
    c = cov(input)
    if c.dim() == 0:
        return c / c
    std = E.sqrt(M.diagonal(c))
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return E.clamp(c, -1, 1)


_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    check_tensor(input, "input", name)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest. Got {interpolation}")
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.numel() and bool(((q < 0) | (q > 1)).any()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        scalar_q = q.dim() == 0
        qv = q.detach().reshape(-1)
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        scalar_q = True
        qv = _tensor([float(q)], input, input.dtype)
    if dim is None:
        srt = M.sort(input.reshape(-1)).values
        red_shape = [1] * input.dim() if keepdim else []
    else:
        d = wrap_dim(dim, input.dim())
        srt = M.sort(input.unsqueeze(-1).transpose(d, -1) if input.dim() else input.reshape(1), -1).values
        if input.dim() == 0:
            red_shape = []
        else:
            red_shape = list(input.shape)
            if keepdim:
                red_shape[d] = 1
            else:
                del red_shape[d]
    srt = srt.reshape(1, -1, srt.shape[-1])                    # (1, rows, n)
    qv = qv.reshape(-1, 1, 1)                                  # (nq, 1, 1)
    isnan = E.isnan(srt.detach())
    if ignore_nan:
        count = E.logical_not(isnan).sum(-1, keepdim=True)
        ranks = qv * cast(count - 1, input.dtype)
        ranks = M.where(ranks < 0, 0.0, ranks)
    else:
        last = srt.shape[-1] - 1
        ranks = M.where(isnan.any(-1, keepdim=True), float(last), qv * last)
    ranks = ranks.expand(qv.shape[0], srt.shape[1], 1)
    if interpolation == "lower":
        ranks = E.floor(ranks)
    elif interpolation == "higher":
        ranks = E.ceil(ranks)
    elif interpolation == "nearest":
        ranks = E.round(ranks)
    below = cast(ranks, D.int64)
    s = srt.expand(qv.shape[0], srt.shape[1], srt.shape[2])
    out = M.gather(s, -1, below)
    if interpolation in ("linear", "midpoint"):
        weights = ranks * 0 + 0.5 if interpolation == "midpoint" else ranks - cast(below, input.dtype)
        above = M.gather(s, -1, cast(E.ceil(ranks), D.int64))
        out = out + weights * (above - out)
    out = out.reshape([qv.shape[0]] + red_shape)
    return out.squeeze(0) if scalar_q else out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    r = _quantile(input, q, dim, keepdim, interpolation, False, "quantile")
    return r if out is None else I.copy_into_out(out, r)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    r = _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")
    return r if out is None else I.copy_into_out(out, r)


def _trap_x(y, x, d):
    if x.dim() == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.dim() < y.dim():
        x = x.reshape((1,) * (y.dim() - x.dim()) + tuple(x.shape))
    k = x.shape[d]
    return x.narrow(d, 1, k - 1) - x.narrow(d, 0, k - 1)


def _trap_args(y, x, dx, dim, name):
    if x is not None and (dx is not None or not isinstance(x, Tensor)):
        raise TypeError(f"{name}() received an invalid combination of arguments: pass x as a "
                        f"Tensor of sample points, or the spacing as dx=, not both")
    if y.dtype is D.bool_ or isinstance(x, Tensor) and x.dtype is D.bool_:
        raise RuntimeError(f"{name}: received a bool input for `x` or `y`, but bool is not supported")
    return wrap_dim(dim, y.dim())


def trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _trap_args(y, x, dx, dim, "trapezoid")
    n = y.shape[d]
    if n == 0:
        from corelib._creation import zeros
        return zeros(*[s for i, s in enumerate(y.shape) if i != d], dtype=y.dtype, device=y.device)
    if isinstance(x, Tensor):
        return ((y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) * _trap_x(y, x, d)).sum(d) / 2.0
    dx = 1 if dx is None else dx
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * dx


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _trap_args(y, x, dx, dim, "cumulative_trapezoid")
    n = y.shape[d]
    left, right = y.narrow(d, 0, builtins.max(n - 1, 0)), y.narrow(d, 1, builtins.max(n - 1, 0))
    if isinstance(x, Tensor):
        return R.cumsum((_trap_x(y, x, d) * (left + right)) / 2.0, d)
    dx = 1 if dx is None else dx
    return R.cumsum(dx / 2.0 * (left + right), d)


# ---- elementwise --------------------------------------------------------------------------------
def _float_pair(input, other):
    a, b = E._promote(input, other)
    a = float_input(a) if isinstance(a, Tensor) else float(a)
    b = float_input(b) if isinstance(b, Tensor) else float(b)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype is not b.dtype:
        rd = D.promote_types(a.dtype, b.dtype)
        a, b = cast(a, rd), cast(b, rd)
    return a, b


def copysign(input, other, *, out=None):
    a, b = _float_pair(input, other)
    neg = E.signbit(b) if isinstance(b, Tensor) else math.copysign(1.0, b) < 0
    mag = E.abs(a)
    if isinstance(neg, Tensor):
        r = _zero_grad_from(M.where(neg, -mag, mag), b)
    else:
        r = -mag if neg else mag
    return E._out(named(r, "CopysignBackward0"), out)


def heaviside(input, values, *, out=None):
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    a, v = input._data, values._data
    r = np.where(a == 0, v, a > 0).astype(a.dtype)
    return E._out(_wrap(r, input.device), out)


def _int_binary(npfn, name, input, other):
    a, b = E._promote(input, other)
    ref = a if isinstance(a, Tensor) else b
    if ref._data.dtype.kind not in "iu":
        raise _not_impl(name, ref)
    av = a._data if isinstance(a, Tensor) else a
    bv = b._data if isinstance(b, Tensor) else b
    r = npfn(av, bv)                           # numpy's, or the device's through dispatch
    return _wrap(r.astype(ref._data.dtype, copy=False), ref.device)


def gcd(input, other, *, out=None):
    return E._out(_int_binary(np.gcd, "gcd", input, other), out)


def lcm(input, other, *, out=None):
    return E._out(_int_binary(np.lcm, "lcm", input, other), out)


def deg2rad(input, *, out=None):
    return E._out(float_input(input) * (math.pi / 180.0), out)


def rad2deg(input, *, out=None):
    return E._out(float_input(input) * (180.0 / math.pi), out)


def logaddexp2(input, other, *, out=None):
    for t in (input, other):
        if isinstance(t, Tensor) and t._data.dtype.kind != "f":
            raise _not_impl("logaddexp2", t)
    ln2 = math.log(2.0)
    return E._out(E.logaddexp(input * ln2, other * ln2) / ln2, out)


def ldexp(input, other, *, out=None):
    return E._out(E.mul(input, E.pow(2.0, other)), out)


def frexp(input, *, out=None):
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    _, e = np.frexp(input._data)
    one = np.ones((), input._data.dtype)
    h = e // 2                           # two exact factors: 2**-e alone overflows for subnormals
    s1, s2 = (_wrap(np.ldexp(one, -k).astype(input._data.dtype), input.device) for k in (h, e - h))
    mant = named(E.mul(E.mul(input, s1), s2), "FrexpBackward0")
    return _rt["frexp"](mant, _wrap(e.astype(np.int32), input.device))


def nextafter(input, other, *, out=None):
    a, b = E._promote(input, other)
    if a._data.dtype.kind != "f":
        raise _not_impl("nextafter", a)
    return E._out(_wrap(np.nextafter(a._data, b._data), a.device), out)


def positive(input):
    if input.dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def is_nonzero(input):
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_complex(input):
    return False


def isreal(input):
    return _wrap(np.ones(input._data.shape, bool), input.device)


def put(input, index, source, accumulate=False):
    if index.dtype is not D.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_tname(index)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_tname(input)} and source.dtype = {_tname(source)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, "
                           f"but got source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    idx = index._data.reshape(-1)
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad][0])} on a tensor of {n} "
                         f"elements.")
    idx = np.where(idx < 0, idx + n, idx)
    flat = M.IndexPut.apply(input.reshape(-1), source.reshape(-1), (idx,), bool(accumulate))
    return named(flat.reshape(input.shape), "PutBackward0")


# ---- window functions (computed in float64, returned in dtype) -------------------------------------
def _window(name, n, periodic, dtype, device, requires_grad, fn):
    from corelib._creation import _finish, _dt
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    dt = _dt(dtype)
    if dt.np.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if n <= 1:
        return _finish(np.ones(n, np.float64).astype(dt.np), None, device, requires_grad)
    m = n + 1 if periodic else n
    w = fn(np.arange(m, dtype=np.float64), m)[:n]
    return _finish(w.astype(dt.np), None, device, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: 0.5 - 0.5 * np.cos(2 * math.pi * k / (m - 1)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: alpha - beta * np.cos(2 * math.pi * k / (m - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: 0.42 - 0.5 * np.cos(2 * math.pi * k / (m - 1))
                   + 0.08 * np.cos(4 * math.pi * k / (m - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: np.i0(beta * np.sqrt(np.clip(1 - (2 * k / (m - 1) - 1) ** 2, 0, None)))
                   / np.i0(beta))


# ---- small torch functions ---------------------------------------------------------------------------
def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    return E.add(E.mul(input, -alpha) if alpha != 1 else E.neg(input), other)


def unravel_index(indices, shape):
    """The coordinates of flat indices in an array of shape, one int64 tensor per dimension."""
    if not isinstance(indices, Tensor):
        indices = _tensor(indices)
    if indices.dtype.is_floating_point or indices.dtype is D.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if builtins.any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    idx = host_array(indices).astype(np.int64)
    coords = []
    for size in reversed(shape):              # floor division and modulo: out-of-range wraps (torch)
        coords.append(idx % size if size else idx * 0)
        idx = idx // size if size else idx * 0
    return tuple(_wrap(np.asarray(c, np.int64), indices.device) for c in reversed(coords))


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    t = type(obj)
    return t.__name__ if t.__module__ in ("builtins", "__builtin__") else f"{t.__module__}.{t.__qualname__}"


_Histogram = _result_type("histogram", ["hist", "bin_edges"])


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges) of a float tensor; bins an int or a 1-d tensor of edges."""
    check_tensor(input, "input", "histogram")
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype}")
    a = host_array(input).reshape(-1).astype(np.float64)
    w = None if weight is None else host_array(weight).reshape(-1).astype(np.float64)
    if isinstance(bins, Tensor):
        edges = host_array(bins).astype(np.float64)
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        lo, hi = (float(range[0]), float(range[1])) if range is not None else \
            ((float(a.min()), float(a.max())) if a.size else (0.0, 0.0))
        if lo == hi:
            lo, hi = lo - 0.5 if range is None and a.size == 0 else lo, hi
        edges = np.linspace(lo, hi, int(bins) + 1)
    hist, edges = np.histogram(a, bins=edges, weights=w, density=density)
    dt = input._data.dtype
    return _Histogram(_wrap(hist.astype(dt), input.device), _wrap(edges.astype(dt), input.device))


def split_with_sizes(input, split_sizes, dim=0):
    if builtins.sum(split_sizes) != input.shape[wrap_dim(dim, input.dim())]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to "
                           f"{input.shape[wrap_dim(dim, input.dim())]} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={list(split_sizes)}")
    return M.split(input, list(split_sizes), dim)


def adjoint(input):
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.dim()}-D tensor.")
    return M.transpose(input, -2, -1)


def conj(input):
    """Real tensors are their own conjugate (corelib has no complex dtypes): input itself."""
    return input


conj_physical = resolve_conj = resolve_neg = real = conj


def imag(input):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def narrow_copy(input, dim, start, length):
    return M.narrow(input, dim, start, length).clone()


def _scatter_into(input, src, view):
    """A copy of input whose ``view`` (a function of a tensor) holds src; differentiable in both."""
    out = input.clone()
    target = view(out)
    if tuple(target.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(target.shape)}")
    target.copy_(src)
    return out


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    target = M.diagonal(input, offset, dim1, dim2)           # (a copy: checks the shape)
    if tuple(target.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(target.shape)}")
    nd = input.dim()
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    k = target.shape[-1]
    i1 = np.arange(k) - builtins.min(offset, 0)
    i2 = np.arange(k) + builtins.max(offset, 0)
    out = input.clone()
    M.movedim(out, (d1, d2), (-2, -1))[(Ellipsis, _wrap(i1, input.device), _wrap(i2, input.device))] = src
    return out


def select_scatter(input, src, dim, index):
    return _scatter_into(input, src, lambda t: M.select(t, dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    d = wrap_dim(dim, input.dim())
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into(input, src, lambda t: t[key])


def _inplace(op):
    def method(self, *args, **kwargs):
        I.check_inplace(self)
        # NOTE: a composed op may save its input for backward; give it a copy to keep, since the
        # result is written over self
        src = self.clone() if self._rg and T._enabled[0] else self
        return I.commit(self, op(src, *args, **kwargs))
    method.__name__ = op.__name__ + "_"
    return method


def _bind():
    t = Tensor
    for name in ("cummax", "cummin", "logcumsumexp", "diff", "rot90", "kron", "bincount", "histc",
                 "unique_consecutive", "ravel", "hsplit", "vsplit", "dsplit", "diagflat", "cov",
                 "corrcoef", "renorm", "addr", "quantile", "nanquantile", "copysign", "heaviside",
                 "gcd", "lcm", "deg2rad", "rad2deg", "logaddexp2", "ldexp", "frexp", "nextafter",
                 "positive", "isreal", "put", "histogram", "split_with_sizes", "adjoint", "conj",
                 "conj_physical", "resolve_conj", "resolve_neg", "narrow_copy", "diagonal_scatter",
                 "select_scatter", "slice_scatter"):
        setattr(t, name, globals()[name])
    for name in ("copysign", "heaviside", "gcd", "lcm", "deg2rad", "rad2deg", "ldexp", "nextafter",
                 "renorm", "addr", "put"):
        setattr(t, name + "_", _inplace(globals()[name]))


_bind()
