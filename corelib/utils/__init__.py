"""``corelib.utils``: make_grid, save_image and summary come from the loggers bundle (kind
"logger"); subpackages (``data``, ``tensorboard``, ``hooks``, ``checkpoint``) import normally
and are never shadowed by a registry name. Importing this package imports nothing else.
"""
import importlib as _importlib
import importlib.util as _importlib_util

try:
    from corelib._registry import facade as _facade
except ImportError:               # the registry keeps it on corelib.registry
    from corelib.registry import facade as _facade

_SUBMODULES = ("data", "tensorboard", "hooks", "checkpoint")
_registry_getattr, _registry_dir = _facade(__name__, ("logger",))


def _submodule(name):
    return _importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    if name in _SUBMODULES:
        return _submodule(name)
    try:
        return _registry_getattr(name)
    except AttributeError:
        if not name.startswith("_") and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
            return _submodule(name)
        raise


def __dir__():
    return sorted(set(_registry_dir()) | set(_SUBMODULES))
