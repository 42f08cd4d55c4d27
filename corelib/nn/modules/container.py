"""``corelib.nn.modules.container``: where PyTorch keeps the containers (re-export)."""
from corelib.nn.containers import (Sequential, ModuleList, ModuleDict, ParameterList,  # noqa: F401
                                   ParameterDict)

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
