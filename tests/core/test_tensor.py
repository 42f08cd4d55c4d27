"""Tensor basics: dtypes and promotion, views and memory sharing, creation, RNG, printing."""
import numpy as np
import pytest

import corelib as cl

torch = None
try:
    import torch
except ImportError:
    pass


def test_default_dtypes():
    assert cl.tensor([1, 2]).dtype is cl.int64
    assert cl.tensor([1.0, 2]).dtype is cl.float32
    assert cl.tensor([True]).dtype is cl.bool
    assert cl.tensor(np.zeros(2)).dtype is cl.float64
    assert cl.zeros(2).dtype is cl.float32
    assert cl.arange(3).dtype is cl.int64 and cl.arange(0, 1, 0.5).dtype is cl.float32
    assert cl.full((2,), 7).dtype is cl.int64 and cl.full((2,), 1.5).dtype is cl.float32
    assert cl.randperm(4).dtype is cl.int64 and cl.randint(0, 3, (2,)).dtype is cl.int64


PROMO = [("float32", "float64"), ("int32", "int64"), ("uint8", "int8"), ("int64", "float16"),
         ("bool", "int32"), ("bool", "float32"), ("int16", "uint8"), ("float16", "float32")]


@pytest.mark.parametrize("a,b", PROMO)
def test_promotion_tensor_tensor(a, b):
    x = cl.ones(2, dtype=getattr(cl, a if a != "bool" else "bool"))
    y = cl.ones(2, dtype=getattr(cl, b))
    got = (x + y).dtype.name
    if torch is not None:
        tx = torch.ones(2, dtype=getattr(torch, a))
        ty = torch.ones(2, dtype=getattr(torch, b))
        assert got == str((tx + ty).dtype).split(".")[1]


def test_promotion_scalars_and_zero_dim():
    f = cl.ones(2)
    i = cl.ones(2, dtype=cl.int32)
    assert (f * 2.5).dtype is cl.float32
    assert (i * 2).dtype is cl.int32
    assert (i * 2.5).dtype is cl.float32
    assert (i / 2).dtype is cl.float32
    assert (cl.ones(2, dtype=cl.bool) + 1).dtype is cl.int64
    assert (f + cl.tensor(1.0, dtype=cl.float64)).dtype is cl.float32
    assert (i + cl.tensor(1.5)).dtype is cl.float32
    assert (cl.ones(2, dtype=cl.float16) + 1.0).dtype is cl.float16
    assert (f > 0).dtype is cl.bool
    assert cl.result_type(i, 1.0) is cl.float32


def test_views_share_memory():
    a = np.arange(12, dtype=np.float32)
    t = cl.from_numpy(a)
    a[0] = 100
    assert t[0].item() == 100
    t[1] = -1
    assert a[1] == -1
    assert np.shares_memory(t.numpy(), a)
    for v in (t.view(3, 4), t.reshape(3, 4), t.view(3, 4).t(), t.view(3, 4).transpose(0, 1),
              t.view(3, 4).permute(1, 0), t.view(1, 12).squeeze(0), t.unsqueeze(0), t[2:5],
              t.view(3, 4)[:, 1], t.view(12, 1).expand(12, 3), t.view(3, 4).narrow(1, 0, 2),
              t.view(3, 4).select(1, 2), t.view(2, 6).chunk(2, 1)[1], t.flatten()):
        assert np.shares_memory(v.numpy(), a), v
    c = t.view(3, 4).t()
    assert not c.is_contiguous() and c.contiguous().is_contiguous()
    assert not np.shares_memory(c.reshape(-1).numpy(), a)        # reshape copies when it must
    assert not np.shares_memory(t[[0, 1]].numpy(), a)            # advanced indexing copies
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        c.view(-1)


def test_version_counter_shared_by_views():
    t = cl.zeros(4)
    v = t[1:]
    v.add_(1)
    assert t._version == v._version == 1
    assert t.tolist() == [0.0, 1.0, 1.0, 1.0]


def test_indexing_get_set():
    t = cl.arange(12).reshape(3, 4)
    assert t[1, 2].item() == 6
    assert t[-1].tolist() == [8, 9, 10, 11]
    assert t[:, [0, 3]].tolist() == [[0, 3], [4, 7], [8, 11]]
    assert t[t > 9].tolist() == [10, 11]
    assert t[cl.tensor([2, 0])].shape == (2, 4)
    assert t[None, ..., 0].shape == (1, 3)
    t[0] = 7
    t[t == 11] = -1
    t[:, 1] = cl.tensor([5, 5, 5])
    assert t.tolist() == [[7, 5, 7, 7], [4, 5, 6, 7], [8, 5, 10, -1]]
    with pytest.raises(IndexError):
        t[5]


def test_creation_functions():
    assert cl.zeros(2, 3).shape == cl.Size([2, 3]) == (2, 3)
    assert cl.zeros((2, 3)).shape == (2, 3)
    assert cl.ones_like(cl.zeros(2, dtype=cl.int8)).dtype is cl.int8
    assert cl.full_like(cl.zeros(2), 3).tolist() == [3.0, 3.0]
    assert cl.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert cl.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert cl.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert cl.arange(1, 2.5, 0.5).tolist() == [1.0, 1.5, 2.0]
    out = cl.empty(3)
    r = cl.zeros(3, out=out)
    assert r is out and out.tolist() == [0, 0, 0]
    assert cl.zeros(2, requires_grad=True).requires_grad
    a = np.ones(3)
    assert np.shares_memory(cl.as_tensor(a).numpy(), a)
    assert not np.shares_memory(cl.tensor(a).numpy(), a)


