"""Values and gradients of core ops against PyTorch (skipped without torch)."""
import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")


def _pair(arr, rg=True):
    a = cl.tensor(arr, requires_grad=rg and arr.dtype.kind == "f")
    t = torch.tensor(arr, requires_grad=rg and arr.dtype.kind == "f")
    return a, t


def _cmp(a, t, rtol=1e-5, atol=1e-6):
    if isinstance(t, (tuple, list)):
        for x, y in zip(a, t):
            _cmp(x, y, rtol, atol)
        return
    assert tuple(a.shape) == tuple(t.shape), (a.shape, t.shape)
    assert str(a.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (a.dtype, t.dtype)
    np.testing.assert_allclose(a.detach().numpy().astype(np.float64),
                               t.detach().numpy().astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)


def check(fn_cl, fn_t, *arrays, grad=True, rtol=1e-5, atol=1e-6):
    cls, ts = zip(*[_pair(a, grad) for a in arrays])
    oc, ot = fn_cl(*cls), fn_t(*ts)
    _cmp(oc, ot, rtol, atol)
    if grad and isinstance(ot, torch.Tensor) and ot.requires_grad:
        g = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(np.float32)
        oc.backward(cl.tensor(g, dtype=oc.dtype))
        ot.backward(torch.tensor(g, dtype=ot.dtype))
        for c, t in zip(cls, ts):
            if t.requires_grad:
                assert c.grad is not None
                _cmp(c.grad, t.grad, rtol, atol)


R = np.random.default_rng(0)
A = R.standard_normal((3, 4)).astype(np.float32)
B = R.standard_normal((3, 4)).astype(np.float32)
ROW = R.standard_normal((4,)).astype(np.float32)
POS = (R.random((3, 4)) + 0.5).astype(np.float32)
UNIT = (R.random((3, 4)) * 1.8 - 0.9).astype(np.float32)

UNARY = ["exp", "log", "log2", "log10", "sqrt", "abs", "sin", "cos", "tan", "asin", "acos", "atan",
         "sinh", "cosh", "tanh", "sigmoid", "relu", "neg", "expm1", "log1p", "rsqrt", "reciprocal",
         "square", "erf", "floor", "ceil", "round", "trunc", "sign", "frac"]


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    src = POS if name in ("log", "log2", "log10", "sqrt", "rsqrt", "log1p") else \
        UNIT if name in ("asin", "acos") else A
    check(lambda x: getattr(cl, name)(x), lambda x: getattr(torch, name)(x), src)
    check(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), src)


BINARY = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
          ("div", lambda a, b: a / b), ("pow", lambda a, b: a.abs() ** b),
          ("max", lambda a, b: a.maximum(b) if hasattr(a, "maximum") else a.maximum(b)),
          ("atan2", lambda a, b: a.atan2(b)), ("min", lambda a, b: a.minimum(b))]


@pytest.mark.parametrize("name,f", BINARY)
@pytest.mark.parametrize("shapes", ["same", "row"])
def test_binary_broadcast(name, f, shapes):
    b = B if shapes == "same" else ROW
    check(f, f, A, b)


def test_scalar_forms():
    for f in (lambda x: x + 2, lambda x: 2 - x, lambda x: x * 3.5, lambda x: 1 / (x.abs() + 1),
              lambda x: x ** 2, lambda x: x ** 0.5 if False else x.abs() ** 1.5, lambda x: 2 ** x,
              lambda x: -x, lambda x: x.clamp(-0.5, 0.5), lambda x: x.clamp(min=0),
              lambda x: torch.clamp(x, max=0.1) if isinstance(x, torch.Tensor) else cl.clamp(x, max=0.1),
              lambda x: x.add(x, alpha=2), lambda x: x.sub(1, alpha=3)):
        check(f, f, A)


def test_addcmul_addcdiv():
    check(lambda a, b, c: cl.addcmul(a, b, c, value=0.5), lambda a, b, c: torch.addcmul(a, b, c, value=0.5), A, B, POS)
    check(lambda a, b, c: cl.addcdiv(a, b, c, value=2), lambda a, b, c: torch.addcdiv(a, b, c, value=2), A, B, POS)


RED = [("sum", {}), ("sum", {"dim": 1}), ("sum", {"dim": (0, 1), "keepdim": True}), ("mean", {}),
       ("mean", {"dim": 0}), ("var", {}), ("var", {"dim": 1, "unbiased": False}), ("std", {"dim": 0}),
       ("prod", {}), ("prod", {"dim": 1}), ("amax", {"dim": 1}), ("logsumexp", {"dim": 1}),
       ("norm", {}), ("norm", {"dim": 1}), ("cumsum", {"dim": 1}), ("softmax", {"dim": 1}),
       ("log_softmax", {"dim": 0}), ("max", {}), ("min", {})]


@pytest.mark.parametrize("name,kw", RED)
def test_reductions(name, kw):
    check(lambda x: getattr(x, name)(**kw), lambda x: getattr(x, name)(**kw), A)


