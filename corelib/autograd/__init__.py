"""corelib.autograd: backward(), grad(), Function and the gradient-mode switches."""
from corelib.autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled,
                                        inference_mode)
from corelib.autograd.function import Function
from corelib.autograd import engine as _engine


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
    single = not isinstance(inputs, (list, tuple))
    inputs = _as_seq(inputs)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _as_seq(grad_outputs) or [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    res = _engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                               allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from corelib import zeros_like
        res = tuple(zeros_like(x) if g is None else g for x, g in zip(inputs, res))
    return res


__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode"]
