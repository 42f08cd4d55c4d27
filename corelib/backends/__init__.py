"""Device backends. An op reaches its kernels through ``get(device)``: the "cpu" backend is numpy
(+ numba kernels); the "cuda" backend, when installed, provides the same names over device arrays."""
_BACKENDS = {}


def register_backend(device_type, loader):
    """Register a zero-argument callable that returns the backend module for ``device_type``."""
    _BACKENDS[device_type] = loader


def get(device_type):
    b = _BACKENDS.get(device_type)
    if b is None:
        raise RuntimeError(f"no backend for device type {device_type!r}")
    if callable(b) and not hasattr(b, "xp"):
        b = b()
        _BACKENDS[device_type] = b
    return b


def _cpu():
    from corelib.backends import cpu
    return cpu


def _cuda():
    from corelib.backends import cuda
    return cuda


register_backend("cpu", _cpu)
register_backend("cuda", _cuda)


def __getattr__(name):
    if name == "cudnn":                 # torch.backends.cudnn's switches (corelib.backends.cudnn)
        import importlib
        return importlib.import_module("corelib.backends.cudnn")
    raise AttributeError(f"module 'corelib.backends' has no attribute {name!r}")
