"""``corelib.optim``: the Optimizer base class (core) and the optimizers (kind "optimizer").

``optim.SGD``, ``optim.Adam``, ... come from the installed optimizer bundle (corelib-optim);
``optim.lr_scheduler`` is the scheduler facade and ``optim.lr_finder`` the LR range test.
Importing this package imports nothing heavy.
"""
import importlib as _importlib

from corelib._registry import facade as _facade
from corelib.optim.optimizer import Optimizer, required

__all__ = ["Optimizer", "lr_scheduler", "lr_finder"]

_SUBMODULES = ("lr_scheduler", "lr_finder", "optimizer")
_registry_getattr, _registry_dir = _facade(__name__, ("optimizer",))


def __getattr__(name):
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    return _registry_getattr(name)


def __dir__():
    return sorted(set(_registry_dir()) | set(_SUBMODULES))
