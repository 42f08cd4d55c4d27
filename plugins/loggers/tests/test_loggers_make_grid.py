"""make_grid / save_image: hand-computed layouts and torchvision's algorithm (run in torch)."""
import io
import math

import numpy as np
import pytest

from corelib_loggers.image_utils import _make_grid_np


def _corelib():
    corelib = pytest.importorskip("corelib")
    if not hasattr(corelib, "from_numpy") or not hasattr(corelib, "Tensor"):
        pytest.skip("corelib.from_numpy / corelib.Tensor not available yet (core not landed)")
    return corelib


def tv_make_grid(torch, tensor, nrow=8, padding=2, normalize=False, value_range=None,
                 scale_each=False, pad_value=0.0):
    """torchvision.utils.make_grid (0.2x), transcribed verbatim for torch tensors."""
    if isinstance(tensor, list):
        tensor = torch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))
        if scale_each is True:
            for t in tensor:
                norm_range(t, value_range)
        else:
            norm_range(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k = k + 1
    return grid


def test_hand_computed_layout():
    # 3 images of 1x2x2 with values 1, 2, 3; nrow=2, padding=1, pad_value=9
    imgs = np.stack([np.full((1, 2, 2), v, np.float32) for v in (1, 2, 3)])
    g = _make_grid_np(imgs, nrow=2, padding=1, pad_value=9)
    assert g.shape == (3, 1 + 2 * 3, 1 + 2 * 3)                 # 1 channel -> 3 channels
    want = np.array([[9, 9, 9, 9, 9, 9, 9],
                     [9, 1, 1, 9, 2, 2, 9],
                     [9, 1, 1, 9, 2, 2, 9],
                     [9, 9, 9, 9, 9, 9, 9],
                     [9, 3, 3, 9, 9, 9, 9],
                     [9, 3, 3, 9, 9, 9, 9],
                     [9, 9, 9, 9, 9, 9, 9]], np.float32)
    for c in range(3):
        np.testing.assert_array_equal(g[c], want)
    # default: 8 per row, padding 2 -> 3 images in one row
    g = _make_grid_np(np.zeros((3, 3, 4, 5)))
    assert g.shape == (3, 4 + 2 * 2, 3 * (5 + 2) + 2)
    g = _make_grid_np(np.zeros((17, 3, 4, 5)))
    assert g.shape == (3, 3 * 6 + 2, 8 * 7 + 2)


def test_single_images_and_lists():
    assert _make_grid_np(np.ones((4, 5))).shape == (3, 4, 5)          # HW -> 3HW, no padding
    assert _make_grid_np(np.ones((1, 4, 5))).shape == (3, 4, 5)
    assert _make_grid_np(np.ones((2, 4, 5))).shape == (2, 4, 5)        # C=2 kept, single image
    assert _make_grid_np(np.ones((1, 1, 4, 5))).shape == (3, 4, 5)
    g = _make_grid_np([np.ones((3, 4, 5)), np.zeros((3, 4, 5))], nrow=1, padding=0)
    assert g.shape == (3, 8, 5) and g[:, :4].min() == 1 and g[:, 4:].max() == 0


def test_normalize_value_range_scale_each():
    x = np.stack([np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 2, 2),
                  np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 2, 2)])
    g = _make_grid_np(x, padding=0, normalize=True)
    assert g.min() == 0 and g.max() == 1
    g = _make_grid_np(x, padding=0, normalize=True, scale_each=True)
    assert g[:, :, 2:].min() == 0 and g[:, :, 2:].max() == 1
    g = _make_grid_np(x, padding=0, normalize=True, value_range=(0, 1))
    assert g[:, :, :2].min() == 0                                    # clamped
    with pytest.raises(TypeError, match="value_range"):
        _make_grid_np(x, normalize=True, value_range=[0, 1])
    with pytest.warns(FutureWarning, match="range"):
        a = _make_grid_np(x, normalize=True, range=(0, 1))
    np.testing.assert_array_equal(a, _make_grid_np(x, normalize=True, value_range=(0, 1)))
    before = x.copy()
    _make_grid_np(x, normalize=True)
    np.testing.assert_array_equal(x, before)                         # input untouched


