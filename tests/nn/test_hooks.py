import warnings

import numpy as np
import pytest

import corelib as cl
from corelib import nn
from nn_helpers import Affine, Tanh


class Block(nn.Module):
    """Two inputs, two outputs, a non-tensor argument: y1 = tanh(a(x) * y) * s, y2 = a(x)."""

    def __init__(self):
        super().__init__()
        self.a = Affine(3, 4)
        self.c = Affine(4, 2)

    def forward(self, x, y, s=1.0):
        h = self.a(x)
        return self.c((h * y).tanh() * s), h


def _torch_block(torch, m):
    tnn = torch.nn

    def t(p):
        return torch.tensor(np.array(p.detach().numpy()))

    class TAffine(tnn.Module):
        def __init__(self, a):
            super().__init__()
            self.w = tnn.Parameter(t(a.w))
            self.b = tnn.Parameter(t(a.b))

        def forward(self, x):
            return x @ self.w.t() + self.b

    class TBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.a = TAffine(m.a)
            self.c = TAffine(m.c)

        def forward(self, x, y, s=1.0):
            h = self.a(x)
            return self.c((h * y).tanh() * s), h

    return TBlock()


def _np(g):
    return None if g is None else np.asarray(g.detach().numpy())


def _compare(rec, trec):
    assert len(rec) == len(trec)
    for (name, gi, go), (tname, tgi, tgo) in zip(rec, trec):
        assert name == tname
        assert len(gi) == len(tgi) and len(go) == len(tgo)
        for a, b in zip(gi + go, tgi + tgo):
            if b is None:
                assert a is None
            else:
                assert a is not None
                np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("y_requires_grad", [True, False])
@pytest.mark.parametrize("use_second_output", [True, False])
def test_full_backward_hook_matches_torch(y_requires_grad, use_second_output):
    torch = pytest.importorskip("torch")
    m = Block()
    tm = _torch_block(torch, m)
    rec, trec = [], []
    for mod, r in ((m, rec), (tm, trec)):
        for name in ("", "a", "c"):
            sub = mod.get_submodule(name)
            sub.register_full_backward_hook(
                lambda module, gi, go, r=r, name=name: r.append((name, gi, go)))
    rng = np.random.default_rng(0)
    xn = rng.standard_normal((5, 3)).astype(np.float32)
    yn = rng.standard_normal((5, 4)).astype(np.float32)
    x = cl.tensor(xn, requires_grad=True)
    y = cl.tensor(yn, requires_grad=y_requires_grad)
    tx = torch.tensor(xn, requires_grad=True)
    ty = torch.tensor(yn, requires_grad=y_requires_grad)
    o1, o2 = m(x, y, 2.0)
    t1, t2 = tm(tx, ty, 2.0)
    loss = (o1 * o1).sum() + (o2.sum() * 3 if use_second_output else 0)
    tloss = (t1 * t1).sum() + (t2.sum() * 3 if use_second_output else 0)
    loss.backward()
    tloss.backward()
    _compare(rec, trec)
    # the outer hook: grad_input has one entry per argument (None for the float)
    assert len(rec[-1][1]) == 3 and rec[-1][1][2] is None
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-5, atol=1e-5)
    for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(_np(p.grad), _np(tp.grad), rtol=1e-5, atol=1e-5)


def test_full_backward_hook_replaces_grad_input_like_torch():
    torch = pytest.importorskip("torch")
    m = Block()
    tm = _torch_block(torch, m)
    rng = np.random.default_rng(1)
    xn = rng.standard_normal((2, 3)).astype(np.float32)
    yn = rng.standard_normal((2, 4)).astype(np.float32)

    def hook(module, gi, go):
        return tuple(None if g is None else g * 10 for g in gi)

    m.a.register_full_backward_hook(hook)
    tm.a.register_full_backward_hook(hook)
    x = cl.tensor(xn, requires_grad=True)
    tx = torch.tensor(xn, requires_grad=True)
    o1, _ = m(x, cl.tensor(yn))
    t1, _ = tm(tx, torch.tensor(yn))
    o1.sum().backward()
    t1.sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-5)
    # parameter gradients are not scaled (the hook only touches grad_input)
    np.testing.assert_allclose(_np(m.a.w.grad), _np(tm.a.w.grad), rtol=1e-5)


