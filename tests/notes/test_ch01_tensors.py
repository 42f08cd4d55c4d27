"""Notes chapter 一 (tensors): attributes, creation (1.1), operations (1.2) and printing,
compared with PyTorch."""
import numpy as np
import pytest

import corelib

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def same(c, t, rtol=1e-6, atol=1e-7, dtype=True):
    """corelib tensor c equals torch tensor t in values, shape and dtype."""
    assert tuple(c.shape) == tuple(t.shape), (tuple(c.shape), tuple(t.shape))
    if dtype:
        assert str(c.dtype).replace("corelib.", "torch.") == str(t.dtype), (c.dtype, t.dtype)
    np.testing.assert_allclose(_np(c).astype(np.float64), _np(t).astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def rep(c):
    return repr(c).replace("corelib.", "torch.")


# ---------------------------------------------------------------- attributes (一)
def test_tensor_attributes():
    c = corelib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    t = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    assert c.requires_grad and c.is_leaf and c.grad is None and c.grad_fn is None
    assert str(c.dtype) == "corelib.float32" and c.dtype == corelib.float32
    assert c.shape == (2, 2) and repr(c.shape) == "corelib.Size([2, 2])"
    assert isinstance(c.shape, corelib.Size) and isinstance(c.shape, tuple)
    assert str(c.device) == "cpu" and c.device.type == "cpu"
    assert c.size() == c.shape and c.size(0) == 2 and c.size(-1) == 2
    assert c.dim() == t.dim() and c.ndim == 2 and c.numel() == t.numel() == 4
    d = c.data
    assert not d.requires_grad and d.is_leaf
    np.testing.assert_array_equal(d.numpy(), t.data.numpy())
    y = c * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    z = (t * 2)
    assert z.grad_fn.name() == "MulBackward0" and y.grad_fn.name() == "MulBackward0"
    assert c.shape.numel() == 4


def test_data_shares_storage_and_not_tracked():
    c = corelib.ones(3, requires_grad=True)
    c.data.mul_(2)
    np.testing.assert_array_equal(c.detach().numpy(), [2, 2, 2])
    c.data[0] = 5.0
    assert c.detach().numpy()[0] == 5.0


def test_item_tolist_numpy():
    c = corelib.tensor([[1.5, 2.0]])
    assert c.tolist() == [[1.5, 2.0]] and isinstance(c[0, 0].item(), float)
    assert isinstance(corelib.tensor(3).item(), int)
    assert isinstance(corelib.tensor(True).item(), bool)
    with pytest.raises((RuntimeError, ValueError)):
        c.item()
    n = c.numpy()
    n[0, 0] = 9
    assert c[0, 0].item() == 9
    with pytest.raises(RuntimeError):
        corelib.ones(2, requires_grad=True).numpy()


# ---------------------------------------------------------------- 1.1.1 tensor / from_numpy
@pytest.mark.parametrize("data", [
    [1, 2, 3], [1., 2.], [[1, 2], [3, 4]], [True, False], 3, 2.5, True, [], [[1, 2.5]],
    np.arange(6, dtype=np.int32).reshape(2, 3), np.ones(3, dtype=np.float64),
    np.array([1, 2], dtype=np.uint8), np.array([1., 2.], dtype=np.float16),
])
def test_tensor_dtype_inference(data):
    c, t = corelib.tensor(data), torch.tensor(data)
    same(c, t)


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "int64", "int32", "int16", "int8",
                                "uint8", "bool"])
def test_tensor_explicit_dtype(dt):
    c = corelib.tensor([0, 1, 2], dtype=getattr(corelib, dt))
    t = torch.tensor([0, 1, 2], dtype=getattr(torch, dt))
    same(c, t)


def test_tensor_copies_and_requires_grad():
    a = np.ones(3)
    c = corelib.tensor(a, device="cpu", requires_grad=True, pin_memory=False)
    a[0] = 7
    assert c[0].item() == 1 and c.requires_grad and c.dtype == corelib.float64
    with pytest.raises(RuntimeError):
        corelib.tensor([1, 2], requires_grad=True)  # only float tensors can require grad


def test_from_numpy_shares_memory():
    a = np.array([1, 2, 3])
    c = corelib.from_numpy(a)
    assert c.dtype == corelib.int64
    a[0] = 100
    assert c[0].item() == 100
    c[1] = -5
    assert a[1] == -5
    c.add_(1)
    np.testing.assert_array_equal(a, [101, -4, 4])
    f = corelib.from_numpy(np.zeros((2, 2), dtype=np.float32))
    assert f.dtype == corelib.float32 and f.shape == (2, 2)


def test_as_tensor():
    a = np.arange(3.0)
    c = corelib.as_tensor(a)
    a[0] = 9
    assert c[0].item() == 9  # shares memory like torch.as_tensor of a numpy array
    same(corelib.as_tensor([1, 2], dtype=corelib.float32), torch.as_tensor([1, 2], dtype=torch.float32))


# ---------------------------------------------------------------- 1.1.2 by value
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_zeros_ones_empty(fn):
    for args in [(3,), (2, 3), ((2, 3),), ([2, 3],), (0,), ((),)]:
        c, t = getattr(corelib, fn)(*args), getattr(torch, fn)(*args)
        assert tuple(c.shape) == tuple(t.shape)
        assert c.dtype == corelib.float32
        if fn != "empty":
            same(c, t)
    c = getattr(corelib, fn)(2, dtype=corelib.int64, requires_grad=False)
    assert c.dtype == corelib.int64
    c = getattr(corelib, fn)((2,), dtype=corelib.float64, device="cpu", requires_grad=True,
                             layout=corelib.strided)
    assert c.requires_grad and c.dtype == corelib.float64 and c.is_leaf


