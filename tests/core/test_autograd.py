"""Autograd semantics: accumulation, retain_graph, create_graph, hooks, errors, grad modes."""
import numpy as np
import pytest

import corelib as cl
from corelib.testing import gradcheck, gradgradcheck, GradcheckError


def test_accumulates_and_leaf_flags():
    w = cl.tensor([1.0, 2.0], requires_grad=True)
    x = cl.tensor([2.0, 3.0])
    y = (w * x).sum()
    assert w.is_leaf and x.is_leaf and not y.is_leaf
    assert y.requires_grad and y.grad_fn is not None
    y.backward(retain_graph=True)
    y.backward()
    assert w.grad.tolist() == [4.0, 6.0]
    assert x.grad is None


def test_second_backward_through_freed_graph_errors():
    w = cl.tensor([1.0], requires_grad=True)
    y = (w.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_nonscalar_backward_needs_gradient():
    w = cl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        (w * 2).backward()
    (w * 2).backward(cl.tensor([1.0, 2.0, 3.0]))
    assert w.grad.tolist() == [2.0, 4.0, 6.0]


def test_inplace_on_leaf_errors_and_under_no_grad_ok():
    w = cl.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 5
    with cl.no_grad():
        w.add_(1)
    assert w.tolist() == [2.0, 2.0, 2.0] and w.requires_grad


def test_modified_saved_tensor_detected():
    a = cl.ones(2, 3, requires_grad=True)
    b = a * 2
    c = b * b          # saves b
    b.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[corelib.float32 \[2, 3\]\]"):
        c.sum().backward()
    y = a.exp()        # saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        y.sum().backward()


def test_higher_order():
    x = cl.tensor([2.0], requires_grad=True)
    y = x ** 3
    (g,) = cl.autograd.grad(y, x, create_graph=True)
    assert g.item() == pytest.approx(12.0)
    (g2,) = cl.autograd.grad(g, x, create_graph=True)
    assert g2.item() == pytest.approx(12.0)
    (g3,) = cl.autograd.grad(g2, x)
    assert g3.item() == pytest.approx(6.0)


def test_backward_create_graph_grad_of_grad():
    x = cl.tensor([0.5, -1.0], requires_grad=True)
    y = x.tanh().sum()
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad
    x2 = x.detach().requires_grad_()
    (h,) = cl.autograd.grad(gx.sum(), x)
    t = np.tanh(np.array([0.5, -1.0]))
    np.testing.assert_allclose(h.numpy(), -2 * t * (1 - t * t), rtol=1e-5)
    del x2


@pytest.mark.parametrize("f", [lambda x: x ** 3, lambda x: x.tanh(), lambda x: x.sigmoid(),
                               lambda x: cl.softmax(x, 1), lambda x: cl.log_softmax(x, 0),
                               lambda x: x @ x.t(), lambda x: (x * x.sin()).sum(1),
                               lambda x: x.exp() / x.exp().sum(), lambda x: x.abs().sqrt(),
                               lambda x: x.var(1), lambda x: x.norm(), lambda x: x.prod(0)])
def test_gradcheck_and_gradgradcheck(f):
    x = cl.tensor(np.random.default_rng(3).standard_normal((2, 3)) + 0.1, dtype=cl.float64, requires_grad=True)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_gradcheck_broadcast_and_noncontiguous():
    rng = np.random.default_rng(0)
    a = cl.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = cl.tensor(rng.standard_normal((3,)), requires_grad=True)
    c = cl.tensor(rng.standard_normal((1, 4, 1)), requires_grad=True)
    assert gradcheck(lambda a, b, c: (a * b + c.squeeze(0)) / (1 + b * b), (a, b, c))
    base = cl.tensor(rng.standard_normal((5, 6)), requires_grad=True)
    assert gradcheck(lambda t: (t.t()[::2, 1:] ** 2).exp(), (base,))
    assert gradcheck(lambda t: t.permute(1, 0).reshape(-1)[3:9].view(2, 3) @ t[:3, :2], (base,))


def test_gradcheck_reports_worst_entry():
    from corelib.autograd import Function

    class Wrong(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * 3
    x = cl.randn(3, dtype=cl.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="worst entry .* analytical 3 vs numerical 2"):
        gradcheck(lambda x: Wrong.apply(x), (x,))
    assert gradcheck(lambda x: Wrong.apply(x), (x,), raise_exception=False) is False


def test_hooks_and_retain_grad():
    x = cl.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[30.0, 30.0]]
    assert x.grad.tolist() == [30.0, 30.0]
    assert y.grad.tolist() == [10.0, 10.0]
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_no_grad_enable_grad_set_grad_enabled():
    x = cl.ones(2, requires_grad=True)
    with cl.no_grad():
        y = x * 2
        with cl.enable_grad():
            z = x * 2
    assert not y.requires_grad and z.requires_grad

    @cl.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    with cl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert cl.is_grad_enabled()
    cl.set_grad_enabled(False)
    assert not cl.is_grad_enabled()
    cl.set_grad_enabled(True)


def test_autograd_backward_grad_tensors_and_grad_allow_unused():
    a = cl.tensor([1.0, 2.0], requires_grad=True)
    b = cl.tensor([3.0], requires_grad=True)
    y1, y2 = a * 2, a * b
    cl.autograd.backward([y1, y2], [cl.ones(2), cl.tensor([1.0, 0.5])])
    assert a.grad.tolist() == [5.0, 3.5]
    assert b.grad.tolist() == [2.0]
    c = cl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        cl.autograd.grad((a * 2).sum(), [a, c])
    ga, gc = cl.autograd.grad((a * 2).sum(), [a, c], allow_unused=True)
    assert ga.tolist() == [2.0, 2.0] and gc is None


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="floating point"):
        cl.tensor([1, 2], requires_grad=True)
    x = cl.ones(2, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    d = y.detach()
    assert not d.requires_grad and d.numpy() is not None
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    with pytest.raises(RuntimeError, match="detach"):
        y.numpy()


def test_device_mismatch_and_cuda_errors():
    if cl.cuda.is_available():
        pytest.skip("a CUDA device (or Numba's simulator) is available: .to('cuda') works")
    x = cl.ones(2)
    with pytest.raises((RuntimeError, ImportError), match="(?i)cuda"):
        x.to("cuda")


def test_inplace_on_view_of_nonleaf_grad_flows():
    x = cl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(10)
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 10.0, 10.0]
    with pytest.raises(RuntimeError, match="view of a leaf"):
        x[1:].mul_(2)


def test_inf_and_nan_results_come_without_numpy_warnings():
    import warnings
    x = cl.tensor([0.0, -1.0, 1e30], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # as under `pytest -W error`
        ys = [x.log(), x.sqrt(), 1 / x, x.exp(), x.asin(), x.pow(-1), x.rsqrt(), x.log_softmax(0),
              cl.tensor([float("nan")]).long(), cl.tensor([0.0]) / 0]
    assert ys[0].isinf().any() and ys[1].isnan().any()
