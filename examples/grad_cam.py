"""Grad-CAM (notes 11.2.2, Selvaraju et al. 2017) on a trained LeNet.

The LeNet is trained by ``corelib train`` (or loaded from one of its checkpoints). Grad-CAM
needs the activations A of a layer and the gradient of the class score with respect to them:

- ``Module.register_forward_hook`` (notes 11.1.2) keeps A as the layer's output, and
- ``Tensor.register_hook`` (notes 11.1.1) on that output receives dY_c/dA in backward;

the weights are the spatial means of the gradient, the map is ``relu(sum_k w_k A_k)``.
``corelib.utils.cam.grad_cam`` does exactly that; :func:`grad_cam_backward_hook` below does
it a second way, with ``Module.register_full_backward_hook`` (notes 11.1.4), whose
``grad_output`` is the same gradient; both give the same maps.

    python examples/grad_cam.py [--checkpoint runs/<run>/checkpoints/epoch_012.pt] [--out grad_cam.png]
"""
import argparse
import os

import numpy as np

import corelib
import corelib.transforms as transforms
from corelib.models import create_model
from corelib.utils.cam import _normalize_maps, _resize_maps, grad_cam, save_overlays


def grad_cam_backward_hook(model, layer, images):
    """Grad-CAM with a forward hook for A and a full backward hook for dY/dA."""
    store = {}
    fh = layer.register_forward_hook(lambda m, i, o: store.__setitem__("act", o.detach()))
    bh = layer.register_full_backward_hook(
        lambda m, grad_in, grad_out: store.__setitem__("grad", grad_out[0].detach()))
    model.eval()
    try:
        x = images.detach().clone().requires_grad_(True)
        logits = model(x)
        logits.gather(1, logits.argmax(1, keepdim=True)).sum().backward()
    finally:
        fh.remove()
        bh.remove()
        model.zero_grad()
    a, g = store["act"].numpy(), store["grad"].numpy()
    maps = (g.mean(axis=(2, 3), keepdims=True) * a).sum(axis=1)
    return _normalize_maps(_resize_maps(_normalize_maps(maps), tuple(images.shape[-2:])))


def train_lenet(out_dir, epochs=4, limit_batches=None):
    """Train LeNet on Digits with ``corelib train``; returns the last checkpoint's path."""
    from corelib.__main__ import main as cli
    args = ["train", "--epochs", str(epochs), "--workers", "0", "--progress", "never",
            "--out", out_dir]
    if limit_batches:
        args += ["--limit-batches", str(limit_batches)]
    if cli(args) != 0:
        raise SystemExit("corelib train failed")
    return os.path.join(out_dir, "checkpoints", f"epoch_{epochs:03d}.pt")


def main(checkpoint=None, out="grad_cam.png", epochs=4, limit_batches=None, verbose=True):
    """Grad-CAM overlays of one test digit per class -> ``out``; returns the heat maps."""
    if checkpoint is None:
        checkpoint = train_lenet(os.path.splitext(out)[0] + "_run", epochs, limit_batches)
    net = create_model("lenet", in_channels=1, num_classes=10)
    net.load_state_dict(corelib.load(checkpoint)["model_state_dict"])
    tf = transforms.Compose([transforms.Resize(32), transforms.ToTensor(),
                             transforms.Normalize((0.306,), (0.324,))])
    test = corelib.datasets.Digits(train=False, transform=tf)
    y = test.targets.numpy()
    picks = [int(np.flatnonzero(y == c)[0]) for c in range(10)]
    images = corelib.stack([test[i][0] for i in picks])

    heat, logits = grad_cam(net, net.features.relu2, images, return_logits=True)
    again = grad_cam_backward_hook(net, net.features.relu2, images)
    assert np.allclose(heat, again, atol=1e-5), "the two Grad-CAM routes disagree"
    save_overlays(out, images, heat, size=96)
    if verbose:
        print(f"Grad-CAM of digits {y[picks].tolist()} (predicted {logits.argmax(1).tolist()}) "
              f"from {checkpoint} -> {out}")
    return heat


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default=None,
                   help="a corelib train checkpoint (default: train one for --epochs first)")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--out", default="grad_cam.png")
    a = p.parse_args()
    main(a.checkpoint, a.out, a.epochs)
