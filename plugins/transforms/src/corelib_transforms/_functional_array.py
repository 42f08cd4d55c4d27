"""Image kernels on numpy arrays laid out (..., C, H, W), with torchvision's tensor numerics.

The functional API hands the array behind a corelib Tensor (``t.numpy()``) to these functions
and wraps the result back. Arithmetic follows torchvision's ``_functional_tensor``: integer
images are computed in float32 and cast back (truncating in ``_blend``, rounding after
resampling), float images keep their dtype.
"""
import numpy as np


def _is_float(a):
    return np.issubdtype(a.dtype, np.floating)


def _ftype(a):
    return a.dtype if _is_float(a) else np.dtype(np.float32)


def _max_value(dtype):
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.floating):
        return 1.0
    if dtype == np.bool_:
        return 1
    return np.iinfo(dtype).max


def _round_cast(a, dtype):
    """torchvision's ``_cast_squeeze_out``: round when going back to an integer dtype."""
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.round(a), info.min, info.max).astype(dtype)
    return a.astype(dtype, copy=False)


def _check_image(a):
    if a.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: expected at least 2 dimensions (..., H, W), "
                        f"got shape {tuple(a.shape)}")


def get_dimensions(a):
    _check_image(a)
    c = 1 if a.ndim == 2 else a.shape[-3]
    return [c, a.shape[-2], a.shape[-1]]


def _assert_channels(a, permitted):
    c = get_dimensions(a)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


# ---------------------------------------------------------------- geometry

def hflip(a):
    _check_image(a)
    return a[..., ::-1].copy()


def vflip(a):
    _check_image(a)
    return a[..., ::-1, :].copy()


def crop(a, top, left, height, width):
    _check_image(a)
    _, h, w = get_dimensions(a)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        # like torchvision: the part outside the image is zero padding
        pad_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                    max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        inner = a[..., max(top, 0):bottom, max(left, 0):right]
        return pad(inner, pad_ltrb, fill=0)
    return a[..., top:bottom, left:right].copy()


def _parse_padding(padding):
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return padding


def _symmetric_pad(a, top, bottom, left, right):
    # torch's symmetric pad (and numpy's) may repeat the image when the pad exceeds its size
    lead = [(0, 0)] * (a.ndim - 2)
    return np.pad(a, lead + [(top, bottom), (left, right)], mode="symmetric")


def pad(a, padding, fill=0, padding_mode="constant"):
    """Pad (..., H, W); padding is [left, top, right, bottom] (or int / 2-list); negatives crop."""
    _check_image(a)
    left, top, right, bottom = (int(p) for p in _parse_padding(padding))
    # negative padding crops, as in torchvision
    h, w = a.shape[-2:]
    a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    left, top, right, bottom = max(left, 0), max(top, 0), max(right, 0), max(bottom, 0)
    lead = [(0, 0)] * (a.ndim - 2)
    widths = lead + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        if fill is None:
            fill = 0
        if isinstance(fill, (list, tuple)) and a.ndim >= 3 and len(fill) > 1:
            if len(fill) != a.shape[-3]:
                raise ValueError(f"The number of elements in 'fill' does not match the number of "
                                 f"channels of the image ({len(fill)} != {a.shape[-3]})")
            out = np.empty(a.shape[:-2] + (a.shape[-2] + top + bottom, a.shape[-1] + left + right),
                           dtype=a.dtype)
            out[...] = np.asarray(fill, dtype=np.float64).astype(a.dtype)[:, None, None]
            out[..., top:top + a.shape[-2], left:left + a.shape[-1]] = a
            return out
        if isinstance(fill, (list, tuple)):
            fill = fill[0]
        return np.pad(a, widths, mode="constant", constant_values=np.asarray(fill).astype(a.dtype))
    if padding_mode == "edge":
        return np.pad(a, widths, mode="edge")
    if padding_mode == "reflect":
        if (top >= a.shape[-2] or bottom >= a.shape[-2] or left >= a.shape[-1]
                or right >= a.shape[-1]):
            raise ValueError(f"Padding size should be less than the corresponding input dimension "
                             f"for reflect padding, got padding {[left, top, right, bottom]} for an "
                             f"image of size {tuple(a.shape[-2:])}")
        return np.pad(a, widths, mode="reflect")
    if padding_mode == "symmetric":
        return _symmetric_pad(a, top, bottom, left, right)
    raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def _pil_filter_weights(in_size, out_size, kernel, support):
    """PIL/torch-antialias style resampling matrix (out_size x in_size)."""
    scale = in_size / out_size
    fscale = max(scale, 1.0)
    sup = support * fscale
    w = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = (i + 0.5) * scale
        xmin = max(int(center - sup + 0.5), 0)
        xmax = min(int(center + sup + 0.5), in_size)
        xs = np.arange(xmin, xmax)
        k = kernel((xs - center + 0.5) / fscale)
        total = k.sum()
        if total != 0:
            k = k / total
        w[i, xmin:xmax] = k
    return w


