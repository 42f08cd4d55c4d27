"""Finite-difference gradient checks in float64: gradcheck and gradgradcheck.

    from corelib.testing import gradcheck
    x = corelib.randn(3, dtype=corelib.float64, requires_grad=True)
    assert gradcheck(lambda x: (x ** 3).sum(), (x,))
"""
import numpy as np

import corelib
from corelib import _tensor as T


class GradcheckError(AssertionError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn, inputs):
    out = fn(*inputs)
    return tuple(o for o in _as_tuple(out) if isinstance(o, T.Tensor))


def _host64(t):
    """A tensor's values as a flat float64 numpy copy (from any device)."""
    return np.array(t.detach().cpu().numpy(), dtype=np.float64).reshape(-1)


def _numerical_jacobian(fn, inputs, idx, eps):
    """J[k][i, j] = d out_k[j] / d inputs[idx][i] by central differences."""
    x = inputs[idx]
    flat = x._data.reshape(-1)
    outs0 = _outputs(fn, inputs)
    jac = [np.zeros((flat.size, o.numel())) for o in outs0]
    for i in range(flat.size):
        orig = flat[i].item()                  # a value, not a view of the element (cuda)
        flat[i] = orig + eps
        plus = [_host64(o) for o in _outputs(fn, inputs)]
        flat[i] = orig - eps
        minus = [_host64(o) for o in _outputs(fn, inputs)]
        flat[i] = orig
        for k in range(len(jac)):
            jac[k][i] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def _analytical_jacobian(fn, inputs, diff_idx, create_graph=False):
    outs = _outputs(fn, inputs)
    diff_inputs = [inputs[i] for i in diff_idx]
    jacs = {i: [np.zeros((inputs[i].numel(), o.numel())) for o in outs] for i in diff_idx}
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for j in range(o.numel()):
            g = corelib.zeros_like(o)
            g._data.reshape(-1)[j] = 1
            grads = corelib.autograd.grad(o, diff_inputs, g, retain_graph=True, allow_unused=True)
            for i, gi in zip(diff_idx, grads):
                if gi is not None:
                    jacs[i][k][:, j] = _host64(gi)
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False):
    """Compare autograd's gradients of ``func`` with central finite differences.

    Inputs that require grad should be float64. On failure raises GradcheckError showing the
    analytic and numeric Jacobians' worst entry (or returns False with raise_exception=False).
    """
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, T.Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i in diff_idx:
        if inputs[i].dtype is not corelib.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          f"point ({inputs[i].dtype}); gradcheck may fail. Use float64 inputs.")
    ana = _analytical_jacobian(func, inputs, diff_idx)
    for i in diff_idx:
        num = _numerical_jacobian(func, inputs, i, eps)
        for k, (a, n) in enumerate(zip(ana[i], num)):
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False):
                err = np.abs(a - n)
                w = np.unravel_index(np.argmax(err), err.shape) if err.size else (0, 0)
                msg = (f"Jacobian mismatch for output {k} with respect to input {i},\n"
                       f"numerical:{n}\nanalytical:{a}\n"
                       f"worst entry {tuple(int(v) for v in w)}: analytical {a[w]:.8g} vs numerical "
                       f"{n[w]:.8g} (abs diff {err[w]:.3g}, atol={atol}, rtol={rtol})")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, fast_mode=False):
    """Check second derivatives: gradcheck of (inputs, grad_outputs) -> autograd.grad(...)."""
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, T.Tensor) and x.requires_grad]
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(corelib.tensor(rng.standard_normal(o._data.shape), dtype=o.dtype,
                                            device=o.device, requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        o = _outputs(func, ins)
        diff = [ins[i] for i in diff_idx]
        gs = corelib.autograd.grad(o, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
