"""Transform classes on PIL images: parameters, randomness, joint calls, reprs."""
import numpy as np
import pytest
from PIL import Image

from corelib.random import manual_seed
from corelib_transforms import functional as F
from corelib_transforms import transforms as T


def test_random_crop_pad_if_needed():
    a = (np.arange(6 * 10) % 250 + 1).astype(np.uint8).reshape(6, 10)   # h=6, w=10
    t = T.RandomCrop((8, 12), pad_if_needed=True, fill=0)
    # torchvision pads *both* sides by the shortfall: width 10 -> 14, height 6 -> 10
    ref = np.pad(a, ((2, 2), (2, 2)))
    manual_seed(0)
    for _ in range(10):
        out = np.asarray(t(Image.fromarray(a)))
        assert out.shape == (8, 12)
        windows = [ref[i:i + 8, j:j + 12] for i in range(3) for j in range(3)]
        assert any(np.array_equal(out, w) for w in windows)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(12)(Image.fromarray(a))


def test_random_crop_padding_modes():
    a = np.array([[1, 2, 3, 4]], dtype=np.uint8)
    out = T.RandomCrop((1, 8), padding=(2, 0), padding_mode="reflect")(Image.fromarray(a))
    assert np.asarray(out).tolist() == [[3, 2, 1, 2, 3, 4, 3, 2]]
    out = T.Pad((2, 0), padding_mode="symmetric")(Image.fromarray(a))
    assert np.asarray(out).tolist() == [[2, 1, 1, 2, 3, 4, 4, 3]]


def test_random_resized_crop_params_and_fallback(rgb):
    manual_seed(3)
    for _ in range(20):
        i, j, h, w = T.RandomResizedCrop.get_params(rgb, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 < h <= 64 and 0 < w <= 48 and i + h <= 64 and j + w <= 48
    wide = Image.new("RGB", (40, 20))
    # an impossible scale: 10 failed attempts, then the central crop clipped to max ratio
    assert T.RandomResizedCrop.get_params(wide, (2.0, 3.0), (3 / 4, 4 / 3)) == (0, 6, 20, 27)
    assert T.RandomResizedCrop(32)(rgb).size == (32, 32)
    assert T.RandomResizedCrop((16, 24))(rgb).size == (24, 16)


def test_flips_probability_one_and_zero(rgb):
    a = np.asarray(rgb)
    assert np.array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(rgb)), a[:, ::-1])
    assert np.array_equal(np.asarray(T.RandomVerticalFlip(1.0)(rgb)), a[::-1])
    assert T.RandomHorizontalFlip(0.0)(rgb) is rgb


def test_color_jitter_ranges_and_order():
    cj = T.ColorJitter(0.2, (0.5, 1.5), 0, 0.1)
    assert cj.brightness == (0.8, 1.2) and cj.contrast == (0.5, 1.5)
    assert cj.saturation is None and cj.hue == (-0.1, 0.1)
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)      # clipped at 0
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.6)
    manual_seed(0)
    fn_idx, b, c, s, h = T.ColorJitter.get_params(cj.brightness, cj.contrast, None, cj.hue)
    assert sorted(fn_idx.tolist()) == [0, 1, 2, 3]
    assert 0.8 <= b <= 1.2 and 0.5 <= c <= 1.5 and s is None and -0.1 <= h <= 0.1


def test_color_jitter_applies_pil_enhancers(rgb):
    manual_seed(5)
    out = T.ColorJitter(brightness=(1.5, 1.5))(rgb)
    assert np.array_equal(np.asarray(out), np.asarray(F.adjust_brightness(rgb, 1.5)))


def test_grayscale_classes(rgb):
    assert T.Grayscale()(rgb).mode == "L"
    assert np.array_equal(np.asarray(T.Grayscale(1)(rgb)), np.asarray(rgb.convert("L")))
    out = T.RandomGrayscale(p=1.0)(rgb)
    assert out.mode == "RGB" and np.array_equal(np.asarray(out)[..., 1], np.asarray(rgb.convert("L")))
    assert T.RandomGrayscale(p=0.0)(rgb) is rgb


def test_random_rotation_and_affine(rgb):
    manual_seed(7)
    angle = T.RandomRotation.get_params([-30.0, 30.0])
    manual_seed(7)
    out = T.RandomRotation(30)(rgb)
    assert -30 <= angle <= 30
    assert np.array_equal(np.asarray(out), np.asarray(rgb.rotate(angle)))
    assert T.RandomRotation((90, 90), expand=True)(rgb).size == (64, 48)
    with pytest.warns(DeprecationWarning, match="resample"):
        t = T.RandomRotation(10, resample=Image.BILINEAR)
    assert t.interpolation is F.InterpolationMode.BILINEAR
    manual_seed(1)
    angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params(
        [-10.0, 10.0], (0.1, 0.2), (0.9, 1.1), [-5.0, 5.0, 1.0, 2.0], [48, 64])
    assert abs(tx) <= 4.8 and abs(ty) <= 12.8 and 0.9 <= scale <= 1.1
    assert -5 <= sx <= 5 and 1 <= sy <= 2
    assert T.RandomAffine(0, shear=5).shear == [-5.0, 5.0]
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))
    assert T.RandomAffine(10, translate=(0.1, 0.1), fill=(1, 2, 3))(rgb).size == rgb.size


