"""``corelib.nn.modules.module``: where PyTorch keeps Module (re-export)."""
from corelib.nn.module import Module, _IncompatibleKeys, _addindent  # noqa: F401

__all__ = ["Module"]
