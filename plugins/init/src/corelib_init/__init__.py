"""corelib-init: the weight initializers of ``corelib.nn.init`` (PyTorch's ``torch.nn.init``).

The functions live in :mod:`corelib_init.init`; the registry finds them through
:mod:`corelib_init.plugin` (kind ``"initializer"``), and ``corelib.nn.init`` exposes them.
"""
__version__ = "0.1.0"
