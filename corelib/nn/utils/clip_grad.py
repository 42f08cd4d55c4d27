"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (PyTorch's semantics).

The norms are computed in float64 and returned as a tensor of the gradients' dtype; scaling
and clamping happen in place on ``p.grad``, without recording autograd history.
"""
import math
import warnings

import numpy as np

from corelib._creation import _wrap
from corelib._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _host(t):
    return t._data if t.device.type == "cpu" else t.detach().cpu()._data


def _vector_norm(a, p):
    a = np.abs(np.asarray(a, dtype=np.float64)).ravel()
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(a.max())
    if p == -math.inf:
        return float(a.min())
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 1:
        return float(a.sum())
    if p == 2:
        return float(math.sqrt(np.dot(a, a)))
    return float(np.sum(a ** p) ** (1.0 / p))


def _bump(t):
    t._vc[0] += 1


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of the norms of ``tensors`` (a tensor or an iterable of them)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return _wrap(np.array(0.0, dtype=np.float32))
    dtype = tensors[0]._data.dtype
    norms = [_vector_norm(_host(t), norm_type) for t in tensors]
    total = _vector_norm(np.array(norms, dtype=np.float64), norm_type)
    total = np.array(total, dtype=dtype if dtype.kind == "f" else np.float32)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            f"so it cannot be clipped. To disable this error and scale the gradients by the "
            f"non-finite norm anyway, set `error_if_nonfinite=False`")
    out = _wrap(total)
    dev = tensors[0].device
    return out if dev.type == "cpu" else out.to(dev)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by ``max_norm / (total_norm + 1e-6)`` when that is
    below 1."""
    grads = _grads(parameters)
    if not grads:
        return
    tn = total_norm.item() if isinstance(total_norm, Tensor) else float(total_norm)
    for g in grads:
        dt = g._data.dtype.type
        coef = dt(max_norm) / (dt(tn) + dt(1e-6))
        if not coef < 1.0 and not math.isnan(coef):
            continue
        if g.device.type == "cpu":
            g._data *= coef
            _bump(g)
        else:
            from corelib.autograd import no_grad
            with no_grad():
                g.mul_(float(coef))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradient norm of an iterable of parameters, in place.

    The norm is computed over the norms of all gradients together, as if they were
    concatenated into one vector.

    Args:
        parameters (Tensor or iterable of Tensors): tensors whose ``.grad`` is normalized.
        max_norm (float): max norm of the gradients.
        norm_type (float or inf): type of the p-norm (default 2.0).
        error_if_nonfinite (bool): raise if the total norm is nan or inf (default False).
        foreach: accepted for PyTorch compatibility (ignored).

    Returns:
        Tensor: the total norm of the gradients (viewed as a single vector), before clipping.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)
    grads = _grads(parameters)
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, float(max_norm), total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: use :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of ``parameters`` to ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        if g.device.type == "cpu":
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            _bump(g)
        else:
            from corelib.autograd import no_grad
            with no_grad():
                g.clamp_(min=-clip_value, max=clip_value)