def test_zeros_out():
    out = corelib.empty(2, 2)
    r = corelib.zeros(2, 2, out=out)
    assert r is out
    np.testing.assert_array_equal(out.numpy(), np.zeros((2, 2)))
    t_out = torch.empty(2)
    r = corelib.ones((3,), out=corelib.empty(2))
    assert r.shape == (3,) and torch.ones((3,), out=t_out).shape == (3,)


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like(fn):
    base_c = corelib.tensor([[1, 2], [3, 4]], dtype=corelib.float64)
    base_t = torch.tensor([[1, 2], [3, 4]], dtype=torch.float64)
    c, t = getattr(corelib, fn)(base_c), getattr(torch, fn)(base_t)
    assert tuple(c.shape) == tuple(t.shape) and c.dtype == corelib.float64
    if fn in ("zeros_like", "ones_like"):
        same(c, t)
    c = getattr(corelib, fn)(base_c, dtype=corelib.float32, requires_grad=True)
    assert c.dtype == corelib.float32 and c.requires_grad
    if fn in ("zeros_like", "ones_like"):
        same(getattr(corelib, fn)(corelib.tensor([1, 2])), getattr(torch, fn)(torch.tensor([1, 2])))


def test_full_and_full_like():
    same(corelib.full((3, 3), 10), torch.full((3, 3), 10))
    same(corelib.full((3, 3), 10.), torch.full((3, 3), 10.))
    same(corelib.full((2,), True), torch.full((2,), True))
    same(corelib.full((2, 2), 1.5, dtype=corelib.float64), torch.full((2, 2), 1.5, dtype=torch.float64))
    same(corelib.full([2], fill_value=3), torch.full([2], fill_value=3))
    same(corelib.full_like(corelib.ones(2, 3), 7), torch.full_like(torch.ones(2, 3), 7))
    same(corelib.full_like(corelib.ones(2, dtype=corelib.int64), 2.7),
         torch.full_like(torch.ones(2, dtype=torch.int64), 2.7))


@pytest.mark.parametrize("args,kw", [
    ((10,), {}), ((2, 10), {}), ((2, 10, 2), {}), ((1, 2.5, 0.5), {}), ((10, 0, -3), {}),
    ((0.,), {}), ((5,), {"dtype": "float32"}), ((1, 4), {"dtype": "float64"}), ((0, 1, 0.1), {}),
    ((), {"start": 1, "end": 5}), ((), {"end": 4}), ((-1.5, 2.5), {}),
])
def test_arange(args, kw):
    kwc = {k: getattr(corelib, v) if k == "dtype" else v for k, v in kw.items()}
    kwt = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
    same(corelib.arange(*args, **kwc), torch.arange(*args, **kwt))


def test_arange_errors():
    with pytest.raises(RuntimeError):
        corelib.arange(0, 10, 0)
    with pytest.raises(RuntimeError):
        corelib.arange(10, 0, 1)


@pytest.mark.parametrize("args", [(2, 10, 5), (0, 1, 1), (-1, 1, 4), (3, 10, 6), (10, 0, 5), (0, 1, 0)])
def test_linspace(args):
    same(corelib.linspace(*args), torch.linspace(*args))
    same(corelib.linspace(*args, dtype=corelib.float64), torch.linspace(*args, dtype=torch.float64))


def test_linspace_steps_keyword_and_requires_grad():
    c = corelib.linspace(start=0, end=1, steps=3, requires_grad=True)
    assert c.requires_grad and c.is_leaf
    same(c, torch.linspace(start=0, end=1, steps=3))


@pytest.mark.parametrize("args,kw", [((-10, 10, 5), {}), ((0, 2, 3), {"base": 2}), ((0, 1, 1), {}),
                                     ((1, 3, 4), {"base": 2.0}), ((2, 0, 3), {})])
def test_logspace(args, kw):
    same(corelib.logspace(*args, **kw), torch.logspace(*args, **kw), rtol=1e-5)


@pytest.mark.parametrize("args", [(3,), (2, 3), (3, 2), (0,), (1, 1)])
def test_eye(args):
    same(corelib.eye(*args), torch.eye(*args))
    same(corelib.eye(*args, dtype=corelib.int64), torch.eye(*args, dtype=torch.int64))
    same(corelib.eye(n=2, m=None), torch.eye(n=2))


# ---------------------------------------------------------------- 1.1.3 random
def test_normal_four_modes():
    corelib.manual_seed(1)
    a = corelib.normal(0., 1., size=(4,))
    assert a.shape == (4,) and a.dtype == corelib.float32
    mean = corelib.arange(1, 5, dtype=corelib.float32)
    std = corelib.arange(1, 5, dtype=corelib.float32)
    b = corelib.normal(mean, std)
    c = corelib.normal(1., std)
    d = corelib.normal(mean, 1.)
    for x in (b, c, d):
        assert x.shape == (4,) and x.dtype == corelib.float32
    # the t_normal modes broadcast like torch
    assert tuple(corelib.normal(corelib.zeros(3, 1), corelib.ones(1, 2)).shape) == \
        tuple(torch.normal(torch.zeros(3, 1), torch.ones(1, 2)).shape)
    # statistics
    corelib.manual_seed(0)
    big = corelib.normal(corelib.full((20000,), 3.), corelib.full((20000,), 2.))
    assert abs(big.mean().item() - 3) < 0.1 and abs(big.std().item() - 2) < 0.1
    corelib.manual_seed(0)
    x1 = corelib.normal(mean, std)
    corelib.manual_seed(0)
    x2 = corelib.normal(mean, std)
    np.testing.assert_array_equal(x1.numpy(), x2.numpy())


