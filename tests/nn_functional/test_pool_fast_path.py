"""max_pool2d's unrolled 2x2/stride-2 kernel against PyTorch and against the general kernel:
values, indices and gradients, with NaN, inf, ties, odd sizes and ceil_mode (which must fall
back to the general kernel where a window hangs over the edge)."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F
from corelib.nn import _kernels as K

torch = pytest.importorskip("torch")


def _special(x):
    x = x.copy()
    flat = x.reshape(-1)
    if flat.size < 54:
        flat[1] = flat[3]
        return x
    flat[:3] = np.nan                   # two NaNs in one window: the last one wins (as torch)
    flat[20:22] = np.inf
    flat[40] = flat[41]                 # a tie: the first one wins
    flat[50:54] = -np.inf
    return x


@pytest.mark.parametrize("shape,k,s,p,ceil", [
    ((2, 3, 8, 8), 2, 2, 0, False), ((2, 3, 9, 7), 2, 2, 0, False), ((2, 3, 9, 7), 2, 2, 0, True),
    ((2, 2, 6, 6), 2, None, 0, False), ((2, 3, 8, 8), 2, 2, 1, False), ((3, 8, 8), 2, 2, 0, False),
    ((2, 3, 8, 8), (2, 3), 2, 0, False), ((1, 1, 2, 2), 2, 2, 0, False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d_2x2_matches_torch(shape, k, s, p, ceil, dtype):
    rng = np.random.default_rng(0)
    x = _special(rng.standard_normal(shape).astype(dtype))
    a = cl.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, ia = F.max_pool2d(a, k, s, p, ceil_mode=ceil, return_indices=True)
    yb, ib = torch.nn.functional.max_pool2d(b, k, s, p, ceil_mode=ceil, return_indices=True)
    g = rng.standard_normal(tuple(yb.shape)).astype(dtype)
    ya.backward(cl.tensor(g))
    yb.backward(torch.tensor(g))
    assert np.array_equal(ya.detach().numpy(), yb.detach().numpy(), equal_nan=True)
    assert np.array_equal(ia.numpy(), ib.numpy())
    assert np.array_equal(a.grad.numpy(), b.grad.numpy())


def test_2x2_kernel_agrees_with_the_general_kernel():
    rng = np.random.default_rng(1)
    x = _special(rng.standard_normal((6, 1, 11, 10)).astype(np.float32))
    wins = [K.window_arrays(1, 1, 1, 1, 0, 1), K.window_arrays(11, 5, 2, 2, 0, 1),
            K.window_arrays(10, 5, 2, 2, 0, 1)]
    y, idx = K.max_pool(x, wins, (1, 1, 1))          # takes the 2x2 path
    y2 = np.empty_like(y)
    i2 = np.empty_like(idx)
    (sD, loD, hiD), (sH, loH, hiH), (sW, loW, hiW) = wins
    K._max_pool_fwd(x, sD, loD, hiD, 1, sH, loH, hiH, 1, sW, loW, hiW, 1, y2, i2)
    assert np.array_equal(y, y2, equal_nan=True) and np.array_equal(idx, i2)
