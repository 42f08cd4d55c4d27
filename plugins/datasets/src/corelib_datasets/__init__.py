"""corelib-datasets: Digits (bundled UCI handwritten digits), Shapes (procedural), and
ImageFolder / MNIST / FashionMNIST / CIFAR10 read from files you supply.

Use it through the facade: ``from corelib import datasets; datasets.MNIST(root)``.
Nothing here ever touches the network. Importing this package is cheap; each dataset's
module is imported on first use.
"""
__version__ = "0.1.0"

_TARGETS = {
    "Digits": "digits", "Shapes": "shapes", "DatasetFolder": "folder", "ImageFolder": "folder",
    "MNIST": "mnist", "FashionMNIST": "mnist", "CIFAR10": "cifar", "VisionDataset": "vision",
}

__all__ = sorted(_TARGETS)


def __getattr__(name):
    mod = _TARGETS.get(name)
    if mod is None:
        raise AttributeError(f"module 'corelib_datasets' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f"{__name__}.{mod}"), name)
