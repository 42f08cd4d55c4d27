"""``Digits``: the UCI optical recognition of handwritten digits (test set copy, 1797 8x8
images, 10 classes), shipped inside this bundle. See data/DIGITS_LICENSE.md for its source
and licence (CC BY 4.0)."""
import os

import numpy as np
from PIL import Image

from .vision import VisionDataset

_DATA = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def _load():
    with np.load(_DATA) as f:
        images, targets = f["images"], f["targets"]
    # 0..16 counts of "on" pixels in 4x4 blocks -> 0..255 grey levels
    images = np.round(images.astype(np.float64) * (255.0 / 16.0)).astype(np.uint8)
    return images, targets.astype(np.int64)


class Digits(VisionDataset):
    """UCI handwritten digits: 1797 greyscale 8x8 images of the digits 0-9.

    The data ships with the bundle (nothing to download). The split is deterministic:
    every fifth sample (indices 4, 9, 14, ...) is in the test set (359 images), the others
    in the training set (1438 images).

    Args:
        root (str, optional): unused (the data is bundled); kept for torchvision-style calls.
        train (bool): training split if ``True`` (default), else the test split.
        transform (callable, optional): applied to the PIL image (mode "L", 8x8, 0..255).
        target_transform (callable, optional): applied to the int label.
        download (bool): ignored; the data is bundled.

    Attributes:
        data (corelib.Tensor): uint8, ``N x 8 x 8``, pixel values 0..255.
        targets (corelib.Tensor): int64 labels.
        classes (list): ``["0", "1", ..., "9"]``.

    Items are ``(PIL.Image, int)``, like torchvision's MNIST.
    """

    classes = [str(i) for i in range(10)]
    n_total = 1797

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, targets = _load()
        test = (np.arange(len(images)) % 5) == 4
        keep = ~test if train else test
        import corelib
        self.data = corelib.from_numpy(np.ascontiguousarray(images[keep]))
        self.targets = corelib.from_numpy(np.ascontiguousarray(targets[keep]))
        self._images = self.data.numpy()
        self._targets = self.targets.numpy()

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img = Image.fromarray(self._images[index], mode="L")
        target = int(self._targets[index])
        return self._apply(img, target)

    def __len__(self):
        return len(self._targets)

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"
