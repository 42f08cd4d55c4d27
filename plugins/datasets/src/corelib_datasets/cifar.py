"""``CIFAR10`` read from the python batch files you supply (``root/cifar-10-batches-py/``)."""
import os
import pickle

import numpy as np
from PIL import Image

from .vision import DatasetFileError, VisionDataset, missing, no_download


class CIFAR10(VisionDataset):
    """CIFAR-10 (60000 32x32 colour images, 10 classes), from the "python version" batch
    files you supply.

    Put the extracted folder of ``cifar-10-python.tar.gz`` at ``root/cifar-10-batches-py/``:
    ``data_batch_1`` ... ``data_batch_5`` (training), ``test_batch`` (test) and
    ``batches.meta`` (class names; the standard names are used when it is absent).

    Args:
        root (str or pathlib.Path): directory holding ``cifar-10-batches-py/``.
        train (bool): training set if ``True``, else the test set.
        transform (callable, optional): applied to the PIL image (RGB, 32x32).
        target_transform (callable, optional): applied to the int label.
        download (bool): must be ``False``: corelib never downloads.

    Attributes: ``data`` (numpy uint8 N x 32 x 32 x 3, as torchvision), ``targets`` (list of
    int), ``classes``, ``class_to_idx``. Items are ``(PIL.Image, int)``.
    """

    base_folder = "cifar-10-batches-py"
    train_list = [["data_batch_1"], ["data_batch_2"], ["data_batch_3"], ["data_batch_4"], ["data_batch_5"]]
    test_list = [["test_batch"]]
    meta = {"filename": "batches.meta", "key": "label_names"}
    default_classes = ["airplane", "automobile", "bird", "cat", "deer",
                       "dog", "frog", "horse", "ship", "truck"]
    _labels_key = ("labels", "fine_labels")

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            no_download(type(self).__name__, self._where())
        file_list = self.train_list if self.train else self.test_list
        self.data = []
        self.targets = []
        for (file_name, *_) in file_list:
            path = os.path.join(self.root, self.base_folder, file_name)
            if not os.path.isfile(path):
                missing(type(self).__name__, path, self._where())
            entry = self._unpickle(path)
            try:
                data = np.asarray(entry["data"], dtype=np.uint8)
                labels = next(entry[k] for k in self._labels_key if k in entry)
                data = data.reshape(-1, 3, 32, 32)
            except (KeyError, StopIteration, ValueError, TypeError) as e:
                raise DatasetFileError(f"{path} is corrupt or not a CIFAR batch: expected a dict with "
                                       f"'data' (N x 3072 uint8) and 'labels' ({e!r})") from e
            if len(labels) != len(data):
                raise DatasetFileError(f"{path} is corrupt: {len(data)} images but {len(labels)} labels")
            self.data.append(data)
            self.targets.extend(int(v) for v in labels)
        self.data = np.vstack(self.data).transpose((0, 2, 3, 1))  # convert to HWC
        self._load_meta()

    def _where(self):
        folder = os.path.join(self.root, self.base_folder)
        names = [f[0] for f in self.train_list + self.test_list] + [self.meta["filename"]]
        return (f"  {folder}/ with {', '.join(names)}\n(the extracted python version of "
                "CIFAR-10, cifar-10-python.tar.gz)")

    @staticmethod
    def _unpickle(path):
        try:
            with open(path, "rb") as f:
                return pickle.load(f, encoding="latin1")
        except Exception as e:
            raise DatasetFileError(f"{path} is corrupt: cannot unpickle it ({e!r})") from e

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not os.path.isfile(path):
            self.classes = list(self.default_classes)
        else:
            data = self._unpickle(path)
            try:
                self.classes = list(data[self.meta["key"]])
            except (KeyError, TypeError) as e:
                raise DatasetFileError(f"{path} is corrupt: no {self.meta['key']!r} entry") from e
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        img = Image.fromarray(self.data[index])
        return self._apply(img, self.targets[index])

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"
