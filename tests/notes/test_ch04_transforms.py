"""Notes chapter 4 (transforms): every transform of the notes, with the arguments listed there,
on PIL images and CHW tensors, against torchvision's documented algorithms.

torchvision is not installed: tensor kernels are compared with torchvision's
``_functional_tensor`` algorithms re-written here with torch ops, PIL paths with PIL itself.
"""
import math
import random
import warnings

import numpy as np
import pytest
from PIL import Image

import corelib
from corelib import transforms

torch = pytest.importorskip("torch")
TF = torch.nn.functional


# ---------------------------------------------------------------- fixtures / helpers

def _rgb(h=20, w=30, seed=0):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _u8_tensor(h=20, w=30, seed=1, batch=()):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, batch + (3, h, w), dtype=np.uint8)


def _f32(h=20, w=30, seed=2, c=3, batch=()):
    return np.random.default_rng(seed).random(batch + (c, h, w), dtype=np.float32)


def _cl(a):
    return corelib.tensor(a)


# torchvision._functional_tensor, written with torch ops (reference only)

def _tv_max(dtype):
    return 255 if dtype == torch.uint8 else 1.0


def _tv_blend(img1, img2, ratio):
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, _tv_max(img1.dtype)).to(img1.dtype)


def _tv_gray(img, n=1):
    r, g, b = img.unbind(dim=-3)
    l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    return l_img.expand(img.shape) if n == 3 else l_img


def _tv_contrast(img, f):
    dtype = img.dtype if torch.is_floating_point(img) else torch.float32
    mean = torch.mean(_tv_gray(img).to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _tv_blend(img, mean, f)


def _tv_rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    crd = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def _tv_hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(torch.int32)
    p = torch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = torch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = torch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    i = i % 6
    mask = i.unsqueeze(dim=-3) == torch.arange(6).view(-1, 1, 1)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    return torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(img.dtype), a4)


def _tv_hue(img, hue):
    orig = img.dtype
    x = img.to(torch.float32) / 255 if orig == torch.uint8 else img
    hsv = _tv_rgb2hsv(x)
    h, s, v = hsv.unbind(dim=-3)
    out = _tv_hsv2rgb(torch.stack(((h + hue) % 1.0, s, v), dim=-3))
    if orig == torch.uint8:
        out = out.mul(255 + 1.0 - 1e-3).to(torch.uint8)
    return out


def _tv_inverse_affine(center, angle, translate, scale, shear):
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [d, -b, 0.0, -c, a, 0.0]
    m = [x / scale for x in m]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def _tv_affine_out_size(matrix, w, h):
    pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    theta = torch.tensor(matrix, dtype=torch.float).view(2, 3)
    new_pts = torch.matmul(pts, theta.T)
    mn, _ = new_pts.min(dim=0)
    mx, _ = new_pts.max(dim=0)
    mn += torch.tensor((w * 0.5, h * 0.5))
    mx += torch.tensor((w * 0.5, h * 0.5))
    tol = 1e-4
    cmax = torch.ceil((mx / tol).trunc_() * tol)
    cmin = torch.floor((mn / tol).trunc_() * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _tv_grid_transform(img, matrix, mode, fill, expand=False):
    """torchvision F_t.rotate / F_t.affine: _gen_affine_grid + _apply_grid_transform."""
    squeeze = img.ndim == 3
    if squeeze:
        img = img[None]
    out_dtype = img.dtype
    if not torch.is_floating_point(img):
        img = img.to(torch.float32)
    h, w = img.shape[-2:]
    ow, oh = _tv_affine_out_size(matrix, w, h) if expand else (w, h)
    theta = torch.tensor(matrix, dtype=img.dtype).reshape(1, 2, 3)
    base = torch.empty(1, oh, ow, 3, dtype=img.dtype)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    grid = base.view(1, oh * ow, 3).bmm(theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h],
                                                                              dtype=img.dtype))
    grid = grid.view(1, oh, ow, 2).expand(img.shape[0], oh, ow, 2)
    if fill is not None:
        img = torch.cat((img, torch.ones((img.shape[0], 1, h, w), dtype=img.dtype)), dim=1)
    img = TF.grid_sample(img, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = img[:, -1:].expand_as(img[:, :-1])
        img = img[:, :-1]
        fill_img = torch.tensor(fill, dtype=img.dtype).view(1, len(fill), 1, 1).expand_as(img)
        if mode == "nearest":
            img = torch.where(mask < 0.5, fill_img, img)
        else:
            img = img * mask + (1.0 - mask) * fill_img
    if out_dtype != img.dtype:
        img = torch.round(img).to(out_dtype)
    return img[0] if squeeze else img


def _raises(exc, fn, match=None):
    with pytest.raises(exc, match=match):
        fn()


# ---------------------------------------------------------------- the notes' surface

NOTES_TRANSFORMS = [
    "Normalize", "CenterCrop", "RandomCrop", "RandomResizedCrop", "FiveCrop", "TenCrop",
    "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation", "Pad", "ColorJitter",
    "Grayscale", "RandomGrayscale", "RandomAffine", "LinearTransformation", "RandomErasing",
    "Lambda", "Resize", "ToTensor", "RandomChoice", "RandomApply", "RandomOrder", "Compose",
]


@pytest.mark.parametrize("name", NOTES_TRANSFORMS)
def test_every_transform_of_the_notes_exists(name):
    cls = getattr(transforms, name)
    assert callable(cls) and cls.__name__ == name


def test_signatures_and_defaults_as_the_notes():
    import inspect

    def defaults(cls):
        return {k: v.default for k, v in inspect.signature(cls).parameters.items()
                if v.default is not inspect.Parameter.empty}

    assert defaults(transforms.Normalize) == {"inplace": False}
    d = defaults(transforms.RandomCrop)
    assert d == {"padding": None, "pad_if_needed": False, "fill": 0, "padding_mode": "constant"}
    d = defaults(transforms.RandomResizedCrop)
    assert d["scale"] == (0.08, 1.0) and d["ratio"] == (3 / 4, 4 / 3)
    assert d["interpolation"] == transforms.InterpolationMode.BILINEAR
    assert defaults(transforms.TenCrop) == {"vertical_flip": False}
    assert defaults(transforms.RandomHorizontalFlip) == {"p": 0.5}
    assert defaults(transforms.RandomVerticalFlip) == {"p": 0.5}
    d = defaults(transforms.RandomRotation)
    assert d["expand"] is False and d["center"] is None and d["fill"] == 0
    assert defaults(transforms.Pad) == {"fill": 0, "padding_mode": "constant"}
    assert defaults(transforms.ColorJitter) == {"brightness": 0, "contrast": 0, "saturation": 0,
                                                "hue": 0}
    assert defaults(transforms.Grayscale) == {"num_output_channels": 1}
    assert defaults(transforms.RandomGrayscale)["p"] == 0.1
    d = defaults(transforms.RandomAffine)
    assert d["translate"] is None and d["scale"] is None and d["shear"] is None
    assert d["fill"] == 0
    d = defaults(transforms.RandomErasing)
    assert d == {"p": 0.5, "scale": (0.02, 0.33), "ratio": (0.3, 3.3), "value": 0,
                 "inplace": False}
    assert defaults(transforms.RandomApply) == {"p": 0.5}


# ---------------------------------------------------------------- ToTensor / Normalize

def _tv_to_tensor_pil(pic):
    """torchvision.transforms.functional.to_tensor for PIL images, with torch."""
    mode_to_nptype = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    img = torch.from_numpy(np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True))
    if pic.mode == "1":
        img = 255 * img
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    img = img.permute((2, 0, 1)).contiguous()
    if img.dtype == torch.uint8:
        return img.to(torch.float32).div(255)
    return img


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16", "I", "F", "1", "LA", "P", "CMYK"])
def test_to_tensor_pil_modes(mode):
    rng = np.random.default_rng(3)
    if mode == "I;16":
        pic = Image.fromarray(rng.integers(0, 30000, (7, 9), dtype=np.uint16))
        assert pic.mode == "I;16"
    else:
        pic = _rgb(7, 9).convert(mode)
    out = transforms.ToTensor()(pic)
    ref = _tv_to_tensor_pil(pic)
    assert isinstance(out, corelib.Tensor)
    assert tuple(out.shape) == tuple(ref.shape)
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    np.testing.assert_array_equal(_np(out), ref.numpy())


