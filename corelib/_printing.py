"""Tensor repr in PyTorch's style: tensor([1., 2.], requires_grad=True)."""
import numpy as np


def _fmt_float(a):
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return lambda v: _special(v) or "nan", 0
    amax = float(np.abs(finite).max())
    amin = float(np.abs(finite[finite != 0]).min()) if np.any(finite != 0) else 0.0
    integral = np.all(finite == np.round(finite))
    if integral and amax < 1e8:
        w = max(len(f"{v:.0f}") for v in (finite.max(), finite.min())) + 1
        return (lambda v: _special(v) or f"{v:.0f}."), w
    if amax >= 1e8 or (amin > 0 and (amin < 1e-4 or amax / amin > 1e5)):
        return (lambda v: _special(v) or f"{v:.4e}"), 10
    return (lambda v: _special(v) or f"{v:.4f}"), max(len(f"{v:.4f}") for v in (finite.max(), finite.min()))


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _format_array(a):
    if a.dtype.kind == "f":
        f, w = _fmt_float(a.astype(np.float64))
        fmt = lambda v: f(float(v)).rjust(w)
    elif a.dtype.kind == "b":
        fmt = lambda v: ("True" if v else "False").rjust(5 if a.size > 1 and not a.all() else 4)
    else:
        w = max((len(str(v)) for v in (a.max(), a.min())), default=1) if a.size else 1
        fmt = lambda v: str(int(v)).rjust(w)
    if a.ndim == 0:
        return fmt(a.item()).strip()
    summarize = a.size > 1000
    return _rec(a, fmt, 0, summarize)


def _rec(a, fmt, depth, summarize):
    indent = " " * (depth + 8)
    if a.ndim == 1:
        items = [fmt(v) for v in (list(a[:3]) + ["..."] + list(a[-3:]) if summarize and a.shape[0] > 6 else a)] \
            if not (summarize and a.shape[0] > 6) else [fmt(v) for v in a[:3]] + ["..."] + [fmt(v) for v in a[-3:]]
        return "[" + ", ".join(items) + "]"
    rows = list(range(a.shape[0]))
    if summarize and a.shape[0] > 6:
        rows = rows[:3] + [None] + rows[-3:]
    parts = [_rec(a[i], fmt, depth + 1, summarize) if i is not None else "..." for i in rows]
    sep = "," + "\n" * (a.ndim - 1) + indent
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    from corelib import _dtype as D
    a = t._data if t._device.type == "cpu" else t.cpu()._data
    extras = []
    if t._device.type != "cpu":
        extras.append(f"device='{t._device}'")
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            extras.append(f"size={tuple(a.shape)}")
    else:
        body = _format_array(a)
    dt = t.dtype
    default_shown = (dt is D.get_default_dtype()) or dt is D.int64 or dt is D.bool_
    if not default_shown:
        extras.append(f"dtype={dt}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._rg:
        extras.append("requires_grad=True")
    prefix = "tensor(" if type(t).__name__ != "Parameter" else "Parameter containing:\ntensor("
    return prefix + body + "".join(", " + e for e in extras) + ")"