def test_normal_scalar_requires_size():
    with pytest.raises((TypeError, RuntimeError)):
        corelib.normal(0., 1.)


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn(fn):
    corelib.manual_seed(3)
    a = getattr(corelib, fn)(2, 3)
    corelib.manual_seed(3)
    b = getattr(corelib, fn)((2, 3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.shape == (2, 3) and a.dtype == corelib.float32
    c = getattr(corelib, fn)(4, dtype=corelib.float64, requires_grad=True)
    assert c.dtype == corelib.float64 and c.requires_grad
    assert getattr(corelib, fn)(0).shape == (0,)
    if fn == "rand":
        big = corelib.rand(10000)
        assert big.min().item() >= 0 and big.max().item() < 1
    g = corelib.Generator().manual_seed(5)
    g2 = corelib.Generator().manual_seed(5)
    np.testing.assert_array_equal(getattr(corelib, fn)(3, generator=g).numpy(),
                                  getattr(corelib, fn)(3, generator=g2).numpy())


def test_randint():
    corelib.manual_seed(0)
    a = corelib.randint(3, 10, (1000,))
    assert a.dtype == corelib.int64 and a.shape == (1000,)
    assert a.min().item() >= 3 and a.max().item() <= 9
    b = corelib.randint(5, (2, 2))
    assert b.shape == (2, 2) and b.max().item() < 5 and b.min().item() >= 0
    c = corelib.randint(low=0, high=2, size=(3,), dtype=corelib.float32)
    assert c.dtype == corelib.float32
    t = torch.randint(3, 10, (2,))
    assert str(t.dtype) == str(a.dtype).replace("corelib.", "torch.")


def test_randperm():
    corelib.manual_seed(0)
    p = corelib.randperm(10)
    assert p.dtype == corelib.int64 and sorted(p.tolist()) == list(range(10))
    assert corelib.randperm(0).shape == (0,)
    assert corelib.randperm(4, dtype=corelib.float32).dtype == corelib.float32


def test_bernoulli():
    corelib.manual_seed(0)
    p = corelib.full((20000,), 0.3)
    b = corelib.bernoulli(p)
    assert b.dtype == corelib.float32 and b.shape == p.shape
    assert set(np.unique(b.numpy()).tolist()) <= {0.0, 1.0}
    assert abs(b.mean().item() - 0.3) < 0.02
    np.testing.assert_array_equal(corelib.bernoulli(corelib.ones(5)).numpy(), np.ones(5))
    np.testing.assert_array_equal(corelib.bernoulli(corelib.zeros(5)).numpy(), np.zeros(5))
    g = corelib.Generator().manual_seed(1)
    g2 = corelib.Generator().manual_seed(1)
    np.testing.assert_array_equal(corelib.bernoulli(p, generator=g).numpy(),
                                  corelib.bernoulli(p, generator=g2).numpy())
    assert corelib.bernoulli(corelib.full((3,), 0.5, dtype=corelib.float64)).dtype == corelib.float64


def test_manual_seed_reproducible():
    corelib.manual_seed(42)
    a = (corelib.rand(3), corelib.randn(3), corelib.randint(0, 10, (3,)), corelib.randperm(5))
    corelib.manual_seed(42)
    b = (corelib.rand(3), corelib.randn(3), corelib.randint(0, 10, (3,)), corelib.randperm(5))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert corelib.initial_seed() == 42


# ---------------------------------------------------------------- 1.2.1 cat / stack / chunk / split
def _pair(shape=(2, 3), seed=0, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return corelib.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("dim", [0, 1, -1, -2])
def test_cat(dim):
    c, t = _pair()
    same(corelib.cat([c, c], dim=dim), torch.cat([t, t], dim=dim))
    same(corelib.cat((c, c, c), dim), torch.cat((t, t, t), dim))


def test_cat_default_dim_promotion_empty_and_errors():
    c, t = _pair()
    same(corelib.cat([c, c]), torch.cat([t, t]))
    same(corelib.cat([corelib.tensor([1, 2]), corelib.tensor([1.5])]),
         torch.cat([torch.tensor([1, 2]), torch.tensor([1.5])]))
    same(corelib.cat([c, corelib.tensor([])]), torch.cat([t, torch.tensor([])]))
    out = corelib.empty(0)
    corelib.cat([c, c], dim=0, out=out)
    same(out, torch.cat([t, t]))
    with pytest.raises(RuntimeError):
        corelib.cat([c, corelib.ones(2, 4)], dim=0)
    with pytest.raises((RuntimeError, ValueError)):
        corelib.cat([])
    with pytest.raises(IndexError):
        corelib.cat([c, c], dim=2)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(dim):
    c, t = _pair()
    same(corelib.stack([c, c, c], dim=dim), torch.stack([t, t, t], dim=dim))


def test_stack_default_and_errors():
    c, t = _pair()
    same(corelib.stack((c, c)), torch.stack((t, t)))
    with pytest.raises(RuntimeError):
        corelib.stack([c, corelib.ones(3, 2)])
    with pytest.raises(IndexError):
        corelib.stack([c, c], dim=3)


@pytest.mark.parametrize("chunks,dim,shape", [(2, 1, (2, 7)), (3, 1, (2, 7)), (7, 1, (2, 7)),
                                              (10, 1, (2, 7)), (2, 0, (5,)), (3, -1, (2, 6)),
                                              (4, 0, (6,)), (1, 0, (3, 2))])
def test_chunk(chunks, dim, shape):
    c, t = _pair(shape)
    rc, rt = corelib.chunk(c, chunks, dim=dim), torch.chunk(t, chunks, dim=dim)
    assert isinstance(rc, tuple) and len(rc) == len(rt)
    for x, y in zip(rc, rt):
        same(x, y)
    rc = c.chunk(chunks, dim)
    assert len(rc) == len(rt)


def test_chunk_default_dim_and_errors():
    c, t = _pair((5, 2))
    assert [tuple(x.shape) for x in corelib.chunk(c, 2)] == [tuple(x.shape) for x in torch.chunk(t, 2)]
    with pytest.raises(RuntimeError):
        corelib.chunk(c, 0)


@pytest.mark.parametrize("sp,dim", [(2, 1), ([2, 1, 2], 1), ((4, 1), 1), (1, 0), (10, 1), (2, -1),
                                    ([5], 1), ([0, 5], 1)])
def test_split(sp, dim):
    c, t = _pair((2, 5))
    rc, rt = corelib.split(c, sp, dim=dim), torch.split(t, sp, dim=dim)
    assert isinstance(rc, tuple) and len(rc) == len(rt)
    for x, y in zip(rc, rt):
        same(x, y)
    assert len(c.split(sp, dim)) == len(rt)


def test_split_errors_and_grad():
    c, t = _pair((2, 5))
    with pytest.raises(RuntimeError):
        corelib.split(c, [2, 2], dim=1)
    x = corelib.tensor(np.arange(5.0), requires_grad=True)
    a, b = corelib.split(x, [2, 3])
    (a.sum() * 2 + (b * b).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 2, 4, 6, 8])
    y = corelib.tensor(np.arange(6.0), requires_grad=True)
    p, q, r = corelib.chunk(y, 3)
    (q * 3).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0, 0, 3, 3, 0, 0])


