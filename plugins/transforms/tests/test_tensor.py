"""Tensor inputs: ToTensor layout/scaling, Normalize, and the tensor-capable transforms."""
import numpy as np
import pytest
from PIL import Image

from corelib.random import manual_seed
from corelib_transforms import functional as F
from corelib_transforms import transforms as T



def _has_tensor():
    try:
        import corelib
        return hasattr(corelib, "Tensor") and hasattr(corelib, "from_numpy")
    except Exception:  # noqa: BLE001 - the core is not importable yet
        return False


pytestmark = pytest.mark.skipif(not _has_tensor(), reason="corelib.Tensor is not available")


def cl():
    import corelib
    return corelib


def t(a):
    return cl().from_numpy(np.ascontiguousarray(a))


def test_to_tensor_scaling_and_layout(rgb):
    x = T.ToTensor()(rgb)
    a = np.asarray(rgb)
    assert isinstance(x, cl().Tensor) and tuple(x.shape) == (3, 64, 48)
    assert x.dtype == cl().float32
    np.testing.assert_allclose(x.numpy(), a.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    assert float(x.numpy().max()) <= 1.0
    g = F.to_tensor(rgb.convert("L"))
    assert tuple(g.shape) == (1, 64, 48)
    h = F.to_tensor(a)                                       # HWC ndarray
    np.testing.assert_allclose(h.numpy(), x.numpy())
    f = F.to_tensor(np.ones((2, 3, 1), np.float64) * 7)     # non-uint8: no scaling
    assert tuple(f.shape) == (1, 2, 3) and f.numpy().max() == 7
    with pytest.raises(TypeError, match="PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match="2/3 dimensional"):
        F.to_tensor(np.zeros((1, 2, 3, 4)))


def test_pil_to_tensor_and_back(rgb):
    x = T.PILToTensor()(rgb)
    assert x.dtype == cl().uint8 and tuple(x.shape) == (3, 64, 48)
    back = T.ToPILImage()(x)
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), np.asarray(rgb))
    f = T.ToPILImage()(F.to_tensor(rgb.convert("L")) * 0 + 0.5)
    assert f.mode == "L" and np.asarray(f).max() == 127


def test_normalize_values_and_inplace():
    a = np.arange(2 * 2 * 3, dtype=np.float32).reshape(3, 2, 2) / 10
    x = t(a.copy())
    out = T.Normalize((0.1, 0.2, 0.3), (0.5, 1.0, 2.0))(x)
    ref = (a - np.array([0.1, 0.2, 0.3], np.float32)[:, None, None]) / np.array(
        [0.5, 1.0, 2.0], np.float32)[:, None, None]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
    np.testing.assert_allclose(x.numpy(), a)                 # not in place
    same = F.normalize(x, [0.1, 0.2, 0.3], [0.5, 1.0, 2.0], inplace=True)
    assert same is x
    np.testing.assert_allclose(x.numpy(), ref, rtol=1e-6)
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(t(np.zeros((3, 2, 2), np.uint8)), [0], [1])
    with pytest.raises(ValueError, match="division by zero"):
        F.normalize(t(a), [0, 0, 0], [1, 0, 1])
    with pytest.raises(TypeError, match="Tensor Image"):
        F.normalize(Image.new("RGB", (2, 2)), [0], [1])


def test_geometry_on_tensors(rgb):
    a = np.asarray(rgb).transpose(2, 0, 1)
    x = t(a)
    assert np.array_equal(F.hflip(x).numpy(), a[..., ::-1])
    assert np.array_equal(F.vflip(x).numpy(), a[:, ::-1])
    assert np.array_equal(F.crop(x, 3, 4, 10, 12).numpy(), a[:, 3:13, 4:16])
    assert np.array_equal(F.center_crop(x, 20).numpy(), np.asarray(F.center_crop(rgb, 20)).transpose(2, 0, 1))
    crops = F.five_crop(x, (10, 12))
    pil_crops = F.five_crop(rgb, (10, 12))
    for c, p in zip(crops, pil_crops):
        assert np.array_equal(c.numpy(), np.asarray(p).transpose(2, 0, 1))
    assert len(T.TenCrop(10)(x)) == 10
    row = t(np.array([[[1, 2, 3, 4]]], np.float32))
    assert F.pad(row, [2, 0], padding_mode="reflect").numpy().tolist() == [[[3, 2, 1, 2, 3, 4, 3, 2]]]
    assert F.pad(row, [2, 0], padding_mode="symmetric").numpy().tolist() == [[[2, 1, 1, 2, 3, 4, 4, 3]]]
    assert tuple(F.resize(x, 32).shape) == (3, 42, 32)
    assert tuple(F.resize(x, 32, max_size=40).shape) == (3, 40, 30)
    near = F.resize(x, [32, 24], F.InterpolationMode.NEAREST)
    assert np.array_equal(near.numpy(), a[:, ::2, ::2])
    rot = F.rotate(t(a[:, :40, :40].astype(np.float32)), 90)
    assert np.array_equal(rot.numpy(), np.rot90(a[:, :40, :40], 1, axes=(1, 2)))