@pytest.mark.parametrize("shape", [(5, 6, 3), (5, 6), (5, 6, 1), (5, 6, 4)])
def test_to_tensor_numpy_hwc(shape):
    a = np.random.default_rng(4).integers(0, 256, shape, dtype=np.uint8)
    out = transforms.ToTensor()(a)
    hwc = a if a.ndim == 3 else a[:, :, None]
    ref = torch.from_numpy(hwc.transpose(2, 0, 1).copy()).to(torch.float32).div(255)
    assert out.dtype == corelib.float32 and tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(_np(out), ref.numpy())
    # non-contiguous input, non-uint8 data is not scaled
    f = np.random.default_rng(5).random((6, 5, 3))[:, ::-1]
    out = transforms.ToTensor()(f)
    assert out.dtype == corelib.float64
    np.testing.assert_array_equal(_np(out), f.transpose(2, 0, 1))


def test_to_tensor_bad_input():
    _raises(TypeError, lambda: transforms.ToTensor()(corelib.zeros(3, 4, 4)))
    _raises(TypeError, lambda: transforms.ToTensor()([[1, 2]]))
    _raises(ValueError, lambda: transforms.ToTensor()(np.zeros((2, 3, 4, 5), np.uint8)))


def test_normalize_matches_torch_formula():
    x = _f32()
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    out = transforms.Normalize(mean, std)(_cl(x))
    ref = (torch.from_numpy(x) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(_np(out), ref.numpy(), rtol=1e-6, atol=1e-6)
    # batched (..., C, H, W), float64, tuple arguments, input untouched
    xb = _f32(batch=(2,)).astype(np.float64)
    t = _cl(xb)
    out = transforms.Normalize(tuple(mean), tuple(std))(t)
    assert out.dtype == corelib.float64
    ref = (torch.from_numpy(xb) - torch.tensor(mean, dtype=torch.float64).view(-1, 1, 1)) / \
        torch.tensor(std, dtype=torch.float64).view(-1, 1, 1)
    np.testing.assert_allclose(_np(out), ref.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(_np(t), xb)
    # scalar mean/std broadcast over channels
    out = transforms.Normalize(0.5, 0.5)(_cl(x))
    np.testing.assert_allclose(_np(out), (x - 0.5) / 0.5, rtol=1e-6)


def test_normalize_inplace_and_errors():
    t = _cl(_f32())
    out = transforms.Normalize([0.5] * 3, [0.5] * 3, inplace=True)(t)
    assert out is t
    _raises(TypeError, lambda: transforms.Normalize([0.5], [0.5])(
        corelib.zeros(1, 4, 4, dtype=corelib.uint8)), match="float")
    _raises(TypeError, lambda: transforms.Normalize([0.5], [0.5])(
        corelib.zeros(1, 4, 4, dtype=corelib.int64)))
    _raises(ValueError, lambda: transforms.Normalize([0.5], [0.0])(corelib.zeros(1, 4, 4)),
            match="zero")
    _raises(ValueError, lambda: transforms.Normalize([0.5], [0.5])(corelib.zeros(4, 4)))
    _raises(TypeError, lambda: transforms.Normalize([0.5], [0.5])(_rgb()))
    assert repr(transforms.Normalize([0.5, 0.5], [0.2, 0.2])) == \
        "Normalize(mean=[0.5, 0.5], std=[0.2, 0.2])"


def test_to_tensor_then_normalize_notes_pipeline():
    """Notes 4.7.5: the inference transform, against a PIL + numpy reference."""
    norm_mean, norm_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    inference_transform = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop((224, 224)),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    img = _rgb(300, 400)
    out = inference_transform(img)
    assert tuple(out.shape) == (3, 224, 224) and out.dtype == corelib.float32
    r = img.resize((341, 256), Image.BILINEAR)               # smaller edge -> 256
    left, top = int(round((341 - 224) / 2.0)), int(round((256 - 224) / 2.0))
    r = np.asarray(r.crop((left, top, left + 224, top + 224)), np.float32) / 255
    ref = (torch.from_numpy(r.transpose(2, 0, 1).copy()) - torch.tensor(norm_mean).view(3, 1, 1)) \
        / torch.tensor(norm_std).view(3, 1, 1)
    np.testing.assert_allclose(_np(out), ref.numpy(), rtol=1e-5, atol=1e-5)
    assert repr(inference_transform) == (
        "Compose(\n"
        "    Resize(size=256, interpolation=bilinear, max_size=None, antialias=True)\n"
        "    CenterCrop(size=(224, 224))\n"
        "    ToTensor()\n"
        f"    Normalize(mean={norm_mean}, std={norm_std})\n"
        ")")


# ---------------------------------------------------------------- crops (4.2)

def test_center_crop_pil_and_tensor():
    img = _rgb(20, 30)
    out = transforms.CenterCrop(10)(img)
    assert out.size == (10, 10)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img)[5:15, 10:20])
    t = _u8_tensor()
    out = transforms.CenterCrop((8, 12))(_cl(t))
    np.testing.assert_array_equal(_np(out), t[:, 6:14, 9:21])
    # larger than the image: zero padded, as torchvision
    out = transforms.CenterCrop(24)(_cl(t[:, :20, :20]))
    assert tuple(out.shape) == (3, 24, 24)
    np.testing.assert_array_equal(_np(out)[:, 2:22, 2:22], t[:, :20, :20])
    assert _np(out)[:, :2].sum() == 0
    assert repr(transforms.CenterCrop(10)) == "CenterCrop(size=(10, 10))"


