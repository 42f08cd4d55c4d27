"""``VisionDataset``: the common base (root, transform, target_transform, repr), and the
no-download / missing-file / corrupt-file errors shared by the file-backed datasets."""
import os

from corelib.utils.data import Dataset


class DatasetFileError(RuntimeError):
    """A dataset file exists but cannot be read (corrupt, truncated or of the wrong kind)."""


def no_download(name, where):
    raise RuntimeError(
        f"{name}: download=True is not supported: corelib never downloads anything (it has no "
        f"network access by design). Obtain the files yourself and place them as follows, then "
        f"call it with download=False:\n{where}")


def missing(name, path, where):
    raise FileNotFoundError(
        f"{name}: dataset file not found: {path}. corelib never downloads datasets; put the "
        f"files there yourself:\n{where}")


class VisionDataset(Dataset):
    """Base of the image datasets, as ``torchvision.datasets.VisionDataset``.

    Args:
        root (str or os.PathLike, optional): root directory of the dataset.
        transform (callable, optional): applied to the image (a PIL image).
        target_transform (callable, optional): applied to the target.
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, (str, bytes, os.PathLike)):
            root = os.path.expanduser(os.fspath(root))
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = _StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def _apply(self, img, target):
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return ""

    def __repr__(self):
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target (torchvision's
    ``StandardTransform``, whose name and layout the dataset repr shows)."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format_transform_repr(transform, head):
        lines = repr(transform).splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


_StandardTransform = StandardTransform
