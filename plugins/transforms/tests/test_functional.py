"""Functional API on PIL images, against PIL/numpy references and hand-computed values."""
import numpy as np
import pytest
from PIL import Image, ImageEnhance

from corelib_transforms import functional as F
from corelib_transforms import _functional_array as A


def row_image():
    return Image.fromarray(np.array([[1, 2, 3, 4]], dtype=np.uint8))


# the notes' examples: [1,2,3,4] padded by 2 on left and right
@pytest.mark.parametrize("mode, expected", [
    ("reflect", [3, 2, 1, 2, 3, 4, 3, 2]),
    ("symmetric", [2, 1, 1, 2, 3, 4, 4, 3]),
    ("edge", [1, 1, 1, 2, 3, 4, 4, 4]),
    ("constant", [0, 0, 1, 2, 3, 4, 0, 0]),
])
def test_pad_modes_notes_example(mode, expected):
    out = np.asarray(F.pad(row_image(), [2, 0], padding_mode=mode))
    assert out.tolist() == [expected]
    arr = A.pad(np.array([[[1, 2, 3, 4]]], dtype=np.uint8), [2, 0], padding_mode=mode)
    assert arr[0].tolist() == [expected]


def test_pad_one_two_four_values(rgb):
    assert F.pad(rgb, 3).size == (54, 70)
    assert F.pad(rgb, (1, 2)).size == (50, 68)               # left/right 1, top/bottom 2
    out = F.pad(rgb, (1, 2, 3, 4), fill=(10, 20, 30))        # left, top, right, bottom
    assert out.size == (52, 70)
    a = np.asarray(out)
    assert a[0, 0].tolist() == [10, 20, 30] and a[-1, -1].tolist() == [10, 20, 30]
    assert np.array_equal(a[2:-4, 1:-3], np.asarray(rgb))
    with pytest.raises(ValueError, match="1, 2, or 4 element"):
        F.pad(rgb, (1, 2, 3))
    with pytest.raises(ValueError, match="constant, edge, reflect or symmetric"):
        F.pad(rgb, 1, padding_mode="wrap")


def make_grid(h=6, w=8):
    return np.arange(h * w, dtype=np.uint8).reshape(h, w)


def test_five_crop_positions():
    a = make_grid()
    tl, tr, bl, br, c = (np.asarray(x) for x in F.five_crop(Image.fromarray(a), (2, 3)))
    assert np.array_equal(tl, a[0:2, 0:3])
    assert np.array_equal(tr, a[0:2, 5:8])
    assert np.array_equal(bl, a[4:6, 0:3])
    assert np.array_equal(br, a[4:6, 5:8])
    # centre: top = round((6-2)/2) = 2, left = round((8-3)/2) = round(2.5) = 2
    assert np.array_equal(c, a[2:4, 2:5])
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(Image.fromarray(a), 7)


@pytest.mark.parametrize("vertical", [False, True])
def test_ten_crop_positions(vertical):
    a = make_grid()
    crops = [np.asarray(x) for x in F.ten_crop(Image.fromarray(a), (2, 3), vertical_flip=vertical)]
    assert len(crops) == 10
    f = a[::-1] if vertical else a[:, ::-1]
    refs = [a[0:2, 0:3], a[0:2, 5:8], a[4:6, 0:3], a[4:6, 5:8], a[2:4, 2:5],
            f[0:2, 0:3], f[0:2, 5:8], f[4:6, 0:3], f[4:6, 5:8], f[2:4, 2:5]]
    for got, ref in zip(crops, refs):
        assert np.array_equal(got, ref)


def test_center_crop_pads_when_larger():
    a = make_grid(2, 2) + 1
    out = np.asarray(F.center_crop(Image.fromarray(a), 4))
    assert out.shape == (4, 4)
    assert np.array_equal(out[1:3, 1:3], a) and out[0].sum() == 0


def test_crop_outside_is_zero():
    a = make_grid(4, 4) + 1
    out = np.asarray(F.crop(Image.fromarray(a), -1, -1, 3, 3))
    assert out[0].tolist() == [0, 0, 0] and out[1:, 1:].tolist() == a[:2, :2].tolist()
    arr = A.crop(a[None], -1, -1, 3, 3)
    assert np.array_equal(arr[0], out)