def test_max_min_dim():
    check(lambda x: x.max(dim=1), lambda x: x.max(dim=1), A, grad=False)
    check(lambda x: x.max(dim=1).values, lambda x: x.max(dim=1).values, A)
    check(lambda x: x.min(0, keepdim=True)[0], lambda x: x.min(0, keepdim=True)[0], A)
    c, t = _pair(A)
    assert c.max(1).indices.tolist() == t.max(1).indices.tolist()
    assert c.argmax().item() == t.argmax().item()
    assert c.argmin(0).tolist() == t.argmin(0).tolist()


def test_sort_topk():
    check(lambda x: x.sort(1, descending=True).values, lambda x: x.sort(1, descending=True).values, A)
    check(lambda x: x.topk(2, dim=1).values, lambda x: x.topk(2, dim=1).values, A)
    c, t = _pair(A)
    assert c.topk(2).indices.tolist() == t.topk(2).indices.tolist()
    assert c.sort(0).indices.tolist() == t.sort(0).indices.tolist()
    assert c.argsort(1).tolist() == t.argsort(1).tolist()


MOVE = [lambda x: x.reshape(4, 3), lambda x: x.view(-1), lambda x: x.t(), lambda x: x.transpose(0, 1),
        lambda x: x.permute(1, 0), lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(0).squeeze(0),
        lambda x: x.flatten(), lambda x: x.expand(2, 3, 4), lambda x: x[1], lambda x: x[:, 1:3],
        lambda x: x[::2, ::-1] if isinstance(x, cl.Tensor) else x[::2].flip(1), lambda x: x[[0, 2, 2]],
        lambda x: x[x > 0], lambda x: x[..., None, 1], lambda x: x.flip(0), lambda x: x.roll(1, 1),
        lambda x: x.repeat(2, 3), lambda x: x.narrow(1, 1, 2), lambda x: x.select(0, 2),
        lambda x: x.index_select(1, type(x.long())(np.array([3, 0, 3])) if False else
                                 (cl.tensor([3, 0, 3]) if isinstance(x, cl.Tensor) else torch.tensor([3, 0, 3]))),
        lambda x: x.tril(), lambda x: x.triu(1), lambda x: x.chunk(2, 1)[1], lambda x: x.split([1, 2], 0)[1],
        lambda x: x.unbind(1)[2], lambda x: x.contiguous(), lambda x: x.clone(), lambda x: x.T,
        lambda x: x.unflatten(1, (2, 2)), lambda x: x.movedim(0, 1), lambda x: x.tile((2,)),
        lambda x: x.masked_fill(x > 0, 0.5), lambda x: x.diagonal(), lambda x: x.repeat_interleave(2, 0)]


@pytest.mark.parametrize("i", range(len(MOVE)))
def test_movement(i):
    check(MOVE[i], MOVE[i], A)


def test_cat_stack_where_gather_scatter():
    check(lambda a, b: cl.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1), A, B)
    check(lambda a, b: cl.stack([a, b], 2), lambda a, b: torch.stack([a, b], 2), A, B)
    check(lambda a, b: cl.where(a > b, a, b), lambda a, b: torch.where(a > b, a, b), A, B)
    check(lambda a: cl.where(a > 0, a, 0.0), lambda a: torch.where(a > 0, a, 0.0), A)
    idx = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    check(lambda a: a.gather(0, cl.tensor(idx)), lambda a: a.gather(0, torch.tensor(idx)), A)
    check(lambda a, b: a.scatter(0, cl.tensor(idx), b), lambda a, b: a.scatter(0, torch.tensor(idx), b), A, B[:2].copy())
    check(lambda a, b: a.scatter_add(0, cl.tensor(idx), b), lambda a, b: a.scatter_add(0, torch.tensor(idx), b), A, B[:2].copy())
    check(lambda a: cl.masked_select(a, a > 0), lambda a: torch.masked_select(a, a > 0), A)


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                                   ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2)),
                                   ((3, 4), (2, 4, 5))])
def test_matmul(sa, sb):
    a = R.standard_normal(sa).astype(np.float32)
    b = R.standard_normal(sb).astype(np.float32)
    check(lambda x, y: x @ y, lambda x, y: x @ y, a, b, rtol=1e-4, atol=1e-5)


def test_mm_bmm_errors():
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        cl.randn(2, 3) @ cl.randn(4, 5)
    with pytest.raises(RuntimeError, match="3D"):
        cl.bmm(cl.randn(2, 3), cl.randn(2, 3))
    check(lambda a, b: cl.einsum("ij,jk->ik", a, b), lambda a, b: torch.einsum("ij,jk->ik", a, b),
          A, B.T.copy(), rtol=1e-4)