def test_colour_on_tensors(rgb):
    a = np.asarray(rgb).transpose(2, 0, 1)
    x = t(a)
    g = T.Grayscale()(x)
    ref = (0.2989 * a[0].astype(np.float32) + 0.587 * a[1] + 0.114 * a[2]).astype(np.uint8)
    assert tuple(g.shape) == (1, 64, 48) and np.array_equal(g.numpy()[0], ref)
    xf = F.to_tensor(rgb)
    b = F.adjust_brightness(xf, 0.5)
    np.testing.assert_allclose(b.numpy(), xf.numpy() * 0.5, rtol=1e-6)
    manual_seed(0)
    out = T.ColorJitter(0.3, 0.3, 0.3, 0.1)(xf)
    assert tuple(out.shape) == (3, 64, 48) and 0 <= out.numpy().min() and out.numpy().max() <= 1
    blur_t = F.gaussian_blur(x, 5, 1.2).numpy()
    blur_p = np.asarray(F.gaussian_blur(rgb, 5, 1.2)).transpose(2, 0, 1)
    assert np.array_equal(blur_t, blur_p)


def test_random_erasing_region():
    x = t(np.ones((3, 20, 30), np.float32))
    manual_seed(5)
    out = T.RandomErasing(p=1.0, value=0)(x)
    manual_seed(5)
    from corelib_transforms.transforms import _rand
    _rand()                                                   # the p draw
    i, j, h, w, _ = T.RandomErasing.get_params(x, (0.02, 0.33), (0.3, 3.3), [0.0])
    o = out.numpy()
    assert (o == 0).sum() == 3 * h * w and np.all(o[:, i:i + h, j:j + w] == 0)
    assert np.all(x.numpy() == 1)                            # not in place by default
    manual_seed(6)
    rnd = T.RandomErasing(p=1.0, value="random")(x).numpy()
    assert (rnd != 1).sum() > 0
    same = T.RandomErasing(p=1.0, value=(1, 2, 3), inplace=True)
    assert same(x) is x
    with pytest.raises(ValueError, match="number of input channels"):
        T.RandomErasing(p=1.0, value=(1, 2))(x)


def test_linear_transformation():
    n = 2 * 2 * 2
    m = t(np.eye(n, dtype=np.float32) * 2)
    v = t(np.ones(n, dtype=np.float32))
    x = t(np.arange(n, dtype=np.float32).reshape(2, 2, 2))
    out = T.LinearTransformation(m, v)(x)
    np.testing.assert_allclose(out.numpy(), (np.arange(n).reshape(2, 2, 2) - 1) * 2)
    with pytest.raises(ValueError, match="square"):
        T.LinearTransformation(t(np.zeros((2, 3), np.float32)), t(np.zeros(2, np.float32)))


def test_joint_pil_and_tensor(rgb):
    x = F.pil_to_tensor(rgb)
    manual_seed(9)
    pipe = T.Compose([T.RandomCrop(30), T.RandomHorizontalFlip(), T.RandomVerticalFlip()])
    for _ in range(5):
        p, q = pipe(rgb, x)
        assert np.array_equal(np.asarray(p).transpose(2, 0, 1), q.numpy())


def test_tensor_pipeline_reproducible(rgb):
    pipe = T.Compose([T.ToTensor(), T.RandomResizedCrop(16), T.RandomHorizontalFlip(),
                      T.ColorJitter(0.2, 0.2, 0.2, 0.05), T.RandomRotation(15),
                      T.Normalize((0.5,) * 3, (0.5,) * 3), T.RandomErasing(p=1.0)])
    manual_seed(1)
    a = pipe(rgb).numpy()
    manual_seed(1)
    b = pipe(rgb).numpy()
    assert a.shape == (3, 16, 16) and np.array_equal(a, b)


def test_normalize_keeps_autograd_graph():
    x = cl().tensor(np.random.default_rng(0).random((3, 4, 4)).astype(np.float32),
                    requires_grad=True)
    y = F.normalize(x, [0.5, 0.5, 0.5], [0.25, 0.5, 1.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:, 0, 0], [4.0, 2.0, 1.0])
