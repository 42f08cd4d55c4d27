"""Function: one differentiable primitive, forward (on arrays) and backward (on Tensors).

    class Exp(Function):
        def forward(self, x):              # x: the array of a Tensor (numpy on cpu)
            self.retain_output()           # backward gets the output Tensor, graph intact
            return self.xp.exp(x)
        def backward(self, gy):            # gy: Tensor; graph recorded only under create_graph
            return gy * self.saved_output()

Every function computes exactly one output Tensor. Non-Tensor arguments are passed through to
forward unchanged. Gradients for broadcast inputs are reduced to the input's shape by the engine.

A subclass whose forward is a @staticmethod is PyTorch's custom Function instead (forward(ctx,
*args) or forward(*args) with setup_context, on Tensors; backward(ctx, *grads); ctx.
save_for_backward / saved_tensors / needs_input_grad / mark_dirty / mark_non_differentiable):
see _apply_ctx below.
"""
import functools
import inspect

import numpy as np

from corelib.autograd import grad_mode
from corelib import _tensor as T

_enabled = grad_mode._enabled
_ndarray = np.ndarray


def _broadcast_message(args, err):
    """PyTorch's wording for two shapes that do not broadcast."""
    shapes = [tuple(a.shape) for a in args if isinstance(a, T.Tensor)]
    if len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        for d in range(n):
            if a[d] != b[d] and a[d] != 1 and b[d] != 1:
                return (f"The size of tensor a ({a[d]}) must match the size of tensor b ({b[d]}) "
                        f"at non-singleton dimension {d}")
    return f"shapes cannot be broadcast together ({err})"


def _cpu_scalars_moved(args):
    """torch lets a 0-dim cpu tensor join an op on another device (there it is a scalar): args
    with such tensors copied to that device, or None when the devices really differ."""
    def scalar(a):
        return a._device is T.CPU and a._data.ndim == 0
    devs = [a._device for a in args if isinstance(a, T.Tensor) and not scalar(a)]
    if not devs or devs[0] is T.CPU or any(d != devs[0] for d in devs):
        return None
    return tuple(a.to(devs[0]) if isinstance(a, T.Tensor) and scalar(a) else a for a in args)


