"""``corelib.nn.init``: weight initializers, resolved through the registry (kind "initializer").

``nn.init.xavier_uniform_``, ``nn.init.calculate_gain``, ... come from the installed
initializers bundle (corelib-init); registry keys drop the trailing ``_``
(``registry.get("initializer", "xavier_uniform")``) and the function name is an alias.
As in ``torch.nn.init``, the names without ``_`` (``nn.init.xavier_uniform``, ...) are
deprecated aliases that warn with a FutureWarning, and the private helpers
``_calculate_fan_in_and_fan_out`` / ``_calculate_correct_fan`` come from the bundle that
provides ``xavier_uniform_``.
"""
import sys as _sys

try:
    from corelib._registry import facade as _facade
except ImportError:               # the registry keeps it on corelib.registry
    from corelib.registry import facade as _facade

_registry_getattr, _registry_dir = _facade(__name__, ("initializer",))

# torch.nn.init's deprecated aliases: `nn.init.<name>` warns and calls `<name>_`
_DEPRECATED = frozenset((
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
))
# registry keys that torch.nn.init has no attribute for (only the "_" form exists)
_NO_ALIAS = frozenset(("ones", "zeros", "trunc_normal"))


def _provider_module():
    """The module of the bundle that provides ``xavier_uniform_``."""
    return _sys.modules[_registry_getattr("xavier_uniform_").__module__]


def _deprecated(name):
    new = _registry_getattr(name + "_")
    old = getattr(_sys.modules.get(getattr(new, "__module__", ""), None), name, None)
    if callable(old) and getattr(old, "__wrapped__", None) is new:
        return old
    import functools
    import warnings

    @functools.wraps(new)
    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = name
    return deprecated_init


def __getattr__(name):
    if name in _DEPRECATED:
        obj = _deprecated(name)
    elif name in _NO_ALIAS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}; "
                             f"did you mean {name + '_'!r}?")
    elif name.startswith("_") and not name.startswith("__"):
        try:
            obj = getattr(_provider_module(), name)
        except AttributeError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        return _registry_getattr(name)
    globals()[name] = obj
    return obj


def __dir__():
    from corelib._registry import default_registry
    keys = {k for k in default_registry.list("initializer") if k.isidentifier()}
    return sorted((set(_registry_dir()) | keys | _DEPRECATED) - _NO_ALIAS)
