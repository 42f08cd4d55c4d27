"""Helpers shared by op definitions: argument checks and dtype handling."""
import numbers

import numpy as np

from corelib import _dtype as D
from corelib import _tensor as T

Tensor = T.Tensor


def named(t, name):
    """Give t's grad_fn torch's node name (repr shows grad_fn=<name>); returns t."""
    fn = t.grad_fn
    if fn is not None:
        fn._display = name
    return t


def wrap_dim(dim, ndim):
    return T._wrap_dim(dim, ndim)


def dims_tuple(dim, ndim):
    """Normalise dim (None, int, or sequence) into a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if ndim == 0:                    # a 0-d tensor takes dim 0 / -1 and reduces nothing
        for d in ([dim] if isinstance(dim, (int, np.integer)) else dim):
            T._wrap_dim(int(d), 0)
        return ()
    if isinstance(dim, (int, np.integer)):
        return (T._wrap_dim(int(dim), ndim),)
    dims = sorted(T._wrap_dim(int(d), ndim) for d in dim)
    for i in range(1, len(dims)):
        if dims[i] == dims[i - 1]:
            raise RuntimeError(f"dim {dims[i]} appears multiple times in the list of dims {list(dim)}")
    return tuple(dims)


def as_tensor_like(x, ref):
    """A scalar or array-like as a Tensor on ref's device (dtype by torch rules)."""
    if isinstance(x, Tensor):
        return x
    from corelib._creation import tensor
    return tensor(x, device=ref.device if isinstance(ref, Tensor) else None)


def is_scalar(x):
    return isinstance(x, (numbers.Number, np.bool_)) and not isinstance(x, Tensor)


def py_scalar(x):
    """numpy scalars -> Python scalars (so numpy's weak-scalar promotion applies)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def float_input(x):
    """Integer/bool tensors become the default float dtype (as torch's float-only ops do)."""
    if x._data.dtype.kind != "f":
        from corelib.ops.convert import cast
        return cast(x, D.get_default_dtype())
    return x


def check_tensor(x, name="input", fn=""):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def not_implemented_for(kernel, t):
    """torch's error when a kernel has no implementation for t's dtype; torch raises
    NotImplementedError there, so corelib raises the same kind (a deliberate refusal)."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{D.torch_name(t.dtype)}\'')


def host_array(x):
    """A Tensor's data as a numpy array: an explicit device->host copy for a device tensor (for
    ops computed on the host, e.g. index bookkeeping; the caller puts its result back)."""
    if isinstance(x, Tensor):
        return x._data if x._device is T.CPU else T._backend(x._device).to_host(x._data)
    return np.asarray(x)