def _triangle(x):
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _cubic(a):
    def f(x):
        x = np.abs(x)
        return np.where(x < 1.0, ((a + 2.0) * x - (a + 3.0)) * x * x + 1,
                        np.where(x < 2.0, (((x - 5) * x + 8) * x - 4) * a, 0.0))
    return f


def _torch_weights(in_size, out_size, mode):
    """torch.nn.functional.interpolate (align_corners=False, no antialias) as a matrix."""
    scale = in_size / out_size
    w = np.zeros((out_size, in_size), dtype=np.float64)
    dst = np.arange(out_size)
    rows = np.arange(out_size)
    if mode == "nearest":
        src = np.minimum(np.floor(dst * scale).astype(np.int64), in_size - 1)
        w[rows, src] = 1.0
    elif mode == "nearest-exact":
        src = np.minimum(np.floor((dst + 0.5) * scale).astype(np.int64), in_size - 1)
        w[rows, src] = 1.0
    elif mode == "bilinear":
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
        i1 = np.minimum(i0 + 1, in_size - 1)
        lam = src - i0
        np.add.at(w, (rows, i0), 1.0 - lam)
        np.add.at(w, (rows, i1), lam)
    elif mode == "bicubic":
        src = (dst + 0.5) * scale - 0.5
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        kern = _cubic(-0.75)
        for k in range(-1, 3):
            idx = np.clip(i0 + k, 0, in_size - 1)
            np.add.at(w, (rows, idx), kern(t - k))
    else:
        raise ValueError(f"Interpolation mode {mode!r} is not supported for tensors; use "
                         f"nearest, nearest-exact, bilinear or bicubic")
    return w


def resize(a, size, interpolation="bilinear", antialias=True):
    """Resize (..., C, H, W) to size=[h, w] like torchvision's tensor resize."""
    _check_image(a)
    in_h, in_w = a.shape[-2:]
    out_h, out_w = int(size[0]), int(size[1])
    if interpolation in ("bilinear", "bicubic") and antialias:
        kern, sup = (_triangle, 1.0) if interpolation == "bilinear" else (_cubic(-0.5), 2.0)
        wy = _pil_filter_weights(in_h, out_h, kern, sup)
        wx = _pil_filter_weights(in_w, out_w, kern, sup)
    else:
        wy = _torch_weights(in_h, out_h, interpolation)
        wx = _torch_weights(in_w, out_w, interpolation)
    ft = _ftype(a)
    if interpolation.startswith("nearest"):
        iy, ix = wy.argmax(1), wx.argmax(1)
        return a[..., iy[:, None], ix[None, :]].copy()
    out = np.matmul(np.matmul(wy.astype(ft), a.astype(ft)), wx.T.astype(ft))
    if interpolation == "bicubic" and a.dtype == np.uint8:
        out = np.clip(out, 0, 255)
    return _round_cast(out, a.dtype)


