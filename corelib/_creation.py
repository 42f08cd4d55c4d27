"""Creation functions: tensor, from_numpy, zeros, ones, full, arange, linspace, eye, and the
random ones (rand, randn, randint, randperm, normal, bernoulli, ...). Random draws come from a
corelib.Generator (the default one unless ``generator=`` is given)."""
import math
import numbers

import numpy as np

from corelib import _dtype as D
from corelib import _tensor as T
from corelib._device import device as _device_cls, CPU
from corelib.random import numpy_rng

Tensor = T.Tensor


def _wrap(arr, dev=CPU, requires_grad=False):
    if dev is not CPU and dev.type != "cpu":
        b = T._backend(dev)
        if not isinstance(arr, b.xp.ndarray):
            arr = b.from_host(np.asarray(arr), dev)
        return T._make(arr, dev, requires_grad)
    if arr.__class__ is not np.ndarray:
        arr = np.asarray(arr)
    return T._make(arr, dev, requires_grad)


def _finish(arr, dtype, device, requires_grad, out=None):
    """Put a host array on the device, set requires_grad, honour out=."""
    dev = _device_cls(device) if device is not None else CPU
    if dev.type == "cuda" and dev.index is None:
        dev = _device_cls("cuda", 0)
    if dtype is not None and arr.dtype != dtype.np:
        arr = arr.astype(dtype.np)
    t = T._make(arr, CPU)
    if dev is not CPU:
        t = t.to(dev)
    if requires_grad:
        t.requires_grad_(True)
    if out is not None:
        from corelib.ops.inplace import copy_into_out
        return copy_into_out(out, t)
    return t


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, T.Size)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {type(s).__name__} {s!r}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _dt(dtype, default=None):
    d = D.to_dtype(dtype)
    return d if d is not None else (default or D.get_default_dtype())


def _infer_dtype(data):
    """torch.tensor's dtype inference for nested Python data."""
    if isinstance(data, np.ndarray):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return D.from_numpy_dtype(data.dtype)
    flat = []
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            flat.append(x.dtype)
        else:
            flat.append(x)
    cat = 0
    tdt = None
    for x in flat:
        if isinstance(x, np.floating):            # numpy float scalars keep their dtype (as torch)
            x = D.from_numpy_dtype(x.dtype)
        if isinstance(x, D.dtype):
            tdt = x if tdt is None else D.promote_types(tdt, x)
        elif isinstance(x, (bool, np.bool_)):
            pass
        elif isinstance(x, (int, np.integer)):
            cat = max(cat, 1)
        elif isinstance(x, (float, np.floating)):
            cat = 2
        elif isinstance(x, complex):
            raise TypeError("complex tensors are not supported by corelib")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    if tdt is not None:
        return tdt
    if not flat:
        return D.get_default_dtype()
    return (D.bool_, D.int64, D.get_default_dtype())[cat]


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        return np.array(data.detach().cpu()._data, dtype=dtype.np, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _iter_flat(data)):
        data = _tensors_to_lists(data)
    try:
        arr = np.array(data, dtype=dtype.np)
    except (ValueError, TypeError) as e:
        raise ValueError(f"could not build a tensor from this data ({e}); nested sequences must "
                         f"have equal lengths (expected a rectangular list)") from None
    if arr.dtype == object:
        raise TypeError(f"can't convert {type(data).__name__} to a tensor")
    return arr


