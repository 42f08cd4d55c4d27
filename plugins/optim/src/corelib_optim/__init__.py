"""corelib-optim: PyTorch's optimizers for corelib.

Use them through the facade::

    import corelib
    opt = corelib.optim.Adam(model.parameters(), lr=1e-3)

The per-parameter math runs on the parameters' numpy arrays (fused numba kernels for SGD and
the Adam family), in float32 with PyTorch's operation order. Importing this package is cheap.
"""
__version__ = "0.1.0"
