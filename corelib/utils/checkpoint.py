"""Activation checkpointing (torch.utils.checkpoint): run a function without keeping its
intermediate activations, and recompute them (with the same random draws) during backward."""
import warnings

import corelib
from corelib import autograd


class _Checkpoint(autograd.Function):
    @staticmethod
    def forward(ctx, fn, preserve, dummy, *args):
        ctx.fn, ctx.preserve = fn, preserve
        if preserve:
            ctx.rng = (corelib.get_rng_state(), corelib.cuda.get_rng_state())
        ctx.tensor_idx = [i for i, a in enumerate(args) if isinstance(a, corelib.Tensor)]
        ctx.args = [None if i in ctx.tensor_idx else a for i, a in enumerate(args)]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_idx))
        with autograd.no_grad():
            out = fn(*args)
        ctx.single = isinstance(out, corelib.Tensor)
        return out

    @staticmethod
    def backward(ctx, *grads):
        args = list(ctx.args)
        for i, t in zip(ctx.tensor_idx, ctx.saved_tensors):
            args[i] = t.detach().requires_grad_(t.requires_grad)
        if ctx.preserve:                     # the recomputation draws what the forward drew
            now = (corelib.get_rng_state(), corelib.cuda.get_rng_state())
            corelib.set_rng_state(ctx.rng[0])
            corelib.cuda.set_rng_state(ctx.rng[1])
        try:
            with autograd.enable_grad():
                out = ctx.fn(*args)
        finally:
            if ctx.preserve:
                corelib.set_rng_state(now[0])
                corelib.cuda.set_rng_state(now[1])
        outs = (out,) if ctx.single else tuple(out)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, corelib.Tensor) and o.requires_grad and g is not None]
        if pairs:
            autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, None) + tuple(
            a.grad if isinstance(a, corelib.Tensor) and i in ctx.tensor_idx else None
            for i, a in enumerate(args))


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs) without storing its activations; backward recomputes them.
    Gradients reach the tensor arguments and every parameter the function uses (also when no
    argument requires grad, as torch's use_reentrant=False)."""
    if use_reentrant is None:
        use_reentrant = True
    if kwargs:
        fn = lambda *a: function(*a, **kwargs)    # noqa: E731
    else:
        fn = function
    if not autograd.is_grad_enabled():
        return fn(*args)
    if use_reentrant and not any(isinstance(a, corelib.Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None")
    dummy = corelib.zeros((), requires_grad=True)    # makes the output part of the graph
    return _Checkpoint.apply(fn, preserve_rng_state, dummy, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) in ``segments`` checkpointed chunks; the last chunk
    runs normally, as torch."""
    fns = list(functions.children()) if isinstance(functions, corelib.nn.Sequential) else list(functions)
    size = max(1, len(fns) // segments)
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        chunk = fns[start:end + 1]

        def run(x, chunk=chunk):
            for f in chunk:
                x = f(x)
            return x
        input = checkpoint(run, input, use_reentrant=use_reentrant, **kwargs)
    for f in fns[end + 1:]:
        input = f(input)
    return input
