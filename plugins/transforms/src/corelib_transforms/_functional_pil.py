"""PIL-image kernels, following torchvision's ``_functional_pil``."""
import numpy as np
from PIL import Image, ImageEnhance, ImageOps


def get_image_num_channels(img):
    return len(img.getbands())


def get_dimensions(img):
    w, h = img.size
    return [get_image_num_channels(img), h, w]


def fromarray(a, mode):
    """Image.fromarray with an explicit mode (Pillow deprecates passing mode for most arrays)."""
    if mode in ("L", "RGB", "RGBA", "LA", "I", "F") or mode is None:
        img = Image.fromarray(a)
        if mode is None or img.mode == mode:
            return img
        return img.convert(mode)
    return Image.frombuffer(mode, (a.shape[1], a.shape[0]), a.tobytes(), "raw", mode, 0, 1)


def _parse_fill(fill, img, name="fillcolor"):
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * num_channels
        elif len(fill) != num_channels:
            raise ValueError(f"The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        if isinstance(fill, (list, tuple)):
            fill = tuple(int(x) for x in fill)
        else:
            fill = int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode="constant"):
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if isinstance(padding, int):
        p = [padding] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)
    if padding_mode == "constant" and min(p) >= 0:
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            out = ImageOps.expand(img, border=tuple(p), **opts)
            out.putpalette(palette)
            return out
        return ImageOps.expand(img, border=tuple(p), **opts)
    cropping = -np.minimum(p, 0)
    if cropping.any():
        cl, ct, cr, cb = (int(x) for x in cropping)
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
    pl, pt, pr, pb = (int(x) for x in np.maximum(p, 0))
    if padding_mode == "constant":
        return pad(img, [pl, pt, pr, pb], fill, "constant")
    palette = img.getpalette() if img.mode == "P" else None
    a = np.asarray(img)
    if a.ndim == 3:
        a = np.pad(a, ((pt, pb), (pl, pr), (0, 0)), padding_mode)
    else:
        a = np.pad(a, ((pt, pb), (pl, pr)), padding_mode)
    out = fromarray(np.ascontiguousarray(a), img.mode) if img.mode != "P" else Image.fromarray(a)
    if palette is not None:
        out = out.convert("P") if out.mode != "P" else out
        out.putpalette(palette)
    return out


def to_grayscale(img, num_output_channels):
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        a = np.asarray(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.ascontiguousarray(np.dstack([a, a, a])))
    raise ValueError("num_output_channels should be either 1 or 3")


def enhance(img, kind, factor):
    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_hue(img, hue_factor):
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    # uint8 addition takes care of the rotation across the boundary
    with np.errstate(over="ignore"):
        np_h += np.array(np.int32(hue_factor * 255)).astype(np.uint8)
    h = Image.fromarray(np_h)
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def adjust_gamma(img, gamma, gain=1.0):
    input_mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)] * 3
    img = img.point(gamma_map)
    return img.convert(input_mode)


def rotate(img, angle, interpolation, expand, center, fill):
    opts = _parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def affine(img, matrix, interpolation, fill):
    opts = _parse_fill(fill, img)
    return img.transform(img.size, Image.Transform.AFFINE, matrix, interpolation, **opts)