def test_normal_four_modes_and_randomness():
    cl.manual_seed(0)
    a = cl.normal(0.0, 1.0, size=(1000,))
    assert abs(a.mean().item()) < 0.15 and abs(a.std().item() - 1) < 0.1
    m = cl.arange(4, dtype=cl.float32)
    assert cl.normal(m, 0.0).tolist() == m.tolist()
    assert cl.normal(2.0, cl.zeros(3)).tolist() == [2.0, 2.0, 2.0]
    assert cl.normal(m, cl.ones(4) * 0).tolist() == m.tolist()
    cl.manual_seed(42)
    x1 = [cl.rand(3).tolist(), cl.randn(2).tolist(), cl.randint(0, 10, (4,)).tolist(), cl.randperm(5).tolist()]
    cl.manual_seed(42)
    x2 = [cl.rand(3).tolist(), cl.randn(2).tolist(), cl.randint(0, 10, (4,)).tolist(), cl.randperm(5).tolist()]
    assert x1 == x2
    g = cl.Generator().manual_seed(3)
    assert cl.rand(2, generator=g).tolist() == cl.rand(2, generator=cl.Generator().manual_seed(3)).tolist()
    b = cl.bernoulli(cl.full((1000,), 0.3))
    assert set(b.unique().tolist()) <= {0.0, 1.0} and 0.2 < b.mean().item() < 0.4
    state = cl.get_rng_state()
    r1 = cl.rand(2).tolist()
    cl.set_rng_state(state)
    assert cl.rand(2).tolist() == r1


def test_conversions_and_methods():
    t = cl.tensor([[1.5, -2.0]])
    assert t.long().dtype is cl.int64 and t.long().tolist() == [[1, -2]]
    assert t.double().dtype is cl.float64 and t.int().dtype is cl.int32 and t.bool().dtype is cl.bool
    assert t.to(cl.float16).dtype is cl.float16 and t.to("cpu") is t
    assert t.size() == (1, 2) and t.size(1) == 2 and t.dim() == 2 and t.numel() == 2
    assert t[0, 0].item() == 1.5 and isinstance(t.tolist(), list)
    assert t.device == cl.device("cpu") and str(t.device) == "cpu"
    assert t.type() == "corelib.FloatTensor"
    assert t.type(cl.DoubleTensor).dtype is cl.float64 and t.type("torch.IntTensor").dtype is cl.int32
    assert cl.LongTensor([1, 2]).dtype is cl.int64 and cl.FloatTensor(2, 3).shape == (2, 3)
    with pytest.raises(ValueError, match="invalid type"):
        t.type("corelib.FooTensor")
    assert t[0, 1:].storage_offset() == 1 and t[0, 1:].data_ptr() - t.data_ptr() == 4
    assert t.get_device() == -1
    p = t.pin_memory()
    assert p.is_pinned() and not t.is_pinned() and p is not t and p.pin_memory() is p
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        t.item()
    assert float(cl.tensor(2.5)) == 2.5 and int(cl.tensor(3)) == 3


def test_repr():
    assert repr(cl.tensor([1.0, 2.0, 3.0])) == "tensor([1., 2., 3.])"
    assert repr(cl.tensor([0.1, 2.0])) == "tensor([0.1000, 2.0000])"
    assert repr(cl.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(cl.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(cl.tensor([1.0], dtype=cl.float64)) == "tensor([1.], dtype=corelib.float64)"
    x = cl.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"
    assert repr(cl.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"


def test_named_tuples():
    t = cl.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = t.max(dim=1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    v, i = t.min(0)
    assert v.tolist() == [1.0, 2.0] and i.tolist() == [0, 1]
    k = cl.topk(t.flatten(), 2)
    assert k.values.tolist() == [7.0, 5.0] and k.indices.tolist() == [2, 1]
    s = t.flatten().sort()
    assert s.values.tolist() == [1.0, 2.0, 5.0, 7.0]


def test_split_chunk_cat_errors():
    t = cl.arange(10)
    assert [c.tolist() for c in cl.chunk(t, 3)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [c.numel() for c in cl.split(t, [3, 7])] == [3, 7]
    assert [c.numel() for c in cl.split(t, 4)] == [4, 4, 2]
    with pytest.raises(RuntimeError, match="Sizes of tensors must match"):
        cl.cat([cl.zeros(2, 3), cl.zeros(3, 2)], 0)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        cl.stack([cl.zeros(2), cl.zeros(3)])
    with pytest.raises(RuntimeError, match="invalid for input of size"):
        cl.zeros(6).view(4, -1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        cl.zeros(2, 3).sum(5)


def test_mixed_device_error_message():
    from corelib.autograd import Function
    a = cl.ones(2)
    fake = cl.ones(2)
    fake._device = cl.device("cuda:0")
    with pytest.raises(RuntimeError, match="same device.*cpu and cuda:0|cuda:0 and cpu"):
        a + fake
