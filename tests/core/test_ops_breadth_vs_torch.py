"""A breadth sweep of core tensor ops against PyTorch: indexing and assignment, scatter/gather,
sorting and selection, arithmetic corner cases, reshaping, reductions. Each case is one lambda
``f(L, *xs)`` run with L = corelib and L = torch on the same data; values, dtypes and shapes must
match, gradients too for float inputs, and where torch raises corelib must raise the same kind."""
import warnings

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")

r = np.random.default_rng(0)
F = r.standard_normal((3, 4)).astype(np.float32)                 # distinct values
F3 = r.standard_normal((2, 3, 4)).astype(np.float32)
TIE = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [5, -1, 5, -1]], np.float32)
NAN = np.array([[1, np.nan, 3, 0], [2, 2, np.nan, np.nan], [5, -1, 4, 0]], np.float32)
I = np.array([[7, -7, 3, 0], [-3, 5, 9, -9], [1, 2, -1, 4]], np.int64)
V = r.standard_normal((5,)).astype(np.float32)
P = (r.random((3, 4)) + 0.5).astype(np.float32)


def _t(L, v):
    return L.tensor(v)


def _lib_dtype(d):
    return str(d).split(".")[-1]


def _exc_kind(e):
    for k in (IndexError, TypeError, ValueError, RuntimeError):
        if isinstance(e, k):
            return k
    return type(e)


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [y for x in out for y in _leaves(x)]
    return [out]


