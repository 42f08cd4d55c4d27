"""CAM, the class activation map (notes 11.2.1, Zhou et al. 2016), on a GAP network.

The network ends in convolution features -> AdaptiveAvgPool2d(1) -> Linear, so the score of
class c is ``sum_k W[c, k] * mean(F_k)`` and the CAM of class c is ``sum_k W[c, k] * F_k``:
the Linear weights of the predicted class dotted with the last feature maps, caught here by
a forward hook. The network is trained for a few epochs on Digits, then the CAMs of one test
digit per class are saved as PNG heat-map overlays.

    python examples/cam.py [--epochs 6] [--out cam.png]

Needs the layers, losses, optim, transforms and datasets bundles.
"""
import argparse
from collections import OrderedDict

import numpy as np

import corelib
import corelib.nn as nn
import corelib.transforms as transforms
from corelib.utils.cam import class_activation_map, save_overlays


class GAPNet(nn.Module):
    """conv features -> global average pooling -> one Linear layer (the CAM architecture)."""

    def __init__(self, in_channels=1, num_classes=10, width=32):
        super().__init__()
        self.features = nn.Sequential(OrderedDict({
            "conv1": nn.Conv2d(in_channels, width // 2, 3, padding=1),
            "bn1": nn.BatchNorm2d(width // 2),
            "relu1": nn.ReLU(),
            "pool1": nn.MaxPool2d(2),
            "conv2": nn.Conv2d(width // 2, width, 3, padding=1),
            "bn2": nn.BatchNorm2d(width),
            "relu2": nn.ReLU(),
        }))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(self.gap(self.features(x)).flatten(1))


def load_digits(train, size=16):
    """The whole Digits split as one N x 1 x size x size tensor and its labels."""
    tf = transforms.Compose([transforms.Resize(size), transforms.ToTensor(),
                             transforms.Normalize((0.306,), (0.324,))])
    ds = corelib.datasets.Digits(train=train, transform=tf)
    xs = corelib.stack([ds[i][0] for i in range(len(ds))])
    return xs, ds.targets.clone()


def main(epochs=6, out="cam.png", size=16, limit=None, batch_size=32, seed=0, verbose=True):
    """Train, then write the CAM overlays to ``out``; returns (test accuracy, out)."""
    corelib.manual_seed(seed)
    x_train, y_train = load_digits(True, size)
    x_test, y_test = load_digits(False, size)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    net = GAPNet()
    opt = corelib.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    n = len(y_train)
    for epoch in range(epochs):
        perm = corelib.randperm(n)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(net(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}")

    net.eval()
    feats = {}
    handle = net.features.register_forward_hook(lambda m, i, o: feats.__setitem__("maps", o))
    with corelib.no_grad():
        pred = net(x_test).argmax(1)
    handle.remove()
    acc = float((pred == y_test).float().mean())

    y = y_test.numpy()
    picks = [int(np.flatnonzero(y == c)[0]) for c in range(10) if (y == c).any()]
    maps = class_activation_map(feats["maps"][picks], net.fc.weight, pred[picks], size=(size, size))
    save_overlays(out, x_test[picks], maps, size=96)
    if verbose:
        print(f"test accuracy {100 * acc:.1f}%; CAM overlays of digits "
              f"{[int(y[i]) for i in picks]} (predicted {pred[picks].tolist()}) -> {out}")
    return acc, out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--out", default="cam.png")
    a = p.parse_args()
    main(a.epochs, a.out)