def test_inplace_autograd_matches_torch():
    def f(lib):
        def g(x):
            y = x * 2
            y.add_(1)
            y.mul_(x)
            y[0] = y[0] * 3
            y[:, 1:2] += 5
            z = y.view(-1)
            z[2] = 0
            return y.exp_().sum()
        return g
    check(f(cl), f(torch), A / 4)


def test_relu_inplace_then_more():
    def f(x):
        h = x * 1.5
        h.relu_()
        return (h * h).sum()
    check(f, f, A)


def test_relu_backward_is_threshold_backward():
    # 0 where the output is <= 0, even for a NaN gradient; a NaN output passes the gradient
    out = []
    for lib in (cl, torch):
        x = lib.tensor([-1.0, 0.0, 2.0, float("nan")], requires_grad=True)
        y = x.relu()
        y.backward(lib.tensor([float("nan"), 1.0, float("nan"), 3.0]))
        out.append(x.grad.numpy())
    np.testing.assert_array_equal(out[0], out[1])
    x = cl.tensor([1.0, -1.0], dtype=cl.float64, requires_grad=True)
    g, = cl.autograd.grad((x.relu() ** 2).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "ThresholdBackwardBackward0"


def test_float16_cumsum_accumulates_in_float32():
    for lib in (cl, torch):
        x = lib.ones(5000, dtype=lib.float16)
        assert x.cumsum(0)[-1].item() == 5000.0 and x.cumsum(0).dtype == lib.float16


@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_gradients_with_zeros(dim):
    from corelib.testing import gradgradcheck
    arr = np.array([[1., 0., 2., 3., 0., 4.], [0., 2., 3., 0., 1., 2.], [1., 2., -3., 4., 5., 6.]])
    w = np.random.default_rng(3).standard_normal(arr.shape)
    grads = []
    for lib in (cl, torch):
        x = lib.tensor(arr, requires_grad=True)
        (x.cumprod(dim) * lib.tensor(w)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)
    assert gradgradcheck(lambda t: t.cumprod(dim), (cl.tensor(arr, requires_grad=True),))
    x = cl.full((3000,), 1.001, dtype=cl.float16)                   # float32 accumulation
    assert x.cumprod(0)[-1].item() == torch.full((3000,), 1.001, dtype=torch.float16).cumprod(0)[-1].item()


def test_as_strided_views_storage_and_empty_strided():
    for lib in (cl, torch):
        x = lib.arange(12.).reshape(3, 4)
        z = x[1:].as_strided((2, 2), (4, 1))
        assert z.tolist() == [[4.0, 5.0], [8.0, 9.0]] and z.storage_offset() == 4 and z.stride() == (4, 1)
        z[0, 0] = -1.0                                       # a view: writes reach x
        assert x[1, 0].item() == -1.0
        e = lib.empty_strided((2, 3), (1, 2))
        assert e.stride() == (1, 2) and not e.is_contiguous()
        assert lib.scalar_tensor(3).dtype == lib.float32 and lib.scalar_tensor(3).dim() == 0
    from corelib.testing import gradgradcheck
    assert gradgradcheck(lambda t: t.as_strided((3, 3), (1, 2), 1) ** 2,
                         (cl.tensor(np.random.default_rng(0).random(8), requires_grad=True),))


def test_finfo_iinfo_match_torch():
    for name in ("float16", "float32", "float64"):
        a, b = cl.finfo(getattr(cl, name)), torch.finfo(getattr(torch, name))
        for k in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(a, k) == getattr(b, k), (name, k)
        assert repr(a) == repr(b)
    assert cl.finfo().dtype == "float32"
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        a, b = cl.iinfo(getattr(cl, name)), torch.iinfo(getattr(torch, name))
        assert (a.bits, a.min, a.max, a.dtype, repr(a)) == (b.bits, b.min, b.max, b.dtype, repr(b))
    with pytest.raises(TypeError, match="iinfo"):
        cl.finfo(cl.int32)
    with pytest.raises(TypeError, match="finfo"):
        cl.iinfo(cl.float32)


def test_random_methods():
    assert cl.ones(4).bernoulli().tolist() == [1.0] * 4 and cl.zeros(3).bernoulli(1.0).tolist() == [1.0] * 3
    assert cl.tensor([[0.0, 1.0]]).multinomial(3, replacement=True).tolist() == [[1, 1, 1]]


def test_where_fast_path_matches_numpy():
    # the numba loop (large contiguous operands) gives numpy's values and result dtype
    from corelib.ops._special import where_np
    r = np.random.default_rng(0)
    y = r.standard_normal((64, 100)).astype(np.float32)
    g = r.standard_normal((64, 100)).astype(np.float32)
    c = y > 0
    for args in [(c, g, y), (c, g, 0), (c, 0.5, g), (c, g, np.float32(2)), (c, g.astype(np.float64), y),
                 (c, 1, 2), (c, g[:, ::2].repeat(2, 1), y)]:
        a, b = where_np(*args), np.where(*args)
        assert a.dtype == b.dtype and np.array_equal(a, b)
