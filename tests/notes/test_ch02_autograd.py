"""Notes chapter 二 (autograd): torch.autograd.backward / grad, retain_graph, create_graph,
grad_tensors and the three tips (grads accumulate, dependent nodes require grad, no in-place on
leaves), compared with PyTorch."""
import numpy as np
import pytest

import corelib

torch = pytest.importorskip("torch")


def _graph(lib):
    w = lib.tensor([1.], requires_grad=True)
    x = lib.tensor([2.], requires_grad=True)
    a = lib.add(w, x)
    b = lib.add(w, 1)
    y = lib.mul(a, b)
    return w, x, a, b, y


def test_backward_basic_and_leaves():
    w, x, a, b, y = _graph(corelib)
    tw, tx, ta, tb, ty = _graph(torch)
    y.backward()
    ty.backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    assert [t.is_leaf for t in (w, x, a, b, y)] == [t.is_leaf for t in (tw, tx, ta, tb, ty)]
    assert a.grad is None and b.grad is None  # non-leaf grads are not kept
    assert a.grad_fn.name() == ta.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.name() == ty.grad_fn.name() == "MulBackward0"
    assert w.grad_fn is None


def test_retain_grad():
    w, x, a, b, y = _graph(corelib)
    a.retain_grad()
    y.backward()
    tw, tx, ta, tb, ty = _graph(torch)
    ta.retain_grad()
    ty.backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    assert a.retains_grad and not b.retains_grad


def test_retain_graph():
    w, x, a, b, y = _graph(corelib)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [10.])
    w, x, a, b, y = _graph(corelib)
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()


def test_autograd_backward_function_and_grad_tensors():
    for lib in (corelib, torch):
        pass
    w, x, a, b, y0 = _graph(corelib)
    y1 = corelib.add(a, b)
    loss = corelib.cat([y0, y1], dim=0)
    corelib.autograd.backward(loss, grad_tensors=corelib.tensor([1., 2.]))
    tw, tx, ta, tb, ty0 = _graph(torch)
    ty1 = torch.add(ta, tb)
    tloss = torch.cat([ty0, ty1], dim=0)
    torch.autograd.backward(tloss, grad_tensors=torch.tensor([1., 2.]))
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())  # 9
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    # gradient= through Tensor.backward
    w, x, a, b, y0 = _graph(corelib)
    loss = corelib.cat([y0, corelib.add(a, b)])
    loss.backward(gradient=corelib.tensor([1., 2.]))
    np.testing.assert_allclose(w.grad.numpy(), [9.])
    # several tensors at once
    w, x, a, b, y0 = _graph(corelib)
    corelib.autograd.backward([y0, a], [corelib.tensor([1.]), corelib.tensor([3.])])
    np.testing.assert_allclose(w.grad.numpy(), [5. + 3.])


def test_backward_non_scalar_needs_gradient():
    x = corelib.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2).backward()
    with pytest.raises(RuntimeError):
        (x * 2).backward(corelib.ones(2))
    with pytest.raises(RuntimeError):
        corelib.ones(2).sum().backward()  # nothing requires grad


def test_autograd_grad_second_derivative():
    x = corelib.tensor([3.], requires_grad=True)
    y = corelib.pow(x, 2)
    g1 = corelib.autograd.grad(y, x, create_graph=True)
    assert isinstance(g1, tuple) and len(g1) == 1
    np.testing.assert_allclose(g1[0].detach().numpy(), [6.])
    assert g1[0].requires_grad
    g2 = corelib.autograd.grad(g1[0], x)
    np.testing.assert_allclose(g2[0].numpy(), [2.])
    assert x.grad is None  # grad() does not touch .grad
    tx = torch.tensor([3.], requires_grad=True)
    tg1 = torch.autograd.grad(torch.pow(tx, 2), tx, create_graph=True)
    tg2 = torch.autograd.grad(tg1[0], tx)
    np.testing.assert_allclose(g2[0].numpy(), tg2[0].numpy())


def test_autograd_grad_third_order_and_multiple_inputs():
    x = corelib.tensor([1.5, -0.5], dtype=corelib.float64, requires_grad=True)
    w = corelib.tensor([0.3, 2.0], dtype=corelib.float64, requires_grad=True)
    tx = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    tw = torch.tensor([0.3, 2.0], dtype=torch.float64, requires_grad=True)
    outs = []
    for lib, a, b in ((corelib, x, w), (torch, tx, tw)):
        y = (lib.sin(a) * b ** 3 + lib.exp(a * b)).sum()
        ga, gb = lib.autograd.grad(y, (a, b), create_graph=True)
        gaa, = lib.autograd.grad(ga.sum(), a, create_graph=True)
        gaaa, = lib.autograd.grad(gaa.sum(), a)
        outs.append([t.detach().numpy() for t in (ga, gb, gaa, gaaa)])
    for c, t in zip(*outs):
        np.testing.assert_allclose(c, t, rtol=1e-10)


