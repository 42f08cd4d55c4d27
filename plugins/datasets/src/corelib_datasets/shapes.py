"""``Shapes``: procedurally drawn geometric shapes (PIL), any image size, deterministic."""
import math

import numpy as np
from PIL import Image, ImageDraw

from .vision import VisionDataset

_CLASSES = ["circle", "square", "triangle", "pentagon", "hexagon", "star"]


def _polygon(cx, cy, r, n, rot):
    return [(cx + r * math.cos(rot + 2 * math.pi * k / n), cy + r * math.sin(rot + 2 * math.pi * k / n))
            for k in range(n)]


def _star(cx, cy, r, rot, points=5, inner=0.45):
    out = []
    for k in range(2 * points):
        rr = r if k % 2 == 0 else r * inner
        a = rot + math.pi * k / points
        out.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return out


class Shapes(VisionDataset):
    """Images of one filled shape each, drawn with PIL: circle, square, triangle, pentagon,
    hexagon, star (``classes``). Colour, position, size and rotation vary; a sample depends
    only on ``(seed, train, index)``, so the dataset is identical in every process and run,
    costs nothing to create, and is drawn on access.

    Args:
        root (str, optional): unused; kept for torchvision-style calls.
        train (bool): training (default) or test split (different images for the same seed).
        transform (callable, optional): applied to the PIL image (RGB, ``size x size``).
        target_transform (callable, optional): applied to the int label.
        download (bool): ignored (nothing to download).
        size (int): image side in pixels (default 32, at least 8).
        n (int, optional): number of images (default 6000 for train, 1200 for test).
        seed (int): the seed of the whole dataset (default 0).
        classes (sequence of str, optional): a subset of the shape names to draw.

    Items are ``(PIL.Image, int)``; labels are indices into ``classes`` and are balanced
    (``index % len(classes)``).
    """

    all_classes = tuple(_CLASSES)

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False, size=32, n=None, seed=0, classes=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not isinstance(size, int) or size < 8:
            raise ValueError(f"Shapes: size must be an int >= 8, got size={size!r}")
        if n is None:
            n = 6000 if train else 1200
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"Shapes: n must be a non-negative int, got n={n!r}")
        if classes is None:
            classes = list(_CLASSES)
        unknown = [c for c in classes if c not in _CLASSES]
        if unknown or not classes:
            raise ValueError(f"Shapes: unknown classes {unknown}; choose among {list(_CLASSES)}")
        self.classes = list(classes)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.train, self.size, self.n, self.seed = train, size, n, int(seed)
        self.targets = [i % len(self.classes) for i in range(n)]

    def __len__(self):
        return self.n

    def draw(self, index):
        """The PIL image and label of sample ``index`` (without transforms)."""
        if index < 0:
            index += self.n
        if not 0 <= index < self.n:
            raise IndexError(f"Shapes index {index} out of range for {self.n} samples")
        label = self.targets[index]
        name = self.classes[label]
        rng = np.random.default_rng([self.seed, 0 if self.train else 1, index])
        s = self.size
        bg = tuple(int(v) for v in rng.integers(0, 96, 3))
        fg = tuple(int(v) for v in rng.integers(128, 256, 3))
        r = s * rng.uniform(0.22, 0.42)
        cx = rng.uniform(r, s - r)
        cy = rng.uniform(r, s - r)
        rot = rng.uniform(0, 2 * math.pi)
        img = Image.new("RGB", (s, s), bg)
        d = ImageDraw.Draw(img)
        if name == "circle":
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fg)
        elif name == "square":
            d.polygon(_polygon(cx, cy, r, 4, rot), fill=fg)
        elif name == "triangle":
            d.polygon(_polygon(cx, cy, r, 3, rot), fill=fg)
        elif name == "pentagon":
            d.polygon(_polygon(cx, cy, r, 5, rot), fill=fg)
        elif name == "hexagon":
            d.polygon(_polygon(cx, cy, r, 6, rot), fill=fg)
        else:  # star
            d.polygon(_star(cx, cy, r, rot), fill=fg)
        return img, label

    def __getitem__(self, index):
        img, target = self.draw(index)
        return self._apply(img, target)

    def extra_repr(self):
        return (f"Split: {'Train' if self.train else 'Test'}\nSize: {self.size}\n"
                f"Seed: {self.seed}\nClasses: {self.classes}")
