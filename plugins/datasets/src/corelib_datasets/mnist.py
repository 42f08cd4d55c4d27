"""``MNIST`` and ``FashionMNIST`` read from the IDX files you supply (raw or gzip-compressed),
under torchvision's layout ``root/<ClassName>/raw/``. Nothing is ever downloaded."""
import gzip
import os

import numpy as np
from PIL import Image

from .vision import DatasetFileError, VisionDataset, missing, no_download

# IDX type codes -> numpy big-endian dtypes
_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path):
    """Read an IDX file (optionally .gz) into a numpy array; errors name the file."""
    try:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise DatasetFileError(f"{path} is corrupt: cannot read it ({e})") from e
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DatasetFileError(f"{path} is not an IDX file (bad magic number {data[:4].hex()}); "
                               "expected the MNIST-format files, e.g. train-images-idx3-ubyte")
    dtype = _IDX_TYPES[data[2]]
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetFileError(f"{path} is corrupt: truncated IDX header")
    shape = tuple(int(v) for v in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise DatasetFileError(f"{path} is corrupt: header says shape {shape} ({expected} bytes of "
                               f"data) but the file holds {len(data) - header} bytes")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """MNIST handwritten digits, from the IDX files you supply.

    Put the four files (as distributed, ``.gz`` or extracted) in ``root/MNIST/raw/``:
    ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
    ``t10k-labels-idx1-ubyte``.

    Args:
        root (str or pathlib.Path): directory holding ``MNIST/raw/``.
        train (bool): training set (``train-*``) if ``True``, else the test set (``t10k-*``).
        transform (callable, optional): applied to the PIL image (mode "L", 28x28).
        target_transform (callable, optional): applied to the int label.
        download (bool): must be ``False``: corelib never downloads (``True`` raises an error
            explaining where to put the files).

    Attributes: ``data`` (uint8 tensor N x H x W), ``targets`` (int64 tensor), ``classes``,
    ``class_to_idx``, ``raw_folder``. Items are ``(PIL.Image, int)``.
    """

    resources = [
        ("train-images-idx3-ubyte", "train images"),
        ("train-labels-idx1-ubyte", "train labels"),
        ("t10k-images-idx3-ubyte", "test images"),
        ("t10k-labels-idx1-ubyte", "test labels"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            no_download(type(self).__name__, self._where())
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def _where(self):
        files = "\n".join(f"  {os.path.join(self.raw_folder, name)}   ({what}; or {name}.gz)"
                          for name, what in self.resources)
        return f"{files}\n(the IDX files of the original {self.__class__.__name__} distribution)"

    def _find(self, name):
        for cand in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, cand)
            if os.path.isfile(path):
                return path
        missing(type(self).__name__, os.path.join(self.raw_folder, name) + "[.gz]", self._where())

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        img_path = self._find(f"{prefix}-images-idx3-ubyte")
        lbl_path = self._find(f"{prefix}-labels-idx1-ubyte")
        images = read_idx(img_path)
        labels = read_idx(lbl_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise DatasetFileError(f"{img_path} is not an image file: expected uint8 N x H x W, got "
                                   f"{images.dtype} {images.shape}")
        if labels.ndim != 1:
            raise DatasetFileError(f"{lbl_path} is not a label file: expected 1-D, got {labels.shape}")
        if len(images) != len(labels):
            raise DatasetFileError(f"{img_path} holds {len(images)} images but {lbl_path} holds "
                                   f"{len(labels)} labels")
        import corelib
        self._np_images = np.ascontiguousarray(images)
        self._np_targets = labels.astype(np.int64)
        return corelib.from_numpy(self._np_images), corelib.from_numpy(self._np_targets)

    def __getitem__(self, index):
        img = Image.fromarray(self._np_images[index], mode="L")
        target = int(self._np_targets[index])
        return self._apply(img, target)

    def __len__(self):
        return len(self._np_targets)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando article images), from the IDX files you supply in
    ``root/FashionMNIST/raw/`` with the same four file names as :class:`MNIST`."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
