"""nn.Parameter (a learnable leaf Tensor that Modules register automatically) and nn.Buffer."""
from corelib import _tensor as _T

Tensor = _T.Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it as a Module attribute registers it in
    ``module._parameters`` (so it shows up in ``parameters()`` and ``state_dict()``).

    ``Parameter(data=None, requires_grad=True)`` shares ``data``'s memory and version counter; the
    result is always a graph leaf (``data``'s history is not kept). ``data=None`` gives an empty
    tensor.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from corelib._creation import empty
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(data) expects a corelib.Tensor, got {type(data).__name__}; "
                            f"wrap it first, e.g. nn.Parameter(corelib.tensor(data))")
        p = _T._make(data._data, data._device, False, None, cls)
        p._vc = data._vc
        if requires_grad:
            if data._data.dtype.kind not in "fc":
                raise RuntimeError(f"Only Tensors of floating point and complex dtype can require "
                                   f"gradients (got {data.dtype}); pass requires_grad=False or "
                                   f"convert the data first, e.g. .float()")
            p._rg = True
        return p

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        if self.__dict__:
            import copy
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach().cpu().numpy() if self._device is not _T.CPU
                                     else self._data, str(self._device), self._rg, type(self),
                                     dict(self.__dict__) or None))


def _rebuild_parameter(arr, dev, requires_grad, cls=Parameter, state=None):
    t = _T._make(arr, _T.CPU)
    if dev != "cpu":
        t = t.to(dev)
    p = cls(t, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


class _BufferMeta(type):
    # isinstance(t, Buffer) is True for a tensor created by Buffer(...) (PyTorch's behaviour).
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a module buffer: ``self.running_mean = nn.Buffer(t)`` registers it like
    ``register_buffer('running_mean', t, persistent=...)``. Returns a plain (detached) Tensor
    tagged as a buffer."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from corelib._creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer(data) expects a corelib.Tensor, got {type(data).__name__}")
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