def test_random_crop_padding_forms_and_modes():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    pil = Image.fromarray(img)
    # padding=a : all sides; (a, b): left/right a, top/bottom b; (a, b, c, d): l, t, r, b
    for padding, shape in [(2, (7, 8)), ((1, 2), (7, 6)), ((1, 2, 3, 4), (9, 8))]:
        crop = transforms.RandomCrop(shape, padding=padding)
        out = crop(pil)
        assert out.size == (shape[1], shape[0])
        out_t = crop(_cl(img[None]))
        assert tuple(out_t.shape) == (1,) + shape
    # notes' examples of the four padding modes, on PIL and tensors
    row = np.array([[1, 2, 3, 4]], np.uint8)
    expected = {"constant": [0, 0, 1, 2, 3, 4, 0, 0], "edge": [1, 1, 1, 2, 3, 4, 4, 4],
                "reflect": [3, 2, 1, 2, 3, 4, 3, 2], "symmetric": [2, 1, 1, 2, 3, 4, 4, 3]}
    for mode, exp in expected.items():
        t = transforms.RandomCrop((1, 8), padding=(2, 0), padding_mode=mode)
        assert np.asarray(t(Image.fromarray(row))).ravel().tolist() == exp
        assert _np(t(_cl(row[None]))).ravel().tolist() == exp
        assert np.asarray(transforms.Pad((2, 0), padding_mode=mode)(Image.fromarray(row))
                          ).ravel().tolist() == exp
    # fill for constant
    out = transforms.RandomCrop((1, 8), padding=(2, 0), fill=9)(Image.fromarray(row))
    assert np.asarray(out).ravel().tolist() == [9, 9, 1, 2, 3, 4, 9, 9]
    # pad_if_needed
    out = transforms.RandomCrop(10, pad_if_needed=True)(pil)
    assert out.size == (10, 10)
    _raises(ValueError, lambda: transforms.RandomCrop(10)(pil))
    assert repr(transforms.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"


def test_random_crop_position_range():
    img = _cl(np.arange(100, dtype=np.float32).reshape(1, 10, 10))
    corelib.manual_seed(0)
    tops = set()
    for _ in range(200):
        out = _np(transforms.RandomCrop(8)(img))
        tops.add((int(out[0, 0, 0]) // 10, int(out[0, 0, 0]) % 10))
    assert tops == {(i, j) for i in range(3) for j in range(3)}      # high end inclusive


def test_random_resized_crop_params():
    img = _rgb(40, 60)
    corelib.manual_seed(1)
    t = transforms.RandomResizedCrop(24)
    for _ in range(50):
        i, j, h, w = t.get_params(img, t.scale, t.ratio)
        assert 0 <= i <= 40 - h and 0 <= j <= 60 - w
        assert 0.08 * 2400 - 60 <= h * w <= 2400
    assert t(img).size == (24, 24)
    assert tuple(t(_cl(_f32(40, 60))).shape) == (3, 24, 24)
    # interpolation as in the notes: PIL constants
    for interp in (Image.NEAREST, Image.BILINEAR, Image.BICUBIC):
        out = transforms.RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.5, 1.5),
                                           interpolation=interp)(img)
        np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((16, 16), interp)))
    assert repr(transforms.RandomResizedCrop(224)) == (
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)")
    # fallback: impossible scale -> central crop
    i, j, h, w = transforms.RandomResizedCrop.get_params(img, (2.0, 3.0), (1.0, 1.0))
    assert (i, j, h, w) == (0, 10, 40, 40)


def test_five_and_ten_crop():
    a = _u8_tensor(12, 16)
    img = Image.fromarray(a.transpose(1, 2, 0))
    tl, tr, bl, br, c = transforms.FiveCrop(4)(img)
    np.testing.assert_array_equal(np.asarray(tl), a.transpose(1, 2, 0)[:4, :4])
    np.testing.assert_array_equal(np.asarray(br), a.transpose(1, 2, 0)[-4:, -4:])
    np.testing.assert_array_equal(np.asarray(c), a.transpose(1, 2, 0)[4:8, 6:10])
    crops = transforms.FiveCrop((4, 6))(_cl(a))
    assert isinstance(crops, tuple) and len(crops) == 5
    np.testing.assert_array_equal(_np(crops[1]), a[:, :4, -6:])
    ten = transforms.TenCrop(4)(_cl(a))
    assert len(ten) == 10
    np.testing.assert_array_equal(_np(ten[5]), a[:, :4, ::-1][:, :, :4])
    ten = transforms.TenCrop(4, vertical_flip=True)(_cl(a))
    np.testing.assert_array_equal(_np(ten[5]), a[:, ::-1][:, :4, :4])
    _raises(ValueError, lambda: transforms.FiveCrop(20)(img))


