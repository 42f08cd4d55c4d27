"""``corelib.transforms.functional``: torchvision.transforms.functional (v1) for corelib.

Every function takes a PIL image or a corelib Tensor image of shape (..., C, H, W) (as
torchvision does) and returns the same kind. PIL images are processed with PIL itself; tensors
are processed with numpy through ``t.numpy()`` and wrapped back with ``corelib.from_numpy``.
"""
import numbers
import warnings
from enum import Enum

import numpy as np
from PIL import Image

from . import _functional_array as _A
from . import _functional_pil as _P


class InterpolationMode(Enum):
    """Interpolation modes (the values are the names torch's ``interpolate`` uses)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                 3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}

pil_modes_mapping = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}


def _interpolation_modes_from_int(i):
    try:
        return _FROM_PIL_INT[int(i)]
    except KeyError:
        raise ValueError(f"Unknown PIL interpolation constant {i}; use one of "
                         f"{sorted(_FROM_PIL_INT)} or an InterpolationMode") from None


def _to_mode(interpolation):
    """Accept an InterpolationMode, a PIL constant (int / Image.Resampling) or its name."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, (int, Image.Resampling)):
        return _interpolation_modes_from_int(interpolation)
    if isinstance(interpolation, str):
        try:
            return InterpolationMode(interpolation.lower())
        except ValueError:
            pass
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                    f"Pillow integer constant, got {interpolation!r}")


# ---------------------------------------------------------------- tensor plumbing

_tensor_cls = []


def _Tensor():
    if not _tensor_cls:
        import corelib
        _tensor_cls.append(corelib.Tensor)
    return _tensor_cls[0]


def _is_tensor(x):
    try:
        return isinstance(x, _Tensor())
    except (ImportError, AttributeError):  # core without Tensor: nothing is a tensor
        return False


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def _np(t):
    """The numpy array behind a cpu tensor (no copy; detached)."""
    if getattr(t, "requires_grad", False):
        t = t.detach()
    dev = getattr(t, "device", None)
    if dev is not None and getattr(dev, "type", "cpu") != "cpu":
        t = t.cpu()
    return t.numpy()


def _wrap(a, like=None):
    import corelib
    out = corelib.from_numpy(np.ascontiguousarray(a))
    if like is not None:
        dev = getattr(like, "device", None)
        if dev is not None and getattr(dev, "type", "cpu") != "cpu":
            out = out.to(dev)
    return out


