"""Autograd edges a PyTorch user hits, checked against torch: grad_tensors dtypes, autograd.grad
options (materialize_grads, is_grads_batched), grad-mode decorators, post-accumulate hooks,
anomaly mode, PyTorch-style custom Functions (ctx API) and autograd.functional."""
import warnings

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")

LIBS = [cl, torch]


def _np(x):
    return x.detach().numpy()


def _both(fn):
    a, b = fn(cl), fn(torch)
    return a, b


def _close(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    elif a is None:
        assert b is None
    else:
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6, atol=1e-7)


# ---- backward / grad arguments ------------------------------------------------------------------

@pytest.mark.parametrize("gdtype", ["int64", "float64"])
def test_grad_tensor_is_cast_to_the_output_dtype(gdtype):
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (x * 2).backward(L.tensor([1, 3], dtype=getattr(L, gdtype)))
        return x.grad
    a, b = _both(run)
    _close(a, b)


def test_backward_inputs_empty_is_an_error():
    for L in LIBS:
        x = L.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="cannot be empty"):
            (x * 2).sum().backward(inputs=[])


def test_materialize_grads_with_allow_unused_false_is_a_value_error():
    for L in LIBS:
        x, z = L.ones(2, requires_grad=True), L.ones(1, requires_grad=True)
        with pytest.raises(ValueError, match="allow_unused"):
            L.autograd.grad((x * x).sum(), [x, z], materialize_grads=True, allow_unused=False)


def test_grad_is_grads_batched():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.exp() * x
        eye = L.eye(3)
        (j,) = L.autograd.grad(y, x, grad_outputs=eye, is_grads_batched=True)
        y2 = (x ** 3).sum()
        (g,) = L.autograd.grad(y2, x, create_graph=True)
        (h,) = L.autograd.grad(g, x, grad_outputs=eye, is_grads_batched=True)
        return j, h, x.grad
    a, b = _both(run)
    _close(a, b)


def test_grad_outputs_count_must_match():
    x = cl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="one grad_output per output"):
        cl.autograd.grad([x.sum(), (x * 2).sum()], x, grad_outputs=[cl.tensor(1.0)])


# ---- hooks ----------------------------------------------------------------------------------------

def test_post_accumulate_grad_hook_must_return_none():
    for L in LIBS:
        x = L.ones(2, requires_grad=True)
        x.register_post_accumulate_grad_hook(lambda p: p * 2)
        with pytest.raises(RuntimeError, match="should return None"):
            (x * 2).sum().backward()


def test_post_accumulate_hook_sees_accumulated_grad_and_removal():
    def run(L):
        log = []
        x = L.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 10)
        h = x.register_post_accumulate_grad_hook(lambda p: log.append(p.grad.tolist()))
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        h.remove()
        (x * 3).sum().backward()
        return log, x.grad.tolist()
    a, b = _both(run)
    assert a == b


# ---- grad modes -------------------------------------------------------------------------------

def test_bare_decorators_and_nesting():
    def run(L):
        res = []

        @L.no_grad
        def f():
            return L.is_grad_enabled()

        @L.enable_grad
        def g():
            return L.is_grad_enabled()

        @L.inference_mode
        def h():
            return L.is_grad_enabled()

        res += [f(), L.is_grad_enabled()]
        with L.no_grad():
            res += [g(), L.is_grad_enabled()]
            with L.enable_grad():
                res.append(L.is_grad_enabled())
                with L.set_grad_enabled(False):
                    res.append(L.is_grad_enabled())
            res.append(L.is_grad_enabled())
        res += [h(), L.is_grad_enabled()]
        x = L.ones(1, requires_grad=True)
        with L.inference_mode(False):
            res.append((x * 2).requires_grad)
        return res
    a, b = _both(run)
    assert a == b


# ---- anomaly mode -------------------------------------------------------------------------------

def test_detect_anomaly_names_the_node_that_returned_nan():
    for L in LIBS:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with L.autograd.detect_anomaly():
                y = (x * 0 - 1).sqrt().sum()
                with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values in its 0th output"):
                    y.backward()
        y = (x * 0 - 1).sqrt().sum()
        y.backward()                      # outside anomaly mode: nan gradients, no error
        assert np.isnan(_np(x.grad)).all()
    assert not cl.autograd.is_anomaly_enabled()
    with cl.autograd.set_detect_anomaly(True):
        assert cl.autograd.is_anomaly_enabled()
    assert not cl.autograd.is_anomaly_enabled()


# ---- PyTorch-style custom Functions ---------------------------------------------------------