def test_ten_crop_lambda_stack_notes_snippet():
    """Notes 4.4.6, `torch` -> `corelib`."""
    img = _rgb(220, 240)
    t = transforms.Compose([
        transforms.Resize((210, 210)),
        transforms.TenCrop(200, vertical_flip=True),
        transforms.Lambda(lambda crops: corelib.stack([transforms.ToTensor()(crop) for crop in crops])),
    ])
    out = t(img)
    assert isinstance(out, corelib.Tensor) and tuple(out.shape) == (10, 3, 200, 200)
    assert repr(transforms.Lambda(lambda x: x)) == "Lambda()"
    _raises(TypeError, lambda: transforms.Lambda(3))


# ---------------------------------------------------------------- flips, rotation (4.3)

def test_flips_pil_and_tensor():
    a = _u8_tensor()
    img = Image.fromarray(a.transpose(1, 2, 0))
    np.testing.assert_array_equal(np.asarray(transforms.RandomHorizontalFlip(p=1)(img)),
                                  a.transpose(1, 2, 0)[:, ::-1])
    np.testing.assert_array_equal(np.asarray(transforms.RandomVerticalFlip(p=1)(img)),
                                  a.transpose(1, 2, 0)[::-1])
    np.testing.assert_array_equal(_np(transforms.RandomHorizontalFlip(1.0)(_cl(a))), a[..., ::-1])
    np.testing.assert_array_equal(_np(transforms.RandomVerticalFlip(1.0)(_cl(a))), a[:, ::-1])
    assert transforms.RandomHorizontalFlip(p=0)(img) is img
    corelib.manual_seed(0)
    flips = sum(np.array_equal(np.asarray(transforms.RandomHorizontalFlip()(img)),
                               a.transpose(1, 2, 0)[:, ::-1]) for _ in range(400))
    assert 140 < flips < 260
    assert repr(transforms.RandomVerticalFlip(0.3)) == "RandomVerticalFlip(p=0.3)"


def test_random_rotation_degrees_forms():
    t = transforms.RandomRotation(30)
    assert t.degrees == [-30.0, 30.0]
    t2 = transforms.RandomRotation((10, 20))
    assert t2.degrees == [10.0, 20.0]
    corelib.manual_seed(0)
    angles = [transforms.RandomRotation.get_params(t.degrees) for _ in range(300)]
    assert all(-30 <= a <= 30 for a in angles) and min(angles) < -20 and max(angles) > 20
    angles = [transforms.RandomRotation.get_params(t2.degrees) for _ in range(100)]
    assert all(10 <= a <= 20 for a in angles)
    _raises(ValueError, lambda: transforms.RandomRotation(-5))
    _raises(ValueError, lambda: transforms.RandomRotation((1, 2, 3)))
    assert repr(t) == "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)"


def test_random_rotation_notes_arguments():
    """Notes: RandomRotation(degrees, resample=False, expand=False, center=None)."""
    img = _rgb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        t = transforms.RandomRotation(30, resample=False, expand=False, center=None)
        t_pos = transforms.RandomRotation(30, False, True, (3, 4))
        tb = transforms.RandomRotation(30, resample=Image.BILINEAR)
    assert t.interpolation == transforms.InterpolationMode.NEAREST
    assert tb.interpolation == transforms.InterpolationMode.BILINEAR
    assert t_pos.expand is True and t_pos.center == (3, 4)
    assert t(img).size == img.size


@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("center", [None, (4, 7)])
def test_rotate_pil_matches_pil_rotate(expand, center):
    img = _rgb(21, 17)
    corelib.manual_seed(3)
    angle = transforms.RandomRotation.get_params([-40.0, 40.0])
    corelib.manual_seed(3)
    out = transforms.RandomRotation(40, expand=expand, center=center, fill=(10, 20, 30))(img)
    ref = img.rotate(angle, Image.NEAREST, expand, center, fillcolor=(10, 20, 30))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(ref))


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_tensor_matches_torchvision_grid(dtype, mode, expand):
    a = _u8_tensor(13, 18) if dtype == "uint8" else _f32(13, 18)
    angle, center, fill = 33.0, [5, 4], [7.0, 8.0, 9.0]
    out = transforms.functional.rotate(_cl(a), angle, interpolation=mode, expand=expand,
                                       center=None if expand else center, fill=fill)
    w, h = 18, 13
    cf = [0.0, 0.0] if expand else [c - s * 0.5 for c, s in zip(center, [w, h])]
    m = _tv_inverse_affine(cf, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ref = _tv_grid_transform(torch.from_numpy(a), m, mode, fill, expand)
    assert tuple(out.shape) == tuple(ref.shape)
    assert _np(out).dtype == ref.numpy().dtype
    tol = 1 if dtype == "uint8" else 1e-4          # float32 grid, other summation order
    np.testing.assert_allclose(_np(out).astype(np.float64), ref.numpy().astype(np.float64),
                               atol=tol)


# ---------------------------------------------------------------- Pad (4.4.1)

@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [3, (2, 1), (1, 2, 3, 4)])
def test_pad_pil_and_tensor_match_numpy(mode, padding):
    a = _u8_tensor(9, 11)
    if isinstance(padding, int):
        l = t = r = b = padding
    elif len(padding) == 2:
        l = r = padding[0]
        t = b = padding[1]
    else:
        l, t, r, b = padding
    kw = {"constant_values": 5} if mode == "constant" else {}
    ref = np.pad(a, ((0, 0), (t, b), (l, r)), mode=mode, **kw)
    tr = transforms.Pad(padding, fill=5, padding_mode=mode)
    np.testing.assert_array_equal(_np(tr(_cl(a))), ref)
    np.testing.assert_array_equal(_np(tr(_cl(a.astype(np.float32)))), ref.astype(np.float32))
    out = tr(Image.fromarray(a.transpose(1, 2, 0)))
    np.testing.assert_array_equal(np.asarray(out), ref.transpose(1, 2, 0))
    if mode == "constant":   # tensor reference: torch's F.pad
        ref_t = TF.pad(torch.from_numpy(a.astype(np.float32)), (l, r, t, b), value=5.0)
        np.testing.assert_array_equal(_np(tr(_cl(a.astype(np.float32)))), ref_t.numpy())