def test_autograd_grad_options():
    x = corelib.tensor([1., 2.], requires_grad=True)
    z = corelib.tensor([1., 2.], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(RuntimeError):
        corelib.autograd.grad(y, [x, z], retain_graph=True)  # z unused
    gx, gz = corelib.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None
    np.testing.assert_allclose(gx.numpy(), [2., 4.])
    gx, gz = corelib.autograd.grad(y, [x, z], allow_unused=True, materialize_grads=True, retain_graph=True)
    np.testing.assert_allclose(gz.numpy(), [0., 0.])
    v = x * 3
    g, = corelib.autograd.grad(v, x, grad_outputs=corelib.tensor([1., 10.]))
    np.testing.assert_allclose(g.numpy(), [3., 30.])
    with pytest.raises(RuntimeError):
        corelib.autograd.grad((x * 2).sum(), corelib.ones(2))


def test_create_graph_backward_then_grad_of_grad():
    x = corelib.tensor([2.], requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.detach().numpy(), [12.])
    x.grad = None
    g.backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.])  # d(3x^2)/dx = 6x = 12
    tx = torch.tensor([2.], requires_grad=True)
    (tx ** 3).backward(create_graph=True)
    tg = tx.grad
    tx.grad = None
    tg.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# ---------------------------------------------------------------- the three tips
def test_tip1_gradients_accumulate_and_zero_():
    w = corelib.tensor([1.], requires_grad=True)
    x = corelib.tensor([2.], requires_grad=True)
    seen = []
    for _ in range(3):
        a = corelib.add(w, x)
        b = corelib.add(w, 1)
        y = corelib.mul(a, b)
        y.backward()
        seen.append(w.grad.item())
    assert seen == [5., 10., 15.]
    w.grad.zero_()
    assert w.grad.item() == 0.
    a = corelib.add(w, x)
    corelib.mul(a, corelib.add(w, 1)).backward()
    assert w.grad.item() == 5.


def test_tip2_dependent_nodes_require_grad():
    w, x, a, b, y = _graph(corelib)
    assert a.requires_grad and b.requires_grad and y.requires_grad
    c = corelib.ones(1) * 3
    assert not c.requires_grad
    with corelib.no_grad():
        d = w * 2
    assert not d.requires_grad and d.grad_fn is None
    e = w.detach() * 2
    assert not e.requires_grad
    assert corelib.is_grad_enabled()
    with corelib.no_grad():
        assert not corelib.is_grad_enabled()
        with corelib.enable_grad():
            assert (w * 2).requires_grad
    with corelib.set_grad_enabled(False):
        assert not (w * 2).requires_grad

    @corelib.no_grad()
    def f(t):
        return t * 2
    assert not f(w).requires_grad


def test_tip3_no_inplace_on_leaf():
    w = corelib.tensor([1.], requires_grad=True)
    with pytest.raises(RuntimeError):
        w.add_(1)
    with pytest.raises(RuntimeError):
        w += 1
    with pytest.raises(RuntimeError):
        w[0] = 2.
    with pytest.raises(RuntimeError):
        w.zero_()
    with corelib.no_grad():
        w.add_(1)  # allowed without recording
    assert w.item() == 2. and w.is_leaf and w.requires_grad
    w.data.add_(1)  # via .data as in the notes' era
    assert w.item() == 3.
    # out-of-place rebinding creates a new tensor (id changes), in-place keeps the id
    a = corelib.ones(1)
    i0 = id(a)
    a = a + corelib.ones(1)
    assert id(a) != i0
    b = corelib.ones(1)
    i1 = id(b)
    b += corelib.ones(1)
    assert id(b) == i1


def test_inplace_on_saved_tensor_detected():
    x = corelib.tensor([1., 2.], requires_grad=True)
    y = x * 1
    z = y.sin()  # sin saves its input
    y.add_(1)
    with pytest.raises(RuntimeError):
        z.sum().backward()
    x = corelib.tensor([1., 2.], requires_grad=True)
    y = x * 1
    z = y.exp()  # exp saves its output, so modifying the input is fine (as in torch)
    y.add_(1)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1., 2.]), rtol=1e-6)
    # in-place on a non-leaf that is not saved: fine and differentiable
    x = corelib.tensor([1., 2.], requires_grad=True)
    tx = torch.tensor([1., 2.], requires_grad=True)
    for a, lib in ((x, corelib), (tx, torch)):
        y = a * 2
        y.mul_(3)
        y[0] = y[0] * 5
        y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_register_hook_and_retain_grad_on_tensor():
    x = corelib.tensor([1., 2.], requires_grad=True)
    y = x * 3
    got = []
    h = y.register_hook(lambda g: got.append(g.numpy().copy()))
    y.register_hook(lambda g: g * 2)
    y.sum().backward()
    np.testing.assert_allclose(got[0], [1., 1.])
    np.testing.assert_allclose(x.grad.numpy(), [6., 6.])
    h.remove()
    x2 = corelib.ones(2, requires_grad=True)
    x2.register_hook(lambda g: g * 0)
    (x2 * 5).sum().backward()
    np.testing.assert_allclose(x2.grad.numpy(), [0., 0.])
    with pytest.raises(RuntimeError):
        corelib.ones(2).register_hook(lambda g: g)


def test_backward_inputs_argument():
    x = corelib.tensor([1.], requires_grad=True)
    z = corelib.tensor([1.], requires_grad=True)
    (x * z * 2).backward(inputs=[x])
    assert z.grad is None and x.grad.item() == 2.


def test_grad_of_broadcast_and_dtypes():
    a = corelib.ones(2, 3, dtype=corelib.float64, requires_grad=True)
    b = corelib.ones(3, dtype=corelib.float64, requires_grad=True)
    (a * b).sum().backward()
    assert b.grad.shape == (3,) and b.grad.dtype == corelib.float64
    np.testing.assert_allclose(b.grad.numpy(), [2., 2., 2.])