def test_cat_stack_grad():
    a = corelib.ones(2, 2, requires_grad=True)
    b = corelib.ones(2, 2, requires_grad=True)
    (corelib.cat([a, b * 2], 1) * corelib.arange(4.)).sum().backward()
    ta = torch.ones(2, 2, requires_grad=True)
    tb = torch.ones(2, 2, requires_grad=True)
    (torch.cat([ta, tb * 2], 1) * torch.arange(4.)).sum().backward()
    same(a.grad, ta.grad)
    same(b.grad, tb.grad)
    a.grad = None
    corelib.stack([a, a], 2).sum().backward()
    same(a.grad, torch.full((2, 2), 2.))


# ---------------------------------------------------------------- 1.2.2 indexing
@pytest.mark.parametrize("dim,idx", [(0, [0, 2]), (1, [1]), (1, [2, 0, 2]), (-1, [0]), (0, [])])
def test_index_select(dim, idx):
    c, t = _pair((3, 3))
    ic = corelib.tensor(idx, dtype=corelib.int64)
    it = torch.tensor(idx, dtype=torch.int64)
    same(corelib.index_select(c, dim, ic), torch.index_select(t, dim, it))
    same(c.index_select(dim, ic), t.index_select(dim, it))
    same(corelib.index_select(c, dim=dim, index=ic), torch.index_select(t, dim=dim, index=it))


def test_index_select_int32_index_grad_and_errors():
    c, t = _pair((3, 3))
    same(corelib.index_select(c, 0, corelib.tensor([0, 2], dtype=corelib.int32)),
         torch.index_select(t, 0, torch.tensor([0, 2], dtype=torch.int32)))
    with pytest.raises((RuntimeError, IndexError)):
        corelib.index_select(c, 0, corelib.tensor([0.0, 1.0]))
    with pytest.raises((RuntimeError, IndexError)):
        corelib.index_select(c, 0, corelib.tensor([5]))
    with pytest.raises(IndexError):
        corelib.index_select(c, 0, corelib.tensor([-1]))  # torch: negative indices are out of range
    x = corelib.ones(3, 2, requires_grad=True)
    corelib.index_select(x, 0, corelib.tensor([0, 0, 2])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[2, 2], [0, 0], [1, 1]])


def test_masked_select():
    c, t = _pair((3, 3))
    same(corelib.masked_select(c, c.ge(0)), torch.masked_select(t, t.ge(0)))
    # broadcasting mask
    mc = corelib.tensor([True, False, True])
    mt = torch.tensor([True, False, True])
    same(corelib.masked_select(c, mc), torch.masked_select(t, mt))
    same(c.masked_select(mc), t.masked_select(mt))
    r = corelib.masked_select(c, corelib.zeros(3, 3, dtype=corelib.bool))
    assert r.shape == (0,) and r.dim() == 1
    x = corelib.tensor([1., -2., 3.], requires_grad=True)
    corelib.masked_select(x, x > 0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1, 0, 1])
    with pytest.raises((RuntimeError, TypeError)):
        corelib.masked_select(c, corelib.ones(3, 3))  # mask must be bool


def test_reshape_shares_memory_when_contiguous():
    c = corelib.randperm(8)
    r = corelib.reshape(c, (2, 4))
    assert r.shape == (2, 4)
    c[0] = 1024
    assert r[0, 0].item() == 1024
    same(corelib.reshape(c, (-1, 2)), torch.reshape(torch.tensor(c.numpy()), (-1, 2)))
    assert c.reshape(2, 2, 2).shape == (2, 2, 2) and c.reshape([4, -1]).shape == (4, 2)
    assert c.reshape(-1).shape == (8,)
    with pytest.raises(RuntimeError):
        c.reshape(3, 3)
    with pytest.raises(RuntimeError):
        c.reshape(-1, -1)


def test_view_and_contiguous():
    c = corelib.arange(6.).reshape(2, 3)
    v = c.view(3, 2)
    v[0, 0] = 100
    assert c[0, 0].item() == 100
    assert c.view(-1).shape == (6,) and c.view((6, 1)).shape == (6, 1)
    tt = c.t()
    assert not tt.is_contiguous()
    with pytest.raises(RuntimeError):
        tt.view(6)
    cc = tt.contiguous()
    assert cc.is_contiguous()
    tc = torch.arange(6.).reshape(2, 3)
    tc[0, 0] = 100
    same(cc.view(6), tc.t().contiguous().view(6))
    r = tt.reshape(6)  # reshape copies for non-contiguous input
    assert r.shape == (6,)


