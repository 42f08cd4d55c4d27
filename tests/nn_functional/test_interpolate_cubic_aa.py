"""interpolate(mode='bicubic') and antialias=True against PyTorch (values and gradients)."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _cases(antialias):
    for seed in range(60):
        r = np.random.default_rng(seed)
        x = r.standard_normal((2, 2, int(r.integers(3, 15)), int(r.integers(3, 15))))
        mode = "bicubic" if not antialias else ("bilinear", "bicubic")[seed % 2]
        kw = dict(size=(int(r.integers(2, 12)), int(r.integers(2, 12)))) if seed % 3 == 0 else \
            dict(scale_factor=float(r.choice([0.3, 0.5, 1.5, 2.0, 0.75])))
        yield seed, x, mode, bool(seed % 4 // 2), kw


@pytest.mark.parametrize("antialias", [False, True])
def test_matches_torch(antialias):
    checked = 0
    for seed, x, mode, ac, kw in _cases(antialias):
        b = torch.tensor(x, requires_grad=True)
        try:
            yb = TF.interpolate(b, mode=mode, align_corners=ac, antialias=antialias, **kw)
        except RuntimeError:             # empty output: refused by both
            with pytest.raises(RuntimeError):
                F.interpolate(cl.tensor(x), mode=mode, align_corners=ac, antialias=antialias, **kw)
            continue
        if min(yb.shape[2:]) < 2:        # torch's antialias path for a 1-pixel output is not separable
            continue
        a = cl.tensor(x, requires_grad=True)
        ya = F.interpolate(a, mode=mode, align_corners=ac, antialias=antialias, **kw)
        g = np.random.default_rng(1).standard_normal(tuple(yb.shape))
        ya.backward(cl.tensor(g))
        yb.backward(torch.tensor(g))
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-9, err_msg=str(seed))
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-9, err_msg=str(seed))
        checked += 1
    assert checked > 40


def test_antialias_needs_bilinear_or_bicubic():
    with pytest.raises(ValueError, match="Anti-alias"):
        F.interpolate(cl.randn(1, 1, 4, 4), size=(2, 2), mode="nearest", antialias=True)
    with pytest.raises(NotImplementedError, match="4D"):
        F.interpolate(cl.randn(1, 1, 4), size=2, mode="bicubic")


@pytest.mark.parametrize("p,k,s,cm", [(2.0, 3, None, False), (1.5, (2, 3), 2, True), (3, 2, 1, False)])
def test_lp_pool2d_matches_torch(p, k, s, cm):
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8))
    a, b = cl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = F.lp_pool2d(a, p, k, s, cm), TF.lp_pool2d(b, p, k, s, cm)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), equal_nan=True)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), equal_nan=True)
    assert repr(cl.nn.LPPool2d(p, k, s, cm)) == repr(torch.nn.LPPool2d(p, k, s, cm))