def _run(L, f, arrays, grad):
    xs = [L.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = f(L, *xs)
        except Exception as e:                       # noqa: BLE001 (the oracle decides)
            return e, xs, None
    return None, xs, out


def _as_np(y):
    if isinstance(y, (cl.Tensor, torch.Tensor)):
        return _lib_dtype(y.dtype), tuple(y.shape), np.asarray(y.detach().numpy(), np.float64)
    return type(y).__name__, (), np.asarray(y, np.float64)


def check(f, arrays, grad=True, rtol=1e-5, atol=1e-6):
    et, xt, ot = _run(torch, f, arrays, grad)
    ec, xc, oc = _run(cl, f, arrays, grad)
    if et is not None:
        assert ec is not None, f"torch raises {type(et).__name__}: {et}; corelib returned {oc}"
        assert _exc_kind(ec) is _exc_kind(et), (repr(ec), repr(et))
        return
    if ec is not None:
        raise ec
    lt, lc = _leaves(ot), _leaves(oc)
    assert len(lt) == len(lc)
    for a, b in zip(lc, lt):
        (da, sa, va), (db, sb, vb) = _as_np(a), _as_np(b)
        assert (da, sa) == (db, sb)
        np.testing.assert_allclose(va, vb, rtol=rtol, atol=atol, equal_nan=True)
    if not grad:
        return
    g = np.random.default_rng(1)
    loss_t, loss_c = 0, 0
    for a, b in zip(lc, lt):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            w = g.standard_normal(tuple(b.shape)).astype(np.float32)
            loss_t = loss_t + (b * torch.tensor(w, dtype=b.dtype)).sum()
            loss_c = loss_c + (a * cl.tensor(w, dtype=a.dtype)).sum()
    if isinstance(loss_t, int):
        return
    loss_t.backward()
    loss_c.backward()
    for a, b in zip(xc, xt):
        if b.requires_grad:
            if b.grad is None:
                assert a.grad is None or not a.grad.numpy().any()
                continue
            assert a.grad is not None
            tg = torch.zeros(b.shape, dtype=b.dtype) + b.grad        # densifies a ZeroTensor
            np.testing.assert_allclose(a.grad.numpy(), tg.numpy(), rtol=rtol, atol=atol)


def idx(L, v):
    return L.tensor(v, dtype=L.int64)


def setitem(key, value):
    def f(L, x):
        y = x.clone()
        y[key(L) if callable(key) else key] = value(L) if callable(value) else value
        return y
    return f


INDEXING = [
    ("int slice step", lambda L, x: x[1, ::2], [F3]),
    ("neg step slice", lambda L, x: x[:, 1:-1], [F3]),
    ("none ellipsis", lambda L, x: x[None, ..., 1, None], [F3]),
    ("ellipsis mid", lambda L, x: x[0, ..., 2], [F3]),
    ("bool mask full", lambda L, x: x[x > 0], [F3]),
    ("bool mask partial", lambda L, x: x[x[:, :, 0] > 0], [F3]),
    ("bool mask dim1", lambda L, x: x[:, L.tensor([True, False, True])], [F3]),
    ("0-d bool true", lambda L, x: x[L.tensor(True)], [F]),
    ("0-d bool false", lambda L, x: x[L.tensor(False)], [F]),
    ("python bool", lambda L, x: x[True], [F]),
    ("int list neg", lambda L, x: x[[-1, 0, -1]], [F]),
    ("int tensor 2d", lambda L, x: x[idx(L, [[0, 1], [2, 2]])], [F]),
    ("adv pair broadcast", lambda L, x: x[idx(L, [[0], [2]]), idx(L, [1, 3, 0])], [F]),
    ("adv separated by slice", lambda L, x: x[idx(L, [0, 1]), :, idx(L, [3, 2])], [F3]),
    ("adv adjacent after slice", lambda L, x: x[:, idx(L, [0, 2]), idx(L, [3, 1])], [F3]),
    ("adv with int separated", lambda L, x: x[0, :, idx(L, [3, 1])], [F3]),
    ("adv int + slice + adv", lambda L, x: x[idx(L, [1, 0]), 1:, 2], [F3]),
    ("adv none between", lambda L, x: x[idx(L, [1]), None, idx(L, [0])], [F3]),
    ("bool and int", lambda L, x: x[L.tensor([True, False, True]), idx(L, [0, 3])], [F]),
    ("out of range int", lambda L, x: x[3], [F]),
    ("out of range neg", lambda L, x: x[:, -5], [F]),
    ("out of range tensor", lambda L, x: x[idx(L, [0, 3])], [F]),
    ("bool mask wrong shape", lambda L, x: x[L.tensor([True, False])], [F]),
    ("float index", lambda L, x: x[L.tensor([0.0])], [F]),
    ("too many indices", lambda L, x: x[0, 0, 0], [F]),
    ("slice beyond", lambda L, x: x[1:100, -100:2], [F]),
    ("empty slice", lambda L, x: x[2:1], [F]),
    ("index int tensor 0d", lambda L, x: x[idx(L, 1)], [F]),
    ("index int32 tensor", lambda L, x: x[L.tensor([0, 2], dtype=L.int32)], [F]),
    ("index uint8 mask", lambda L, x: x[L.tensor([1, 0, 1], dtype=L.uint8)], [F]),
    ("set int", setitem(1, 5.0), [F]),
    ("set slice broadcast row", setitem((slice(None), slice(1, 3)), lambda L: L.tensor([7.0, 8.0])), [F]),
    ("set mask scalar", setitem(lambda L: L.tensor([True, False, True]), -1.0), [F]),
    ("set mask tensor", setitem(lambda L: L.tensor([[True, False, True, False]] * 3),
                                lambda L: L.arange(6.0)), [F]),
    ("set adv dup last wins", setitem(lambda L: idx(L, [0, 0]), lambda L: L.tensor([[1.0] * 4, [2.0] * 4])), [F]),
    ("set adv separated", setitem(lambda L: (idx(L, [0, 1]), slice(None), idx(L, [3, 2])),
                                  lambda L: L.ones(2, 3)), [F3]),
    ("set int into float from int tensor", setitem(0, lambda L: L.tensor([1, 2, 3, 4])), [F]),
    ("set float into int", setitem(0, 2.7), [I]),
    ("set float tensor into int", setitem(0, lambda L: L.tensor([1.5, -2.5, 3.9, 0.1])), [I]),
    ("set wrong shape", setitem(0, lambda L: L.ones(3)), [F]),
    ("set out of range", setitem(5, 1.0), [F]),
    ("set ellipsis none", setitem((Ellipsis, None, 0), 3.0), [F3]),
    ("set from requires-grad value", lambda L, x, v: (lambda y: (y.__setitem__((slice(None), 0), v[:3]), y)[1])(x * 1), [F, V]),
    ("index_put accumulate dup", lambda L, x: x.index_put((idx(L, [0, 0, 2]), idx(L, [1, 1, 3])),
                                                         L.tensor([1.0, 2.0, 3.0]), accumulate=True), [F]),
    ("index_put_ accumulate dup", lambda L, x: x.clone().index_put_((idx(L, [0, 0, 2]),),
                                                                   L.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True), [F]),
    ("index_put no accumulate", lambda L, x: x.index_put((idx(L, [1]), idx(L, [2])), L.tensor(9.0)), [F]),
    ("index_put bool", lambda L, x: x.index_put((x > 0,), L.tensor(0.0)), [F]),
]


SCATTER = [
    ("gather dim1", lambda L, x: x.gather(1, idx(L, [[0, 0], [3, 1], [2, 2]])), [F]),
    ("gather neg index", lambda L, x: x.gather(1, idx(L, [[-1, 0]])), [F]),
    ("gather oob", lambda L, x: x.gather(1, idx(L, [[4, 0]])), [F]),
    ("gather int32 index", lambda L, x: x.gather(1, L.tensor([[0]], dtype=L.int32)), [F]),
    ("scatter src", lambda L, x, y: x.scatter(1, idx(L, [[0, 1], [3, 2], [2, 0]]), y[:, :2]), [F, P]),
    ("scatter src larger than index", lambda L, x, y: x.scatter(1, idx(L, [[0, 1], [3, 2], [2, 0]]), y), [F, P], False),
    ("scatter value", lambda L, x: x.scatter(0, idx(L, [[2, 0, 1, 1]]), 1.5), [F]),
    ("scatter reduce add", lambda L, x, y: x.scatter(1, idx(L, [[0, 0], [3, 3], [2, 0]]), y, reduce="add"), [F, P], False),
    ("scatter reduce multiply", lambda L, x, y: x.scatter(1, idx(L, [[0, 0], [3, 3], [2, 0]]), y, reduce="multiply"), [F, P], False),
    ("scatter_add dup", lambda L, x, y: x.scatter_add(1, idx(L, [[0, 0], [3, 3], [2, 0]]), y[:, 1:3]), [F, P]),
    ("scatter_add neg idx", lambda L, x, y: x.scatter_add(1, idx(L, [[-1, 0]]), y[:1, :2]), [F, P]),
    ("scatter dtype mismatch", lambda L, x: x.scatter(1, idx(L, [[0]]), L.ones(1, 1, dtype=L.float64)), [F]),
    ("scatter_ int value", lambda L, x: x.clone().scatter_(1, idx(L, [[0], [1], [2]]), 4), [I]),
]
for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        SCATTER.append((f"scatter_reduce {_red} include_self={_inc}",
                        lambda L, x, y, _r=_red, _i=_inc: x.scatter_reduce(
                            1, idx(L, [[0, 0, 1], [3, 3, 3], [2, 0, 2]]), y[:, :3], _r, include_self=_i),
                        [F, P], _red != "prod"))
        SCATTER.append((f"scatter_reduce int {_red} include_self={_inc}",
                        lambda L, x, _r=_red, _i=_inc: x.scatter_reduce(
                            1, idx(L, [[0, 0, 1], [3, 3, 3], [2, 0, 2]]), x[:, :3] * 3 + 1, _r, include_self=_i),
                        [I]))
SCATTER += [
    ("index_select oob", lambda L, x: x.index_select(0, idx(L, [3])), [F]),
    ("index_select 0d index", lambda L, x: x.index_select(0, idx(L, 2)), [F]),
    ("index_add alpha", lambda L, x, y: x.index_add(1, idx(L, [0, 0, 3, 1]), y, alpha=2), [F, P]),
    ("index_add_ dup", lambda L, x, y: (x * 1).index_add_(0, idx(L, [2, 2, 0]), y), [F, P]),
    ("index_copy", lambda L, x, y: x.index_copy(1, idx(L, [3, 0, 1, 2]), y), [F, P]),
    ("index_fill", lambda L, x: x.index_fill(1, idx(L, [0, 2]), -2.0), [F]),
    ("index_fill neg", lambda L, x: x.index_fill(1, idx(L, [-1]), 1.0), [F]),
    ("index_fill tensor value", lambda L, x: x.index_fill(0, idx(L, [1]), L.tensor(3.0)), [F]),
    ("index_fill_ int", lambda L, x: x.clone().index_fill_(0, idx(L, [1]), 2), [I]),
    ("masked_fill broadcast mask", lambda L, x: x.masked_fill(L.tensor([True, False, False, True]), 0.0), [F]),
    ("masked_fill int value on float", lambda L, x: x.masked_fill(x > 0, 2), [F]),
    ("masked_fill float on int", lambda L, x: x.masked_fill(x > 0, 2.5), [I]),
    ("masked_fill_ requires_grad value", lambda L, x, v: x.masked_fill(x > 0, v.sum()), [F, V]),
    ("masked_scatter", lambda L, x, y: x.masked_scatter(x > 0, y), [F, P]),
    ("masked_scatter broadcast", lambda L, x, y: x.masked_scatter(L.tensor([True, False, True, False]), y), [F, P]),
    ("masked_select broadcast", lambda L, x: x.masked_select(L.tensor([True, False, False, True])), [F]),
    ("take neg", lambda L, x: x.take(idx(L, [[-1, 0], [5, 11]])), [F]),
    ("take oob", lambda L, x: x.take(idx(L, [12])), [F]),
    ("take_along_dim", lambda L, x: L.take_along_dim(x, x.argsort(1), 1), [F]),
    ("take_along_dim broadcast", lambda L, x: L.take_along_dim(x, idx(L, [[0, 3]]), 1), [F]),
    ("take_along_dim none", lambda L, x: L.take_along_dim(x, idx(L, [0, 7])), [F]),
    ("nonzero", lambda L, x: (x > 0).nonzero(), [F3]),
    ("nonzero as_tuple", lambda L, x: (x > 0).nonzero(as_tuple=True), [F3]),
    ("nonzero 0d", lambda L, x: L.tensor(3).nonzero(), [F]),
    ("nonzero 0d as_tuple", lambda L, x: L.tensor(3).nonzero(as_tuple=True), [F]),
    ("where 1 arg", lambda L, x: L.where(x > 0), [F]),
    ("where scalar int other", lambda L, x: L.where(x > 0, x, 0), [F]),
    ("where int tensor float scalar", lambda L, x: L.where(x > 0, x, 0.5), [I]),
    ("where two scalars", lambda L, x: L.where(x > 0, 1, 0), [F]),
    ("where scalars float", lambda L, x: L.where(x > 0, 1.0, 0), [F]),
    ("where broadcast", lambda L, x, v: L.where(x[:, :1] > 0, x, v[:4]), [F, V]),
    ("where promote int float64", lambda L, x: L.where(x > 0, x, L.zeros(4, dtype=L.float64)), [I]),
    ("where promote f32 f64", lambda L, x: L.where(x > 0, x, x.double()), [F]),
    ("where bad cond", lambda L, x: L.where(x, x, x), [F]),
    ("tensor.where", lambda L, x: x.where(x > 0, -x), [F]),
]


def vals(o):
    return o.values


SORT = [
    ("sort stable ties", lambda L, x: x.sort(dim=1, stable=True), [TIE]),
    ("sort desc stable ties", lambda L, x: x.sort(dim=1, descending=True, stable=True), [TIE]),
    ("sort nan", lambda L, x: x.sort(1), [NAN], False),
    ("sort nan desc", lambda L, x: x.sort(1, descending=True), [NAN], False),
    ("sort int desc", lambda L, x: x.sort(0, descending=True), [I]),
    ("sort bool", lambda L, x: (x > 0).sort(dim=1, stable=True), [F]),
    ("argsort stable", lambda L, x: x.argsort(dim=1, stable=True), [TIE]),
    ("argsort desc stable", lambda L, x: x.argsort(dim=0, descending=True, stable=True), [TIE]),
    ("topk ties values", lambda L, x: x.topk(2, 1).values, [TIE], False),
    ("topk smallest", lambda L, x: x.topk(3, 1, largest=False), [F]),
    ("topk nan", lambda L, x: x.topk(2, 1).values, [NAN], False),
    ("topk k too large", lambda L, x: x.topk(5, 1), [F]),
    ("topk 0d", lambda L, x: x.sum().topk(1), [F]),
    ("kthvalue", lambda L, x: x.kthvalue(2, 1), [F]),
    ("kthvalue keepdim", lambda L, x: x.kthvalue(3, 0, keepdim=True), [F]),
    ("kthvalue k oob", lambda L, x: x.kthvalue(5, 1), [F]),
    ("median even", lambda L, x: x.median(1), [F]),
    ("median all", lambda L, x: x.median(), [F]),
    ("median nan", lambda L, x: x.median(1).values, [NAN], False),
    ("median nan all", lambda L, x: x.median(), [NAN], False),
    ("nanmedian", lambda L, x: x.nanmedian(1).values, [NAN], False),
    ("nanmedian all", lambda L, x: x.nanmedian(), [NAN], False),
    ("nanmedian all-nan row", lambda L, x: L.tensor([[np.nan, np.nan], [1.0, 2.0]]).nanmedian(1).values, [F]),
    ("median int", lambda L, x: x.median(0), [I]),
    ("mode values", lambda L, x: x.mode(1).values, [TIE]),
    ("mode keepdim", lambda L, x: x.mode(0, keepdim=True).values, [TIE]),
    ("unique sorted", lambda L, x: L.unique(x), [TIE], False),
    ("unique inverse counts", lambda L, x: L.unique(x, return_inverse=True, return_counts=True), [TIE], False),
    ("unique dim0", lambda L, x: L.unique(L.cat([x, x[:1]]), dim=0, return_inverse=True, return_counts=True), [TIE], False),
    ("unique dim1", lambda L, x: L.unique(x, dim=1), [TIE], False),
    ("tensor.unique", lambda L, x: x.unique(return_counts=True), [I]),
    ("max dim ties", lambda L, x: x.max(1), [TIE]),
    ("min dim ties", lambda L, x: x.min(0), [TIE]),
    ("max dim nan", lambda L, x: x.max(1), [NAN], False),
    ("argmax ties", lambda L, x: x.argmax(1), [TIE]),
    ("argmin ties flat", lambda L, x: x.argmin(), [TIE]),
    ("argmax nan", lambda L, x: x.argmax(), [NAN]),
    ("argmin nan dim", lambda L, x: x.argmin(1), [NAN]),
    ("argmax keepdim", lambda L, x: x.argmax(0, keepdim=True), [F]),
    ("max grad ties all", lambda L, x: x.max(), [TIE]),
    ("amax grad ties", lambda L, x: x.amax(1), [TIE]),
    ("max dim grad ties", lambda L, x: x.max(1).values, [TIE]),
    ("max binary", lambda L, x, y: L.max(x, y), [F, P]),
    ("cumsum int dtype", lambda L, x: x.cumsum(1), [I]),
    ("cumsum bool", lambda L, x: (x > 0).cumsum(0), [F]),
    ("cumsum dtype arg", lambda L, x: x.cumsum(1, dtype=L.float64), [F]),
    ("cumsum int32", lambda L, x: x.int().cumsum(1), [I]),
    ("cumprod int", lambda L, x: x.cumprod(0), [I]),
    ("cumprod zeros grad", lambda L, x: x.cumprod(1), [np.array([[1., 0., 2., 3.], [0., 0., 1., 2.]], np.float32)]),
    ("logsumexp -inf row", lambda L, x: x.logsumexp(1), [np.array([[-np.inf, -np.inf], [1., 2.]], np.float32)], False),
    ("logsumexp inf", lambda L, x: x.logsumexp(1), [np.array([[np.inf, 1.], [1., 2.]], np.float32)], False),
    ("logsumexp int", lambda L, x: x.logsumexp(1), [I]),
    ("logsumexp dims", lambda L, x: x.logsumexp((0, 2), keepdim=True), [F3]),
]


ARITH = [
    ("div trunc int", lambda L, x: L.div(x, 2, rounding_mode="trunc"), [I]),
    ("div floor int", lambda L, x: L.div(x, -2, rounding_mode="floor"), [I]),
    ("div floor int tensor", lambda L, x: L.div(x, x.flip(1).clamp(min=1), rounding_mode="floor"), [I]),
    ("div true int", lambda L, x: x / 2, [I]),
    ("div floor float neg", lambda L, x: L.div(x, -0.7, rounding_mode="floor"), [F]),
    ("div floor grad", lambda L, x, y: L.div(x, y, rounding_mode="floor"), [F, P]),
    ("div bad mode", lambda L, x: L.div(x, 2, rounding_mode="round"), [F]),
    ("floor_divide int neg", lambda L, x: x // -4, [I]),
    ("floor_divide float", lambda L, x: x // 0.3, [F], False),
    ("rfloordiv", lambda L, x: 7 // x.clamp(min=1), [I]),
    ("int div by zero floor", lambda L, x: x // 0, [I]),
    ("int div by zero trunc", lambda L, x: L.div(x, 0, rounding_mode="trunc"), [I]),
    ("int remainder zero", lambda L, x: x % 0, [I]),
    ("int true div zero", lambda L, x: x / 0, [I]),
    ("float floor div zero", lambda L, x: x // 0, [F], False),
    ("fmod int neg", lambda L, x: L.fmod(x, -4), [I]),
    ("remainder int neg", lambda L, x: L.remainder(x, -4), [I]),
    ("fmod float tensor", lambda L, x, y: L.fmod(x, y - 1), [F, P]),
    ("remainder float tensor", lambda L, x, y: L.remainder(x, y - 1), [F, P]),
    ("rmod scalar", lambda L, x: 5 % x.clamp(min=1), [I]),
    ("pow int neg exp scalar", lambda L, x: x ** -1, [I]),
    ("pow int neg exp tensor", lambda L, x: x ** L.tensor([-1, 2, 0, 1]), [I]),
    ("pow int float exp", lambda L, x: x ** 0.5, [I]),
    ("rpow int", lambda L, x: 2 ** x.abs(), [I]),
    ("pow zero zero grad", lambda L, x: x ** 0, [F]),
    ("pow 0 base grad", lambda L, x, y: (x * 0) ** y, [F, P]),
    ("pow tensor float int scalar", lambda L, x: L.pow(2, x), [F]),
    ("bitwise and int", lambda L, x: x & 6, [I]),
    ("bitwise or tensor", lambda L, x: x | x.flip(0), [I]),
    ("bitwise xor bool", lambda L, x: (x > 0) ^ (x < 3), [I]),
    ("bitwise not int", lambda L, x: ~x, [I]),
    ("bitwise not bool", lambda L, x: ~(x > 0), [I]),
    ("bitwise on float", lambda L, x: x & 1, [F]),
    ("bitwise and bool int", lambda L, x: (x > 0) & x, [I]),
    ("shift left", lambda L, x: x.abs() << 2, [I]),
    ("shift right neg", lambda L, x: x >> 1, [I]),
    ("eq nan", lambda L, x: x == x, [NAN]),
    ("ne nan", lambda L, x: x != x, [NAN]),
    ("lt nan", lambda L, x: x < 2, [NAN]),
    ("cmp int float", lambda L, x: x > 0.5, [I]),
    ("cmp tensors promote", lambda L, x: x.int() >= x.double(), [F]),
    ("isclose equal_nan", lambda L, x: L.isclose(x, x, equal_nan=True), [NAN]),
    ("isclose nan", lambda L, x: L.isclose(x, x), [NAN]),
    ("isclose int", lambda L, x: L.isclose(x, x + 1, atol=1), [I]),
    ("isclose scalar other", lambda L, x: x.isclose(L.tensor(1.0)), [NAN]),
    ("allclose", lambda L, x: L.allclose(x, x + 1e-9), [F]),
    ("allclose shape mismatch bcast", lambda L, x: L.allclose(x, x[0]), [F]),
    ("isclose dtype mismatch", lambda L, x: L.isclose(x, x.double()), [F]),
    ("nan_to_num args", lambda L, x: (x / 0).nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0), [NAN]),
    ("nan_to_num default inf", lambda L, x: (x / 0).nan_to_num(), [NAN]),
    ("nan_to_num int", lambda L, x: x.nan_to_num(), [I]),
    ("nan_to_num grad", lambda L, x: x.nan_to_num(), [NAN]),
    ("clamp tensor bounds", lambda L, x, y: x.clamp(min=-y, max=y), [F, P]),
    ("clamp min>max", lambda L, x: x.clamp(min=1.0, max=-1.0), [F]),
    ("clamp tensor min>max", lambda L, x: x.clamp(min=L.ones(4), max=-L.ones(4)), [F]),
    ("clamp int float bound", lambda L, x: x.clamp(min=0.5), [I]),
    ("clamp int int", lambda L, x: x.clamp(-2, 2), [I]),
    ("clamp none none", lambda L, x: x.clamp(), [F]),
    ("clamp grad at bound", lambda L, x: x.clamp(min=2.0, max=2.0), [TIE]),
    ("clamp nan", lambda L, x: x.clamp(0, 1), [NAN], False),
    ("lerp tensor weight", lambda L, x, y, z: L.lerp(x, y, z), [F, P, P - 0.5]),
    ("lerp int", lambda L, x: L.lerp(x, x, 0.5), [I]),
    ("hypot grad", lambda L, x, y: L.hypot(x, y), [F, P]),
    ("atan2 grad", lambda L, x, y: L.atan2(x, y - 1), [F, P]),
    ("atan2 int", lambda L, x: L.atan2(x, x.flip(0)), [I]),
    ("sign int", lambda L, x: x.sign(), [I]),
    ("sign bool", lambda L, x: (x > 0).sign(), [I]),
    ("sgn", lambda L, x: x.sgn(), [F]),
    ("sign nan", lambda L, x: x.sign(), [NAN]),
    ("round half even", lambda L, x: (x * 0.5).round(), [I]),
    ("round decimals neg", lambda L, x: (x * 37.0).round(decimals=-1), [F]),
    ("round decimals", lambda L, x: x.round(decimals=1), [F]),
    ("round int", lambda L, x: x.round(), [I]),
    ("trunc frac", lambda L, x: (x * 3).frac() + (x * 3).trunc(), [F]),
    ("frac neg", lambda L, x: (x * 3).frac(), [F]),
    ("frac int", lambda L, x: x.frac(), [I]),
    ("floor int", lambda L, x: x.floor(), [I]),
    ("half add", lambda L, x: x.half() + x.half(), [F]),
    ("half sum", lambda L, x: x.half().sum(), [F]),
    ("half mean", lambda L, x: x.half().mean(1), [F]),
    ("half exp", lambda L, x: x.half().exp(), [F]),
    ("half matmul", lambda L, x: x.half() @ x.half().t(), [F]),
    ("half overflow", lambda L, x: (x.half() * 30000), [F]),
    ("half promote f32", lambda L, x: x.half() + x, [F]),
    ("half int scalar", lambda L, x: x.half() * 3, [F]),
    ("int tensor float scalar", lambda L, x: x * 1.5, [I]),
    ("bool add", lambda L, x: (x > 0) + (x > 1), [I]),
    ("bool sub raises", lambda L, x: (x > 0) - (x > 1), [I]),
    ("neg bool raises", lambda L, x: -(x > 0), [I]),
    ("uint8 wrap", lambda L, x: x.to(L.uint8) + 250, [I]),
    ("int8 overflow", lambda L, x: x.to(L.int8) * 100, [I]),
    ("abs int min", lambda L, x: x.abs(), [I]),
    ("sqrt int", lambda L, x: x.abs().sqrt(), [I]),
    ("mean int raises", lambda L, x: x.mean(), [I]),
    ("mean int dtype", lambda L, x: x.mean(dtype=L.float32), [I]),
    ("exp bool", lambda L, x: (x > 0).exp(), [I]),
    ("addcdiv int raises", lambda L, x: L.addcdiv(x, x, x), [I]),
    ("logical_and float", lambda L, x: L.logical_and(x, x - 1), [F]),
    ("logical_xor int", lambda L, x: L.logical_xor(x, x > 3), [I]),
    ("maximum nan", lambda L, x, y: L.maximum(x, y), [NAN, F]),
    ("fmax nan", lambda L, x, y: L.fmax(x, y), [NAN, F], False),
    ("maximum int float", lambda L, x: L.maximum(x, x.double()), [I]),
    ("maximum grad ties", lambda L, x: L.maximum(x, x.flip(1)), [TIE]),
    ("abs grad at 0", lambda L, x: x.abs(), [np.array([0., -1., 2.], np.float32)]),
    ("sqrt grad at 0", lambda L, x: x.sqrt(), [np.array([0., 1., 2.], np.float32)], False),
    ("float_power int", lambda L, x: L.float_power(x, 2), [I]),
    ("xlogy zero", lambda L, x: L.xlogy(x * 0, x), [P]),
    ("square int", lambda L, x: x.square(), [I]),
    ("reciprocal int", lambda L, x: x.reciprocal(), [I]),
    ("sigmoid int", lambda L, x: x.sigmoid(), [I]),
]


RESHAPE = [
    ("flatten 1..2", lambda L, x: x.flatten(1), [F3]),
    ("flatten 0d", lambda L, x: x.sum().flatten(), [F]),
    ("unflatten -1", lambda L, x: x.unflatten(-1, (2, -1)), [F3]),
    ("movedim list", lambda L, x: x.movedim([0, 2], [2, 0]), [F3]),
    ("movedim dup", lambda L, x: x.movedim([0, 0], [1, 2]), [F3]),
    ("swapaxes", lambda L, x: x.swapaxes(0, -1), [F3]),
    ("narrow neg start", lambda L, x: x.narrow(-1, -3, 2), [F3]),
    ("narrow oob", lambda L, x: x.narrow(1, 2, 3), [F]),
    ("unbind dim", lambda L, x: x.unbind(-1), [F3]),
    ("split list", lambda L, x: x.split([1, 3], 1), [F]),
    ("split list bad", lambda L, x: x.split([1, 2], 1), [F]),
    ("split uneven", lambda L, x: x.split(3, 1), [F]),
    ("tensor_split indices", lambda L, x: x.tensor_split([1, 3], 1), [F]),
    ("tensor_split sections uneven", lambda L, x: x.tensor_split(3, 1), [F]),
    ("tensor_split tensor idx", lambda L, x: L.tensor_split(x, idx(L, [1, 2]), 1), [F]),
    ("tensor_split unsorted", lambda L, x: L.tensor_split(x, [3, 1], 1), [F]),
    ("chunk uneven", lambda L, x: x.chunk(3, 1), [F3]),
    ("chunk 6 of 4", lambda L, x: x.chunk(6, 1), [F]),
    ("chunk 3 of 5", lambda L, x: V.tolist() and L.tensor(V).chunk(3), [F]),
    ("roll multi", lambda L, x: x.roll((1, -1), (0, 2)), [F3]),
    ("roll flat", lambda L, x: x.roll(5), [F3]),
    ("roll neg dim", lambda L, x: x.roll(2, -1), [F3]),
    ("flip multi", lambda L, x: x.flip((0, -1)), [F3]),
    ("flip list", lambda L, x: L.flip(x, [1]), [F3]),
    ("tril diag", lambda L, x: x.tril(-1), [F3]),
    ("triu diag 2", lambda L, x: x.triu(2), [F3]),
    ("triu int", lambda L, x: x.triu(), [I]),
    ("tril 1d raises", lambda L, x: x[0].tril(), [F]),
    ("diag offset", lambda L, x: L.diag(x, 1), [F]),
    ("diag neg offset", lambda L, x: L.diag(x, -2), [F]),
    ("diag vector offset", lambda L, x: L.diag(x, -1), [V]),
    ("diagonal neg dims", lambda L, x: x.diagonal(-1, -1, 0), [F3]),
    ("diagonal big offset", lambda L, x: x.diagonal(5), [F]),
    ("diag_embed", lambda L, x: L.diag_embed(x), [F]),
    ("diag_embed offset", lambda L, x: L.diag_embed(x, 1), [F]),
    ("diag_embed neg offset dims", lambda L, x: L.diag_embed(x, -1, 0, 2), [F]),
    ("repeat more dims", lambda L, x: x.repeat(2, 1, 1), [F]),
    ("repeat too few", lambda L, x: x.repeat(2), [F]),
    ("expand -1", lambda L, x: x[:, None].expand(-1, 3, -1), [F]),
    ("repeat_interleave tensor", lambda L, x: x.repeat_interleave(idx(L, [1, 0, 2]), 0), [F]),
    ("repeat_interleave flat", lambda L, x: x.repeat_interleave(2), [F]),
    ("repeat_interleave dim1", lambda L, x: x.repeat_interleave(idx(L, [2]), dim=1), [F]),
    ("repeat_interleave bad", lambda L, x: x.repeat_interleave(idx(L, [1, 2]), 0), [F]),
    ("repeat_interleave only", lambda L, x: L.repeat_interleave(idx(L, [2, 0, 1])), [F]),
    ("einsum trace", lambda L, x: L.einsum("ii", x[:, :3]), [F]),
    ("einsum diag", lambda L, x: L.einsum("ii->i", x[:, :3]), [F]),
    ("einsum outer", lambda L, x, v: L.einsum("i,j->ij", x[0], v), [F, V]),
    ("einsum ellipsis", lambda L, x, y: L.einsum("...ij,...jk->...ik", x, y.transpose(1, 2)), [F3, F3], True, 1e-4, 1e-5),
    ("einsum ellipsis broadcast", lambda L, x, y: L.einsum("...j,j->...", x, y[0]), [F3, F], True, 1e-4, 1e-5),
    ("einsum sum all", lambda L, x: L.einsum("ijk->", x), [F3], True, 1e-4, 1e-5),
    ("einsum list operands", lambda L, x, y: L.einsum("ij,kj->ik", [x, y]), [F, P], True, 1e-4, 1e-5),
    ("einsum spaces", lambda L, x: L.einsum("b i j -> b j i", x), [F3]),
    ("einsum bad", lambda L, x: L.einsum("ij,jk->ik", x, x), [F]),
    ("outer int", lambda L, x: L.outer(x[0], x[1]), [I]),
    ("outer mixed", lambda L, x, v: L.outer(x[0], v), [I, V]),
    ("meshgrid xy", lambda L, x, v: L.meshgrid(x[0], v, indexing="xy"), [F, V]),
    ("meshgrid ij 3", lambda L, x, v: L.meshgrid(x[0], v, x[1, :2], indexing="ij"), [F, V]),
    ("meshgrid xy 3", lambda L, x, v: L.meshgrid(x[0], v, x[1, :2], indexing="xy"), [F, V]),
    ("tile short", lambda L, x: x.tile((2,)), [F3]),
    ("tile long", lambda L, x: x.tile((2, 1, 1, 2)), [F]),
    ("atleast_2d 0d", lambda L, x: L.atleast_2d(x.sum()), [F]),
    ("atleast_2d 1d", lambda L, x: L.atleast_2d(x[0]), [F]),
    ("atleast_1d", lambda L, x: L.atleast_1d(x.sum()), [F]),
    ("searchsorted right", lambda L, x: L.searchsorted(L.tensor([1.0, 2, 2, 3]), L.tensor([[2.0, 0], [3, 5]]), right=True), [F]),
    ("searchsorted side", lambda L, x: L.searchsorted(L.tensor([1.0, 2, 2, 3]), L.tensor([2.0]), side="right"), [F]),
    ("searchsorted batched", lambda L, x: L.searchsorted(x.sort(1).values, x[:, :2]), [F]),
    ("searchsorted 3d", lambda L, x: L.searchsorted(x.sort(-1).values, x[..., :2]), [F3]),
    ("searchsorted scalar", lambda L, x: L.searchsorted(L.tensor([1.0, 2, 3]), 2.5), [F]),
    ("searchsorted int32", lambda L, x: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor([2.5]), out_int32=True), [F]),
    ("bucketize", lambda L, x: L.bucketize(x, L.tensor([-1.0, 0.0, 1.0])), [F]),
    ("bucketize right int", lambda L, x: L.bucketize(x, L.tensor([-1, 0, 3]), right=True), [I]),
    ("bucketize out_int32", lambda L, x: L.bucketize(x, L.tensor([-1, 0, 3]), out_int32=True), [I]),
    ("stack neg dim", lambda L, x: L.stack([x, x], -1), [F]),
    ("cat promote int float", lambda L, x, y: L.cat([x, y.long()]), [F, I]),
    ("squeeze non1 dim", lambda L, x: x.squeeze(1), [F]),
    ("unsqueeze oob", lambda L, x: x.unsqueeze(3), [F]),
    ("permute neg", lambda L, x: x.permute(-1, 0, 1), [F3]),
    ("view -1 0 size", lambda L, x: x[:0].view(-1, 4), [F]),
    ("reshape 0 -1", lambda L, x: x[:0].reshape(0, -1), [F]),
    ("t 1d", lambda L, x: x[0].t(), [F]),
    ("T 3d", lambda L, x: x.T, [F3]),
    ("mT", lambda L, x: x.mT, [F3]),
]


RED = [
    ("sum dim list keepdim", lambda L, x: x.sum([0, 2], keepdim=True), [F3]),
    ("sum neg dims", lambda L, x: x.sum((-1, -3)), [F3]),
    ("sum dup dims", lambda L, x: x.sum((0, 0)), [F3]),
    ("sum dtype", lambda L, x: x.sum(1, dtype=L.float64), [F3]),
    ("sum int dtype float", lambda L, x: x.sum(dtype=L.float32), [I]),
    ("sum int32", lambda L, x: x.int().sum(), [I]),
    ("sum uint8", lambda L, x: x.to(L.uint8).sum(0), [I]),
    ("sum empty", lambda L, x: x[:0].sum(), [F]),
    ("sum empty dim", lambda L, x: x[:0].sum(0), [F]),
    ("prod empty", lambda L, x: x[:0].prod(), [F]),
    ("prod int", lambda L, x: x.prod(1), [I]),
    ("prod bool", lambda L, x: (x > 0).prod(), [I]),
    ("prod dtype", lambda L, x: x.prod(1, dtype=L.float64), [F]),
    ("mean empty", lambda L, x: x[:0].mean(), [F]),
    ("mean dims keepdim", lambda L, x: x.mean((0, 1), keepdim=True), [F3]),
    ("mean dtype", lambda L, x: x.mean(1, dtype=L.float64), [F]),
    ("max empty raises", lambda L, x: x[:0].max(), [F]),
    ("max empty dim raises", lambda L, x: x[:0].max(0), [F]),
    ("max empty other dim ok", lambda L, x: x[:0].max(1).values, [F], False),
    ("amax empty raises", lambda L, x: x[:0].amax(), [F]),
    ("argmax empty raises", lambda L, x: x[:0].argmax(), [F]),
    ("amax dims keepdim", lambda L, x: x.amax((0, 2), keepdim=True), [F3]),
    ("amin int", lambda L, x: x.amin(0), [I]),
    ("max int dim", lambda L, x: x.max(1), [I]),
    ("max bool", lambda L, x: (x > 0).max(), [I]),
    ("var correction 2", lambda L, x: x.var(1, correction=2), [F]),
    ("var unbiased false", lambda L, x: x.var(unbiased=False), [F]),
    ("var positional unbiased", lambda L, x: x.var(1, False), [F]),
    ("std dims keepdim", lambda L, x: x.std((0, 2), keepdim=True), [F3]),
    ("var single elem", lambda L, x: x[:, :1].var(1), [F], False),
    ("std int raises", lambda L, x: x.std(), [I]),
    ("var_mean correction", lambda L, x: L.var_mean(x, 1, correction=0), [F]),
    ("std_mean keepdim", lambda L, x: L.std_mean(x, (0,), keepdim=True), [F3]),
    ("all float", lambda L, x: x.all(), [F]),
    ("any int dim", lambda L, x: x.any(1), [I]),
    ("all uint8 dtype", lambda L, x: x.to(L.uint8).all(1), [I]),
    ("all keepdim", lambda L, x: (x > 0).all(0, keepdim=True), [F]),
    ("all dims tuple", lambda L, x: (x > 0).all((0, 1)), [F3]),
    ("any empty", lambda L, x: x[:0].any(), [F]),
    ("all empty", lambda L, x: x[:0].all(), [F]),
    ("count_nonzero dims", lambda L, x: x.count_nonzero((0, 2)), [F3]),
    ("nansum int", lambda L, x: x.nansum(), [I]),
    ("nanmean dim", lambda L, x: x.nanmean(1), [NAN], False),
    ("nansum grad", lambda L, x: x.nansum(1), [NAN]),
    ("norm p=0", lambda L, x: x.norm(p=0), [F], False),
    ("norm p=3 dim", lambda L, x: x.norm(p=3, dim=1), [F], True, 1e-4, 1e-5),
    ("norm -inf", lambda L, x: x.norm(p=float("-inf"), dim=1), [F]),
    ("norm int raises", lambda L, x: x.norm(), [I]),
    ("norm dims keepdim", lambda L, x: x.norm(dim=(0, 2), keepdim=True), [F3], True, 1e-4, 1e-5),
    ("aminmax all", lambda L, x: L.aminmax(x), [F]),
    ("softmax int raises", lambda L, x: x.softmax(1), [I]),
    ("softmax dtype", lambda L, x: x.softmax(1, dtype=L.float64), [F]),
    ("log_softmax -inf", lambda L, x: x.log_softmax(1), [np.array([[-np.inf, 0.], [1., 2.]], np.float32)], False),
    ("cumsum neg dim", lambda L, x: x.cumsum(-2), [F3]),
    ("cumsum 0d", lambda L, x: x.sum().cumsum(0), [F]),
    ("dist", lambda L, x, y: L.dist(x, y, 3), [F, P], True, 1e-4, 1e-5),
]


def inplace(fn):
    def f(L, x, *rest):
        y = x.clone()
        fn(L, y, *rest)
        return y
    return f


MORE = [
    ("iadd int += float raises", inplace(lambda L, y: y.__iadd__(1.5)), [I]),
    ("iadd float += int tensor", inplace(lambda L, y: y.__iadd__(L.tensor([1, 2, 3, 4]))), [F]),
    ("imul int *= float tensor raises", inplace(lambda L, y: y.mul_(L.tensor([1.5]))), [I]),
    ("iadd broadcast into smaller raises", inplace(lambda L, y: y[0].add_(y)), [F]),
    ("idiv int raises", inplace(lambda L, y: y.div_(2)), [I]),
    ("clamp_ int float bound raises", inplace(lambda L, y: y.clamp_(min=0.5)), [I]),
    ("floor_divide_ int", inplace(lambda L, y: y.floor_divide_(3)), [I]),
    ("pow_ int neg raises", inplace(lambda L, y: y.pow_(-1)), [I]),
    ("masked_fill_ broadcast", inplace(lambda L, y: y.masked_fill_(L.tensor([True, False, False, True]), 1.0)), [F]),
    ("scatter_ reduce add", inplace(lambda L, y: y.scatter_(1, idx(L, [[0, 0]]), 2.0, reduce="add")), [F], False),
    ("index_copy_ dup", inplace(lambda L, y: y.index_copy_(0, idx(L, [1, 1]), L.ones(2, 4))), [F]),
    ("index_add_ oob", inplace(lambda L, y: y.index_add_(0, idx(L, [3]), L.ones(1, 4))), [F]),
    ("index_fill_ oob", inplace(lambda L, y: y.index_fill_(1, idx(L, [4]), 0.0)), [F]),
    ("index_copy wrong src shape", lambda L, x: x.index_copy(0, idx(L, [0]), L.ones(1, 3)), [F]),
    ("masked_scatter too few", lambda L, x: x.masked_scatter(L.ones(3, 4, dtype=L.bool), L.ones(5)), [F]),
    ("masked_scatter_", inplace(lambda L, y: y.masked_scatter_(y > 0, L.arange(12.0))), [F]),
    ("masked_fill non-bool mask", lambda L, x: x.masked_fill(x.long(), 0.0), [F]),
    ("take_along_dim bad dims", lambda L, x: L.take_along_dim(x, idx(L, [[[0]]]), 1), [F]),
    ("unique sorted=False", lambda L, x: L.unique(x, sorted=False).sort().values, [TIE], False),
    ("unique bool", lambda L, x: L.unique(x > 0), [F]),
    ("unique empty", lambda L, x: L.unique(x[:0]), [F], False),
    ("unique return_inverse dim", lambda L, x: L.unique(L.cat([x, x]), dim=1, return_inverse=True)[1], [TIE], False),
    ("cat empty 2d and 1d", lambda L, x: L.cat([x, L.tensor([])]), [F]),
    ("cat mismatched", lambda L, x: L.cat([x, x[:, :2]]), [F]),
    ("cat bool int", lambda L, x: L.cat([x > 0, x]), [I]),
    ("stack mismatched", lambda L, x: L.stack([x, x[:2]]), [F]),
    ("stack int float", lambda L, x, y: L.stack([x, y]), [F, I]),
    ("expand bad", lambda L, x: x.expand(3, 5), [F]),
    ("expand new leading", lambda L, x: x.expand(2, 3, 4), [F]),
    ("view non-contiguous raises", lambda L, x: x.t().view(-1), [F]),
    ("reshape bad", lambda L, x: x.reshape(5, -1), [F]),
    ("matmul 1d 1d", lambda L, x: x[0] @ x[1], [F]),
    ("matmul int", lambda L, x: x @ x.t(), [I]),
    ("matmul int float raises", lambda L, x, y: x @ y.t(), [F, I]),
    ("matmul 0d raises", lambda L, x: x.sum() @ x, [F]),
    ("dot int", lambda L, x: L.dot(x[0], x[1]), [I]),
    ("dot shape mismatch", lambda L, x: L.dot(x[0], x[0, :3]), [F]),
    ("mv", lambda L, x, v: L.mv(x, v[:4]), [F, V]),
    ("outer 2d flattens?", lambda L, x: L.outer(x, x[0]), [F]),
    ("addmm int beta alpha", lambda L, x: L.addmm(x, x, x.t()[:, :4] if False else x[:, :4].t() @ x[:, :4] // 10, beta=2, alpha=3), [I]),
    ("baddbmm", lambda L, x: L.baddbmm(x, x, x.transpose(1, 2)[:, :, :4] if False else x.transpose(1, 2).matmul(x)[:, :4], beta=0.5, alpha=2), [F3], True, 1e-4, 1e-5),
    ("where cond broadcast scalar tensor", lambda L, x: L.where(x > 0, L.tensor(1.0), x), [F]),
    ("where uint8 cond", lambda L, x: L.where(x.to(L.uint8), x, -x), [I]),
    ("where int scalar bool tensor", lambda L, x: L.where(x > 0, x > 1, 2), [F]),
    ("nonzero empty", lambda L, x: (x > 100).nonzero(), [F]),
    ("argwhere", lambda L, x: L.argwhere(x > 0), [F3]),
    ("count_nonzero float", lambda L, x: L.count_nonzero(x - x.round()), [F]),
    ("tril int diag big", lambda L, x: x.tril(10), [I]),
    ("triu 3d", lambda L, x: x.triu(-1), [F3]),
    ("diagonal 3d grad", lambda L, x: x.diagonal(1, 0, 2), [F3]),
    ("diag 2d nonsquare neg", lambda L, x: x.diag(-1), [F]),
    ("diag 0d raises", lambda L, x: x.sum().diag(), [F]),
    ("diag_embed dims swapped", lambda L, x: L.diag_embed(x, 1, 2, 0), [F]),
    ("trace nonsquare", lambda L, x: x.trace(), [F]),
    ("trace int", lambda L, x: x.trace(), [I]),
    ("flip empty dims", lambda L, x: x.flip(()), [F]),
    ("flip dup dims", lambda L, x: x.flip((0, 0)), [F]),
    ("roll shifts dims mismatch", lambda L, x: x.roll((1, 2), (0,)), [F]),
    ("roll big shift", lambda L, x: x.roll(-13, 1), [F]),
    ("repeat 0", lambda L, x: x.repeat(0, 2), [F]),
    ("tile 0d", lambda L, x: x.sum().tile((2, 3)), [F]),
    ("chunk empty dim", lambda L, x: x[:, :0].chunk(2, 1), [F]),
    ("split 0 size", lambda L, x: x.split([0, 4], 1), [F]),
    ("unflatten bad", lambda L, x: x.unflatten(1, (3, 2)), [F]),
    ("squeeze tuple", lambda L, x: x[:, :1, None].squeeze((1, 2)), [F]),
    ("squeeze 0d", lambda L, x: x.sum().squeeze(0), [F]),
    ("unsqueeze neg", lambda L, x: x.unsqueeze(-1), [F3]),
    ("select neg", lambda L, x: x.select(-1, -2), [F3]),
    ("select oob", lambda L, x: x.select(0, 3), [F]),
    ("narrow tensor start", lambda L, x: x.narrow(1, L.tensor(1), 2), [F]),
    ("unbind 0d raises", lambda L, x: x.sum().unbind(), [F]),
    ("movedim int", lambda L, x: x.movedim(-1, 0), [F3]),
    ("permute wrong len", lambda L, x: x.permute(1, 0), [F3]),
    ("transpose oob", lambda L, x: x.transpose(0, 3), [F3]),
    ("sum dim oob", lambda L, x: x.sum(3), [F3]),
    ("mean keepdim neg", lambda L, x: x.mean(-1, keepdim=True), [F3]),
    ("var dims correction", lambda L, x: x.var((0, 2), correction=0, keepdim=True), [F3]),
    ("std empty", lambda L, x: x[:0].std(), [F], False),
    ("var 1 element", lambda L, x: x[0, :1].var(), [F], False),
    ("median empty raises", lambda L, x: x[:0].median(), [F]),
    ("median keepdim", lambda L, x: x.median(0, keepdim=True), [F]),
    ("nanmedian int", lambda L, x: x.nanmedian(), [I]),
    ("kthvalue int", lambda L, x: x.kthvalue(1, 0), [I]),
    ("kthvalue nan", lambda L, x: x.kthvalue(4, 1), [NAN], False),
    ("topk int", lambda L, x: x.topk(2, 0), [I]),
    ("topk unsorted values set", lambda L, x: x.topk(2, 1, sorted=False).values.sort(1).values, [F], False),
    ("sort 0d", lambda L, x: x.sum().sort(), [F]),
    ("sort empty", lambda L, x: x[:0].sort(0), [F]),
    ("argsort desc nan", lambda L, x: x.argsort(1, descending=True), [NAN]),
    ("msort", lambda L, x: L.msort(x), [F]),
    ("max keepdim", lambda L, x: x.max(1, keepdim=True), [F]),
    ("min 0d dim", lambda L, x: x.sum().min(0), [F]),
    ("argmax 0d", lambda L, x: x.sum().argmax(), [F]),
    ("argmax bool", lambda L, x: (x > 0).argmax(1), [F]),
    ("amax int keepdim", lambda L, x: x.amax(1, keepdim=True), [I]),
    ("aminmax dim", lambda L, x: L.aminmax(x, dim=0, keepdim=True), [F]),
    ("aminmax nan", lambda L, x: L.aminmax(x), [NAN], False),
    ("logsumexp 0d", lambda L, x: x.sum().logsumexp(0), [F]),
    ("sum 0d dim 0", lambda L, x: x.sum().sum(0), [F]),
    ("sum 0d dim list", lambda L, x: x.sum().sum([0]), [F]),
    ("sum 0d dim 1 raises", lambda L, x: x.sum().sum(1), [F]),
    ("mean 0d dim", lambda L, x: x.sum().mean(0, keepdim=True), [F]),
    ("amax 0d dim", lambda L, x: x.sum().amax(0), [F]),
    ("prod 0d dim", lambda L, x: x.sum().prod(0), [F]),
    ("var 0d dim", lambda L, x: x.sum().var(0, correction=0), [F]),
    ("argmax 0d dim", lambda L, x: x.sum().argmax(0), [F]),
    ("softmax 0d", lambda L, x: x.sum().softmax(0), [F]),
    ("all 0d dim", lambda L, x: (x.sum() > 0).all(0), [F]),
    ("count_nonzero 0d", lambda L, x: x.sum().count_nonzero(0), [F]),
    ("norm 0d dim", lambda L, x: x.sum().norm(dim=0), [F]),
    ("median 0d dim", lambda L, x: x.sum().median(0), [F]),
    ("max 0d dim keepdim", lambda L, x: x.sum().max(0, keepdim=True), [F]),
    ("cumsum empty", lambda L, x: x[:0].cumsum(0), [F]),
    ("cumprod dtype", lambda L, x: x.cumprod(1, dtype=L.float64), [F]),
    ("cumprod bool", lambda L, x: (x > 0).cumprod(1), [F]),
    ("softmax -inf row", lambda L, x: x.softmax(1), [np.array([[-np.inf, -np.inf], [1., 2.]], np.float32)], False),
    ("log_softmax dtype", lambda L, x: x.log_softmax(0, dtype=L.float64), [F]),
    ("prod keepdim", lambda L, x: x.prod(1, keepdim=True), [TIE]),
    ("prod with zeros grad", lambda L, x: x.prod(1), [np.array([[1., 0., 2.], [0., 0., 1.], [1., 2., 3.]], np.float32)]),
    ("sum bool dim", lambda L, x: (x > 0).sum(1), [F]),
    ("sum int8", lambda L, x: x.to(L.int8).sum(), [I]),
    ("mean half", lambda L, x: x.half().mean(), [F]),
    ("nanmean all nan", lambda L, x: L.tensor([np.nan, np.nan]).nanmean(), [F]),
    ("norm p fro dims", lambda L, x: x.norm("fro", dim=(0, 1)), [F3], True, 1e-4, 1e-5),
    ("norm p=2 zero grad", lambda L, x: (x * 0).norm(), [F]),
    ("norm keepdim 0d dims", lambda L, x: x.norm(p=1, dim=0, keepdim=True), [F]),
    ("renorm-like clamp_min", lambda L, x: x.clamp_min(0.1), [F]),
    ("clamp_max tensor", lambda L, x, y: x.clamp_max(y), [F, P]),
    ("hypot int raises", lambda L, x: L.hypot(x, x), [I]),
    ("logaddexp inf", lambda L, x: L.logaddexp(x, L.tensor(float("inf"))), [F], False),
    ("logaddexp grad", lambda L, x, y: L.logaddexp(x, y), [F, P]),
    ("logaddexp -inf both", lambda L, x: L.logaddexp(x * 0 - float("inf"), x * 0 - float("inf")), [F], False),
    ("xlogy scalar", lambda L, x: L.xlogy(2, x), [P]),
    ("atan2 scalar other", lambda L, x: L.atan2(x, L.tensor(1.0)), [F]),
    ("remainder scalar tensor", lambda L, x: L.remainder(5, x), [P], False),
    ("fmod scalar first raises", lambda L, x: L.fmod(5, x), [P]),
    ("sub alpha", lambda L, x, y: L.sub(x, y, alpha=2), [F, P]),
    ("add int alpha float raises", lambda L, x: L.add(x, x, alpha=0.5), [I]),
    ("div mixed int tensors", lambda L, x: x / x.flip(0).clamp(min=1).int(), [I]),
    ("true_divide int scalar", lambda L, x: L.true_divide(x, 4), [I]),
    ("rtruediv int", lambda L, x: 1 / x.clamp(min=1), [I]),
    ("rsub", lambda L, x: 1 - x, [F]),
    ("rsub int", lambda L, x: 1.5 - x, [I]),
    ("pow scalar int base float exp tensor", lambda L, x: 2 ** x, [F]),
    ("pow int tensor int tensor", lambda L, x: x.abs() ** x.abs().flip(0), [I]),
    ("pow negative float frac nan", lambda L, x: x ** 0.5, [F], False),
    ("float_power grad", lambda L, x, y: L.float_power(x, y), [P, F]),
    ("eq int float", lambda L, x: L.eq(x, x.double()), [I]),
    ("eq bool int", lambda L, x: (x > 0) == 1, [I]),
    ("equal", lambda L, x: L.equal(x, x.clone()), [F]),
    ("equal shape", lambda L, x: L.equal(x, x[:2]), [F]),
    ("isinf int", lambda L, x: L.isinf(x), [I]),
    ("isfinite", lambda L, x: L.isfinite(x / 0), [NAN]),
    ("isposinf", lambda L, x: L.isposinf(x / 0), [NAN]),
    ("signbit", lambda L, x: L.signbit(x * -0.0), [F]),
    ("signbit int", lambda L, x: L.signbit(x), [I]),
    ("logical_not int", lambda L, x: L.logical_not(x), [I]),
    ("bitwise_not uint8", lambda L, x: ~x.to(L.uint8), [I]),
    ("abs int8 min", lambda L, x: (x.to(L.int8) * 0 - 128).to(L.int8).abs(), [I]),
    ("neg uint8", lambda L, x: -x.to(L.uint8), [I]),
    ("exp2", lambda L, x: L.exp2(x), [F]),
    ("exp2 int", lambda L, x: L.exp2(x), [I]),
    ("rsqrt 0", lambda L, x: (x * 0).rsqrt(), [F], False),
    ("reciprocal 0", lambda L, x: (x * 0).reciprocal(), [F], False),
    ("log negative", lambda L, x: x.log(), [F], False),
    ("ceil int", lambda L, x: x.ceil(), [I]),
    ("round decimals half", lambda L, x: L.tensor([0.125, 0.375, 2.5]).round(decimals=2), [F]),
    ("round decimals int raises?", lambda L, x: x.round(decimals=1), [I]),
    ("clamp int min>max", lambda L, x: x.clamp(3, -3), [I]),
    ("clamp bool raises?", lambda L, x: (x > 0).clamp(0, 1), [I]),
    ("sigmoid half", lambda L, x: x.half().sigmoid(), [F], True, 2e-3, 1e-3),
    ("tensor from mixed list", lambda L, x: L.tensor([1, 2.5, True]), [F]),
    ("tensor bool list", lambda L, x: L.tensor([True, False]), [F]),
    ("tensor nested empty", lambda L, x: L.tensor([[], []]), [F]),
    ("tensor ragged raises", lambda L, x: L.tensor([[1, 2], [3]]), [F]),
    ("tensor of tensors", lambda L, x: L.tensor([x[0, 0], x[1, 1]]), [F], False),
    ("arange int float step", lambda L, x: L.arange(0, 5, 1.5), [F]),
    ("arange neg step", lambda L, x: L.arange(5, 0, -2), [F]),
    ("arange zero step raises", lambda L, x: L.arange(0, 5, 0), [F]),
    ("arange wrong sign raises", lambda L, x: L.arange(0, 5, -1), [F]),
    ("arange dtype", lambda L, x: L.arange(5, dtype=L.float64), [F]),
    ("linspace 1 step", lambda L, x: L.linspace(2, 3, 1), [F]),
    ("linspace int dtype", lambda L, x: L.linspace(0, 10, 4, dtype=L.int64), [F]),
    ("eye rect", lambda L, x: L.eye(2, 3), [F]),
    ("full int", lambda L, x: L.full((2,), 3), [F]),
    ("full bool", lambda L, x: L.full((2,), True), [F]),
    ("zeros_like dtype", lambda L, x: L.zeros_like(x, dtype=L.int32), [F]),
    ("full_like float into int", lambda L, x: L.full_like(x, 2.7), [I]),
    ("ones 0-size", lambda L, x: L.ones(0, 3), [F]),
    ("empty neg raises", lambda L, x: L.zeros(-1), [F]),
    ("new_zeros", lambda L, x: x.new_zeros(2, 3), [I]),
    ("new_full", lambda L, x: x.new_full((2,), 1.5), [F]),
    ("new_tensor", lambda L, x: x.new_tensor([1, 2]), [F]),
    ("type_as", lambda L, x, y: x.type_as(y), [F, I]),
    ("to int truncates", lambda L, x: (x * 3).to(L.int64), [F]),
    ("to bool", lambda L, x: x.bool(), [F]),
    ("item", lambda L, x: x[1, 2].item(), [F]),
    ("item multi raises", lambda L, x: x.item(), [F]),
    ("tolist", lambda L, x: L.tensor(x.tolist()), [I]),
    ("int() of 1-elem", lambda L, x: int(x[:1, :1]), [I]),
    ("bool() of multi raises", lambda L, x: bool(x), [F]),
    ("len 0d raises", lambda L, x: len(x.sum()), [F]),
    ("iter rows", lambda L, x: L.stack(list(x)), [F]),
    ("size neg", lambda L, x: x.size(-1), [F]),
    ("numel", lambda L, x: x.numel(), [F3]),
    ("stride", lambda L, x: x.t().stride(), [F], False),
    ("is_contiguous", lambda L, x: x.t().is_contiguous(), [F], False),
    ("scatter_reduce prod grad", lambda L, x, y: x.scatter_reduce(1, idx(L, [[0, 0, 1]] * 3), y[:, :3], "prod"), [F, P]),
]

# torch functions corelib lacks (top-level names would go in corelib/__init__.py)
MISSING = [      # were missing; now in corelib/ops/extra.py and extra_linalg.py
    ("cummax", lambda L, x: L.cummax(x, 1), [TIE]),
    ("cummin", lambda L, x: L.cummin(x, 0), [TIE]),
    ("logcumsumexp", lambda L, x: L.logcumsumexp(x, 1), [F]),
    ("unique_consecutive", lambda L, x: L.unique_consecutive(x, return_counts=True), [TIE], False),
    ("rot90", lambda L, x: L.rot90(x, 1, (0, 1)), [F]),
    ("tensordot", lambda L, x, y: L.tensordot(x, y, dims=([1], [1])), [F, P]),
    ("kron", lambda L, x, y: L.kron(x, y), [F, P]),
    ("cross", lambda L, x, y: L.cross(x[:, :3], y[:, :3], dim=1), [F, P]),
    ("cdist", lambda L, x, y: L.cdist(x, y), [F, P]),
    ("histc", lambda L, x: L.histc(x, bins=4, min=-1, max=1), [F], False),
    ("bincount", lambda L, x: L.bincount(x.abs().flatten(), minlength=12), [I]),
    ("cartesian_prod", lambda L, x: L.cartesian_prod(x[0], x[1]), [F]),
    ("combinations", lambda L, x: L.combinations(x[0], 2), [F]),
    ("copysign", lambda L, x, y: L.copysign(y, x), [F, P]),
    ("put_", lambda L, x: x.clone().put_(idx(L, [0, 0, 5]), L.tensor([1.0, 2.0, 3.0]), accumulate=True), [F]),
    ("atleast_3d", lambda L, x: L.atleast_3d(x), [F]),
    ("diff", lambda L, x: L.diff(x, dim=1), [F]),
]


CASES = [("index: " + c[0],) + tuple(c[1:]) for c in INDEXING] + \
        [("scatter: " + c[0],) + tuple(c[1:]) for c in SCATTER] + \
        [("sort: " + c[0],) + tuple(c[1:]) for c in SORT] + \
        [("arith: " + c[0],) + tuple(c[1:]) for c in ARITH] + \
        [("reshape: " + c[0],) + tuple(c[1:]) for c in RESHAPE] + \
        [("reduce: " + c[0],) + tuple(c[1:]) for c in RED] + \
        [("more: " + c[0],) + tuple(c[1:]) for c in MORE] + \
        [("added: " + c[0],) + tuple(c[1:]) for c in MISSING]
XFAIL = {"more: scatter_reduce prod grad": "the gradient of scatter_reduce(reduce='prod') is not implemented"}


@pytest.mark.parametrize("case", [pytest.param(c, id=c[0], marks=[pytest.mark.xfail(strict=True, reason=XFAIL[c[0]])]
                                               if c[0] in XFAIL else []) for c in CASES])
def test_case(case):
    name, f, arrays, *rest = case
    check(f, arrays, *rest)
