"""corelib.cuda: availability and device management for the "cuda" device (as torch.cuda).

Nothing here imports numba until a function is called; ``is_available()`` never raises.
The device runs on Numba's CUDA target (`pip install corelib[cuda]`, i.e. numba-cuda), or on
Numba's CUDA simulator when NUMBA_ENABLE_CUDASIM=1 is set before numba is imported.
"""
import sys

_current = [0]


def is_available():
    """True when a CUDA GPU (or Numba's CUDA simulator) can be used. Never raises."""
    try:
        import importlib.util
        if importlib.util.find_spec("numba") is None:
            return False
        import os
        import numba
        if numba.config.ENABLE_CUDASIM or ("numba.cuda" not in sys.modules and
                                           os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"):
            return "numba.cuda" not in sys.modules or bool(numba.config.ENABLE_CUDASIM)
        from numba import cuda
        return bool(cuda.is_available())
    except Exception:
        return False


def _backend():
    from corelib import backends
    return backends.get("cuda")


def is_initialized():
    return "corelib.backends.cuda" in sys.modules


def init():
    _backend()


def device_count():
    if not is_available():
        return 0
    return _backend().device_count()


def current_device():
    return _current[0]


def set_device(device):
    from corelib._device import device as _dev
    idx = device if isinstance(device, int) else (_dev(device).index or 0)
    if idx < 0:
        return
    from corelib.backends.cuda import _rt
    _backend()
    _rt.check_index(idx)
    if not _rt.SIM:
        _rt.cuda.select_device(idx)
    _current[0] = idx


def get_device_name(device=None):
    b = _backend()
    if b.SIM:
        return "Numba CUDA simulator"
    from corelib.backends.cuda import _rt
    name = _rt.cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def get_device_capability(device=None):
    b = _backend()
    if b.SIM:
        return (0, 0)
    from corelib.backends.cuda import _rt
    return tuple(_rt.cuda.get_current_device().compute_capability)


def synchronize(device=None):
    if is_initialized():
        _backend().synchronize()


def memory_allocated(device=None):
    return _backend().memory_stats()["allocated"] if is_initialized() else 0


def max_memory_allocated(device=None):
    return _backend().memory_stats()["peak"] if is_initialized() else 0


def memory_reserved(device=None):
    return _backend().memory_stats()["reserved"] if is_initialized() else 0


def reset_peak_memory_stats(device=None):
    if is_initialized():
        from corelib.backends.cuda import _rt
        _rt.reset_peak()


def empty_cache():
    if is_initialized():
        _backend().empty_cache()


def manual_seed(seed):
    _backend().manual_seed(seed)


manual_seed_all = manual_seed


def seed():
    import random
    s = random.getrandbits(63)
    manual_seed(s)
    return s


def get_rng_state(device="cuda"):
    return _backend().get_rng_state()


def set_rng_state(state, device="cuda"):
    _backend().set_rng_state(state)
