"""Class activation maps (notes 11.2): CAM, Grad-CAM and heat-map overlays as PNG.

- :func:`grad_cam` (Selvaraju et al.): a forward hook on ``layer`` keeps its activations A
  and, through ``Tensor.register_hook``, their gradient dY_c/dA; the channel weights are the
  spatially averaged gradients and the map is ``relu(sum_k w_k A_k)``.
- :func:`class_activation_map` (Zhou et al.): for a network ending in global average pooling
  and one Linear layer, the map is the class's Linear weights dotted with the last feature maps.
- :func:`overlay` blends a heat map (jet colour map) onto an image; :func:`save_overlays`
  writes a grid of images with their overlays.

Heat maps are numpy float32 arrays in [0, 1], one per image, upsampled (bilinear, PIL) to
the input's height and width. Only numpy, PIL and the core are used (no bundle).
"""
import numpy as np
from PIL import Image

__all__ = ["grad_cam", "class_activation_map", "overlay", "overlay_grid", "save_overlays",
           "jet", "find_layer"]


def _to_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach()
        if hasattr(x, "cpu"):
            x = x.cpu()
        return np.asarray(x.numpy())
    return np.asarray(x)


def find_layer(model, layer):
    """``layer`` as a Module: a Module is returned as is, a dotted name ("features.conv2") is
    looked up in ``model.named_modules()``."""
    if layer is None or not isinstance(layer, str):
        return layer
    modules = dict(model.named_modules())
    if layer not in modules:
        raise ValueError(f"model has no submodule {layer!r}; its submodules are "
                         f"{[n for n in modules if n]}")
    return modules[layer]


def _resize_maps(maps, size):
    """(N, h, w) float maps -> (N, H, W) float32 with PIL bilinear resizing."""
    H, W = size
    if maps.shape[1:] == (H, W):
        return maps.astype(np.float32)
    return np.stack([np.asarray(Image.fromarray(m.astype(np.float32), mode="F")
                                .resize((W, H), Image.BILINEAR)) for m in maps]).astype(np.float32)


def _normalize_maps(maps):
    """Each map to [0, 1] (divided by its maximum; an all-zero map stays zero)."""
    maps = np.maximum(maps, 0).astype(np.float32)
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)


def _targets(target, logits_np):
    n = logits_np.shape[0]
    if target is None:
        return logits_np.argmax(axis=1).astype(np.int64)
    t = np.asarray(_to_numpy(target), dtype=np.int64).reshape(-1)
    if t.size == 1:
        t = np.full(n, int(t[0]), dtype=np.int64)
    if t.shape != (n,):
        raise ValueError(f"target must be None, an int or one class per image ({n}), "
                         f"got shape {tuple(t.shape)}")
    if (t < 0).any() or (t >= logits_np.shape[1]).any():
        raise ValueError(f"target classes must be in [0, {logits_np.shape[1]}), got {t.tolist()}")
    return t


def grad_cam(model, layer, images, target=None, *, return_logits=False):
    """Grad-CAM heat maps of ``images`` (N x C x H x W Tensor) for ``target`` classes.

    Args:
        model: a classifier Module returning N x classes logits.
        layer: the Module (or its dotted name) whose output feature maps are explained,
            usually the last convolution. ``None`` uses the input itself (gradient x input),
            for models without convolutions.
        images: the input batch.
        target: ``None`` (each image's predicted class), an int, or one class per image.
        return_logits: also return the logits (numpy, N x classes).

    Returns:
        numpy float32 array N x H x W in [0, 1] (and the logits if ``return_logits``).

    The model is run in eval mode (its mode is restored) and the parameters' ``.grad``
    are left as they were.
    """
    import corelib

    layer = find_layer(model, layer)
    store = {}

    def keep_grad(grad):
        store["grad"] = grad

    def forward_hook(module, inputs, output):
        store["act"] = output
        output.register_hook(keep_grad)

    params = list(model.parameters())
    saved_grads = [p.grad for p in params]
    was_training = model.training
    model.eval()
    x = images.detach().clone()
    handle = None
    if layer is None:
        x.requires_grad_(True)
        store["act"] = x
    else:
        handle = layer.register_forward_hook(forward_hook)
    try:
        with corelib.enable_grad():
            logits = model(x)
            logits_np = _to_numpy(logits).copy()
            t = _targets(target, logits_np)
            if layer is not None and "act" not in store:
                raise RuntimeError(f"the forward hook on {type(layer).__name__} never ran: "
                                   f"is the layer part of the model's forward?")
            if not store["act"].requires_grad:
                raise RuntimeError("the hooked activations do not require grad; "
                                   "Grad-CAM needs a differentiable path from the layer")
            index = corelib.from_numpy(t.reshape(-1, 1))
            score = logits.gather(1, index).sum()
            score.backward()
        act = _to_numpy(store["act"]).astype(np.float32)
        grad = store.get("grad")
        grad = _to_numpy(x.grad if layer is None else grad).astype(np.float32)
    finally:
        if handle is not None:
            handle.remove()
        for p, g in zip(params, saved_grads):
            p.grad = g
        model.train(was_training)
    if act.ndim != 4:
        raise ValueError(f"Grad-CAM needs N x C x h x w feature maps, the layer gave shape "
                         f"{act.shape}")
    if layer is None:
        maps = (grad * act).sum(axis=1)               # gradient x input, summed over channels
    else:
        weights = grad.mean(axis=(2, 3), keepdims=True)
        maps = (weights * act).sum(axis=1)
    heat = _normalize_maps(_resize_maps(_normalize_maps(maps), tuple(images.shape[-2:])))
    return (heat, logits_np) if return_logits else heat


