"""``corelib.transforms``: image transforms, resolved through the registry (kind "transform").

``transforms.Compose``, ``transforms.ToTensor``, ... come from the installed transforms bundle
(corelib-transforms); ``transforms.functional`` and ``transforms.InterpolationMode`` come from
the bundle that provides ``ToTensor``.
"""
import importlib as _importlib

try:
    from corelib._registry import facade as _facade
except ImportError:               # the registry keeps it on corelib.registry
    from corelib.registry import facade as _facade

_registry_getattr, _registry_dir = _facade(__name__, ("transform",))
_EXTRA = ("functional", "InterpolationMode")


def _bundle_package():
    """The top-level package of the bundle that provides the transform kind's ToTensor."""
    return _registry_getattr("ToTensor").__module__.split(".")[0]


def __getattr__(name):
    if name == "functional":
        return _importlib.import_module(__name__ + ".functional")
    if name == "InterpolationMode":
        mode = _importlib.import_module(_bundle_package() + ".functional").InterpolationMode
        globals()[name] = mode
        return mode
    return _registry_getattr(name)


def __dir__():
    return sorted(set(_registry_dir()) | set(_EXTRA))