def _check_img(img):
    if not (_is_pil_image(img) or _is_tensor(img)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _tensor_op(fn, img, *args, **kwargs):
    return _wrap(fn(_np(img), *args, **kwargs), like=img)


# ---------------------------------------------------------------- info

def get_dimensions(img):
    """[channels, height, width] of a PIL image or a tensor image."""
    if _is_tensor(img):
        return _A.get_dimensions(_np(img))
    if _is_pil_image(img):
        return _P.get_dimensions(img)
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_image_size(img):
    """[width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ---------------------------------------------------------------- conversion

def _is_numpy_image(a):
    return a.ndim in (2, 3)


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW float tensor; uint8 data is scaled to [0, 1]."""
    import corelib
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and not _is_numpy_image(pic):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    fdt = _default_float_np()
    if isinstance(pic, np.ndarray):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = np.ascontiguousarray(pic.transpose((2, 0, 1)))
        if img.dtype == np.uint8:
            return corelib.from_numpy((img.astype(fdt) / fdt.type(255)).astype(fdt))
        return corelib.from_numpy(img)
    mode_to_nptype = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    a = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        a = 255 * a
    a = a.reshape(pic.size[1], pic.size[0], _P.get_image_num_channels(pic))
    a = np.ascontiguousarray(a.transpose((2, 0, 1)))
    if a.dtype == np.uint8:
        return corelib.from_numpy((a.astype(fdt) / fdt.type(255)).astype(fdt))
    return corelib.from_numpy(a)


def _default_float_np():
    try:
        import corelib
        return np.dtype(getattr(corelib.get_default_dtype(), "numpy_dtype",
                                None) or _np_dtype_of(corelib.get_default_dtype()))
    except Exception:  # noqa: BLE001 - the core's dtype API is optional here
        return np.dtype(np.float32)


def _np_dtype_of(dtype):
    name = str(dtype).replace("corelib.", "").replace("torch.", "")
    return np.dtype(name)


def pil_to_tensor(pic):
    """PIL image -> CHW tensor of the image's own dtype (no scaling)."""
    import corelib
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    a = np.array(pic, copy=True)
    if pic.mode == "1":
        a = a.astype(np.uint8)
    a = a.reshape(pic.size[1], pic.size[0], _P.get_image_num_channels(pic))
    return corelib.from_numpy(np.ascontiguousarray(a.transpose((2, 0, 1))))


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; float data is multiplied by 255 (not for mode F)."""
    if _is_tensor(pic):
        a = _np(pic)
        if a.ndim == 3:
            a = a.transpose((1, 2, 0))
        elif a.ndim not in (2,):
            raise ValueError(f"pic should be 2/3 dimensional. Got {a.ndim} dimensions.")
        if np.issubdtype(a.dtype, np.floating) and mode != "F":
            a = (a * 255).astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        a = pic
        if a.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {a.ndim} dimensions.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {a.shape[-1]} channels.")
    npimg = a
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    if npimg.shape[2] == 1:
        expected_mode = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == np.uint8:
            expected_mode = "L"
        elif npimg.dtype == np.int16:
            expected_mode = "I;16"
        elif npimg.dtype == np.int32:
            expected_mode = "I"
        elif npimg.dtype == np.float32:
            expected_mode = "F"
        if mode is not None and mode != expected_mode:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected_mode}")
        mode = expected_mode
    elif npimg.shape[2] == 2:
        permitted = ["LA"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return _P.fromarray(np.ascontiguousarray(npimg), mode)


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to dtype, rescaling values (uint8 255 <-> float 1.0)."""
    import corelib
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    dtype = corelib.float32 if dtype is None else dtype
    a = _np(image)
    probe = corelib.zeros(1, dtype=dtype)
    return _wrap(_A.convert_image_dtype(a, _np(probe).dtype), like=image)


# ---------------------------------------------------------------- normalize / erase

def normalize(tensor, mean, std, inplace=False):
    """(input[channel] - mean[channel]) / std[channel] on a float tensor image."""
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if tensor.dim() < 2:
        raise TypeError(f"Tensor is not a torch image: normalize expects (..., C, H, W), got "
                        f"shape {tuple(tensor.shape)}")
    if tensor.dim() < 3 and tensor.is_floating_point():
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). "
                         f"Got tensor.size() = {tensor.size()!r}")
    if getattr(tensor, "requires_grad", False) and not inplace:
        # keep the autograd graph: compose differentiable corelib ops instead of numpy
        import corelib
        a = _np(tensor)
        _A.normalize(a[..., :1, :1] if a.ndim >= 3 else a, mean, std)   # argument checks
        m = corelib.tensor(np.asarray(mean, dtype=a.dtype))
        s = corelib.tensor(np.asarray(std, dtype=a.dtype))
        if m.dim() == 1:
            m = m.reshape(-1, 1, 1)
        if s.dim() == 1:
            s = s.reshape(-1, 1, 1)
        return (tensor - m) / s
    a = _np(tensor)
    if inplace:
        _A.normalize(a, mean, std, inplace=True)
        return tensor
    return _wrap(_A.normalize(a, mean, std), like=tensor)


def erase(img, i, j, h, w, v, inplace=False):
    """Set img[..., i:i+h, j:j+w] = v (v a tensor, array or number)."""
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if _is_tensor(v):
        v = _np(v)
    a = _np(img)
    if inplace:
        _A.erase(a, i, j, h, w, v, inplace=True)
        return img
    return _wrap(_A.erase(a, i, j, h, w, v), like=img)