@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 2), (0, 2), (-1, 0), (1, 1)])
def test_transpose(d0, d1):
    c, t = _pair((2, 3, 4))
    same(corelib.transpose(c, d0, d1), torch.transpose(t, d0, d1))
    same(c.transpose(d0, d1), t.transpose(d0, d1))
    r = corelib.transpose(c, d0, d1)
    r[0, 0, 0] = 42.0
    assert 42.0 in c.numpy()  # a view


def test_t():
    c, t = _pair((2, 3))
    same(corelib.t(c), torch.t(t))
    same(c.t(), t.t())
    same(corelib.t(corelib.tensor([1., 2.])), torch.t(torch.tensor([1., 2.])))
    same(corelib.t(corelib.tensor(3.)), torch.t(torch.tensor(3.)))
    same(c.T, t.T)
    with pytest.raises(RuntimeError):
        corelib.t(corelib.ones(2, 2, 2))


@pytest.mark.parametrize("dim", [None, 0, 1, 2, 3, -1, -4])
def test_squeeze(dim):
    c, t = _pair((1, 2, 1, 3))
    if dim is None:
        same(corelib.squeeze(c), torch.squeeze(t))
        same(c.squeeze(), t.squeeze())
    else:
        same(corelib.squeeze(c, dim), torch.squeeze(t, dim))
        same(corelib.squeeze(c, dim=dim), torch.squeeze(t, dim=dim))
        same(c.squeeze(dim), t.squeeze(dim))


def test_squeeze_tuple_dims_and_errors():
    c, t = _pair((1, 2, 1, 3))
    same(corelib.squeeze(c, (0, 2)), torch.squeeze(t, (0, 2)))
    same(corelib.squeeze(c, (1, 2)), torch.squeeze(t, (1, 2)))
    with pytest.raises(IndexError):
        corelib.squeeze(c, 4)
    same(corelib.squeeze(corelib.tensor(1.)), torch.squeeze(torch.tensor(1.)))


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_unsqueeze(dim):
    c, t = _pair((2, 3))
    same(corelib.unsqueeze(c, dim), torch.unsqueeze(t, dim))
    same(c.unsqueeze(dim=dim), t.unsqueeze(dim=dim))
    with pytest.raises(IndexError):
        corelib.unsqueeze(c, 3)
    x = corelib.ones(2, requires_grad=True)
    (x.unsqueeze(0) * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 3])


# ---------------------------------------------------------------- 1.2.3 math
def test_add_with_alpha():
    a, ta = _pair((2, 3), 0)
    b, tb = _pair((2, 3), 1)
    same(corelib.add(a, b), torch.add(ta, tb))
    same(corelib.add(a, b, alpha=10), torch.add(ta, tb, alpha=10))
    same(corelib.add(a, other=b, alpha=0.5), torch.add(ta, other=tb, alpha=0.5))
    same(corelib.add(a, 2, alpha=3), torch.add(ta, 2, alpha=3))
    same(a.add(b, alpha=-1), ta.add(tb, alpha=-1))
    same(corelib.add(input=a, other=b, alpha=2), torch.add(input=ta, other=tb, alpha=2))
    x = a.clone()
    x.add_(b, alpha=2)
    same(x, ta + 2 * tb, rtol=1e-5)
    out = corelib.empty(2, 3)
    corelib.add(a, b, alpha=2, out=out)
    same(out, torch.add(ta, tb, alpha=2), rtol=1e-5)
    # int tensors: float alpha is an error in torch
    with pytest.raises((RuntimeError, TypeError)):
        corelib.add(corelib.tensor([1, 2]), corelib.tensor([1, 2]), alpha=0.5)
    same(corelib.add(corelib.tensor([1, 2]), corelib.tensor([1, 2]), alpha=3),
         torch.add(torch.tensor([1, 2]), torch.tensor([1, 2]), alpha=3))


