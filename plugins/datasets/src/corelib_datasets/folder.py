"""``DatasetFolder`` and ``ImageFolder``: samples arranged as ``root/<class>/<file>``, with
torchvision's arguments, attributes and errors."""
import os
from typing import Callable, Dict, List, Optional, Tuple, Union

from PIL import Image

from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: Union[str, Tuple[str, ...]]) -> bool:
    """Whether ``filename`` ends with one of ``extensions`` (case-insensitive)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory) -> Tuple[List[str], Dict[str, int]]:
    """The class folders of ``directory``, sorted, and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    class_to_idx = {cls_name: i for i, cls_name in enumerate(classes)}
    return classes, class_to_idx


def make_dataset(directory, class_to_idx: Optional[Dict[str, int]] = None,
                 extensions: Optional[Union[str, Tuple[str, ...]]] = None,
                 is_valid_file: Optional[Callable[[str], bool]] = None,
                 allow_empty: bool = False) -> List[Tuple[str, int]]:
    """Generate a list of samples ``(path_to_sample, class_index)``, classes in sorted order
    and files in sorted order within each class (symlinks followed)."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")

    both_none = extensions is None and is_valid_file is None
    both_something = extensions is not None and is_valid_file is not None
    if both_none or both_something:
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")

    if extensions is not None:
        def is_valid_file(x: str) -> bool:
            return has_file_allowed_extension(x, extensions)

    instances = []
    available_classes = set()
    for target_class in sorted(class_to_idx.keys()):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available_classes.add(target_class)

    empty_classes = set(class_to_idx.keys()) - available_classes
    if empty_classes and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty_classes))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """A generic data loader for ``root/<class>/<sample file>`` trees.

    Args:
        root (str or pathlib.Path): root directory path.
        loader (callable): loads a sample given its path.
        extensions (tuple[str]): allowed extensions; exclusive with ``is_valid_file``.
        transform (callable, optional): applied to the sample.
        target_transform (callable, optional): applied to the target.
        is_valid_file (callable, optional): takes a path, says whether it is a valid file;
            exclusive with ``extensions``.
        allow_empty (bool): if ``True``, empty class folders are allowed.

    Attributes:
        classes (list): class names, sorted. class_to_idx (dict): name -> index.
        samples (list): ``(path, class_index)`` tuples. targets (list): the class indices.
    """

    def __init__(self, root, loader: Callable, extensions=None, transform=None,
                 target_transform=None, is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not os.path.isdir(self.root):
            raise FileNotFoundError(f"{type(self).__name__}: root directory not found: {self.root}; "
                                    "expected root/<class_name>/<file> folders")
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty: bool = False):
        if class_to_idx is None:
            # prevent potential bug since make_dataset() would use the class_to_idx logic of the
            # find_classes() function, instead of using that of the find_classes() method, which
            # is potentially overridden and thus could have a different logic.
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions,
                            is_valid_file=is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path) -> Image.Image:
    # open path as file to avoid ResourceWarning (https://github.com/python-pillow/Pillow/issues/835)
    with open(path, "rb") as f:
        try:
            img = Image.open(f)
            return img.convert("RGB")
        except (OSError, SyntaxError, ValueError) as e:
            raise RuntimeError(f"cannot read image file {path}: {e}") from e


def default_loader(path):
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A generic image loader for ``root/<class>/xxx.png`` trees, as torchvision's::

        root/dog/xxx.png
        root/dog/xxy.png
        root/cat/123.png

    Args:
        root (str or pathlib.Path): root directory path.
        transform (callable, optional): applied to the PIL image (RGB).
        target_transform (callable, optional): applied to the target.
        loader (callable, optional): loads an image given its path (default: PIL, RGB).
        is_valid_file (callable, optional): takes a path, says whether it is a valid file
            (default: the extension is one of ``IMG_EXTENSIONS``).
        allow_empty (bool): if ``True``, empty class folders are allowed.

    Attributes:
        classes, class_to_idx, samples, targets, imgs (= samples), loader, extensions.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
