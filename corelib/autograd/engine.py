"""The backward engine: reverse topological order over grad_fn nodes, accumulation into
``.grad``, central reduction of broadcast gradients, hooks, retain_graph / create_graph."""
from corelib.autograd import grad_mode
from corelib import _tensor as T
from corelib.backends import cpu as _cpu


def _sum_to(g, shape):
    from corelib.ops.reduce import sum_to
    return sum_to(g, shape)


def _make_root_grads(tensors, grad_tensors):
    grads = []
    for t, g in zip(tensors, grad_tensors):
        if g is None:
            if t.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (got a tensor of shape "
                    f"{tuple(t.shape)}); pass gradient=... (a tensor of the same shape), or reduce "
                    f"it first, e.g. out.sum().backward()")
            g = T._make(t._backend_xp().ones(t._data.shape, dtype=t._data.dtype), t._device)
        elif not isinstance(g, T.Tensor):
            from corelib import tensor
            g = tensor(g, dtype=t.dtype, device=t.device)
        elif g._data.dtype != t._data.dtype:      # torch casts the gradient to the output's dtype
            g = g.to(t.dtype)
        if tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output has a shape of {tuple(g.shape)} and "
                               f"output has a shape of {tuple(t.shape)}.")
        grads.append(g)
    return grads


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, allow_unused=False,
                 accumulate=True):
    """Propagate gradients from ``tensors``. With ``inputs`` (autograd.grad), returns their
    gradients instead of accumulating into ``.grad`` (when accumulate is False)."""
    for t in tensors:
        if not t._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn (did you forget requires_grad=True on a leaf, or compute "
                               "it under no_grad()?)")
    grads = _make_root_grads(tensors, grad_tensors)
    if not _cpu._tuned:
        _cpu.tune_allocator()

    capture = None
    if inputs is not None:
        capture = {}
        for i, x in enumerate(inputs):
            key = x.grad_fn if x.grad_fn is not None else id(x)
            capture.setdefault(key, []).append(i)
        results = [None] * len(inputs)

    # dependency counts: how many edges point at each node
    deps = {}
    roots = []
    for t in tensors:
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
    stack = list(dict.fromkeys(roots))
    seen = set(stack)
    while stack:
        fn = stack.pop()
        for nfn, _, _ in fn._next:
            if nfn is not None:
                deps[nfn] = deps.get(nfn, 0) + 1
                if nfn not in seen:
                    seen.add(nfn)
                    stack.append(nfn)

    buf = {}
    # arrays that must not become a leaf's .grad without a copy (user grads, grads given out)
    given = {id(g._data) for g in grads}

    def leaf_accumulate(leaf, g):
        if leaf._hooks:
            g = _run_grad_hooks(leaf._hooks, g)
        if capture is not None:
            idx = capture.get(id(leaf))
            if idx is not None:
                for i in idx:
                    results[i] = g if results[i] is None else results[i] + g
            if not accumulate:
                return
        if not create_graph:
            g = g.detach()
        old = leaf._grad
        if old is None:
            a = g._data
            if create_graph:
                leaf._grad = g
            elif id(a) in given or (not a._exclusive() if leaf._device is not T.CPU else
                                     a.base is not None or not a.flags.writeable or
                                     not a.flags.c_contiguous):
                leaf._grad = g.clone()
            else:           # a fresh array nobody else holds: take it without a copy
                leaf._grad = g
                given.add(id(a))
        elif create_graph or grad_mode._enabled[0] and old._rg:
            leaf._grad = old + g
        else:
            old._data += g._data if old._data.shape == g._data.shape else g._data.reshape(old._data.shape)
        if leaf._post_hooks:
            for h in list(leaf._post_hooks.values()):
                if h(leaf) is not None:
                    raise RuntimeError("Tensor post accumulate grad hooks should return None.")

    with grad_mode.set_grad_enabled(create_graph):
        for t, g in zip(tensors, grads):
            if t.grad_fn is None:
                leaf_accumulate(t, g)
            else:
                prev = buf.get(t.grad_fn)
                buf[t.grad_fn] = g if prev is None else prev + g
        ready = [fn for fn in dict.fromkeys(roots) if deps.get(fn, 0) == 0]
        while ready:
            fn = ready.pop()
            g = buf.pop(fn, None)
            if g is not None:
                if fn._hooks:
                    g = _run_grad_hooks(fn._hooks, g)
                if fn._retain_ref is not None:
                    rt = fn._retain_ref()
                    if rt is not None:
                        rt._grad = g if create_graph else g.detach()
                        given.add(id(g._data))
                if capture is not None and fn in capture:
                    for i in capture[fn]:
                        results[i] = g
                if fn._freed:
                    from corelib.autograd.function import _raise_freed
                    _raise_freed()
                gin = fn.backward(g)
                if not isinstance(gin, tuple):
                    gin = (gin,)
                if grad_mode._anomaly[0] and grad_mode._anomaly[1]:
                    _check_nan(fn, gin)
                if len(gin) < len(fn._next):
                    gin = gin + (None,) * (len(fn._next) - len(gin))
                if not retain_graph:
                    fn._release()
            else:
                gin = (None,) * len(fn._next)
            for (nfn, leaf, shape), gi in zip(fn._next, gin):
                if gi is not None and (nfn is not None or leaf is not None):
                    if gi._data.shape != shape:
                        gi = _sum_to(gi, shape)
                    if nfn is None:
                        leaf_accumulate(leaf, gi)
                    else:
                        prev = buf.get(nfn)
                        buf[nfn] = gi if prev is None else prev + gi
                if nfn is not None:
                    d = deps[nfn] - 1
                    deps[nfn] = d
                    if d == 0:
                        ready.append(nfn)

    if capture is not None:
        for i, x in enumerate(inputs):
            if results[i] is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}, shape {tuple(x.shape)}) appears "
                    f"to not have been used in the graph. Set allow_unused=True if this is the "
                    f"desired behavior.")
            if results[i] is not None and not create_graph:
                results[i] = results[i].detach()
        return tuple(results)
    return None


def _run_grad_hooks(hooks, g):
    """Tensor.register_hook hooks in order; a returned Tensor (same shape and dtype, as torch
    checks) replaces the gradient, None keeps it."""
    for h in list(hooks.values()):
        r = h(g)
        if r is None:
            continue
        name = getattr(h, "__name__", type(h).__name__)
        if not isinstance(r, T.Tensor):
            raise TypeError(f"hook '{name}' returned {type(r).__name__}: a gradient hook must "
                            f"return a Tensor (the new gradient) or None")
        if tuple(r.shape) != tuple(g.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value: the gradient has "
                               f"shape {tuple(g.shape)}, the hook returned {tuple(r.shape)}")
        if r.dtype != g.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.dtype} got "
                               f"{r.dtype})")
        g = r
    return g


def _check_nan(fn, gin):
    for i, gi in enumerate(gin):
        if gi is not None and gi._data.dtype.kind in "fc" and \
                bool(gi._backend_xp().isnan(gi._data).any()):
            raise RuntimeError(f"Function '{fn.name()}' returned nan values in its {i}th output.")