# ---------------------------------------------------------------- geometry

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if max_size is None:
            raise ValueError("size and max_size can't both be None")
        new_short, new_long = int(max_size * short / long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    elif len(size) == 1:
        requested = size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to size (h, w), or match the smaller edge to an int size (capped by max_size)."""
    interpolation = _to_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1")
    elif size is not None and not isinstance(size, numbers.Integral):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _check_img(img)
    _, h, w = get_dimensions(img)
    if isinstance(size, numbers.Integral):
        size = [int(size)]
    out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == out:
        return img
    if _is_pil_image(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. "
                          "Argument antialias is ignored.")
        return img.resize((out[1], out[0]), pil_modes_mapping[interpolation])
    if antialias is None:
        antialias = False
    return _tensor_op(_A.resize, img, out, interpolation.value, antialias)


def crop(img, top, left, height, width):
    """Crop the box at (top, left) of size (height, width); outside the image is zero."""
    _check_img(img)
    if _is_pil_image(img):
        return img.crop((left, top, left + width, top + height))
    return _tensor_op(_A.crop, img, int(top), int(left), int(height), int(width))


def center_crop(img, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    _check_img(img)
    if _is_pil_image(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _tensor_op(_A.hflip, img)


def vflip(img):
    _check_img(img)
    if _is_pil_image(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return _tensor_op(_A.vflip, img)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"Requested crop size {size} is bigger than input size "
                         f"{(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its horizontal (or vertical) flip."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(img, size)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad all sides: int, (left/right, top/bottom) or (left, top, right, bottom).

    padding_mode: constant (fill), edge, reflect ([1,2,3,4] -> [3,2,1,2,3,4,3,2]) or
    symmetric ([1,2,3,4] -> [2,1,1,2,3,4,4,3]).
    """
    _check_img(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(padding, numbers.Number):
        padding = int(padding)
    else:
        padding = [int(p) for p in padding]
    if _is_pil_image(img):
        return _P.pad(img, padding, fill, padding_mode)
    return _tensor_op(_A.pad, img, padding, fill, padding_mode)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    rot = np.deg2rad(angle)
    sx, sy = np.deg2rad(shear[0]), np.deg2rad(shear[1])
    cx, cy = center
    tx, ty = translate
    a = np.cos(rot - sy) / np.cos(sy)
    b = -np.cos(rot - sy) * np.tan(sx) / np.cos(sy) - np.sin(rot)
    c = np.sin(rot - sy) / np.cos(sy)
    d = -np.sin(rot - sy) * np.tan(sx) / np.cos(sy) + np.cos(rot)
    if inverted:
        matrix = [d, -b, 0.0, -c, a, 0.0]
        matrix = [float(x) / scale for x in matrix]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [float(a), float(b), 0.0, float(c), float(d), 0.0]
        matrix = [x * scale for x in matrix]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _tensor_fill(fill, img):
    if fill is None:
        return None
    c = get_dimensions(img)[0]
    if isinstance(fill, (int, float)):
        return [float(fill)] * c
    return [float(f) for f in fill]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by angle degrees about center (default: the image centre)."""
    interpolation = _to_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _check_img(img)
    if _is_pil_image(img):
        return _P.rotate(img, angle, pil_modes_mapping[interpolation], expand, center, fill)
    _, height, width = get_dimensions(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    # rotate turns counter-clockwise, affine's matrix the other way: hence -angle
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return _tensor_op(_A.affine_transform, img, matrix, interpolation.value, fill, expand)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotation (degrees), translation (pixels), scale and shear (degrees) about the centre."""
    interpolation = _to_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    angle = float(angle)
    translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    _check_img(img)
    _, height, width = get_dimensions(img)
    if _is_pil_image(img):
        # torchvision estimates the centre without the 0.5 offset (matches rot90)
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return _P.affine(img, matrix, pil_modes_mapping[interpolation], fill)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(center_f, angle, translate_f, scale, shear)
    return _tensor_op(_A.affine_transform, img, matrix, interpolation.value, fill, False)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(img, num_output_channels=1):
    """ITU-R 601-2 luma: PIL's 'L' conversion for PIL images, 0.2989/0.587/0.114 for tensors."""
    _check_img(img)
    if _is_pil_image(img):
        return _P.to_grayscale(img, num_output_channels)
    return _tensor_op(_A.rgb_to_grayscale, img, num_output_channels)


def to_grayscale(img, num_output_channels=1):
    """PIL-only grayscale conversion (as torchvision's to_grayscale)."""
    if _is_pil_image(img):
        return _P.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _check_img(img)
    if _is_pil_image(img):
        return _P.enhance(img, "Brightness", brightness_factor)
    return _tensor_op(_A.adjust_brightness, img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _check_img(img)
    if _is_pil_image(img):
        return _P.enhance(img, "Contrast", contrast_factor)
    return _tensor_op(_A.adjust_contrast, img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _check_img(img)
    if _is_pil_image(img):
        return _P.enhance(img, "Color", saturation_factor)
    return _tensor_op(_A.adjust_saturation, img, saturation_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check_img(img)
    if _is_pil_image(img):
        return _P.adjust_hue(img, hue_factor)
    return _tensor_op(_A.adjust_hue, img, hue_factor)


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    if _is_pil_image(img):
        return _P.enhance(img, "Sharpness", sharpness_factor)
    raise TypeError("adjust_sharpness supports PIL images only in corelib-transforms")


def adjust_gamma(img, gamma, gain=1.0):
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    _check_img(img)
    if _is_pil_image(img):
        return _P.adjust_gamma(img, gamma, gain)
    return _tensor_op(_A.adjust_gamma, img, gamma, gain)


def invert(img):
    _check_img(img)
    if _is_pil_image(img):
        from PIL import ImageOps
        return ImageOps.invert(img)
    return _tensor_op(_A.invert, img)


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with reflect padding; sigma defaults to 0.15*k + 0.35."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. "
                        f"Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. "
                         f"Got {len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. "
                             f"Got {kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if sigma is not None and not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    _check_img(img)
    if _is_pil_image(img):
        arr = np.asarray(img)
        chw = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
        out = _A.gaussian_blur(chw, kernel_size, sigma)
        out = out[0] if arr.ndim == 2 else out.transpose(1, 2, 0)
        return _P.fromarray(np.ascontiguousarray(out), img.mode)
    return _tensor_op(_A.gaussian_blur, img, kernel_size, sigma)


__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
    "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "erase",
    "resize", "crop", "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop",
    "pad", "rotate", "affine", "rgb_to_grayscale", "to_grayscale", "adjust_brightness",
    "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_sharpness", "adjust_gamma",
    "invert", "gaussian_blur",
]
