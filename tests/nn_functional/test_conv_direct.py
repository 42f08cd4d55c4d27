"""The direct (shifted-row) convolution path for few output channels (corelib/nn/_kernels.py
``direct_ok``): it is taken where meant, and its values and gradients match PyTorch."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F
from corelib.nn import _kernels as K
from corelib.nn._conv import ConvParams

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _prm(w, p, d, s=1, nsp=2):
    k = w.shape[2:]
    return ConvParams(k, (s,) * nsp, (p,) * nsp if isinstance(p, int) else p,
                      (d,) * nsp if isinstance(d, int) else d, 1, nsp)


def test_direct_path_is_taken_only_for_its_cases():
    x = np.zeros((2, 3, 32, 32), np.float32)
    w6 = np.zeros((6, 3, 5, 5), np.float32)
    assert K.direct_ok(x, 6, _prm(w6, 0, 1))
    assert not K.direct_ok(x, 16, _prm(np.zeros((16, 3, 5, 5)), 0, 1))         # GEMM wins
    assert not K.direct_ok(x, 6, _prm(w6, 0, 1, s=2))                            # strided
    assert not K.direct_ok(np.zeros((2, 3, 8, 8), np.float32), 6, _prm(w6, 0, 1))  # small plane
    assert not K.direct_ok(x.astype(np.float16), 6, _prm(w6, 0, 1))


@pytest.mark.parametrize("xs,ws,p,d", [
    ((4, 3, 20, 20), (6, 3, 5, 5), 0, 1), ((2, 2, 17, 19), (4, 2, 3, 3), 1, 1),
    ((2, 2, 17, 19), (4, 2, 3, 3), 2, 2), ((3, 1, 300), (5, 1, 7), 3, 1),
    ((2, 3, 16, 16), (8, 3, 1, 1), 0, 1), ((2, 3, 18, 18), (6, 3, 3, 5), (1, 2), (2, 1)),
    ((2, 2, 20, 24), (3, 2, 2, 4), 0, 1), ((2, 2, 20, 24), (3, 2, 3, 6), 1, 1),
    ((1, 1, 24, 30), (2, 1, 2, 8), 0, 1), ((2, 1, 520), (3, 1, 13), 0, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_direct_conv_matches_torch(xs, ws, p, d, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    nsp = len(xs) - 2
    assert K.direct_ok(x, ws[0], _prm(w, p, d, nsp=nsp))
    fn, tfn = (F.conv1d, TF.conv1d) if nsp == 1 else (F.conv2d, TF.conv2d)
    a = [cl.tensor(v, requires_grad=True) for v in (x, w, b)]
    t = [torch.tensor(v, requires_grad=True) for v in (x, w, b)]
    ya, yt = fn(*a, padding=p, dilation=d), tfn(*t, padding=p, dilation=d)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    ya.backward(cl.tensor(g))
    yt.backward(torch.tensor(g))
    tol = 2e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol * 10)
    for ai, ti in zip(a, t):
        np.testing.assert_allclose(ai.grad.numpy(), ti.grad.numpy(), rtol=tol, atol=tol * 10)


def test_direct_conv_first_and_second_order_gradcheck():
    from corelib.testing import gradcheck, gradgradcheck
    rng = np.random.default_rng(1)
    x = cl.tensor(rng.standard_normal((1, 2, 17, 17)), requires_grad=True)
    w = cl.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = cl.tensor(rng.standard_normal(3), requires_grad=True)
    assert K.direct_ok(x.detach().numpy(), 3, _prm(w.detach().numpy(), 1, 1))
    fn = lambda x, w, b: F.conv2d(x, w, b, padding=1)            # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