@pytest.mark.parametrize("n", [1, 3])
def test_grayscale_matches_pil(rgb, n):
    out = F.rgb_to_grayscale(rgb, num_output_channels=n)
    ref = np.asarray(rgb.convert("L"))
    a = np.asarray(out)
    if n == 1:
        assert out.mode == "L" and np.array_equal(a, ref)
    else:
        assert out.mode == "RGB" and all(np.array_equal(a[..., k], ref) for k in range(3))
    with pytest.raises(ValueError, match="1 or 3"):
        F.to_grayscale(rgb, 2)


def test_grayscale_array_formula():
    a = np.random.default_rng(1).random((3, 5, 7), dtype=np.float32)
    ref = 0.2989 * a[0] + 0.587 * a[1] + 0.114 * a[2]
    np.testing.assert_allclose(A.rgb_to_grayscale(a)[0], ref, rtol=1e-6)
    u = (a * 255).astype(np.uint8)
    ref_u = (0.2989 * u[0].astype(np.float32) + 0.587 * u[1] + 0.114 * u[2]).astype(np.uint8)
    assert np.array_equal(A.rgb_to_grayscale(u, 3)[2], ref_u)


def test_resize_smaller_edge_and_max_size(rgb):              # rgb: w=48, h=64
    assert F.resize(rgb, 32).size == (32, 42)                 # h = int(32 * 64 / 48)
    assert F.resize(rgb, [32]).size == (32, 42)
    assert F.resize(rgb, (20, 30)).size == (30, 20)           # (h, w)
    assert F.resize(rgb, 32, max_size=40).size == (30, 40)    # long edge capped at 40
    assert F.resize(rgb, 32, max_size=50).size == (32, 42)
    with pytest.raises(ValueError, match="max_size"):
        F.resize(rgb, 32, max_size=32)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        F.resize(rgb, (32, 32), max_size=40)
    ref = rgb.resize((32, 42), Image.BILINEAR)
    assert np.array_equal(np.asarray(F.resize(rgb, 32)), np.asarray(ref))
    ref = rgb.resize((32, 42), Image.NEAREST)
    assert np.array_equal(np.asarray(F.resize(rgb, 32, F.InterpolationMode.NEAREST)),
                          np.asarray(ref))
    assert np.array_equal(np.asarray(F.resize(rgb, 32, 0)), np.asarray(ref))  # PIL int


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_array_resize_antialias_close_to_pil(rgb, mode):
    a = np.asarray(rgb).transpose(2, 0, 1)
    out = A.resize(a, [21, 16], mode, antialias=True)
    ref = np.asarray(rgb.resize((16, 21), Image.BILINEAR if mode == "bilinear" else Image.BICUBIC))
    assert out.dtype == np.uint8 and out.shape == (3, 21, 16)
    assert np.abs(out.astype(int) - ref.transpose(2, 0, 1)).max() <= 1


def test_array_resize_bilinear_upsample_hand_values():
    a = np.array([[[0.0, 1.0]]], dtype=np.float32)
    # torch.nn.functional.interpolate(..., size=(1, 4), mode="bilinear", align_corners=False)
    out = A.resize(a, [1, 4], "bilinear", antialias=False)
    np.testing.assert_allclose(out[0, 0], [0.0, 0.25, 0.75, 1.0])
    out = A.resize(a, [1, 4], "nearest")
    assert out[0, 0].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_flips():
    a = make_grid(3, 4)
    im = Image.fromarray(a)
    assert np.array_equal(np.asarray(F.hflip(im)), a[:, ::-1])
    assert np.array_equal(np.asarray(F.vflip(im)), a[::-1])


def test_rotate_and_affine_pil_match_pil(rgb):
    assert np.array_equal(np.asarray(F.rotate(rgb, 30)), np.asarray(rgb.rotate(30)))
    out = F.rotate(rgb, 30, expand=True, fill=(255, 0, 0))
    ref = rgb.rotate(30, expand=True, fillcolor=(255, 0, 0))
    assert np.array_equal(np.asarray(out), np.asarray(ref))
    ident = F.affine(rgb, 0, [0, 0], 1.0, 0)
    assert np.array_equal(np.asarray(ident), np.asarray(rgb))
    shifted = np.asarray(F.affine(rgb, 0, [3, 2], 1.0, 0))
    assert np.array_equal(shifted[2:, 3:], np.asarray(rgb)[:-2, :-3])
    assert shifted[:2].sum() == 0


