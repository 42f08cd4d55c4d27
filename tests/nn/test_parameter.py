import copy
import pickle

import numpy as np
import pytest

import corelib as cl
from corelib import nn


def test_parameter_is_leaf_tensor_sharing_data():
    t = cl.ones(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, cl.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    p.data.mul_(2)
    assert t.numpy()[0, 0] == 2.0          # shares memory with the given tensor
    q = nn.Parameter(t, requires_grad=False)
    assert not q.requires_grad


def test_parameter_from_nonleaf_is_leaf():
    x = cl.ones(3, requires_grad=True)
    y = x * 2
    p = nn.Parameter(y)
    assert p.is_leaf and p.requires_grad
    (p * 3).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(p.grad.numpy(), [3, 3, 3])


def test_parameter_default_and_int():
    p = nn.Parameter()
    assert p.shape == (0,) and p.requires_grad
    with pytest.raises(RuntimeError):
        nn.Parameter(cl.tensor([1, 2]))
    q = nn.Parameter(cl.tensor([1, 2]), requires_grad=False)
    assert q.dtype == cl.int64


def test_parameter_repr_matches_torch():
    torch = pytest.importorskip("torch")
    p = nn.Parameter(cl.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tp = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert repr(p) == repr(tp)
    assert repr(p).startswith("Parameter containing:\ntensor(")


def test_ops_on_parameter_give_tensor():
    p = nn.Parameter(cl.ones(2))
    assert type(p * 2) is cl.Tensor
    assert type(p.detach()) is cl.Tensor
    assert type(p.data) is cl.Tensor


def test_parameter_deepcopy():
    p = nn.Parameter(cl.randn(2, 2))
    p.grad = cl.ones(2, 2)
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad
    assert q is not p and not np.shares_memory(q.detach().numpy(), p.detach().numpy())
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    p2 = nn.Parameter(cl.randn(2), requires_grad=False)
    assert copy.deepcopy(p2).requires_grad is False
    # deepcopy memo: the same Parameter twice stays one object
    a, b = copy.deepcopy([p, p])
    assert a is b


def test_parameter_pickle():
    p = nn.Parameter(cl.randn(3, 2))
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is nn.Parameter and q.requires_grad and q.is_leaf
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    r = pickle.loads(pickle.dumps(nn.Parameter(cl.randn(2), requires_grad=False)))
    assert type(r) is nn.Parameter and not r.requires_grad


def test_buffer():
    t = cl.ones(3)
    b = nn.Buffer(t)
    assert isinstance(b, nn.Buffer) and not isinstance(t, nn.Buffer)
    assert b.persistent
    m = nn.Module()
    m.rm = b
    m.tmp = nn.Buffer(cl.zeros(2), persistent=False)
    assert list(m._buffers) == ["rm", "tmp"]
    assert list(m.state_dict()) == ["rm"]
