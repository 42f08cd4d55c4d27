"""Padding layers (PyTorch's pad tuples: last dim first)."""
from corelib.nn import Module
import corelib.nn.functional as F


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise ValueError(f"expected a padding of {n} values, got {tuple(v)}")
        return tuple(v)
    return (v,) * n


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = 2

    def __init__(self, padding, value):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    _n = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    __constants__ = ["padding"]
    _n = 2
    _mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    _n = 1


class ReflectionPad2d(_ModePadNd):
    _n = 2


class ReflectionPad3d(_ModePadNd):
    _n = 3


class ReplicationPad1d(_ModePadNd):
    _n = 1
    _mode = "replicate"


class ReplicationPad2d(_ModePadNd):
    _n = 2
    _mode = "replicate"


class ReplicationPad3d(_ModePadNd):
    _n = 3
    _mode = "replicate"


class CircularPad1d(_ModePadNd):
    _n = 1
    _mode = "circular"


class CircularPad2d(_ModePadNd):
    _n = 2
    _mode = "circular"


class CircularPad3d(_ModePadNd):
    _n = 3
    _mode = "circular"