def test_random_selectors(rgb):
    manual_seed(0)
    seen = {T.RandomChoice([T.Resize(10), T.Resize(20)])(rgb).size[0] for _ in range(30)}
    assert seen == {10, 20}
    assert T.RandomChoice([T.Resize(10), T.Resize(20)], p=[0, 1])(rgb).size[0] == 20
    assert T.RandomApply([T.Resize(10)], p=1.0)(rgb).size[0] == 10
    assert T.RandomApply([T.Resize(10)], p=0.0)(rgb) is rgb
    sizes = {T.RandomOrder([T.Resize(20), T.CenterCrop(10)])(rgb).size for _ in range(30)}
    assert sizes == {(10, 10), (20, 20)}               # crop-then-resize or resize-then-crop
    order = T.RandomOrder([T.Lambda(lambda x: x + "a"), T.Lambda(lambda x: x + "b")])
    assert {order("") for _ in range(30)} == {"ab", "ba"}


def test_lambda_and_compose(rgb):
    t = T.Compose([T.Lambda(lambda im: im.rotate(90)), T.CenterCrop(10)])
    assert t(rgb).size == (10, 10)
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)


def test_reproducible_under_manual_seed(rgb):
    pipe = T.Compose([T.RandomResizedCrop(24), T.RandomHorizontalFlip(),
                      T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomRotation(20),
                      T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5)])
    manual_seed(42)
    a = [np.asarray(pipe(rgb)) for _ in range(3)]
    manual_seed(42)
    b = [np.asarray(pipe(rgb)) for _ in range(3)]
    manual_seed(43)
    c = [np.asarray(pipe(rgb)) for _ in range(3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_joint_image_and_mask_share_parameters(rgb):
    mask = rgb.getchannel("R")                        # the mask is the image's red channel
    pipe = T.Compose([
        T.RandomResizedCrop(20, interpolation=F.InterpolationMode.NEAREST),
        T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
        T.RandomCrop(16, padding=2),
        T.RandomRotation(45, interpolation=0),
        T.RandomApply([T.RandomAffine(0, translate=(0.2, 0.2))], p=0.5),
    ])
    manual_seed(11)
    for _ in range(10):
        img_out, mask_out = pipe(rgb, mask)
        assert mask_out.mode == "L" and img_out.size == mask_out.size == (16, 16)
        assert np.array_equal(np.asarray(img_out)[..., 0], np.asarray(mask_out))
    # a single transform called jointly returns a tuple too
    a, b = T.RandomCrop(10)(rgb, mask)
    assert np.array_equal(np.asarray(a)[..., 0], np.asarray(b))


def test_joint_call_with_plain_callable_in_compose(rgb):
    calls = []
    pipe = T.Compose([lambda im: calls.append(im.size) or im, T.CenterCrop(8)])
    out = pipe(rgb, rgb)
    assert len(calls) == 2 and all(o.size == (8, 8) for o in out)


def test_torchvision_style_subclass_forward(rgb):
    class Half(T.Transform):
        def forward(self, img):
            return img.resize((img.width // 2, img.height // 2))
    assert Half()(rgb).size == (24, 32)
    assert [o.size for o in Half()(rgb, rgb)] == [(24, 32)] * 2


def test_reprs():
    assert repr(T.ToTensor()) == "ToTensor()"
    assert repr(T.PILToTensor()) == "PILToTensor()"
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.Normalize((0.5,), (0.2,))) == "Normalize(mean=(0.5,), std=(0.2,))"
    assert repr(T.Resize(256)) == ("Resize(size=256, interpolation=bilinear, max_size=None, "
                                   "antialias=True)")
    assert repr(T.CenterCrop(224)) == "CenterCrop(size=(224, 224))"
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomResizedCrop(224)) == (
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)")
    assert repr(T.FiveCrop(10)) == "FiveCrop(size=(10, 10))"
    assert repr(T.TenCrop(10, True)) == "TenCrop(size=(10, 10), vertical_flip=True)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomVerticalFlip(0.3)) == "RandomVerticalFlip(p=0.3)"
    assert repr(T.RandomRotation(10)) == ("RandomRotation(degrees=[-10.0, 10.0], "
                                          "interpolation=nearest, expand=False, fill=0)")
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    assert repr(T.ColorJitter(0.2)) == ("ColorJitter(brightness=(0.8, 1.2), contrast=None, "
                                        "saturation=None, hue=None)")
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert repr(T.RandomGrayscale()) == "RandomGrayscale(p=0.1)"
    assert repr(T.RandomAffine(10, scale=(0.9, 1.1))) == (
        "RandomAffine(degrees=[-10.0, 10.0], scale=(0.9, 1.1))")
    assert repr(T.RandomErasing()) == ("RandomErasing(p=0.5, scale=(0.02, 0.33), "
                                       "ratio=(0.3, 3.3), value=0, inplace=False)")
    assert repr(T.GaussianBlur(3)) == "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"
    assert repr(T.Lambda(abs)) == "Lambda()"
    assert repr(T.Compose([T.ToTensor(), T.CenterCrop(3)])) == (
        "Compose(\n    ToTensor()\n    CenterCrop(size=(3, 3))\n)")
    assert repr(T.RandomApply([T.ToTensor()], p=0.3)) == "RandomApply(\n    p=0.3\n    ToTensor()\n)"
    assert repr(T.RandomChoice([T.ToTensor()])) == "RandomChoice(\n    ToTensor()\n)(p=None)"
    assert repr(T.RandomOrder([T.ToTensor()])) == "RandomOrder(\n    ToTensor()\n)"


def test_argument_errors():
    with pytest.raises(ValueError, match="Padding mode"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="1, 2, or 4 element"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))