def _square_fn(L):
    class Square(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x * ctx.k, None
    return Square


def test_custom_function_ctx_api():
    def run(L):
        Sq = _square_fn(L)
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = Sq.apply(x, 3.0)
        assert type(y.grad_fn).__name__ == "SquareBackward" and y.grad_fn.name() == "SquareBackward"
        (y * y).sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.sum().backward()
        z = Sq.apply(L.tensor([1.0, 2.0]), 2.0)        # no input needs grad: plain result
        assert not z.requires_grad and z.grad_fn is None
        return y, x.grad, z
    a, b = _both(run)
    _close(a, b)


def test_custom_function_double_backward_through_saved_input():
    def run(L):
        Sq = _square_fn(L)
        x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(Sq.apply(x, 1.5).sum(), x, create_graph=True)
        (gg,) = L.autograd.grad((g * g).sum(), x)
        return g, gg
    a, b = _both(run)
    _close(a, b)


def test_custom_function_needs_input_grad_and_non_tensor_args():
    def run(L):
        seen = []

        class Add(L.autograd.Function):
            @staticmethod
            def forward(ctx, a, b, alpha=1.0):
                seen.append(ctx.needs_input_grad)
                return a + alpha * b

            @staticmethod
            def backward(ctx, g):
                return g, g * 2.0 if ctx.needs_input_grad[1] else None, None
        a = L.tensor([1.0, 2.0], requires_grad=True)
        out = Add.apply(a, L.tensor([3.0, 4.0]), 2.0)
        out.sum().backward()
        return seen, a.grad.tolist(), out.tolist()
    a, b = _both(run)
    assert a == b


def test_custom_function_mark_dirty_and_non_differentiable_multiple_outputs():
    def run(L):
        class Double(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g * 2

        class WithIndex(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                i = x.argmax()
                ctx.mark_non_differentiable(i)
                return x * 3, i, x.exp()

            @staticmethod
            def backward(ctx, g, gi, ge):
                assert gi is None or float(gi.abs().sum()) == 0
                return g * 3 + ge * 5

        x = L.tensor([1.0, 4.0, 2.0], requires_grad=True)
        y = x * 1
        z = Double.apply(y)
        assert z is y and z.grad_fn.name() == "DoubleBackward"
        a, i, e = WithIndex.apply(z)
        assert not i.requires_grad and a.requires_grad and e.requires_grad
        (a.sum() + 2 * e.sum()).backward(retain_graph=True)
        g1 = x.grad.clone()
        x.grad = None
        a.sum().backward()              # one output unused: it gets a zero gradient
        return z, i, g1, x.grad
    a, b = _both(run)
    _close(a[:1] + a[2:], b[:1] + b[2:])
    assert a[1].item() == b[1].item()


def test_custom_function_leaf_marked_dirty_is_an_error():
    for L in LIBS:
        class Inc(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.add_(1)

            @staticmethod
            def backward(ctx, g):
                return g
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            Inc.apply(L.ones(2, requires_grad=True))


def test_custom_function_setup_context_and_wrong_grad_count_and_dtype_cast():
    def run(L):
        class Cube(L.autograd.Function):
            @staticmethod
            def forward(x):
                return x ** 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return (3 * g * x * x).float()       # float32 grad for a float64 input

        x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        Cube.apply(x).sum().backward()
        return x.grad
    a, b = _both(run)
    _close(a, b)
    for L in LIBS:
        class Bad(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g, g
        with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients \(expected 1, got 2\)"):
            Bad.apply(L.ones(2, requires_grad=True)).sum().backward()


def test_custom_function_saved_tensor_modified_inplace_is_detected():
    for L in LIBS:
        Sq = _square_fn(L)
        x = L.ones(2, requires_grad=True)
        y = x * 1
        out = Sq.apply(y, 1.0)
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


def test_once_differentiable_and_hooks_on_custom_outputs():
    def run(L):
        from importlib import import_module
        once = import_module(L.__name__ + ".autograd.function").once_differentiable

        class Sq(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * g * x
        x = L.tensor([1.0, 3.0], requires_grad=True)
        y = Sq.apply(x)
        y.register_hook(lambda g: g * 10)
        (g,) = L.autograd.grad(y.sum(), x, create_graph=True)
        return g, g.requires_grad
    a, b = _both(run)
    _close(a[0], b[0])
    assert a[1] == b[1] is False


# ---- autograd.functional --------------------------------------------------------------------

def _f(a, b):
    return (a * b.sum()).exp(), a.sin() * 2


@pytest.mark.parametrize("name", ["jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"])
def test_autograd_functional(name):
    def run(L):
        F = L.autograd.functional
        a = L.tensor([0.1, 0.2, 0.3], dtype=L.float64, requires_grad=True)
        b = L.tensor([[0.5, -1.0], [2.0, 0.1]], dtype=L.float64)
        v = L.tensor([1.0, 2.0, 3.0], dtype=L.float64)
        if name == "jacobian":
            return (F.jacobian(_f, (a, b)), F.jacobian(lambda x: x.exp() * x, a),
                    F.jacobian(lambda x, y: x * 2, (a, b)))
        if name == "hessian":
            return (F.hessian(lambda x: (x ** 3).sum() * x[0], a),
                    F.hessian(lambda x, y: (x.sum() * y ** 2).sum(), (a, b)))
        if name == "vjp":
            return F.vjp(lambda x: x.exp(), a, v), F.vjp(lambda x: x.exp().sum(), a)
        if name == "jvp":
            return F.jvp(_f, (a, b), (v, L.ones(2, 2, dtype=L.float64)))
        return getattr(F, name)(lambda x: (x.exp() * x.sum()).sum(), a, v)
    a, b = _both(run)
    _close(a, b)


def test_autograd_functional_strict_and_create_graph():
    for L in LIBS:
        a = L.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="independent of input 1"):
            L.autograd.functional.jacobian(lambda x, y: x * 2, (a, L.ones(1)), strict=True)
    j = cl.autograd.functional.jacobian(lambda x: x ** 3, cl.ones(2, requires_grad=True),
                                         create_graph=True)
    assert j.requires_grad
    assert cl.autograd.gradcheck(lambda x: x * x, cl.ones(2, dtype=cl.float64, requires_grad=True))


def test_inference_mode_state_as_torch():
    for lib in (cl, torch):
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled()
        assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
        assert lib.is_anomaly_enabled() is False
