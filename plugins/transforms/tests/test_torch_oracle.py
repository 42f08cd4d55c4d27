"""Tensor kernels against torch.nn.functional (test-only oracle; torchvision is not installed)."""
import numpy as np
import pytest

from corelib_transforms import _functional_array as A
from corelib_transforms import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("size", [(15, 11), (50, 70)])
def test_resize_matches_interpolate(mode, antialias, size):
    a = np.random.default_rng(0).random((3, 37, 29), dtype=np.float32)
    ref = TF.interpolate(torch.from_numpy(a)[None], size=size, mode=mode, align_corners=False,
                         antialias=antialias)[0].numpy()
    np.testing.assert_allclose(A.resize(a, size, mode, antialias), ref, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_resize_nearest_matches_interpolate(mode):
    a = np.random.default_rng(0).random((3, 37, 29), dtype=np.float32)
    ref = TF.interpolate(torch.from_numpy(a)[None], size=(15, 41), mode=mode)[0].numpy()
    assert np.array_equal(A.resize(a, (15, 41), mode), ref)


def _torchvision_affine(img, matrix, mode, fill):
    # torchvision's _gen_affine_grid + _apply_grid_transform, written with torch ops
    h, w = img.shape[-2:]
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    base = torch.empty(1, h, w, 3)
    base[..., 0].copy_(torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, steps=w))
    base[..., 1].copy_(torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, steps=h).unsqueeze_(-1))
    base[..., 2].fill_(1)
    grid = base.view(1, h * w, 3).bmm(theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h]))
    x = torch.cat([torch.from_numpy(img)[None], torch.ones(1, 1, h, w)], 1)
    o = TF.grid_sample(x, grid.view(1, h, w, 2), mode=mode, padding_mode="zeros",
                       align_corners=False)
    mask, o = o[:, -1:].expand_as(o[:, :-1]), o[:, :-1]
    fill_img = torch.tensor(fill).view(1, -1, 1, 1).expand_as(o)
    if mode == "nearest":
        o = torch.where(mask < 0.5, fill_img, o)
    else:
        o = o * mask + (1 - mask) * fill_img
    return o[0].numpy()


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("params", [(30, [2, -3], 1.1, [5, 3]), (-47, [0, 0], 0.8, [0, 0])])
def test_affine_matches_grid_sample(mode, params):
    a = np.random.default_rng(1).random((3, 21, 17), dtype=np.float32)
    m = F._get_inverse_affine_matrix([0.0, 0.0], *params)
    fill = [0.2, 0.3, 0.4]
    ref = _torchvision_affine(a, m, mode, fill)
    np.testing.assert_allclose(A.affine_transform(a, m, mode, fill), ref, atol=1e-5)