def test_pad_fill_rgb_and_gray_and_errors():
    img = _rgb(4, 5)
    out = np.asarray(transforms.Pad(1, fill=(1, 2, 3))(img))
    assert out[0, 0].tolist() == [1, 2, 3]
    out = np.asarray(transforms.Pad(1, fill=7)(img.convert("L")))
    assert out[0, 0] == 7
    out = _np(transforms.Pad(1, fill=(1, 2, 3))(_cl(_f32(4, 5))))
    assert out[:, 0, 0].tolist() == [1.0, 2.0, 3.0]
    _raises(ValueError, lambda: transforms.Pad(1, padding_mode="wrap"))
    _raises(ValueError, lambda: transforms.Pad((1, 2, 3)))
    _raises(TypeError, lambda: transforms.Pad("1"))
    assert repr(transforms.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"


# ---------------------------------------------------------------- ColorJitter (4.4.2)

def test_color_jitter_ranges_and_validation():
    cj = transforms.ColorJitter(brightness=0.5, contrast=(0.2, 0.8), saturation=2, hue=0.1)
    assert cj.brightness == (0.5, 1.5)
    assert cj.contrast == (0.2, 0.8)
    assert cj.saturation == (0.0, 3.0)            # max(0, 1 - a)
    assert cj.hue == (-0.1, 0.1)
    assert transforms.ColorJitter(hue=(-0.5, 0.5)).hue == (-0.5, 0.5)
    assert transforms.ColorJitter().brightness is None
    _raises(ValueError, lambda: transforms.ColorJitter(hue=0.6))
    _raises(ValueError, lambda: transforms.ColorJitter(hue=-0.1))
    _raises(ValueError, lambda: transforms.ColorJitter(hue=(-0.6, 0.2)))
    _raises(ValueError, lambda: transforms.ColorJitter(hue=(0.3, 0.2)))
    _raises(ValueError, lambda: transforms.ColorJitter(brightness=-1))
    _raises(ValueError, lambda: transforms.ColorJitter(contrast=(-0.1, 1)))
    _raises(TypeError, lambda: transforms.ColorJitter(saturation=(1, 2, 3)))
    _raises(TypeError, lambda: transforms.ColorJitter(brightness="1"))
    corelib.manual_seed(0)
    for _ in range(100):
        order, b, c, s, h = cj.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
        assert sorted(int(i) for i in order) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and 0.2 <= c <= 0.8 and 0 <= s <= 3 and -0.1 <= h <= 0.1
    assert repr(cj) == ("ColorJitter(brightness=(0.5, 1.5), contrast=(0.2, 0.8), "
                        "saturation=(0.0, 3.0), hue=(-0.1, 0.1))")
    img = _rgb()
    assert transforms.ColorJitter(0.4, 0.4, 0.4, 0.2)(img).size == img.size


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_color_adjustments_on_tensors_match_torchvision(dtype):
    F = transforms.functional
    a = _u8_tensor(batch=(2,)) if dtype == "uint8" else _f32(batch=(2,))
    ta = torch.from_numpy(a)
    x = _cl(a)
    pairs = [
        (F.adjust_brightness(x, 1.3), _tv_blend(ta, torch.zeros_like(ta), 1.3)),
        (F.adjust_contrast(x, 0.6), _tv_contrast(ta, 0.6)),
        (F.adjust_saturation(x, 1.7), _tv_blend(ta, _tv_gray(ta), 1.7)),
        (F.rgb_to_grayscale(x), _tv_gray(ta)),
        (F.rgb_to_grayscale(x, 3), _tv_gray(ta, 3)),
        (F.adjust_hue(x, 0.23), _tv_hue(ta, 0.23)),
        (F.adjust_hue(x, -0.4), _tv_hue(ta, -0.4)),
    ]
    for out, ref in pairs:
        assert tuple(out.shape) == tuple(ref.shape)
        assert _np(out).dtype == ref.numpy().dtype
        tol = 1 if dtype == "uint8" else 1e-5
        np.testing.assert_allclose(_np(out).astype(np.float64), ref.numpy().astype(np.float64),
                                   atol=tol)


def test_color_adjustments_on_pil_match_imageenhance():
    from PIL import ImageEnhance
    F = transforms.functional
    img = _rgb()
    for fn, enh in [(F.adjust_brightness, ImageEnhance.Brightness),
                    (F.adjust_contrast, ImageEnhance.Contrast),
                    (F.adjust_saturation, ImageEnhance.Color)]:
        np.testing.assert_array_equal(np.asarray(fn(img, 1.4)),
                                      np.asarray(enh(img).enhance(1.4)))
    # hue: shift H in PIL's HSV space (torchvision's _functional_pil.adjust_hue)
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    np_h = (np_h.astype(np.int16) + np.int16(0.2 * 255)).astype(np.uint8)
    ref = Image.merge("HSV", (Image.fromarray(np_h, "L"), s, v)).convert("RGB")
    np.testing.assert_array_equal(np.asarray(F.adjust_hue(img, 0.2)), np.asarray(ref))
    _raises(ValueError, lambda: F.adjust_hue(img, 0.7))
    _raises(ValueError, lambda: F.adjust_brightness(img, -1))


# ---------------------------------------------------------------- Grayscale (4.4.3)

def test_grayscale_and_random_grayscale():
    img = _rgb()
    g1 = transforms.Grayscale()(img)
    assert g1.mode == "L"
    np.testing.assert_array_equal(np.asarray(g1), np.asarray(img.convert("L")))
    g3 = transforms.Grayscale(num_output_channels=3)(img)
    assert g3.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(g3)[..., 1], np.asarray(img.convert("L")))
    _raises(ValueError, lambda: transforms.Grayscale(2)(img))
    _raises(ValueError, lambda: transforms.Grayscale(2)(_cl(_f32())))
    t = _cl(_u8_tensor())
    assert tuple(transforms.Grayscale()(t).shape) == (1, 20, 30)
    assert tuple(transforms.Grayscale(3)(t).shape) == (3, 20, 30)
    # RandomGrayscale keeps the channel count: p=1 always, p=0 never
    out = transforms.RandomGrayscale(p=1.0)(img)
    assert out.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(out)[..., 0], np.asarray(img.convert("L")))
    assert transforms.RandomGrayscale(p=1.0)(img.convert("L")).mode == "L"
    assert transforms.RandomGrayscale(p=0.0)(img) is img
    out = transforms.RandomGrayscale(p=1.0)(t)
    assert tuple(out.shape) == (3, 20, 30)
    np.testing.assert_array_equal(_np(out), _tv_gray(torch.from_numpy(_u8_tensor()), 3).numpy())
    corelib.manual_seed(0)
    n = sum(transforms.RandomGrayscale()(img) is not img for _ in range(500))
    assert 25 < n < 80                                    # p=0.1
    assert repr(transforms.RandomGrayscale()) == "RandomGrayscale(p=0.1)"
    assert repr(transforms.Grayscale(3)) == "Grayscale(num_output_channels=3)"


