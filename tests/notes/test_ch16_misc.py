"""Notes chapter 十六 (other functions): topk, compared with PyTorch."""
import numpy as np
import pytest

import corelib

torch = pytest.importorskip("torch")


def _pair(shape, seed=0, dtype=np.float32):
    a = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape).astype(dtype)
    return corelib.tensor(a), torch.tensor(a)


def _check(rc, rt):
    vc, ic = rc
    vt, it = rt
    assert tuple(vc.shape) == tuple(vt.shape)
    assert str(vc.dtype).replace("corelib.", "torch.") == str(vt.dtype)
    assert ic.dtype == corelib.int64 and it.dtype == torch.int64
    np.testing.assert_allclose(vc.numpy(), vt.numpy())
    np.testing.assert_array_equal(ic.numpy(), it.numpy())


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(k, dim, largest):
    c, t = _pair((5, 6))
    _check(corelib.topk(c, k, dim=dim, largest=largest), torch.topk(t, k, dim=dim, largest=largest))
    _check(c.topk(k, dim, largest), t.topk(k, dim, largest))


def test_topk_default_dim_is_last_and_named_fields():
    c, t = _pair((3, 4, 5))
    rc, rt = corelib.topk(c, 2), torch.topk(t, 2)
    _check(rc, rt)
    assert rc.values is rc[0] or np.array_equal(rc.values.numpy(), rc[0].numpy())
    np.testing.assert_array_equal(rc.indices.numpy(), rt.indices.numpy())
    values, indices = corelib.topk(c, k=3)
    assert values.shape == (3, 4, 3)
    assert type(rc).__name__ == "topk"


def test_topk_sorted_false_same_set():
    c, t = _pair((8,))
    vc, ic = corelib.topk(c, 3, sorted=False)
    assert sorted(vc.tolist()) == sorted(torch.topk(t, 3).values.tolist())
    np.testing.assert_array_equal(c.numpy()[ic.numpy()], vc.numpy())


def test_topk_int_float64_1d_and_scalar():
    for dt in (np.int64, np.float64, np.int32):
        c, t = _pair((7,), dtype=dt)
        _check(corelib.topk(c, 3), torch.topk(t, 3))
    _check(corelib.topk(corelib.tensor(5.), 1), torch.topk(torch.tensor(5.), 1))
    _check(corelib.topk(corelib.ones(4, 0), 0), torch.topk(torch.ones(4, 0), 0))


def test_topk_noncontiguous_and_out():
    c, t = _pair((4, 6))
    _check(corelib.topk(c.t(), 2, dim=0), torch.topk(t.t(), 2, dim=0))
    vo, io = corelib.empty(0), corelib.empty(0, dtype=corelib.int64)
    corelib.topk(c, 2, out=(vo, io))
    _check((vo, io), torch.topk(t, 2))


def test_topk_errors():
    c, _ = _pair((3, 4))
    with pytest.raises(RuntimeError):
        corelib.topk(c, 5)
    with pytest.raises(RuntimeError):
        corelib.topk(c, -1)
    with pytest.raises(IndexError):
        corelib.topk(c, 1, dim=2)


def test_topk_grad():
    a = np.array([[0.3, 0.9, 0.1], [0.5, 0.2, 0.8]], dtype=np.float32)
    c = corelib.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (corelib.topk(c, 2)[0] * corelib.tensor([1., 2.])).sum().backward()
    (torch.topk(t, 2)[0] * torch.tensor([1., 2.])).sum().backward()
    np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy())
    assert not corelib.topk(c, 1).indices.requires_grad


def test_topk_with_nan_largest():
    a = np.array([1., np.nan, 3., 2.], dtype=np.float32)
    _check(corelib.topk(corelib.tensor(a), 2), torch.topk(torch.tensor(a), 2))
