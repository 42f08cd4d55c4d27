"""Pooling primitives (max, average, adaptive) over planes (P, D, H, W), P = N*C.

Max pooling saves flat in-plane argmax indices; its gradient is a scatter (PlaneScatter) whose
own gradient is the gather (PlaneGather), so double backward works. Average pooling's gradient
(AvgPoolBackward) is the adjoint of the pooling and vice versa.
"""
import numpy as np

from corelib.autograd import Function


def _k():
    from corelib.nn import _kernels
    return _kernels


class MaxPool(Function):
    def forward(self, x, wins, dil, shape_out):
        P = int(np.prod(x.shape[:-3])) if x.ndim > 3 else 1
        x4 = x.reshape((P,) + x.shape[-3:])
        y, idx = _k().max_pool(x4, wins, dil)
        self.idx = idx
        self.in_shape = x.shape
        return y.reshape(shape_out)

    def backward(self, gy):
        return PlaneScatter.apply(gy, self.idx, self.in_shape)


class PlaneScatter(Function):
    """gx[p, idx[p, o]] += g[p, o]; gx has shape in_shape (planes = all but the last 3 dims)."""

    def forward(self, g, idx, in_shape):
        self.idx = idx
        self.g_shape = g.shape
        P, m = idx.shape[0], int(np.prod(idx.shape[1:]))     # (P, -1) fails on an empty batch
        plane = in_shape[-1] * in_shape[-2] * in_shape[-3]
        gx = _k().max_pool_backward(g.reshape(P, m), idx.reshape(P, m), plane)
        return gx.reshape(in_shape)

    def backward(self, gg):
        return PlaneGather.apply(gg, self.idx, self.g_shape)


class PlaneGather(Function):
    def forward(self, x, idx, out_shape):
        self.idx = idx
        self.in_shape = x.shape
        P, m = idx.shape[0], int(np.prod(idx.shape[1:]))
        return _k().gather_plane(x.reshape(P, int(np.prod(x.shape[-3:]))), idx.reshape(P, m)).reshape(out_shape)

    def backward(self, gy):
        return PlaneScatter.apply(gy, self.idx, self.in_shape)


class AvgPool(Function):
    def forward(self, x, wins, divs, override, shape_out):
        P = int(np.prod(x.shape[:-3]))
        self.args = (wins, divs, override)
        self.in_shape = x.shape
        y = _k().avg_pool(x.reshape((P,) + x.shape[-3:]), wins, divs, override)
        return y.reshape(shape_out)

    def backward(self, gy):
        return AvgPoolBackward.apply(gy, self.args, self.in_shape)


class AvgPoolBackward(Function):
    def forward(self, g, args, in_shape):
        wins, divs, override = args
        self.args = args
        self.g_shape = g.shape
        P = int(np.prod(in_shape[:-3]))
        o3 = tuple(w[0].size for w in wins)
        gx = _k().avg_pool_backward(g.reshape((P,) + o3), in_shape[-3:], wins, divs, override)
        return gx.reshape(in_shape)

    def backward(self, gg):
        return AvgPool.apply(gg, *self.args, self.g_shape)
