"""Lazy stand-ins for PyTorch's ``torch.nn.modules.<file>`` submodules (batchnorm, conv, pooling,
...): public names resolve through the registry (kind "layer"), and the private base classes
(``_BatchNorm``, ``_ConvNd``, ...) are found on the MRO of a registered layer, so
``isinstance(m, corelib.nn.modules.batchnorm._BatchNorm)`` works as in PyTorch without the core
importing a bundle."""
from corelib._registry import facade as _facade


def make_getattr(modname, bases):
    """``bases``: {private base name: a registered layer name whose MRO holds it}."""
    registry_getattr, registry_dir = _facade(modname, ("layer",))

    def __getattr__(name):
        if name in bases:
            for cls in registry_getattr(bases[name]).__mro__:
                if cls.__name__ == name:
                    return cls
            raise AttributeError(f"module {modname!r} has no attribute {name!r} (the installed "
                                 f"{bases[name]} does not derive from it)")
        if name.startswith("_"):
            raise AttributeError(f"module {modname!r} has no attribute {name!r}")
        return registry_getattr(name)

    def __dir__():
        return sorted(set(registry_dir()) | set(bases))

    return __getattr__, __dir__
