"""``corelib.nn``: Module, Parameter and the containers live in the core; layers (kind "layer",
e.g. ``nn.Conv2d``) and losses (kind "loss", e.g. ``nn.CrossEntropyLoss``) resolve through the
plugin registry. ``nn.functional``, ``nn.init``, ``nn.utils``, ``nn.modules`` and
``nn.parameter`` are submodules, imported on first access.
"""
import importlib as _importlib
import importlib.util as _importlib_util

from corelib.nn.parameter import Parameter, Buffer
from corelib.nn.module import Module
from corelib.nn.containers import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from corelib._registry import facade as _facade

_SUBMODULES = ("functional", "init", "utils", "modules", "parameter", "module", "containers")
_registry_getattr, _registry_dir = _facade(__name__, ("layer", "loss"))


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r} "
                                 f"({__name__}.{name} is not available in this installation)") from None
    try:
        return _registry_getattr(name)
    except AttributeError:
        if not name.startswith("_") and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
            return _importlib.import_module(f"{__name__}.{name}")
        raise


def __dir__():
    return sorted(set(_registry_dir()) | set(_SUBMODULES))


__all__ = ["Module", "Parameter", "Buffer", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict"]