# ---------------------------------------------------------------- RandomAffine (4.4.4)

def test_random_affine_parameter_forms():
    t = transforms.RandomAffine(10, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=5)
    assert t.degrees == [-10.0, 10.0] and t.shear == [-5.0, 5.0]
    assert transforms.RandomAffine((5, 15), shear=(1, 2)).shear == [1.0, 2.0]
    assert transforms.RandomAffine(0, shear=(1, 2, 3, 4)).shear == [1.0, 2.0, 3.0, 4.0]
    corelib.manual_seed(0)
    for _ in range(100):
        angle, (tx, ty), sc, (shx, shy) = t.get_params(t.degrees, t.translate, t.scale, t.shear,
                                                       [30, 20])
        assert -10 <= angle <= 10 and abs(tx) <= 3 and abs(ty) <= 4 and 0.8 <= sc <= 1.2
        assert -5 <= shx <= 5 and shy == 0.0                  # a: x axis only
    t4 = transforms.RandomAffine(0, shear=(1, 2, 3, 4))
    for _ in range(50):
        _, tr, sc, (shx, shy) = t4.get_params(t4.degrees, None, None, t4.shear, [30, 20])
        assert tr == (0, 0) and sc == 1.0 and 1 <= shx <= 2 and 3 <= shy <= 4
    t2 = transforms.RandomAffine(0, shear=(1, 2))
    for _ in range(20):
        _, _, _, (shx, shy) = t2.get_params(t2.degrees, None, None, t2.shear, [30, 20])
        assert 1 <= shx <= 2 and shy == 0.0
    _raises(ValueError, lambda: transforms.RandomAffine(-1))
    _raises(ValueError, lambda: transforms.RandomAffine(0, shear=(1, 2, 3)))
    _raises(ValueError, lambda: transforms.RandomAffine(0, shear=-1))
    _raises(ValueError, lambda: transforms.RandomAffine(0, translate=(1.5, 0.1)))
    _raises(ValueError, lambda: transforms.RandomAffine(0, scale=(0, 1)))
    _raises(TypeError, lambda: transforms.RandomAffine(0, translate=0.1))
    assert repr(t) == ("RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.2), "
                       "scale=(0.8, 1.2), shear=[-5.0, 5.0])")
    assert repr(transforms.RandomAffine(0)) == "RandomAffine(degrees=[0.0, 0.0])"


def test_random_affine_notes_arguments():
    """Notes: RandomAffine(degrees, translate, scale, shear, resample=False, fillcolor=0)."""
    img = _rgb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        t = transforms.RandomAffine(degrees=20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=10,
                                    resample=False, fillcolor=(255, 0, 0))
        tb = transforms.RandomAffine(0, resample=Image.BILINEAR, fillcolor=0)
    assert t.fill == (255, 0, 0)
    assert t.interpolation == transforms.InterpolationMode.NEAREST
    assert tb.interpolation == transforms.InterpolationMode.BILINEAR
    out = t(img)
    assert out.size == img.size
    with pytest.warns(DeprecationWarning):
        transforms.RandomAffine(0, fillcolor=1)


@pytest.mark.parametrize("params", [(25.0, (2, -3), 1.1, (5.0, 0.0)), (-60.0, (0, 0), 0.7, (3.0, 8.0))])
def test_affine_pil_matches_pil_transform(params):
    img = _rgb(21, 17)
    angle, tr, sc, sh = params
    out = transforms.functional.affine(img, angle, list(tr), sc, list(sh), fill=(1, 2, 3))
    m = _tv_inverse_affine([17 * 0.5, 21 * 0.5], angle, tr, sc, sh)
    ref = img.transform(img.size, Image.AFFINE, m, Image.NEAREST, fillcolor=(1, 2, 3))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(ref))


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_affine_tensor_matches_torchvision_grid(mode, dtype):
    a = _u8_tensor(15, 12) if dtype == "uint8" else _f32(15, 12)
    angle, tr, sc, sh, center = 20.0, [1, -2], 0.9, [4.0, -6.0], [5, 6]
    out = transforms.functional.affine(_cl(a), angle, tr, sc, sh, interpolation=mode,
                                       fill=[0.0, 0.0, 0.0], center=center)
    cf = [c - s * 0.5 for c, s in zip(center, [12, 15])]
    m = _tv_inverse_affine(cf, angle, [float(t) for t in tr], sc, sh)
    ref = _tv_grid_transform(torch.from_numpy(a), m, mode, [0.0, 0.0, 0.0])
    tol = 1 if dtype == "uint8" else 1e-5
    np.testing.assert_allclose(_np(out).astype(np.float64), ref.numpy().astype(np.float64),
                               atol=tol)