class Function:
    is_view = False               # output shares storage (and version counter) with input 0
    differentiable = True         # False: output never requires grad (argmax, comparisons, ...)
    fp_quiet = False              # True: numpy's divide/invalid/overflow warnings are suppressed
    host_output = True            # False: a cpu-input op may return a device array (ToDevice)

    # graph bookkeeping, set by apply() only when the output requires grad
    _next = ()                    # per positional arg: (grad_fn or None, leaf Tensor or None, shape)
    _inputs = None
    _retained = None              # input indices kept for backward
    _saved = None
    _out = None                   # (array, version counter, version) when retain_output()
    _hooks = None                 # hooks registered on the output tensor
    _retain_ref = None            # weakref of a non-leaf output with retain_grad()
    _freed = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(inspect.getattr_static(cls, "forward"), staticmethod):
            cls.apply = classmethod(_apply_ctx)       # PyTorch's API; array Functions untouched

    @staticmethod
    def setup_context(ctx, inputs, output):
        # the hook a ctx-style Function overrides when its forward takes no ctx (PyTorch's base
        # raises the same); _apply_ctx calls it only where a subclass overrides it
        raise NotImplementedError("setup_context is not implemented")

    @classmethod
    def apply(cls, *args, **kwargs):
        self = cls.__new__(cls)
        arrays = []
        dev = None
        req = False
        for a in args:
            if isinstance(a, T.Tensor):
                if a._base is not None and a._base.grad_fn is not a._base_gfn and _enabled[0]:
                    _refresh_view(a)
                if dev is None:
                    dev = a._device
                elif a._device is not dev and a._device != dev:
                    moved = _cpu_scalars_moved(args)
                    if moved is not None:
                        return cls.apply(*moved, **kwargs)
                    raise RuntimeError(
                        f"Expected all tensors to be on the same device, but found at least two "
                        f"devices, {dev} and {a._device}! (in {cls.__name__}; move them with .to(device))")
                if a._rg:
                    req = True
                arrays.append(a._data)
            else:
                arrays.append(a)
        if dev is None:
            dev = T.CPU
        req = req and _enabled[0] and cls.differentiable
        self._dev = dev
        self.xp = np if dev is T.CPU else T._backend(dev).xp
        if req:
            self._inputs = args
            self.needs_input_grad = tuple(isinstance(a, T.Tensor) and a._rg for a in args)
        else:
            self.needs_input_grad = (False,) * len(args)
        try:
            if cls.fp_quiet:            # inf/nan results come silently, as in torch
                with np.errstate(all="ignore"):
                    out = self.forward(*arrays, **kwargs)
            else:
                out = self.forward(*arrays, **kwargs)
        except ValueError as e:                   # numpy's broadcast error -> torch's RuntimeError
            if "broadcast" not in str(e):
                raise
            raise RuntimeError(_broadcast_message(args, e)) from None
        if out.__class__ is not _ndarray and dev is T.CPU and cls.host_output:
            out = np.asarray(out)
        t = T._make(out, dev, req, self if req else None)
        if cls.is_view:
            src = args[0]
            if (np.may_share_memory(out, src._data) if dev is T.CPU else     # a reshape may copy
                    self.xp.may_share_memory(out, src._data)):
                t._vc = src._vc
                t._base = src._base if src._base is not None else src
                t._view_fn = (cls, args[1:], kwargs, src if src._base is not None else None)
                t._base_gfn = t._base.grad_fn
        if req:
            self._next = tuple(
                (a.grad_fn, a if a.grad_fn is None else None, a._data.shape)
                if isinstance(a, T.Tensor) and a._rg else (None, None, None)
                for a in args)
            if self._out is not None:
                self._out = (out, t._vc, t._vc[0])
        else:
            self._inputs = self._saved = self._out = None
        return t

    # ---- what forward may keep for backward -------------------------------------------
    def retain_inputs(self, *indices):
        """Keep the input Tensors at these positions (graph intact) for backward."""
        if self._inputs is not None:
            self._retained = tuple((i, self._inputs[i]._vc[0]) for i in indices)

    def saved_inputs(self):
        """The retained input Tensors, checked against in-place modification since forward."""
        if self._freed:
            _raise_freed()
        res = []
        for i, ver in self._retained:
            t = self._inputs[i]
            if t._vc[0] != ver:
                _raise_modified(t, self, ver)
            res.append(t)
        return res

    def retain_output(self):
        """Keep the output for backward (as a Tensor that is part of the graph)."""
        self._out = True

    def saved_output(self):
        if self._freed:
            _raise_freed()
        arr, vc, ver = self._out
        if vc[0] != ver:
            t = T._make(arr, self._dev)
            t._vc = vc
            _raise_modified(t, self, ver, output=True)
        t = T._make(arr, self._dev, _enabled[0], self if _enabled[0] else None)
        t._vc = vc
        return t

    def save_for_backward(self, *items):
        """Keep arrays (constants for backward, e.g. masks or indices)."""
        if self._inputs is not None:
            self._saved = items

    @property
    def saved_tensors(self):
        if self._freed:
            _raise_freed()
        dev = self._dev
        return tuple(x if isinstance(x, T.Tensor) or x is None else T._make(x, dev) for x in self._saved)

    def _release(self):
        self._inputs = self._saved = self._out = None
        self._freed = True

    # ---- introspection as in torch ------------------------------------------------------
    _display = None               # torch's node name where it differs from the class's

    def name(self):
        return self._display or type(self).__name__ + "Backward0"

    @property
    def next_functions(self):
        return tuple((fn if fn is not None else (_AccumulateGrad(leaf) if leaf is not None else None), 0)
                     for fn, leaf, _ in self._next)

    def register_hook(self, hook):
        raise RuntimeError("register hooks on Tensors (tensor.register_hook) rather than on grad_fn")

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    def forward(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} must define forward(self, *arrays)")

    def backward(self, grad):
        raise RuntimeError(f"{type(self).__name__} is not differentiable")


# ---- PyTorch-style custom Functions (forward/backward are staticmethods taking ctx) ----------

class _CtxNode(Function):
    """The ctx of a PyTorch-style Function call and its grad_fn (class '<Name>Backward')."""
    _fn_cls = None
    materialize_grads = True

    def save_for_backward(self, *tensors):
        self._saved = tuple((t, t._vc[0]) if isinstance(t, T.Tensor) else (t, None) for t in tensors)

    @property
    def saved_tensors(self):
        if self._freed:
            _raise_freed()
        res = []
        for t, ver in self._saved or ():
            if ver is not None and t._vc[0] != ver:
                _raise_modified(t, self, ver)
            res.append(t)
        return tuple(res)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def backward(self, g):
        outs = self._out_meta
        if len(outs) == 1:
            grads = (g,)
        else:                       # g packs every output's gradient (see _Select)
            grads, off = [], 0
            for meta in outs:
                if meta is None:
                    grads.append(None)
                elif meta[2]:
                    n = int(np.prod(meta[0]))
                    grads.append(g[off:off + n].reshape(meta[0]).to(meta[1]))
                    off += n
                else:               # non-differentiable output: a zero gradient, as torch
                    from corelib import zeros
                    grads.append(zeros(meta[0], dtype=meta[1], device=g.device))
        res = self._fn_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self._in_dtypes)
        if len(res) != n and not (len(res) > n and all(r is None for r in res[n:])):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(res)})")
        return tuple(r if r is None or dt is None or r.dtype is dt else r.to(dt)
                     for r, dt in zip(res[:n], self._in_dtypes))