def test_array_rotate_90_is_rot90():
    a = np.arange(2 * 4 * 6, dtype=np.float32).reshape(2, 4, 6)
    m = F._get_inverse_affine_matrix([0.0, 0.0], -90.0, [0.0, 0.0], 1.0, [0.0, 0.0])
    out = A.affine_transform(a, m, "nearest", None, expand=True)
    assert np.array_equal(out, np.rot90(a, 1, axes=(1, 2)))


def test_color_adjust_pil_matches_imageenhance(rgb):
    for fn, cls in [(F.adjust_brightness, ImageEnhance.Brightness),
                    (F.adjust_contrast, ImageEnhance.Contrast),
                    (F.adjust_saturation, ImageEnhance.Color)]:
        assert np.array_equal(np.asarray(fn(rgb, 1.3)), np.asarray(cls(rgb).enhance(1.3)))
    with pytest.raises(ValueError, match="not non-negative"):
        F.adjust_brightness(rgb, -1)
    with pytest.raises(ValueError, match=r"not in \[-0.5, 0.5\]"):
        F.adjust_hue(rgb, 0.6)


def test_adjust_hue_pil_shifts_hsv_hue(rgb):
    out = F.adjust_hue(rgb, 0.1)
    h0 = np.asarray(rgb.convert("HSV"))[..., 0].astype(int)
    assert np.asarray(F.adjust_hue(rgb, 0.0)).tolist() == np.asarray(
        Image.merge("HSV", rgb.convert("HSV").split()).convert("RGB")).tolist()
    assert out.mode == "RGB" and out.size == rgb.size
    gray = rgb.convert("L")
    assert F.adjust_hue(gray, 0.3) is gray
    assert h0.shape == (64, 48)


def test_array_hue_roundtrip_and_known_colour():
    red = np.zeros((3, 1, 1), np.float32)
    red[0] = 1.0
    # hue + 1/3 turns pure red into pure green
    np.testing.assert_allclose(A.adjust_hue(red, 1 / 3)[:, 0, 0], [0, 1, 0], atol=1e-5)
    a = np.random.default_rng(2).random((3, 4, 5), dtype=np.float32)
    np.testing.assert_allclose(A._hsv2rgb(A._rgb2hsv(a)), a, atol=1e-5)


def test_array_blend_brightness_truncates_like_torch():
    a = np.array([[[100, 200]]], dtype=np.uint8)
    assert A.adjust_brightness(a, 1.5)[0, 0].tolist() == [150, 255]
    assert A.adjust_brightness(a, 0.333)[0, 0].tolist() == [33, 66]   # 33.3, 66.6 truncated


def test_gaussian_blur_kernel_and_constant_image():
    k = A._gaussian_kernel1d(3, 1.0, np.dtype(np.float32))
    e = np.exp(-0.5)
    np.testing.assert_allclose(k, [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)], rtol=1e-6)
    flat = Image.fromarray(np.full((8, 8), 77, np.uint8))
    assert np.asarray(F.gaussian_blur(flat, 5, 1.5)).tolist() == np.full((8, 8), 77).tolist()
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(flat, 4)


def test_to_pil_image_modes():
    a = np.zeros((4, 5, 3), np.uint8)
    assert F.to_pil_image(a).mode == "RGB"
    assert F.to_pil_image(np.zeros((4, 5, 4), np.uint8)).mode == "RGBA"
    assert F.to_pil_image(np.zeros((4, 5), np.uint8)).mode == "L"
    assert F.to_pil_image(np.zeros((4, 5), np.float32), mode="F").mode == "F"
    img = F.to_pil_image(np.full((2, 2, 1), 0.5, np.float32))   # float * 255 -> L
    assert img.mode == "L" and np.asarray(img).tolist() == [[127, 127], [127, 127]]
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1, 2])


def test_interpolation_mode_accepts_pil_ints_and_names():
    M = F.InterpolationMode
    assert F._to_mode(Image.BICUBIC) is M.BICUBIC and F._to_mode(0) is M.NEAREST
    assert F._to_mode("bilinear") is M.BILINEAR
    with pytest.raises(TypeError, match="InterpolationMode"):
        F._to_mode(object())
