"""``corelib.nn.modules.dropout``: where PyTorch keeps these layers; they resolve through the
registry (kind "layer"), private bases from the registered layers' MRO."""
from corelib.nn.modules._lazy import make_getattr as _make_getattr

__getattr__, __dir__ = _make_getattr(__name__, {"_DropoutNd": "Dropout"})