def test_backward_pre_hook_replaces_grad_output():
    torch = pytest.importorskip("torch")
    m = Block()
    tm = _torch_block(torch, m)
    rec, trec = [], []
    for mod, r in ((m, rec), (tm, trec)):
        mod.c.register_full_backward_pre_hook(lambda module, go, r=r: (r.append(go[0].shape), (go[0] * -2,))[1])
    xn = np.ones((2, 3), np.float32)
    x = cl.tensor(xn, requires_grad=True)
    tx = torch.tensor(xn, requires_grad=True)
    m(x, cl.ones(2, 4))[0].sum().backward()
    tm(tx, torch.ones(2, 4))[0].sum().backward()
    assert [tuple(s) for s in rec] == [tuple(s) for s in trec] == [(2, 2)]
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-5)
    np.testing.assert_allclose(_np(m.c.w.grad), _np(tm.c.w.grad), rtol=1e-5)


def test_full_backward_hook_no_input_requires_grad():
    m = Affine(3, 2)
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    m(cl.ones(4, 3)).sum().backward()
    (gi, go), = seen
    assert gi == (None,) and go[0].shape == (4, 2)
    m2 = Affine(3, 2)
    m2.register_full_backward_hook(lambda mod, gi, go: (cl.ones(1),))
    with pytest.raises(RuntimeError, match="no input requires gradient should always return None"):
        m2(cl.ones(4, 3)).sum().backward()


