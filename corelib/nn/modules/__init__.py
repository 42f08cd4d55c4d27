"""``corelib.nn.modules``: Module, the containers and the loss bases; layers and losses
(``corelib.nn.modules.Conv2d`` ...) resolve through the registry like ``corelib.nn``."""
import importlib as _importlib

from corelib.nn.module import Module
from corelib.nn.containers import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from corelib._registry import facade as _facade

_SUBMODULES = ("loss", "module", "container", "batchnorm", "instancenorm", "normalization", "conv",
               "pooling", "dropout", "activation", "linear")
_registry_getattr, _registry_dir = _facade(__name__, ("layer", "loss"))


def __getattr__(name):
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    return _registry_getattr(name)


def __dir__():
    return sorted(set(_registry_dir()) | set(_SUBMODULES))


__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