def test_bad_input():
    with pytest.raises(TypeError, match="list of tensors"):
        _make_grid_np("abc")
    with pytest.raises(TypeError, match="list containing"):
        _make_grid_np([np.zeros((3, 2, 2)), 5])
    with pytest.raises(TypeError, match="unexpected keyword"):
        _make_grid_np(np.zeros((3, 2, 2)), nrows=3)


CASES = [
    dict(shape=(10, 3, 5, 7)),
    dict(shape=(10, 1, 5, 7), nrow=3, padding=1, pad_value=0.5),
    dict(shape=(7, 3, 4, 4), normalize=True),
    dict(shape=(7, 3, 4, 4), normalize=True, scale_each=True),
    dict(shape=(7, 3, 4, 4), normalize=True, value_range=(-0.5, 0.5)),
    dict(shape=(7, 3, 4, 4), normalize=True, value_range=(-0.5, 0.5), scale_each=True),
    dict(shape=(1, 3, 4, 4), normalize=True),
    dict(shape=(3, 6, 6), padding=0),
    dict(shape=(6, 6)),
    dict(shape=(2, 4, 3, 3), nrow=1, padding=3),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_matches_torchvision_algorithm(case):
    torch = pytest.importorskip("torch")
    case = dict(case)
    shape = case.pop("shape")
    x = (np.random.default_rng(len(shape)).standard_normal(shape) * 3).astype(np.float32)
    want = tv_make_grid(torch, torch.from_numpy(x.copy()), **case).numpy()
    got = _make_grid_np(x, **case)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_public_make_grid_on_corelib_tensors():
    corelib = _corelib()
    x = corelib.from_numpy(np.random.default_rng(0).random((5, 1, 3, 4)).astype(np.float32))
    g = __import__("corelib_loggers.image_utils", fromlist=["make_grid"]).make_grid(x, nrow=2)
    assert isinstance(g, corelib.Tensor) and tuple(g.shape) == (3, 3 * 5 + 2, 2 * 6 + 2)
    lst = [corelib.from_numpy(np.ones((3, 2, 2), np.float32)) for _ in range(2)]
    g = __import__("corelib_loggers.image_utils", fromlist=["make_grid"]).make_grid(lst, padding=0)
    assert tuple(g.shape) == (3, 2, 4)


def _torch_save_image_bytes(torch, x, **kw):
    # torchvision.utils.save_image's conversion
    grid = tv_make_grid(torch, torch.from_numpy(x.copy()), **kw)
    return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", torch.uint8).numpy()


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (3, 7, 5), (1, 7, 5), (2, 1, 3, 3)])
def test_save_image_roundtrip(tmp_path, shape):
    from PIL import Image
    from corelib_loggers.image_utils import save_image
    x = np.random.default_rng(3).random(shape).astype(np.float32) * 1.2 - 0.1
    p = tmp_path / "a.png"
    save_image(x, p, nrow=3)
    got = np.asarray(Image.open(p))
    g = _make_grid_np(x, nrow=3)
    want = np.clip(g * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(got, want)
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(got, _torch_save_image_bytes(torch, x, nrow=3))
    buf = io.BytesIO()
    save_image(x, buf, format="png", nrow=3, normalize=True)
    got = np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    np.testing.assert_array_equal(got, _torch_save_image_bytes(torch, x, nrow=3, normalize=True))


def test_save_image_needs_float(tmp_path):
    from corelib_loggers.image_utils import save_image
    with pytest.raises(TypeError, match="floating-point"):
        save_image(np.zeros((3, 2, 2), np.uint8), tmp_path / "x.png")