def class_activation_map(features, fc_weight, target, size=None):
    """CAM: ``sum_k W[c, k] * F_k`` for a GAP network (features -> global average pool ->
    Linear(C, classes)).

    Args:
        features: the last feature maps, N x C x h x w (Tensor or array).
        fc_weight: the Linear layer's weight, classes x C.
        target: one class per image (or an int for all).
        size: (H, W) to upsample to (default: the feature maps' size).

    Returns:
        numpy float32 N x H x W in [0, 1].
    """
    f = _to_numpy(features).astype(np.float32)
    w = _to_numpy(fc_weight).astype(np.float32)
    if f.ndim != 4 or w.ndim != 2 or w.shape[1] != f.shape[1]:
        raise ValueError(f"need features N x C x h x w and fc_weight classes x C, got "
                         f"{f.shape} and {w.shape}")
    t = _targets(target, np.zeros((f.shape[0], w.shape[0])))
    maps = np.einsum("nc,nchw->nhw", w[t], f)
    maps = _normalize_maps(maps)
    if size is not None:
        maps = _normalize_maps(_resize_maps(maps, tuple(size)))
    return maps


def jet(values):
    """The 'jet' colour map: floats in [0, 1] (any shape) -> uint8 RGB (shape + (3,))."""
    v = np.clip(np.asarray(values, dtype=np.float32), 0.0, 1.0)
    r = np.clip(1.5 - np.abs(4.0 * v - 3.0), 0.0, 1.0)
    g = np.clip(1.5 - np.abs(4.0 * v - 2.0), 0.0, 1.0)
    b = np.clip(1.5 - np.abs(4.0 * v - 1.0), 0.0, 1.0)
    return np.round(np.stack([r, g, b], axis=-1) * 255.0).astype(np.uint8)


def _image_rgb(image):
    """An image (CHW / HWC / HW, float of any range or uint8) -> uint8 H x W x 3."""
    a = _to_numpy(image)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = a.transpose(1, 2, 0)
    elif a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] in (1, 3) and a.shape[0] < a.shape[-1]:
        a = a.transpose(1, 2, 0)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 3):
        raise ValueError(f"image must be CHW, HWC or HW with 1 or 3 channels, got shape {a.shape}")
    if a.dtype != np.uint8:
        a = a.astype(np.float32)
        lo, hi = float(a.min()), float(a.max())
        a = np.round((a - lo) / (hi - lo) * 255.0) if hi > lo else np.zeros_like(a)
        a = a.astype(np.uint8)
    if a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    return a


def overlay(image, heatmap, alpha=0.5, size=None):
    """Blend ``heatmap`` (h x w, values in [0, 1]) in the jet colour map onto ``image``.

    Args:
        image: CHW, HWC or HW; uint8, or float of any range (min-max scaled).
        heatmap: 2-D array in [0, 1] (resized to the image with bilinear interpolation).
        alpha: weight of the heat map (0: image only, 1: heat map only).
        size: (H, W) of the result, or an int for a square (default: the image's size);
            the image is upscaled with nearest-neighbour so small digits stay crisp.

    Returns:
        uint8 RGB array H x W x 3.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    rgb = _image_rgb(image)
    if size is None:
        size = rgb.shape[:2]
    elif isinstance(size, int):
        size = (size, size)
    H, W = int(size[0]), int(size[1])
    if rgb.shape[:2] != (H, W):
        rgb = np.asarray(Image.fromarray(rgb).resize((W, H), Image.NEAREST))
    h = np.asarray(_to_numpy(heatmap), dtype=np.float32)
    if h.ndim != 2:
        raise ValueError(f"heatmap must be 2-D, got shape {h.shape}")
    h = _resize_maps(h[None], (H, W))[0]
    color = jet(h).astype(np.float32)
    out = (1.0 - alpha) * rgb.astype(np.float32) + alpha * color
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def overlay_grid(images, heatmaps, size=96, alpha=0.5, padding=4):
    """Two rows per grid: the images (top) and their overlays (bottom), uint8 RGB."""
    imgs = [_image_rgb(im) for im in images]
    n = len(imgs)
    if n != len(heatmaps) or n == 0:
        raise ValueError(f"need as many heat maps as images (and at least one), got {n} images "
                         f"and {len(heatmaps)} heat maps")
    size = (size, size) if isinstance(size, int) else tuple(size)
    H, W = size
    grid = np.full((2 * H + 3 * padding, n * W + (n + 1) * padding, 3), 255, dtype=np.uint8)
    for i, (im, hm) in enumerate(zip(imgs, heatmaps)):
        x0 = padding + i * (W + padding)
        grid[padding:padding + H, x0:x0 + W] = np.asarray(
            Image.fromarray(im).resize((W, H), Image.NEAREST))
        grid[2 * padding + H:2 * padding + 2 * H, x0:x0 + W] = overlay(im, hm, alpha, (H, W))
    return grid


def save_overlays(path, images, heatmaps, size=96, alpha=0.5):
    """Write :func:`overlay_grid` of ``images`` and ``heatmaps`` to ``path`` (PNG); returns path."""
    Image.fromarray(overlay_grid(images, heatmaps, size=size, alpha=alpha)).save(path)
    return path
