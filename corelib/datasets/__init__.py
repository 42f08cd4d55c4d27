"""``corelib.datasets``: datasets provided by bundles (kind "dataset"), e.g. the
corelib-datasets bundle's Digits, Shapes, ImageFolder, MNIST, FashionMNIST, CIFAR10."""
try:
    from corelib._registry import facade as _facade
except ImportError:               # the registry keeps it on corelib.registry
    from corelib.registry import facade as _facade

__getattr__, __dir__ = _facade(__name__, ("dataset",))