def test_sub_mul_div():
    a, ta = _pair((2, 3), 0)
    b, tb = _pair((2, 3), 1)
    same(corelib.sub(a, b), torch.sub(ta, tb))
    same(corelib.sub(a, b, alpha=2), torch.sub(ta, tb, alpha=2), rtol=1e-5)
    same(corelib.mul(a, b), torch.mul(ta, tb))
    same(corelib.mul(a, 3), torch.mul(ta, 3))
    same(corelib.div(a, b), torch.div(ta, tb), rtol=1e-5)
    same(corelib.div(a, 2), torch.div(ta, 2))
    ia, ib = corelib.tensor([7, -7, 5]), corelib.tensor([2, 2, -3])
    tia, tib = torch.tensor([7, -7, 5]), torch.tensor([2, 2, -3])
    same(corelib.div(ia, ib), torch.div(tia, tib))  # true division -> float32
    same(corelib.div(ia, ib, rounding_mode="floor"), torch.div(tia, tib, rounding_mode="floor"))
    same(corelib.div(ia, ib, rounding_mode="trunc"), torch.div(tia, tib, rounding_mode="trunc"))
    same(corelib.div(a, b, rounding_mode="floor"), torch.div(ta, tb, rounding_mode="floor"))
    same(ia // ib, tia // tib)
    with pytest.raises(RuntimeError):
        corelib.div(ia, 0, rounding_mode="floor")  # integer division by zero
    with pytest.raises(RuntimeError):
        ia // corelib.tensor([1, 0, 1])
    same(ia % ib, tia % tib)


@pytest.mark.parametrize("value", [1, 0.5, -2])
def test_addcmul_addcdiv(value):
    a, ta = _pair((2, 3), 0)
    b, tb = _pair((2, 3), 1)
    d, td = _pair((2, 3), 2)
    same(corelib.addcmul(a, b, d, value=value), torch.addcmul(ta, tb, td, value=value), rtol=1e-5)
    same(corelib.addcdiv(a, b, d, value=value), torch.addcdiv(ta, tb, td, value=value), rtol=1e-5)
    same(a.addcmul(b, d, value=value), ta.addcmul(tb, td, value=value), rtol=1e-5)
    same(a.addcdiv(b, d, value=value), ta.addcdiv(tb, td, value=value), rtol=1e-5)
    x = a.clone()
    x.addcmul_(b, d, value=value)
    same(x, torch.addcmul(ta, tb, td, value=value), rtol=1e-5)
    x = a.clone()
    x.addcdiv_(b, d, value=value)
    same(x, torch.addcdiv(ta, tb, td, value=value), rtol=1e-5)


def test_addcmul_default_broadcast_and_grad():
    a = corelib.tensor([[1.], [2.]], requires_grad=True)
    b = corelib.tensor([1., 2., 3.], requires_grad=True)
    d = corelib.tensor([2., 2., 4.], requires_grad=True)
    ta = torch.tensor([[1.], [2.]], requires_grad=True)
    tb = torch.tensor([1., 2., 3.], requires_grad=True)
    td = torch.tensor([2., 2., 4.], requires_grad=True)
    (corelib.addcmul(a, b, d) + corelib.addcdiv(a, b, d, value=2)).sum().backward()
    (torch.addcmul(ta, tb, td) + torch.addcdiv(ta, tb, td, value=2)).sum().backward()
    for x, y in ((a, ta), (b, tb), (d, td)):
        same(x.grad, y.grad, rtol=1e-5)
    with pytest.raises((RuntimeError, TypeError)):
        corelib.addcdiv(corelib.tensor([1, 2]), corelib.tensor([1, 2]), corelib.tensor([1, 2]))


@pytest.mark.parametrize("fn", ["log", "log10", "log2", "exp", "abs", "sqrt", "sin", "cos", "tan",
                                "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid"])
def test_unary_math(fn):
    a = np.array([[0.1, 0.5, 0.9], [0.3, 0.7, 0.99]], dtype=np.float32)
    if fn in ("abs", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "sigmoid", "exp"):
        a = a * 2 - 1
    for dt in (np.float32, np.float64):
        x = a.astype(dt)
        c = corelib.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        rc, rt = getattr(corelib, fn)(c), getattr(torch, fn)(t)
        same(rc, rt, rtol=1e-5)
        same(getattr(c, fn)(), getattr(t, fn)(), rtol=1e-5)
        rc.sum().backward()
        rt.sum().backward()
        same(c.grad, t.grad, rtol=1e-4, atol=1e-6)
    # int input promotes to the default float dtype (abs keeps int)
    ic = getattr(corelib, fn)(corelib.tensor([1, 2]))
    it = getattr(torch, fn)(torch.tensor([1, 2]))
    same(ic, it, rtol=1e-5)
    out = corelib.empty(2, 3)
    r = getattr(corelib, fn)(corelib.tensor(a), out=out)
    assert r is out
    same(out, getattr(torch, fn)(torch.tensor(a)), rtol=1e-5)


def test_unary_math_special_values():
    x = [0., -1., float("inf"), float("nan"), 2.]
    for fn in ("log", "log2", "log10", "sqrt", "exp"):
        with np.errstate(all="ignore"):
            same(getattr(corelib, fn)(corelib.tensor(x)), getattr(torch, fn)(torch.tensor(x)))
    same(corelib.acos(corelib.tensor([2.])), torch.acos(torch.tensor([2.])))


@pytest.mark.parametrize("shape_b", [(2, 3), (3,), (1,), ()])
def test_atan2(shape_b):
    a, ta = _pair((2, 3), 0)
    b, tb = _pair(shape_b, 1)
    same(corelib.atan2(a, b), torch.atan2(ta, tb), rtol=1e-5)
    same(a.atan2(b), ta.atan2(tb), rtol=1e-5)
    a.requires_grad_()
    ta.requires_grad_()
    corelib.atan2(a, b).sum().backward()
    torch.atan2(ta, tb).sum().backward()
    same(a.grad, ta.grad, rtol=1e-4)
    same(corelib.atan2(corelib.tensor([0., 0.]), corelib.tensor([0., -1.])),
         torch.atan2(torch.tensor([0., 0.]), torch.tensor([0., -1.])))


@pytest.mark.parametrize("exp", [2, 0.5, -1, 0, 3.0])
def test_pow(exp):
    a = np.array([0.5, 1.5, 2.0, 3.0], dtype=np.float32)
    c = corelib.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    rc, rt = corelib.pow(c, exp), torch.pow(t, exp)
    same(rc, rt, rtol=1e-5)
    same(c ** exp, t ** exp, rtol=1e-5)
    same(c.pow(exp), t.pow(exp), rtol=1e-5)
    rc.sum().backward()
    rt.sum().backward()
    same(c.grad, t.grad, rtol=1e-5)


def test_pow_tensor_exponent_scalar_base_and_ints():
    a, ta = _pair((3,), 0)
    e = corelib.tensor([1., 2., 3.])
    te = torch.tensor([1., 2., 3.])
    same(corelib.pow(a, e), torch.pow(ta, te), rtol=1e-5)
    same(corelib.pow(2, e), torch.pow(2, te))
    same(2 ** e, 2 ** te)
    same(corelib.pow(corelib.tensor([2, 3]), 2), torch.pow(torch.tensor([2, 3]), 2))
    same(corelib.pow(corelib.tensor([2, 3]), 0.5), torch.pow(torch.tensor([2, 3]), 0.5), rtol=1e-6)
    same(corelib.pow(corelib.tensor([2, 3]), corelib.tensor([2, 3])),
         torch.pow(torch.tensor([2, 3]), torch.tensor([2, 3])))
    with pytest.raises(RuntimeError):
        corelib.pow(corelib.tensor([2, 3]), -1)
    same(corelib.pow(corelib.tensor([-8.]), 1 / 3), torch.pow(torch.tensor([-8.]), 1 / 3))
    x = corelib.tensor([2., 3.], requires_grad=True)
    tx = torch.tensor([2., 3.], requires_grad=True)
    corelib.pow(2, x).sum().backward()
    torch.pow(2, tx).sum().backward()
    same(x.grad, tx.grad, rtol=1e-5)
    with np.errstate(all="ignore"):
        z = corelib.tensor([0.], requires_grad=True)
        tz = torch.tensor([0.], requires_grad=True)
        corelib.pow(z, 2).backward()
        torch.pow(tz, 2).backward()
        same(z.grad, tz.grad)


def test_promotion_with_python_scalars():
    i = corelib.tensor([1, 2])
    ti = torch.tensor([1, 2])
    same(i + 1.5, ti + 1.5)
    same(i * 2, ti * 2)
    same(i / 2, ti / 2)
    same(corelib.tensor([1., 2.], dtype=corelib.float16) * 2.5,
         torch.tensor([1., 2.], dtype=torch.float16) * 2.5)
    same(corelib.tensor([1, 2], dtype=corelib.int32) + corelib.tensor(1.5, dtype=corelib.float64),
         torch.tensor([1, 2], dtype=torch.int32) + torch.tensor(1.5, dtype=torch.float64))
    same(corelib.tensor([1, 2], dtype=corelib.uint8) + corelib.tensor([1], dtype=corelib.int8),
         torch.tensor([1, 2], dtype=torch.uint8) + torch.tensor([1], dtype=torch.int8))
    same(corelib.tensor([True]) + corelib.tensor([True]), torch.tensor([True]) + torch.tensor([True]))
    same(corelib.tensor([1., 2.]) + corelib.tensor([1., 2.], dtype=corelib.float64),
         torch.tensor([1., 2.]) + torch.tensor([1., 2.], dtype=torch.float64))


# ---------------------------------------------------------------- DESIGN.md tensor contract
def test_to_cpu_float_long_clone_detach():
    c = corelib.tensor([1.7, -2.2], requires_grad=True)
    t = torch.tensor([1.7, -2.2], requires_grad=True)
    same(c.long(), t.long())
    same(c.float(), t.float())
    same(c.double(), t.double())
    same(c.to(corelib.float64), t.to(torch.float64))
    same(c.to("cpu"), t.to("cpu"))
    same(c.to(dtype=corelib.int32), t.to(dtype=torch.int32))
    same(c.to("cpu", corelib.float16), t.to("cpu", torch.float16), rtol=1e-3)
    same(c.to(corelib.zeros(1, dtype=corelib.int64)), t.to(torch.zeros(1, dtype=torch.int64)))
    assert c.to(corelib.float32) is c and c.cpu() is c
    assert c.to(corelib.float32, copy=True) is not c
    assert c.long().dtype == corelib.int64 and not c.long().requires_grad
    cl = c.clone()
    assert cl.requires_grad and not cl.is_leaf
    cl.sum().backward()
    np.testing.assert_array_equal(c.grad.numpy(), [1, 1])
    d = c.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 5
    assert c[0].item() == 5
    assert c.float().grad_fn is None  # same dtype: returns self


def test_requires_grad_():
    c = corelib.ones(2)
    assert c.requires_grad_() is c and c.requires_grad
    c.requires_grad_(False)
    assert not c.requires_grad
    with pytest.raises(RuntimeError):
        corelib.ones(2, dtype=corelib.int64).requires_grad_()


def test_cuda_method_without_gpu():
    cuda_ok = corelib.cuda.is_available()
    if not cuda_ok:
        with pytest.raises((RuntimeError, AssertionError)):
            corelib.ones(2).cuda()


def test_indexing_and_assignment():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    c, t = corelib.tensor(a), torch.tensor(a)
    for idx in [0, -1, (0, 1), (slice(None), 1), (Ellipsis, 0), (None, 0), (slice(None, None, 2),),
                (0, slice(1, None), slice(None, None, -1) if False else slice(None)),
                ([0, 1], [1, 2]), (slice(None), [0, 2]), (Ellipsis, None),
                (c.numpy() > 10,), (1, 2, 3)]:
            idx_t = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in idx) \
                if isinstance(idx, tuple) else idx
            idx_c = tuple(corelib.tensor(i) if isinstance(i, np.ndarray) else i for i in idx) \
                if isinstance(idx, tuple) else idx
            same(c[idx_c], t[idx_t])
    same(c[corelib.tensor([1, 0])], t[torch.tensor([1, 0])])
    same(c[c > 5], t[t > 5])
    c[0, 0] = 100
    t[0, 0] = 100
    c[:, 1, 2] = corelib.tensor([7., 8.])
    t[:, 1, 2] = torch.tensor([7., 8.])
    c[c > 20] = 0
    t[t > 20] = 0
    c[..., 0] += 1
    t[..., 0] += 1
    same(c, t)
    with pytest.raises(IndexError):
        c[2]