def _affine_output_size(matrix, w, h):
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    mn = new.min(0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    mx = new.max(0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(mx / tol) * tol)
    cmin = np.floor(np.trunc(mn / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _grid_sample(a, ix, iy, mode):
    """Sample (..., C, H, W) at pixel coordinates ix, iy (oh, ow), zero padding outside."""
    h, w = a.shape[-2:]
    if mode == "nearest":
        x = np.rint(ix).astype(np.int64)
        y = np.rint(iy).astype(np.int64)
        valid = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        out = a[..., np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)]
        return out * valid
    if mode != "bilinear":
        raise ValueError(f"Interpolation mode {mode!r} is not supported for tensors in "
                         f"rotate/affine; use nearest or bilinear")
    x0 = np.floor(ix).astype(np.int64)
    y0 = np.floor(iy).astype(np.int64)
    fx = (ix - x0).astype(a.dtype)
    fy = (iy - y0).astype(a.dtype)
    out = 0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            x, y = x0 + dx, y0 + dy
            valid = (x >= 0) & (x < w) & (y >= 0) & (y < h)
            v = a[..., np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)]
            out = out + v * (wx * wy * valid)
    return out


def affine_transform(a, matrix, interpolation="nearest", fill=None, expand=False):
    """torchvision's ``_gen_affine_grid`` + ``grid_sample`` (align_corners=False)."""
    _check_image(a)
    squeeze = a.ndim == 2
    if squeeze:
        a = a[None]
    h, w = a.shape[-2:]
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    ft = _ftype(a)
    src = a.astype(ft)
    m = np.asarray(matrix, dtype=np.float64)
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow, dtype=ft)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh, dtype=ft)[:, None]
    ix = (m[0] * xs + m[1] * ys + m[2]).astype(ft) + ft.type((w - 1) * 0.5)
    iy = (m[3] * xs + m[4] * ys + m[5]).astype(ft) + ft.type((h - 1) * 0.5)
    out = _grid_sample(src, ix, iy, interpolation)
    if fill is not None:
        c = src.shape[-3]
        mask = _grid_sample(np.ones(src.shape[:-3] + (1, h, w), ft), ix, iy, interpolation)
        fill = [float(fill)] if isinstance(fill, (int, float)) else [float(f) for f in fill]
        if len(fill) not in (1, c):
            raise ValueError(f"The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {c})")
        fill_img = np.broadcast_to(np.asarray(fill, dtype=ft)[:, None, None], out.shape)
        if interpolation == "nearest":
            m_ = np.broadcast_to(mask < 0.5, out.shape)
            out = np.where(m_, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    out = _round_cast(out, a.dtype)
    return out[0] if squeeze else out


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(a, num_output_channels=1):
    if a.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {a.ndim}")
    _assert_channels(a, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if a.shape[-3] == 3:
        ft = _ftype(a)
        r, g, b = (a[..., i, :, :].astype(ft) for i in range(3))
        l_img = (ft.type(0.2989) * r + ft.type(0.587) * g + ft.type(0.114) * b)
        l_img = l_img.astype(a.dtype)[..., None, :, :]
    else:
        l_img = a.copy()
    if num_output_channels == 3:
        return np.broadcast_to(l_img, l_img.shape[:-3] + (3,) + l_img.shape[-2:]).copy()
    return l_img


def _blend(a1, a2, ratio):
    ratio = float(ratio)
    bound = _max_value(a1.dtype)
    ft = _ftype(a1)
    out = ft.type(ratio) * a1.astype(ft) + ft.type(1.0 - ratio) * np.asarray(a2, dtype=ft)
    return np.clip(out, 0, bound).astype(a1.dtype)


def adjust_brightness(a, factor):
    _assert_channels(a, [1, 3])
    return _blend(a, np.zeros_like(a), factor)


def adjust_contrast(a, factor):
    _assert_channels(a, [3, 1])
    ft = _ftype(a)
    if a.shape[-3] == 3:
        gray = rgb_to_grayscale(a).astype(ft)
    else:
        gray = a.astype(ft)
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True, dtype=ft)
    return _blend(a, mean, factor)


def adjust_saturation(a, factor):
    _assert_channels(a, [1, 3])
    if a.shape[-3] == 1:
        return a.copy()
    return _blend(a, rgb_to_grayscale(a), factor)


def convert_image_dtype(a, dtype):
    dtype = np.dtype(dtype)
    if a.dtype == dtype:
        return a
    if _is_float(a):
        if np.issubdtype(dtype, np.floating):
            return a.astype(dtype)
        if (a.dtype == np.float32 and dtype in (np.int32, np.int64)) or (
                a.dtype == np.float64 and dtype == np.int64):
            raise RuntimeError(f"The cast from {a.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return (a * (max_val + 1.0 - eps)).astype(dtype)
    input_max = float(_max_value(a.dtype))
    if np.issubdtype(dtype, np.floating):
        return (a.astype(dtype) / dtype.type(input_max)).astype(dtype)
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return (a // factor).astype(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return a.astype(dtype) * dtype.type(factor)


def _rgb2hsv(a):
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc = a.max(axis=-3)
    minc = a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    crd = np.where(eqc, ones, cr)
    rc = (maxc - r) / crd
    gc = (maxc - g) / crd
    bc = (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = hr + hg + hb
    h = np.fmod(h / 6.0 + 1.0, 1.0)
    return np.stack((h, s, maxc), axis=-3).astype(a.dtype)


def _hsv2rgb(a):
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack((r, g, b), axis=-3).astype(a.dtype)


def adjust_hue(a, hue_factor):
    _assert_channels(a, [1, 3])
    if a.shape[-3] == 1:
        return a.copy()
    orig = a.dtype
    x = convert_image_dtype(a, np.float32) if not _is_float(a) else a
    hsv = _rgb2hsv(x)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + hsv.dtype.type(hue_factor), 1.0)
    return convert_image_dtype(_hsv2rgb(hsv), orig)


def adjust_gamma(a, gamma, gain=1.0):
    x = a if _is_float(a) else convert_image_dtype(a, np.float32)
    x = np.clip(gain * np.power(x, gamma), 0, 1).astype(x.dtype)
    return convert_image_dtype(x, a.dtype)


def invert(a):
    _assert_channels(a, [1, 3])
    if _is_float(a):
        return (1.0 - a).astype(a.dtype)
    return (_max_value(a.dtype) - a).astype(a.dtype)


# ---------------------------------------------------------------- other

def normalize(a, mean, std, inplace=False):
    if not _is_float(a):
        raise TypeError(f"Input tensor should be a float tensor. Got {a.dtype}.")
    if a.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). "
                         f"Got tensor.size() = {tuple(a.shape)}")
    out = a if inplace else a.copy()
    mean = np.asarray(mean, dtype=a.dtype)
    std = np.asarray(std, dtype=a.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {a.dtype}, "
                         f"leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    np.subtract(out, mean, out=out)
    np.divide(out, std, out=out)
    return out


def erase(a, i, j, h, w, v, inplace=False):
    out = a if inplace else a.copy()
    out[..., i:i + h, j:j + w] = v
    return out


def _gaussian_kernel1d(ksize, sigma, dtype):
    half = (ksize - 1) * 0.5
    x = np.linspace(-half, half, ksize, dtype=dtype)
    pdf = np.exp(-0.5 * (x / dtype.type(sigma)) ** 2)
    return (pdf / pdf.sum()).astype(dtype)


def gaussian_blur(a, kernel_size, sigma):
    """Separable gaussian blur with reflect padding, like torchvision's tensor gaussian_blur."""
    ft = _ftype(a)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], ft)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], ft)
    x = pad(a.astype(ft), [kernel_size[0] // 2, kernel_size[1] // 2], padding_mode="reflect")
    h, w = a.shape[-2:]
    # torch convolves with the 2-d outer-product kernel; separable sums agree to rounding
    tmp = np.zeros(x.shape[:-1] + (w,), dtype=ft)
    for k in range(kernel_size[0]):
        tmp += kx[k] * x[..., :, k:k + w]
    out = np.zeros(a.shape[:-2] + (h, w), dtype=ft)
    for k in range(kernel_size[1]):
        out += ky[k] * tmp[..., k:k + h, :]
    return _round_cast(out, a.dtype)

