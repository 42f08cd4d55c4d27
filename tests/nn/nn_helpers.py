"""Tiny Modules built from core ops (the layers come from the layers bundle)."""
import numpy as np

import corelib as cl
from corelib import nn


class Affine(nn.Module):
    """y = x @ w.T + b"""

    def __init__(self, i, o, bias=True):
        super().__init__()
        self.w = nn.Parameter(cl.randn(o, i) * 0.5)
        if bias:
            self.b = nn.Parameter(cl.randn(o) * 0.1)
        else:
            self.register_parameter("b", None)
        self.in_features, self.out_features = i, o

    def forward(self, x):
        y = x @ self.w.t()
        return y + self.b if self.b is not None else y

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}"


class Tanh(nn.Module):
    def forward(self, x):
        return x.tanh()


class Stat(nn.Module):
    """A module with a persistent and a non-persistent buffer."""

    def __init__(self, n):
        super().__init__()
        self.register_buffer("running_mean", cl.zeros(n))
        self.register_buffer("scratch", cl.ones(n), persistent=False)
        self.scale = nn.Parameter(cl.ones(n))

    def forward(self, x):
        return x * self.scale + self.running_mean


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(Affine(4, 5), Tanh())
        self.stat = Stat(5)
        self.fc = Affine(5, 3)

    def forward(self, x):
        return self.fc(self.stat(self.features(x)))


def torch_copy(torch, m):
    """Same architecture in torch (Affine/Tanh/Net) with the same values."""
    tnn = torch.nn

    def t(p):
        return torch.tensor(np.array(p.detach().numpy()))

    class TAffine(tnn.Module):
        def __init__(self, a):
            super().__init__()
            self.w = tnn.Parameter(t(a.w))
            self.b = tnn.Parameter(t(a.b)) if a.b is not None else None

        def forward(self, x):
            y = x @ self.w.t()
            return y + self.b if self.b is not None else y

    return TAffine(m)
