"""torch.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp of a function of Tensors.

Built on autograd.grad: one backward per output element (``vectorize`` is accepted and ignored);
jvp uses the double-vjp trick. Results are detached unless ``create_graph=True``.
"""
from corelib.autograd.grad_mode import enable_grad


def _as_tuple(x, arg, fn):
    from corelib._tensor import Tensor
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors "
                            f"but the value at index {i} has type {type(t).__name__}.")
    return xs, is_tuple


def _prep(inputs, create_graph):
    # with create_graph, keep the inputs' own history so the result can be differentiated further
    return tuple(x.view_as(x) if create_graph and x.requires_grad else
                 x.detach().requires_grad_(x.is_floating_point()) for x in inputs)


def _grads(outs, inputs, vs, create_graph, strict, what):
    from corelib import zeros_like
    from corelib.autograd import grad
    diff = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    gs = grad([o for o, _ in diff], inputs, [v for _, v in diff], retain_graph=True,
              create_graph=create_graph, allow_unused=True) if diff else (None,) * len(inputs)
    res = []
    for i, (g, x) in enumerate(zip(gs, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of "
                                   f"input {i}. This is not allowed in strict mode ({what}).")
            g = zeros_like(x)
        res.append(g if create_graph else g.detach())
    return tuple(res)


def _post(xs, is_tuple, create_graph):
    xs = tuple(x if create_graph else x.detach() for x in xs)
    return xs if is_tuple else xs[0]


def _check_v(v, outs, name):
    if v is None:
        if any(o.numel() != 1 for o in outs):
            raise RuntimeError(f"The vector v can only be None if the user-provided function "
                               f"returns a single Tensor with a single element ({name}).")
        from corelib import ones_like
        return tuple(ones_like(o) for o in outs)
    v, _ = _as_tuple(v, "v", name)
    if len(v) != len(outs) or any(tuple(a.shape) != tuple(o.shape) for a, o in zip(v, outs)):
        raise RuntimeError(f"v has shapes {[tuple(a.shape) for a in v]} but the function's outputs "
                           f"have shapes {[tuple(o.shape) for o in outs]} ({name})")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    inputs, tin = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        inputs = _prep(inputs, create_graph)
        outs, tout = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        g = _grads(outs, inputs, _check_v(v, outs, "vjp"), create_graph, strict, "vjp")
    return _post(outs, tout, create_graph), _post(g, tin, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by differentiating v -> u^T J with respect to u."""
    from corelib import zeros_like
    from corelib.autograd import grad
    inputs, tin = _as_tuple(inputs, "inputs", "jvp")
    with enable_grad():
        inputs = _prep(inputs, create_graph)
        v = _check_v(v, inputs, "jvp")
        outs, tout = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g = _grads(outs, inputs, us, True, strict, "jvp")
        pairs = [(a, b) for a, b in zip(g, v) if a.requires_grad]
        res = grad([a for a, _ in pairs], us, [b for _, b in pairs], create_graph=create_graph,
                   allow_unused=True) if pairs else (None,) * len(us)
        res = tuple(zeros_like(o) if r is None else r for r, o in zip(res, outs))
    return _post(outs, tout, create_graph), _post(res, tout, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """d func(inputs) / d inputs, shaped output.shape + input.shape (tuples of them for tuple
    inputs and/or outputs, outputs first)."""
    from corelib import stack, zeros
    inputs, tin = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        inputs = _prep(inputs, create_graph)
        outs, tout = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        jac = []
        for o in outs:
            flat = o.reshape(-1)
            rows = [_grads([flat[k]], inputs, [None], create_graph, strict, "jacobian")
                    for k in range(flat.numel())]
            jac.append(tuple(
                stack([r[j] for r in rows]).reshape(tuple(o.shape) + tuple(x.shape)) if rows else
                zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype) for j, x in enumerate(inputs)))
    jac = [_post(row, tin, create_graph) for row in jac]
    return tuple(jac) if tout else jac[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The second derivatives of a function with a single-element output."""
    inputs, tin = _as_tuple(inputs, "inputs", "hessian")

    def scalar(*inp):
        out = func(*inp)
        if isinstance(out, (tuple, list)) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "containing a single element")
        return out.reshape(())

    def jac(*inp):
        return jacobian(scalar, inp, create_graph=True, strict=strict)

    res = jacobian(jac, inputs, create_graph=create_graph, strict=strict)
    return res if tin else res[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    inputs, tin = _as_tuple(inputs, "inputs", "vhp")
    with enable_grad():
        inputs = _prep(inputs, True)
        out = func(*inputs)
        if isinstance(out, (tuple, list)) or out.numel() != 1:
            raise RuntimeError("The function given to vhp should return a single Tensor containing "
                               "a single element")
        g = _grads((out,), inputs, (None,), True, strict, "vhp")
        v = _check_v(v, inputs, "vhp")
        res = _grads(g, inputs, v, create_graph, strict, "vhp")
    return _post((out,), False, create_graph), _post(res, tin, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v); H is symmetric for twice-differentiable functions, so v^T H."""
    return vhp(func, inputs, v, create_graph, strict)