def _iter_flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _iter_flat(x)
        else:
            yield x


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data.detach().cpu()._data
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor that copies ``data`` (list, tuple, number, numpy array or tensor)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than corelib.tensor(sourceTensor).", UserWarning,
                      stacklevel=2)
    dt = D.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    arr = _to_array(data, dt)
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(arr, None, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with ``data`` when it is a tensor or numpy array of the right dtype."""
    dt = D.to_dtype(dtype)
    if isinstance(data, Tensor):
        r = data
        if dt is not None and dt is not data.dtype:
            r = r.to(dt)
        if device is not None and _device_cls(device) != data.device:
            r = r.to(device)
        return r
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        if dt is not None and dt is not t.dtype:
            t = t.to(dt)
        if device is not None:
            t = t.to(device)
        return t
    return tensor(data, dtype=dt, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    return T._make(ndarray, CPU)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    arr = np.frombuffer(buffer, dtype=D.to_dtype(dtype).np, count=count, offset=offset)
    return _finish(arr, None, None, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _finish(np.empty(_size(size), dtype=_dt(dtype).np), None, device, requires_grad, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given sizes and (element) strides, as torch."""
    size = _size((size,))
    stride = tuple(int(s) for s in stride)
    if len(stride) != len(size):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    n = 1 + sum((k - 1) * st for k, st in zip(size, stride)) if all(size) else 0
    t = _finish(np.empty(n, dtype=_dt(dtype).np), None, device, False)
    t = t.as_strided(size, stride, 0).detach()
    return t.requires_grad_(True) if requires_grad else t


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-dim tensor of the default dtype (unless dtype=) holding s."""
    if isinstance(s, Tensor):
        s = s.item()
    return _finish(np.array(s, dtype=_dt(dtype).np), None, device, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.zeros(_size(size), dtype=_dt(dtype).np), None, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.ones(_size(size), dtype=_dt(dtype).np), None, device, requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = D.bool_ if isinstance(fill_value, bool) else D.int64 if isinstance(fill_value, (int, np.integer)) \
            else D.get_default_dtype()
    size = _size((size,) if isinstance(size, (int, np.integer)) else (size,))
    return _finish(np.full(size, fill_value, dtype=_dt(dtype).np), None, device, requires_grad, out)


def _like(input, dtype, device):
    return (_dt(dtype) if dtype is not None else input.dtype), (device if device is not None else input.device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        dtype = D.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else D.get_default_dtype()
    dtype = _dt(dtype)
    n = int(math.ceil((end - start) / step))
    arr = (start + step * np.arange(n, dtype=np.float64)) if dtype.is_floating_point else \
        np.arange(start, end, step)
    return _finish(arr.astype(dtype.np), None, device, requires_grad, out)


def range_(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    import warnings
    warnings.warn("corelib.range is deprecated; use corelib.arange (which excludes end)",
                  UserWarning, stacklevel=2)
    n = int(math.floor((end - start) / step)) + 1
    arr = start + step * np.arange(n, dtype=np.float64)
    return _finish(arr.astype(_dt(dtype).np), None, device, requires_grad, out)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    dt = _dt(dtype)
    # torch computes in two halves (from the start and from the end) for symmetry
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if not dt.is_floating_point:
        arr = np.trunc(arr)
    return _finish(arr.astype(dt.np), None, device, requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = _dt(dtype)
    exps = linspace(start, end, steps, dtype=D.float64)._data
    return _finish(np.power(base, exps).astype(dt.np), None, device, requires_grad, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if m is None:
        m = n
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    return _finish(np.eye(n, m, dtype=_dt(dtype).np), None, device, requires_grad, out)


# ---- random -------------------------------------------------------------------------------------
def _device_random(kind, size, dt, device, generator, requires_grad, out):
    """Draw on a non-cpu device (from its counter-based generator), or None for host draws."""
    if device is None or generator is not None:
        return None
    dev = _device_cls(device)
    if dev.type == "cpu":
        return None
    if dev.index is None:
        dev = _device_cls(dev.type, 0)
    b = T._backend(dev)
    t = T._make((b.uniform if kind == "uniform" else b.normal)(size, dt.np), dev)
    if requires_grad:
        t.requires_grad_(True)
    if out is not None:
        from corelib.ops.inplace import copy_into_out
        return copy_into_out(out, t)
    return t


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    dt = _dt(dtype)
    _check_float(dt, "rand")
    t = _device_random("uniform", _size(size), dt, device, generator, requires_grad, out)
    if t is not None:
        return t
    arr = numpy_rng(generator).random(_size(size), dtype=np.float64 if dt is D.float64 else np.float32)
    return _finish(arr, dt, device, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    dt = _dt(dtype)
    _check_float(dt, "randn")
    t = _device_random("normal", _size(size), dt, device, generator, requires_grad, out)
    if t is not None:
        return t
    arr = numpy_rng(generator).standard_normal(_size(size), dtype=np.float64 if dt is D.float64 else np.float32)
    return _finish(arr, dt, device, requires_grad, out)


def _check_float(dt, name):
    if not dt.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{dt.name}' (use a floating dtype)")


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    if size is None:          # randint(high, size)
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    size = _size((size,)) if not isinstance(size, int) else (size,)
    arr = numpy_rng(generator).integers(low, high, size=size, dtype=np.int64)
    return _finish(arr, _dt(dtype, D.int64), device, requires_grad, out)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    dt, dev = _like(input, dtype, device)
    return randint(low, high, input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randperm(n, *, generator=None, out=None, dtype=D.int64, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    arr = numpy_rng(generator).permutation(int(n))
    return _finish(arr, _dt(dtype, D.int64), device, requires_grad, out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    """The four modes: (float, float, size), (Tensor, float), (float, Tensor), (Tensor, Tensor)."""
    rng = numpy_rng(generator)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal() with scalar mean and std needs a size, e.g. "
                            "corelib.normal(0., 1., size=(2, 3))")
        dt = _dt(dtype)
        arr = rng.standard_normal(_size((size,)), dtype=np.float64 if dt is D.float64 else np.float32)
        return _finish((arr * std + mean).astype(dt.np), None, device, requires_grad, out)
    if ts and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    ref = mean if tm else std
    m = mean._data if tm else mean
    s = std._data if ts else std
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    if tm and ts and mean.numel() == std.numel() and mean.shape != std.shape:
        shape = mean.shape
        s = s.reshape(shape)
    dt = ref.dtype if ref.is_floating_point() else D.get_default_dtype()
    z = rng.standard_normal(shape, dtype=np.float64 if dt is D.float64 else np.float32)
    arr = (z * s + m).astype(dt.np)
    return _finish(arr, None, ref.device if device is None else device, requires_grad, out)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._data if p is None else np.full(input._data.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
    u = numpy_rng(generator).random(probs.shape)
    arr = (u < probs).astype(input._data.dtype if input.is_floating_point() else np.float32)
    return _finish(arr, None, input.device, False, out)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    from corelib.ops._util import host_array
    rng = numpy_rng(generator)
    p = host_array(input).astype(np.float64)         # drawn on the host
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    res = []
    for r in rows:
        if r.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(r):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        res.append(rng.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()))
    arr = np.array(res, dtype=np.int64).reshape(p.shape[:-1] + (num_samples,))
    return _finish(arr, None, input.device, False, out)


def poisson(input, generator=None):
    from corelib.ops._util import host_array
    lam = host_array(input)                          # drawn on the host
    return _finish(numpy_rng(generator).poisson(lam).astype(lam.dtype), None, input.device, False)

