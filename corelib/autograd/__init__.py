"""corelib.autograd: backward(), grad(), Function and the gradient-mode switches."""
from corelib.autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled,
                                        inference_mode, detect_anomaly, set_detect_anomaly,
                                        is_anomaly_enabled, is_anomaly_check_nan_enabled,
                                        is_inference_mode_enabled)
from corelib.autograd.function import Function, once_differentiable
from corelib.autograd import engine as _engine
from corelib.autograd import functional


def _as_seq(x):
    if x is None:
        return None
    from corelib._tensor import Tensor
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradients of ``tensors``.

    grad_tensors: the "vector" of the vector-Jacobian product, one per tensor (None for scalars).
    retain_graph: keep the graph for another backward (defaults to create_graph).
    create_graph: record the backward pass itself, for higher-order derivatives.
    inputs: only accumulate into these leaves.
    """
    tensors = _as_seq(tensors)
    grads = _as_seq(grad_tensors) or [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} grad_tensors for {len(tensors)} tensors")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_seq(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        res = _engine.run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs,
                                   allow_unused=True, accumulate=False)
        for x, g in zip(inputs, res):
            if g is not None:
                if x._grad is None:
                    x._grad = g if create_graph else g.detach().clone()
                else:
                    x._grad = x._grad + g
        return
    _engine.run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (without touching .grad)."""
    outputs = _as_seq(outputs)
    inputs = _as_seq(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _as_seq(grad_outputs) or [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grads)} "
                           f"grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        res = _grad_batched(outputs, inputs, grads, retain_graph, create_graph, allow_unused)
    else:
        res = _engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                                   allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from corelib import zeros_like
        res = tuple(zeros_like(x) if g is None else g for x, g in zip(inputs, res))
    return res


def _grad_batched(outputs, inputs, grads, retain_graph, create_graph, allow_unused):
    """is_grads_batched: dim 0 of every grad_output indexes independent vector-Jacobian products
    (torch vmaps them; here one backward per batch entry, stacked)."""
    from corelib import stack
    if any(g is None for g in grads):
        raise RuntimeError("is_grads_batched=True needs a grad_output for every output")
    n = grads[0].shape[0] if grads[0].dim() else None
    for g, o in zip(grads, outputs):
        if g.dim() == 0 or g.shape[0] != n or tuple(g.shape[1:]) != tuple(o.shape):
            raise RuntimeError(f"is_grads_batched=True: each grad_output must have shape "
                               f"(batch, *output.shape) with one batch size; got {tuple(g.shape)} "
                               f"for an output of shape {tuple(o.shape)}")
    rows = [_engine.run_backward(outputs, [g[b] for g in grads], retain_graph or b < n - 1,
                                 create_graph, inputs=inputs, allow_unused=allow_unused,
                                 accumulate=False) for b in range(n)]
    return tuple(None if col[0] is None else stack(col) for col in zip(*rows))


def __getattr__(name):
    if name in ("gradcheck", "gradgradcheck"):
        from corelib import testing
        return getattr(testing, name)
    raise AttributeError(f"module 'corelib.autograd' has no attribute '{name}'")


__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "detect_anomaly",
           "set_detect_anomaly",
           "is_anomaly_enabled", "once_differentiable"]