# ---------------------------------------------------------------- RandomErasing (4.4.5)

def test_random_erasing_on_tensors():
    x = _cl(np.ones((3, 32, 32), np.float32))
    corelib.manual_seed(0)
    for _ in range(20):
        out = _np(transforms.RandomErasing(p=1.0, value=0)(x))
        zero = (out == 0).all(axis=0)
        rows, cols = np.nonzero(zero)
        assert zero.any()
        h, w = np.ptp(rows) + 1, np.ptp(cols) + 1
        assert zero.sum() == h * w                          # one rectangle
        assert 0.02 * 1024 * 0.5 <= h * w <= 0.33 * 1024 * 1.6
    np.testing.assert_array_equal(_np(x), 1.0)            # not in place by default
    out = _np(transforms.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))(x))
    assert {round(float(v), 4) for v in np.unique(out[0])} <= {0.1, 1.0}
    out = _np(transforms.RandomErasing(p=1.0, value="random")(x))
    assert (out != 1).any()
    assert transforms.RandomErasing(p=0.0)(x) is x
    y = _cl(np.ones((3, 8, 8), np.float32))
    corelib.manual_seed(0)
    out = transforms.RandomErasing(p=1.0, scale=(0.1, 0.2), inplace=True)(y)
    assert out is y and (_np(y) == 0).any()
    # batched
    assert tuple(transforms.RandomErasing(p=1.0)(_cl(_f32(batch=(2,)))).shape) == (2, 3, 20, 30)
    assert repr(transforms.RandomErasing()) == (
        "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)")


def test_random_erasing_errors():
    _raises(ValueError, lambda: transforms.RandomErasing(p=1.5))
    _raises(ValueError, lambda: transforms.RandomErasing(scale=(0.1, 1.5)))
    _raises(ValueError, lambda: transforms.RandomErasing(value="zeros"))
    _raises(TypeError, lambda: transforms.RandomErasing(value=None))
    _raises(TypeError, lambda: transforms.RandomErasing(scale=0.1))
    _raises(ValueError, lambda: transforms.RandomErasing(p=1.0, value=(1, 2))(_cl(_f32())))
    # notes: it works on tensors, so ToTensor() must come first
    with pytest.raises(TypeError, match="[Tt]ensor"):
        transforms.RandomErasing(p=1.0)(_rgb())
    pipe = transforms.Compose([transforms.ToTensor(), transforms.RandomErasing(p=1.0)])
    assert isinstance(pipe(_rgb()), corelib.Tensor)


# ---------------------------------------------------------------- LinearTransformation, Resize

def test_linear_transformation_matches_torch():
    x = _f32(2, 3, c=2)
    d = 2 * 2 * 3
    rng = np.random.default_rng(0)
    m = rng.random((d, d), dtype=np.float32)
    v = rng.random(d, dtype=np.float32)
    out = transforms.LinearTransformation(_cl(m), _cl(v))(_cl(x))
    ref = ((torch.from_numpy(x).view(1, -1) - torch.from_numpy(v)) @ torch.from_numpy(m)).view(x.shape)
    np.testing.assert_allclose(_np(out), ref.numpy(), rtol=1e-5)
    _raises(ValueError, lambda: transforms.LinearTransformation(_cl(m[:, :3]), _cl(v)))


def test_resize_pil_and_tensor():
    img = _rgb(20, 30)
    assert transforms.Resize(10)(img).size == (15, 10)
    assert transforms.Resize((8, 9))(img).size == (9, 8)
    np.testing.assert_array_equal(np.asarray(transforms.Resize((8, 9))(img)),
                                  np.asarray(img.resize((9, 8), Image.BILINEAR)))
    a = _f32()
    out = transforms.Resize((10, 12))(_cl(a))
    ref = TF.interpolate(torch.from_numpy(a)[None], size=(10, 12), mode="bilinear",
                         align_corners=False, antialias=True)[0]
    np.testing.assert_allclose(_np(out), ref.numpy(), atol=1e-5)


# ---------------------------------------------------------------- selection (4.5) and custom (4.6)

def test_random_choice_apply_order():
    add1 = transforms.Lambda(lambda x: x + [1])
    add2 = transforms.Lambda(lambda x: x + [2])
    add3 = transforms.Lambda(lambda x: x + [3])
    corelib.manual_seed(0)
    seen = {tuple(transforms.RandomChoice([add1, add2, add3])([])) for _ in range(100)}
    assert seen == {(1,), (2,), (3,)}
    orders = {tuple(transforms.RandomOrder([add1, add2, add3])([])) for _ in range(200)}
    assert len(orders) == 6
    ra = transforms.RandomApply([add1, add2], p=0.5)
    res = [tuple(ra([])) for _ in range(400)]
    assert set(res) == {(), (1, 2)} and 140 < res.count(()) < 260
    assert transforms.RandomApply([add1], p=1.0)([]) == [1]
    assert transforms.RandomApply([add1], p=0.0)([]) == []
    assert repr(transforms.RandomApply([transforms.ToTensor()], p=0.3)) == \
        "RandomApply(\n    p=0.3\n    ToTensor()\n)"
    assert repr(transforms.RandomOrder([transforms.ToTensor()])) == "RandomOrder(\n    ToTensor()\n)"
    _raises(TypeError, lambda: transforms.RandomChoice(add1))