def test_operators():
    a, ta = _pair((2, 3), 0)
    b, tb = _pair((2, 3), 1)
    for op in ["+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "!="]:
        bb = b.abs() if op == "**" else b
        tbb = tb.abs() if op == "**" else tb
        aa = a.abs() if op == "**" else a
        taa = ta.abs() if op == "**" else ta
        same(eval(f"aa {op} bb"), eval(f"taa {op} tbb"), rtol=1e-5)
        same(eval(f"aa {op} 2"), eval(f"taa {op} 2"), rtol=1e-5)
        same(eval(f"2 {op} bb"), eval(f"2 {op} tbb"), rtol=1e-5)
    same(-a, -ta)
    same(abs(a), abs(ta))
    m, tm = _pair((3, 2), 2)
    same(a @ m, ta @ tm, rtol=1e-5)
    bc, bt = corelib.tensor([True, False]), torch.tensor([True, False])
    same(bc & ~bc, bt & ~bt)
    same(bc | bc, bt | bt)
    same(bc ^ bc, bt ^ bt)


def test_inplace_forms():
    a, ta = _pair((2, 3), 0)
    for name, args in [("add_", (1.0,)), ("sub_", (0.5,)), ("mul_", (2.0,)), ("div_", (4.0,)),
                       ("pow_", (2,)), ("exp_", ()), ("log_", ()), ("sqrt_", ()), ("abs_", ()),
                       ("clamp_", (0.5, 2.0)), ("neg_", ()), ("zero_", ()), ("fill_", (3.0,)),
                       ("sin_", ()), ("cos_", ()), ("tanh_", ()), ("sigmoid_", ())]:
        x, tx = a.abs() + 0.1, ta.abs() + 0.1
        r = getattr(x, name)(*args)
        getattr(tx, name)(*args)
        assert r is x, name
        same(x, tx, rtol=1e-5)
    x = corelib.ones(2)
    v = x._version
    x += 1
    assert x._version > v
    with pytest.raises(RuntimeError):
        corelib.ones(2, dtype=corelib.int64).add_(1.5)


# ---------------------------------------------------------------- printing
@pytest.mark.parametrize("expr", [
    "torch.tensor([1., 2., 3.])", "torch.tensor([0.1, 2.5, 300.])", "torch.tensor([1e-5, 1.0])",
    "torch.tensor([1e9, 1.0])", "torch.tensor([0.001, 1.5])", "torch.tensor([1.5, 999.0])",
    "torch.tensor([123456.789])", "torch.tensor(3.5)", "torch.tensor(3.)", "torch.tensor(3)",
    "torch.tensor(True)", "torch.tensor([True, False])", "torch.tensor([True, True])",
    "torch.tensor([1, -20, 300])", "torch.tensor([[1.5, 2.], [3., -4.25]])",
    "torch.tensor([1., 2.], requires_grad=True)", "torch.tensor([1., 2.], dtype=torch.float64)",
    "torch.tensor([1, 2], dtype=torch.int32)", "torch.tensor([1., 2.], dtype=torch.float16)",
    "torch.arange(2000)", "torch.arange(2000.).reshape(40, 50)", "torch.arange(30.)",
    "torch.arange(100.) / 7", "torch.arange(1001).reshape(7, 11, 13)", "torch.linspace(0, 1, 50)",
    "torch.tensor([float('nan'), 1.5, float('-inf')])", "torch.zeros(2, 3)", "torch.zeros(0)",
    "torch.zeros(0, 3)", "torch.zeros(0, dtype=torch.int64)", "torch.tensor([100000000.])",
    "torch.tensor([-1e10, 1.])", "torch.eye(3)", "torch.tensor([[True, False], [False, True]])",
    "torch.arange(24.).reshape(2, 3, 4) / 7", "torch.tensor([0.5] * 30, dtype=torch.float64)",
    "torch.ones(2, 3, dtype=torch.float64, requires_grad=True) * 2",
    "torch.tensor(-0.)", "torch.tensor([[1e-5, 1.], [2., 3.]])",
])
def test_repr_matches_torch(expr):
    c = eval(expr.replace("torch", "corelib"), {"corelib": corelib})
    t = eval(expr, {"torch": torch})
    assert rep(c) == repr(t)
    assert str(c).replace("corelib.", "torch.") == str(t)


def test_repr_grad_fn_and_parameter():
    x = corelib.tensor([1., 2.], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x + 1) == "tensor([2., 3.], grad_fn=<AddBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"
    assert repr(x.mean()) == "tensor(1.5000, grad_fn=<MeanBackward0>)"
    assert repr(corelib.nn.Parameter(corelib.ones(2))) == \
        repr(torch.nn.Parameter(torch.ones(2)))


def test_set_printoptions():
    try:
        corelib.set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        assert rep(corelib.tensor([1.12345, 2.5])) == repr(torch.tensor([1.12345, 2.5]))
        corelib.set_printoptions(threshold=5)
        torch.set_printoptions(threshold=5)
        assert rep(corelib.arange(10)) == repr(torch.arange(10))
        corelib.set_printoptions(sci_mode=False)
        torch.set_printoptions(sci_mode=False)
        assert rep(corelib.tensor([1e-5, 1.])) == repr(torch.tensor([1e-5, 1.]))
    finally:
        corelib.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert rep(corelib.tensor([1.12345])) == repr(torch.tensor([1.12345]))


def test_dtype_and_size_reprs():
    assert repr(corelib.float32) == "corelib.float32" and str(corelib.int64) == "corelib.int64"
    assert repr(corelib.ones(2, 3).shape) == "corelib.Size([2, 3])"
    assert corelib.float == corelib.float32 and corelib.long == corelib.int64
    assert corelib.double == corelib.float64 and corelib.get_default_dtype() == corelib.float32
    assert corelib.float32.is_floating_point and not corelib.int64.is_floating_point
