"""``corelib.nn.modules.conv``: where PyTorch keeps these layers; they resolve through the
registry (kind "layer"), private bases from the registered layers' MRO."""
from corelib.nn.modules._lazy import make_getattr as _make_getattr

__getattr__, __dir__ = _make_getattr(__name__, {"_ConvNd": "Conv2d", "_ConvTransposeNd": "ConvTranspose2d"})
