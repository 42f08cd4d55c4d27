"""``corelib.transforms.functional``: the functional API of the installed transforms bundle.

This module replaces itself with the bundle's ``functional`` module, so
``import corelib.transforms.functional as F`` gives ``F.resize``, ``F.to_tensor``, ...
"""
import importlib as _importlib
import sys as _sys

from corelib.transforms import _bundle_package

_sys.modules[__name__] = _importlib.import_module(_bundle_package() + ".functional")
