"""``make_grid`` and ``save_image``: torchvision.utils' algorithms on corelib Tensors."""
import math
import warnings

import numpy as np

from ._convert import to_numpy


def _is_tensor(x):
    return isinstance(x, np.ndarray) or (hasattr(x, "detach") and hasattr(x, "numpy"))


def _wrap(arr):
    import corelib
    return corelib.from_numpy(np.ascontiguousarray(arr))


def _make_grid_np(tensor, nrow=8, padding=2, normalize=False, value_range=None,
                  scale_each=False, pad_value=0.0, **kwargs):
    if "range" in kwargs:
        warnings.warn("The parameter 'range' is deprecated since torchvision 0.12; "
                      "please use 'value_range' instead.", FutureWarning, stacklevel=3)
        value_range = kwargs.pop("range")
    if kwargs:
        raise TypeError(f"make_grid() got an unexpected keyword argument {next(iter(kwargs))!r}")
    if not _is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not _is_tensor(t):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing "
                                    f"{type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):                    # a list of tensors -> a 4D mini-batch
        arr = np.stack([to_numpy(t) for t in tensor], axis=0)
    else:
        arr = to_numpy(tensor)

    if arr.ndim == 2:                               # single image H x W
        arr = arr[None]
    if arr.ndim == 3:                               # single image
        if arr.shape[0] == 1:                       # single-channel -> 3 channels
            arr = np.concatenate((arr, arr, arr), 0)
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[1] == 1:         # single-channel images
        arr = np.concatenate((arr, arr, arr), 1)
    if arr.ndim != 4:
        raise ValueError(f"make_grid expects a 2D, 3D or 4D tensor (or a list of 2D/3D "
                         f"tensors), got {arr.ndim} dimensions with shape {tuple(arr.shape)}")

    if normalize is True:
        arr = arr.copy()                            # never modify the caller's data
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. "
                            "min and max are numbers")

        def norm_ip(img, low, high):                # in place, in img's dtype
            np.clip(img, low, high, out=img)
            img -= low
            img /= max(high - low, 1e-5)

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in arr:                           # loop over the mini-batch
                norm_range(t, value_range)
        else:
            norm_range(arr, value_range)

    if arr.shape[0] == 1:
        return arr[0]

    nmaps = arr.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(arr.shape[2] + padding), int(arr.shape[3] + padding)
    num_channels = arr.shape[1]
    grid = np.full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                   dtype=arr.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height,
                 x * width + padding:(x + 1) * width] = arr[k]
            k += 1
    return grid


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0, **kwargs):
    """Make a grid of images (torchvision.utils.make_grid).

    Args:
        tensor (Tensor or list): 4D mini-batch Tensor of shape (B x C x H x W) or a list of
            images all of the same size.
        nrow (int): number of images in each row of the grid; the rows are
            ``ceil(B / nrow)``.
        padding (int): amount of padding.
        normalize (bool): shift the images to (0, 1) by the min and max pixel values, or by
            ``value_range``.
        value_range (tuple): (min, max) used to normalize; default the min and max of the data.
            (``range=`` is accepted as torchvision's deprecated spelling.)
        scale_each (bool): scale each image of the batch separately.
        pad_value (float): value of the padded pixels.

    Returns:
        Tensor: the (C x H' x W') grid; 1-channel images become 3-channel.
    """
    return _wrap(_make_grid_np(tensor, nrow, padding, normalize, value_range, scale_each,
                               pad_value, **kwargs))


def save_image(tensor, fp, format=None, **kwargs):
    """Save a Tensor (or a list of them) as an image file; a batch is tiled with make_grid.

    Args:
        tensor (Tensor or list): image(s) with values in [0, 1].
        fp (str, pathlib.Path or file object): where to save.
        format (str, optional): image format (PIL's), needed when ``fp`` is a file object.
        **kwargs: passed to :func:`make_grid`.
    """
    from PIL import Image
    grid = _make_grid_np(tensor, **kwargs)
    if not np.issubdtype(grid.dtype, np.floating):
        raise TypeError(f"save_image expects a floating-point tensor with values in [0, 1], got "
                        f"dtype {grid.dtype}; convert it with tensor.float() / 255")
    # torchvision: grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)
    nd = grid * grid.dtype.type(255)
    nd += grid.dtype.type(0.5)
    np.clip(nd, 0, 255, out=nd)
    nd = np.transpose(nd, (1, 2, 0)).astype(np.uint8)
    if nd.shape[2] == 1:
        nd = nd[:, :, 0]
    im = Image.fromarray(np.ascontiguousarray(nd))
    im.save(fp, format=format)
