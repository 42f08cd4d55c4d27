"""Loss conformance: ``check_loss(FocalLoss)`` for first-party and third-party losses.

    from corelib.testing import check_loss

    def test_focal_conforms():
        check_loss(FocalLoss, gamma=2.0)                    # ctor kwargs after the fns

A loss is a class ``cls(**ctor_kwargs, reduction=...)`` whose instances are called as
``loss(*inputs, *targets)``. By default the input is a (N, C) float tensor of random values and
the target (N,) class indices (floating targets are cast to the input dtype); pass ``input_fn(n, dtype)`` / ``target_fn(n)`` for other shapes
(each returns a Tensor or a tuple of Tensors / plain values; only floating input Tensors are
differentiated). Checked, raising AssertionError listing every problem:

- the three reductions agree: ``sum == none.sum()`` and ``mean == mean_fn(none, args)``
  (default ``none.mean()``; PyTorch's weighted means need their own ``mean_fn``);
- gradcheck in float64 (finite differences, on ``reduction='sum'``), through ``transform``
  (e.g. ``log_softmax`` for CTC, whose PyTorch gradient is taken w.r.t. the logits);
- batch splitting: ``sum`` over the batch equals the sum over its two halves (``batch_dims``
  names the batch dimension of each argument; ``None`` for unbatched ones);
- the output dtype equals the input dtype, for float32 and float64;
- the class has its own docstring and, when it is registered (``registered=None``: if any
  registry entry resolves to it; ``True``: required), ``registry.get("loss", name)`` is it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_loss", "LossCheckReport"]


class LossCheckReport:
    """What :func:`check_loss` checked and the problems it found."""

    def __init__(self, cls, checked, problems, registry_name=None):
        self.cls = cls
        self.checked = checked
        self.problems = problems
        self.registry_name = registry_name

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self):
        return f"<LossCheckReport {self.cls.__name__}: {len(self.checked)} checks, {len(self.problems)} problems>"

    def __str__(self):
        head = (f"check_loss({self.cls.__module__}.{self.cls.__name__}): {len(self.checked)} checks, "
                f"{len(self.problems)} problem(s)")
        return "\n".join([head, *("  - " + p for p in self.problems)])


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _default_input(n, dtype):
    import corelib
    g = np.random.default_rng(1234 + n)
    return corelib.tensor(g.standard_normal((n, 5)), dtype=dtype)


def _default_target(n):
    import corelib
    g = np.random.default_rng(4321 + n)
    return corelib.tensor(g.integers(0, 5, n), dtype=corelib.int64)


def _registry_name(cls, registry):
    try:
        if registry is None:
            from corelib import registry as reg
        else:
            reg = registry
        for name in reg.list("loss"):
            try:
                if reg.get("loss", name) is cls:
                    return name
            except Exception:  # noqa: BLE001 - another loss failing to import is not ours
                continue
    except Exception:  # noqa: BLE001
        return None
    return None


def _split(x, dim, lo, hi):
    import corelib
    if dim is not None and isinstance(x, (tuple, list)):
        return type(x)(x[lo:hi])                    # e.g. CTC lengths given as a tuple
    if dim is None or not isinstance(x, corelib.Tensor):
        return x
    return x.narrow(dim, lo, hi - lo)


def check_loss(cls, input_fn=None, target_fn=None, *, batch_size=4, batch_dims=None,
               mean_fn=None, transform=None, registered=None, registry=None, atol=1e-5,
               rtol=1e-4, gradcheck=True, raise_on_error=True, **ctor_kwargs) -> LossCheckReport:
    """Check that the loss class ``cls`` behaves like a PyTorch loss (see the module docstring).

    Args:
        cls: the loss class (a ``corelib.nn.modules.loss._Loss`` subclass, or any class taking
            ``reduction=``).
        input_fn: ``input_fn(n, dtype) -> Tensor | tuple`` the batch of n inputs (default:
            a (n, 5) standard normal tensor).
        target_fn: ``target_fn(n) -> Tensor | tuple`` the targets and any further arguments
            (default: (n,) int64 class indices in [0, 5)).
        batch_size: n (even, at least 2).
        batch_dims: per argument (inputs then targets) its batch dimension, or None
            (default: 0 for every Tensor).
        mean_fn: ``mean_fn(none_output, args) -> Tensor`` the expected ``'mean'`` value
            (default ``none_output.mean()``).
        transform: ``transform(input) -> Tensor`` applied to the differentiated input first
            in gradcheck (default identity).
        registered: None (check the registry entry if there is one), True (required) or
            False (skip).
        **ctor_kwargs: passed to ``cls(...)`` for every reduction.

    Returns a :class:`LossCheckReport`; raises AssertionError on problems unless
    ``raise_on_error=False``.
    """
    import corelib
    from corelib.testing.gradcheck import gradcheck as _gradcheck

    input_fn = input_fn or _default_input
    target_fn = target_fn or _default_target
    problems, checked = [], []

    def make(dtype, n=batch_size):
        ins = _tuple(input_fn(n, dtype))
        tgs = tuple(t.to(dtype) if isinstance(t, corelib.Tensor) and t.is_floating_point() else t
                    for t in _tuple(target_fn(n)))       # float targets follow the input dtype
        return ins, tgs

    def call(reduction, args):
        return cls(reduction=reduction, **ctor_kwargs)(*args)

    def arr(t):
        return np.asarray(t.detach().numpy(), dtype=np.float64)

    # -- docstring -------------------------------------------------------------------------
    checked.append("docstring")
    if not (cls.__dict__.get("__doc__") or "").strip():
        problems.append(f"{cls.__name__} has no docstring of its own (write the formula, the "
                        f"arguments and an example, as torch.nn's losses do)")

    # -- registry --------------------------------------------------------------------------
    reg_name = None
    if registered is not False:
        checked.append("registry")
        reg_name = _registry_name(cls, registry)
        if reg_name is None and registered:
            problems.append(f"{cls.__name__} is not registered: return it from a "
                            f"corelib_register_losses() hookimpl of an installed plugin")
        elif reg_name is not None:
            from corelib._catalog import snake_case
            expected = snake_case(cls.__name__)
            if expected.endswith("_loss"):
                expected = expected[: -len("_loss")]
            if reg_name != expected and expected not in _alias_names(cls, registry):
                problems.append(f"{cls.__name__} is registered as {reg_name!r}; the convention "
                                f"is {expected!r} (snake_case without the 'Loss' suffix)")

    # -- reductions and dtypes -------------------------------------------------------------
    for dtype in (corelib.float32, corelib.float64):
        ins, tgs = make(dtype)
        args = ins + tgs
        try:
            outs = {r: call(r, args) for r in ("none", "sum", "mean")}
        except Exception as e:  # noqa: BLE001
            problems.append(f"calling {cls.__name__} with {dtype} inputs raised {e!r}")
            continue
        checked.append(f"reductions[{dtype}]")
        for r, o in outs.items():
            if not isinstance(o, corelib.Tensor):
                problems.append(f"reduction={r!r} returned {type(o).__name__}, not a Tensor")
                break
            if o.dtype != dtype:
                problems.append(f"reduction={r!r} with {dtype} input returned {o.dtype} "
                                f"(the output dtype must be the input dtype)")
            if r != "none" and o.dim() != 0:
                problems.append(f"reduction={r!r} returned shape {list(o.shape)}, not a scalar")
        else:
            none = outs["none"]
            tol = dict(rtol=1e-4 if dtype == corelib.float32 else 1e-7, atol=1e-5 if dtype == corelib.float32 else 1e-9)
            if not np.allclose(arr(outs["sum"]), arr(none).sum(), **tol):
                problems.append(f"reduction='sum' gives {outs['sum'].item()!r} but the sum of "
                                f"reduction='none' is {arr(none).sum()!r} ({dtype})")
            expected = mean_fn(none, args) if mean_fn is not None else none.mean()
            if not np.allclose(arr(outs["mean"]), arr(expected), **tol):
                problems.append(f"reduction='mean' gives {outs['mean'].item()!r}, expected "
                                f"{float(arr(expected))!r} ({dtype}; pass mean_fn= for a "
                                f"weighted mean)")

    # -- batch splitting -------------------------------------------------------------------
    checked.append("batch_split")
    try:
        ins, tgs = make(corelib.float64)
        args = ins + tgs
        dims = tuple(batch_dims) if batch_dims is not None else tuple(
            0 if (isinstance(a, corelib.Tensor) and a.dim() > 0) or isinstance(a, (tuple, list))
            else None for a in args)
        h = batch_size // 2
        whole = call("sum", args)
        first = call("sum", tuple(_split(a, d, 0, h) for a, d in zip(args, dims)))
        second = call("sum", tuple(_split(a, d, h, batch_size) for a, d in zip(args, dims)))
        if not np.allclose(arr(whole), arr(first) + arr(second), rtol=1e-7, atol=1e-9):
            problems.append(f"batch splitting: reduction='sum' over {batch_size} samples is "
                            f"{whole.item()!r} but its two halves add up to "
                            f"{first.item() + second.item()!r} (samples must not interact)")
    except Exception as e:  # noqa: BLE001
        problems.append(f"batch splitting raised {e!r} (set batch_dims= for inputs whose batch "
                        f"dimension is not 0)")

    # -- gradcheck -------------------------------------------------------------------------
    if gradcheck:
        checked.append("gradcheck")
        ins, tgs = make(corelib.float64, n=min(batch_size, 3) if batch_size > 3 else batch_size)
        diff = [i for i, a in enumerate(ins) if isinstance(a, corelib.Tensor) and a.is_floating_point()]
        leaves = [ins[i].detach().clone().requires_grad_(True) for i in diff]

        def fn(*xs):
            a = list(ins)
            for i, x in zip(diff, xs):
                a[i] = transform(x) if transform is not None else x
            return call("sum", tuple(a) + tgs)

        if not leaves:
            problems.append("gradcheck: no floating point input to differentiate")
        else:
            try:
                _gradcheck(fn, tuple(leaves), atol=atol, rtol=rtol)
            except AssertionError as e:
                problems.append(f"gradcheck failed (float64, reduction='sum'): {str(e)[:600]}")
            except Exception as e:  # noqa: BLE001
                problems.append(f"gradcheck raised {e!r}")

    report = LossCheckReport(cls, checked, problems, reg_name)
    if problems and raise_on_error:
        raise AssertionError(str(report))
    return report


def _alias_names(cls, registry):
    try:
        if registry is None:
            from corelib import registry as reg
        else:
            reg = registry
        return {n for n in reg.list("loss") if reg.get("loss", n) is cls}
    except Exception:  # noqa: BLE001
        return set()