def test_pipeline_reproducible_with_manual_seed():
    pipe = transforms.Compose([
        transforms.RandomResizedCrop(16),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(0.3, 0.3, 0.3, 0.1),
        transforms.RandomRotation(20),
        transforms.ToTensor(),
        transforms.RandomErasing(),
    ])
    img = _rgb(40, 40)
    corelib.manual_seed(7)
    a = _np(pipe(img))
    corelib.manual_seed(7)
    np.testing.assert_array_equal(a, _np(pipe(img)))


class AddPepperNoise(object):
    """The notes' custom salt-and-pepper transform (4.6), with corelib's RNG."""

    def __init__(self, snr, p=0.9):
        assert isinstance(snr, float) or isinstance(p, float)
        self.snr = snr
        self.p = p

    def __call__(self, img):
        rng = corelib.random.numpy_rng()
        if rng.uniform(0, 1) < self.p:
            img_ = np.array(img).copy()
            h, w, c = img_.shape
            signal_pct = self.snr
            noise_pct = 1 - self.snr
            mask = rng.choice((0, 1, 2), size=(h, w, 1), p=[signal_pct, noise_pct / 2., noise_pct / 2.])
            mask = np.repeat(mask, c, axis=2)
            img_[mask == 1] = 255
            img_[mask == 2] = 0
            return Image.fromarray(img_.astype("uint8")).convert("RGB")
        return img


def test_custom_transform_in_compose_notes():
    norm_mean, norm_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    train_transform = transforms.Compose([
        transforms.Resize((32, 32)),
        AddPepperNoise(0.9, p=1.0),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    corelib.manual_seed(0)
    out = train_transform(_rgb(64, 64))
    assert tuple(out.shape) == (3, 32, 32)
    raw = _np(out) * np.array(norm_std, np.float32)[:, None, None] + \
        np.array(norm_mean, np.float32)[:, None, None]
    salt = np.isclose(raw, 1.0, atol=1e-5).all(axis=0).mean()
    pepper = np.isclose(raw, 0.0, atol=1e-5).all(axis=0).mean()
    assert 0.02 < salt < 0.1 and 0.02 < pepper < 0.1

    class Compose(object):              # the notes' own Compose
        def __init__(self, transforms):
            self.transforms = transforms

        def __call__(self, img):
            for t in self.transforms:
                img = t(img)
            return img

    mine = Compose([transforms.CenterCrop(8), transforms.ToTensor()])
    np.testing.assert_array_equal(_np(mine(_rgb())),
                                  _np(transforms.Compose([transforms.CenterCrop(8),
                                                          transforms.ToTensor()])(_rgb())))


def test_notes_typo_totensor_points_to_totensor():
    with pytest.raises(AttributeError, match="ToTensor"):
        transforms.Totensor


def test_normalize_rank_errors_as_torchvision():
    _raises(TypeError, lambda: transforms.Normalize([0.5], [0.5])(corelib.zeros(4)))
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\)"):
        transforms.Normalize([0.5], [0.5])(corelib.zeros(4, 4))


def test_random_grayscale_notes_num_output_channels():
    """Notes: RandomGrayscale(num_output_channels, p=0.1); torchvision has only p (first)."""
    img = _rgb()
    assert transforms.RandomGrayscale(num_output_channels=1, p=1.0)(img).mode == "L"
    assert transforms.RandomGrayscale(p=1.0, num_output_channels=3)(img).mode == "RGB"
    t = transforms.RandomGrayscale(0.5)                        # positional p, as torchvision
    assert t.p == 0.5 and t.num_output_channels is None
    out = transforms.RandomGrayscale(p=1.0, num_output_channels=1)(_cl(_f32()))
    assert tuple(out.shape) == (1, 20, 30)
    _raises(ValueError, lambda: transforms.RandomGrayscale(num_output_channels=2))


def test_random_erasing_rejects_pil_whatever_p():
    for p in (0.0, 1.0):
        with pytest.raises(TypeError, match="ToTensor"):
            transforms.RandomErasing(p=p)(_rgb())
    with pytest.raises(AttributeError):                       # torchvision's failure type
        transforms.RandomErasing(p=1.0)(_rgb())


_PIL_AND_TENSOR = [
    (lambda: transforms.CenterCrop(10), (10, 10)),
    (lambda: transforms.RandomCrop(10, padding=2), (10, 10)),
    (lambda: transforms.RandomResizedCrop(12), (12, 12)),
    (lambda: transforms.RandomHorizontalFlip(), (20, 30)),
    (lambda: transforms.RandomVerticalFlip(), (20, 30)),
    (lambda: transforms.RandomRotation(30), (20, 30)),
    (lambda: transforms.Pad(2, padding_mode="symmetric"), (24, 34)),
    (lambda: transforms.ColorJitter(0.4, 0.4, 0.4, 0.2), (20, 30)),
    (lambda: transforms.Grayscale(3), (20, 30)),
    (lambda: transforms.RandomGrayscale(p=1.0), (20, 30)),
    (lambda: transforms.RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5), (20, 30)),
    (lambda: transforms.Resize(10), (10, 15)),
    (lambda: transforms.RandomChoice([transforms.CenterCrop(10), transforms.Resize((10, 10))]), (10, 10)),
    (lambda: transforms.RandomApply([transforms.RandomRotation(10)], p=0.5), (20, 30)),
    (lambda: transforms.RandomOrder([transforms.RandomHorizontalFlip(), transforms.Pad(0)]), (20, 30)),
]


@pytest.mark.parametrize("make, hw", _PIL_AND_TENSOR)
@pytest.mark.parametrize("kind", ["pil", "uint8", "float32", "batch"])
def test_transforms_accept_pil_and_tensors(make, hw, kind):
    img = {"pil": lambda: _rgb(), "uint8": lambda: _cl(_u8_tensor()),
           "float32": lambda: _cl(_f32()), "batch": lambda: _cl(_f32(batch=(2,)))}[kind]()
    corelib.manual_seed(0)
    out = make()(img)
    if kind == "pil":
        assert isinstance(out, Image.Image) and out.size == (hw[1], hw[0])
    else:
        assert isinstance(out, corelib.Tensor) and out.dtype == img.dtype
        assert tuple(out.shape) == tuple(img.shape[:-2]) + hw