def test_full_backward_hook_wrong_length():
    m = Affine(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        m(cl.ones(4, 3, requires_grad=True)).sum().backward()


def test_full_backward_hook_handle_remove_and_no_grad():
    m = Affine(3, 2)
    seen = []
    h = m.register_full_backward_hook(lambda *a: seen.append(1))
    x = cl.ones(1, 3, requires_grad=True)
    with cl.no_grad():
        m(x)
    m(x).sum().backward()
    assert seen == [1]
    h.remove()
    m(x).sum().backward()
    assert seen == [1]
    assert not m._backward_hooks


def test_full_backward_hook_inplace_after_module_is_detected():
    m = Tanh()
    m.register_full_backward_hook(lambda *a: None)
    x = cl.randn(3, requires_grad=True)
    y = m(x)
    y.mul_(2)                     # tanh saved its output; the write must be noticed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_mixing_full_and_legacy_backward_hooks_is_an_error():
    m = Affine(2, 2)
    m.register_full_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        m.register_backward_hook(lambda *a: None)


def test_legacy_backward_hook():
    m = Affine(3, 2)
    seen = []

    def hook(mod, gi, go):
        seen.append((mod, gi, go))
        return tuple(None if g is None else g * 0 for g in gi)

    m.register_backward_hook(hook)
    x = cl.randn(4, 3, requires_grad=True)
    m(x).sum().backward()
    (mod, gi, go), = seen
    assert mod is m and go[0].shape == (4, 2)
    # last node is the bias add: grad_input = (grad wrt x@w.T, grad wrt b), b's reduced to (2,)
    assert [tuple(g.shape) for g in gi] == [(4, 2), (2,)]
    np.testing.assert_allclose(_np(gi[1]), [4.0, 4.0])
    assert float(abs(m.b.grad).sum()) == 0 and float(abs(x.grad).sum()) == 0


# ---- forward hooks ----------------------------------------------------------------------
def test_forward_pre_hook_replaces_input():
    m = Tanh()
    m.register_forward_pre_hook(lambda mod, args: args[0] * 0)       # non-tuple is wrapped
    assert float(m(cl.ones(3)).sum()) == 0
    m2 = Affine(2, 2)
    h = m2.register_forward_pre_hook(lambda mod, args: (cl.zeros(1, 2),))
    np.testing.assert_allclose(_np(m2(cl.ones(1, 2))), _np(m2.b)[None])
    h.remove()
    seen = []
    m2.register_forward_pre_hook(lambda mod, args: seen.append(args))
    x = cl.ones(1, 2)
    m2(x)
    assert seen[0][0] is x and isinstance(seen[0], tuple)


def test_forward_pre_hook_with_kwargs():
    class K(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    m = K()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": 3.0}), with_kwargs=True)
    assert float(m(cl.ones(1))) == 3.0
    m2 = K()
    m2.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m2(cl.ones(1))


def test_forward_hook_replaces_output_and_order():
    m = Tanh()
    order = []
    m.register_forward_hook(lambda mod, args, out: order.append("a"))
    m.register_forward_hook(lambda mod, args, out: (order.append("b"), out + 1)[1])
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    m.register_forward_pre_hook(lambda mod, args: order.append("pre"))
    out = m(cl.zeros(2))
    assert order == ["pre", "first", "a", "b"]
    np.testing.assert_allclose(_np(out), [1.0, 1.0])
    m2 = Tanh()
    m2.register_forward_hook(lambda mod, args, kwargs, out: (args, kwargs, out), with_kwargs=True)
    a, k, o = m2(cl.zeros(1))
    assert isinstance(a, tuple) and k == {}


def test_forward_hook_feature_map_capture_as_in_notes():
    # notes 11.1.2: hook(module, input, output) to grab a layer's feature map
    net = nn.Sequential(Affine(3, 4), Tanh(), Affine(4, 2))
    fmap, inputs = [], []

    def forward_hook(module, data_input, data_output):
        fmap.append(data_output)
        inputs.append(data_input)

    net[1].register_forward_hook(forward_hook)
    x = cl.randn(2, 3)
    net(x)
    assert fmap[0].shape == (2, 4) and inputs[0][0].shape == (2, 4)


def test_forward_hook_always_call():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append("always"), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("normal"))
    with pytest.raises(ValueError, match="boom"):
        m(cl.ones(1))
    assert seen == ["always"]


def test_handles_remove_and_context_manager():
    m = Tanh()
    seen = []
    h1 = m.register_forward_hook(lambda *a: seen.append(1), with_kwargs=False, always_call=True)
    with m.register_forward_pre_hook(lambda *a: seen.append(0), with_kwargs=True):
        m(cl.ones(1))
    m(cl.ones(1))
    h1.remove()
    h1.remove()                     # idempotent
    m(cl.ones(1))
    assert seen == [0, 1, 1]
    assert not m._forward_hooks and not m._forward_pre_hooks
    assert not m._forward_hooks_always_called and not m._forward_pre_hooks_with_kwargs


def test_hook_semantics_vs_torch_forward():
    torch = pytest.importorskip("torch")
    calls = {}
    for lib, mod in (("cl", nn), ("torch", torch.nn)):
        class Scale(mod.Module):
            def forward(self, x, k=2):
                return x * k
        m = Scale()
        log = calls.setdefault(lib, [])
        m.register_forward_pre_hook(lambda mod_, args: log.append(("pre", len(args))))
        m.register_forward_hook(lambda mod_, args, out: log.append(("fwd", len(args), tuple(out.shape))))
        m(torch.ones(3) if lib == "torch" else cl.ones(3), k=3)
    assert calls["cl"] == calls["torch"]


def test_non_tensor_output_warns_with_backward_hook():
    class Lst(nn.Module):
        def forward(self, x):
            return [x * 2]

    m = Lst()
    m.register_full_backward_hook(lambda *a: None)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m(cl.ones(1, requires_grad=True))
    assert any("module output should be a Tensor" in str(x.message) for x in w)