class _Select(Function):
    """grad_fn of output i of a multi-output PyTorch-style Function: the engine carries one
    gradient per node, so each output's gradient goes into its slot of one flat vector."""

    def backward(self, g):
        from corelib import cat, zeros
        before, total, dt = self._slot
        parts = [zeros(before, dtype=dt, device=g.device)] if before else []
        parts.append(g.reshape(-1).to(dt))
        after = total - before - g.numel()
        if after:
            parts.append(zeros(after, dtype=dt, device=g.device))
        return cat(parts) if len(parts) > 1 else parts[0]


def _apply_ctx(cls, *args, **kwargs):
    node_cls = cls.__dict__.get("_backward_cls")
    if node_cls is None:
        name = cls.__name__ + "Backward"
        node_cls = type(name, (_CtxNode,), {"_fn_cls": cls, "_display": name})
        cls._backward_cls = node_cls
    ctx = node_cls.__new__(node_cls)
    ctx._dirty = ctx._non_diff = ()
    ctx.needs_input_grad = tuple(isinstance(a, T.Tensor) and a._rg for a in args)
    req = _enabled[0] and any(ctx.needs_input_grad)
    edges = tuple((a.grad_fn, a if a.grad_fn is None else None, a._data.shape)
                  if isinstance(a, T.Tensor) and a._rg else (None, None, None) for a in args)
    with grad_mode.no_grad():
        if inspect.getattr_static(cls, "setup_context") is not Function.__dict__["setup_context"]:
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args, **kwargs)
    if not req:
        return out
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_diff}
    inputs = {id(a) for a in args if isinstance(a, T.Tensor)}
    results, meta = [], []
    for o in outs:
        if not isinstance(o, T.Tensor):
            results.append(o)
            meta.append(None)
            continue
        if id(o) in dirty:
            if o.grad_fn is None and o._rg:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation (marked dirty in a custom Function); clone() it first")
        elif id(o) in inputs:   # an input returned as is: a new Tensor object, as torch
            a = o
            o = T._make(a._data, a._device)
            o._vc = a._vc
        diff = id(o) not in non_diff and o._data.dtype.kind in "fc"
        results.append(o)
        meta.append((o._data.shape, o.dtype, diff))
    ctx._in_dtypes = tuple(a.dtype if isinstance(a, T.Tensor) else None for a in args)
    ctx._out_meta = tuple(meta)
    ctx._inputs = args
    ctx._dev = next(a._device for a in args if isinstance(a, T.Tensor))
    ctx._next = edges
    diff_outs = [o for o, m in zip(results, meta) if m is not None and m[2]]
    if len(meta) == 1:
        nodes = [ctx]
    else:
        from corelib import promote_types
        total = sum(o.numel() for o in diff_outs)
        dt = functools.reduce(promote_types, [o.dtype for o in diff_outs]) if diff_outs else None
        nodes, off = [], 0
        for o in diff_outs:
            sel = _Select.__new__(_Select)
            sel._display = ctx._display
            sel._dev = ctx._dev
            sel._next = ((ctx, None, (total,)),)
            sel._slot = (off, total, dt)
            off += o.numel()
            nodes.append(sel)
    it = iter(nodes)
    for o, m in zip(results, meta):
        if m is not None:
            o._rg = m[2]
            o.grad_fn = next(it) if m[2] else None
    return results[0] if single else tuple(results)


def once_differentiable(fn):
    """Decorator for a custom Function's backward that is not itself differentiable: it runs
    without recording a graph (its result carries no history under create_graph)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper


def _refresh_view(v):
    """An in-place op through another view (or the base) gave the base a new history: replay
    this view from the base so that its gradient flows through that history (as torch)."""
    base = v._base
    v._base_gfn = base.grad_fn
    if not base._rg or v._view_fn is None:
        return
    from corelib.ops.inplace import _view_fn
    fresh = _view_fn(v)(base)
    v.grad_fn, v._rg = fresh.grad_fn, fresh._rg


class _AccumulateGrad:
    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _raise_freed():
    raise RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.")


def _raise_modified(t, fn, ver, output=False):
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype} {list(t.shape)}]"
        + (f", which is output 0 of {fn.name()}," if output else f", which is an input of {fn.name()},")
        + f" is at version {t._vc[0]}; expected version {ver} instead. Hint: replace the in-place "
        f"operation by its out-of-place form (e.g. x = x + 1 instead of x += 1), or clone() the "
        f"tensor before modifying it.")
