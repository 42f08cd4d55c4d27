"""``corelib.registry``: the process-wide component registry.

::

    from corelib import registry
    registry.get("loss", "triplet_margin")        # -> the TripletMarginLoss class
    registry.list("loss")                         # -> sorted names available now
    registry.register("loss", "focal", FocalLoss) # programmatic registration
    @registry.register("loss", "focal")           # ...or as a decorator
    registry.info("loss", "focal")                # target, aliases, plugin, dist, version
    registry.plugins()                            # installed plugins and what they provide

The functions here are bound to :data:`corelib._registry.default_registry`; build a fresh
:class:`Registry` for isolated use (tests). Facade modules use :func:`facade`,
:func:`find_attr`, :func:`attr_names` and :func:`hint`. See docs/plugins.md.
"""
from corelib._registry import (  # noqa: F401  (re-exported)
    ENTRY_POINT_GROUP,
    ENV_DISABLE_AUTOLOAD,
    ENV_DISABLE_PLUGINS,
    KINDS,
    AmbiguousComponentError,
    ComponentImportError,
    ComponentInfo,
    CorelibPluginWarning,
    DuplicateComponentError,
    PluginInfo,
    Registry,
    RegistryError,
    UnknownComponentError,
    UnknownKindError,
    default_registry,
    snake_case,
)

get = default_registry.get
list = default_registry.list  # noqa: A001 - registry.list(kind) is the API
register = default_registry.register
info = default_registry.info
plugins = default_registry.plugins
register_plugin = default_registry.register_plugin
find_attr = default_registry.find_attr
attr_names = default_registry.attr_names
hint = default_registry.hint
facade = default_registry.facade

__all__ = [  # "list" is left out so that a star import never shadows the builtin
    "get", "register", "info", "plugins", "register_plugin",
    "find_attr", "attr_names", "hint", "facade",
    "Registry", "default_registry", "KINDS", "snake_case", "ComponentInfo", "PluginInfo",
    "RegistryError", "UnknownComponentError", "UnknownKindError", "DuplicateComponentError",
    "AmbiguousComponentError", "ComponentImportError", "CorelibPluginWarning",
    "ENTRY_POINT_GROUP", "ENV_DISABLE_AUTOLOAD", "ENV_DISABLE_PLUGINS",
]
