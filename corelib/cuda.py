"""corelib.cuda: availability and device management for the "cuda" device (as torch.cuda).

Nothing here imports numba until a function is called; ``is_available()`` never raises.
The device runs on Numba's CUDA target (`pip install corelib[cuda]`, i.e. numba-cuda), or on
Numba's CUDA simulator when NUMBA_ENABLE_CUDASIM=1 is set before numba is imported.
"""
import sys

_current = [0]
# the device generator's state: a random draw on the device is a hash of (seed, counter, index).
# It lives here, not in the backend, so seeding works before the first cuda tensor and without a
# GPU (silently, as torch.cuda.manual_seed does).
_rng = {"seed": 67280421310721, "counter": 0}


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


class _Properties:
    def __init__(self, name, major, minor, total_memory, multi_processor_count):
        self.name, self.major, self.minor = name, major, minor
        self.total_memory, self.multi_processor_count = total_memory, multi_processor_count

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1 << 20)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    """name, major, minor, total_memory (bytes), multi_processor_count of a device."""
    b = _backend()
    if b.SIM:
        return _Properties("Numba CUDA simulator", 0, 0, 0, 1)
    from corelib.backends.cuda import _rt
    d = _rt.cuda.get_current_device()
    total = _rt.cuda.current_context().get_memory_info()[1]
    major, minor = d.compute_capability
    return _Properties(get_device_name(), major, minor, int(total), int(d.MULTIPROCESSOR_COUNT))


class device:
    """Context manager that makes ``device`` current (``with corelib.cuda.device(1): ...``)."""

    def __init__(self, device):
        from corelib._device import device as _dev
        self.idx = device if isinstance(device, int) else \
            -1 if device is None else (_dev(device).index or 0)
        self.prev = None

    def __enter__(self):
        self.prev = _current[0]
        if self.idx >= 0:
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.idx >= 0:
            set_device(self.prev)
        return False


class Event:
    """A point in the device's (single, in-order) stream: ``record()`` it, then
    ``synchronize()`` and ``elapsed_time(end)`` in milliseconds, as torch.cuda.Event."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self.enable_timing = enable_timing
        self._ev = None
        self._t = None

    def record(self, stream=None):
        if is_initialized() and not _backend().SIM:
            from corelib.backends.cuda import _rt
            self._ev = _rt.cuda.event(timing=self.enable_timing)
            self._ev.record()
        else:
            import time
            self._t = time.perf_counter()

    def synchronize(self):
        if self._ev is not None:
            self._ev.synchronize()

    wait = lambda self, stream=None: self.synchronize()

    def query(self):
        return self._ev is None or self._ev.query()

    def elapsed_time(self, end_event):
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with enable_timing=True")
        if (self._ev is None and self._t is None) or (end_event._ev is None and end_event._t is None):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        if self._ev is not None and end_event._ev is not None:
            end_event.synchronize()
            return float(self._ev.elapsed_time(end_event._ev))
        return (end_event._t - self._t) * 1e3


class Stream:
    """corelib runs every kernel on the device's default stream, in order: a Stream (and the
    ``stream(s)`` context) is accepted and is that stream, so code written for several streams
    stays correct (without their overlap)."""

    def __init__(self, device=None, priority=0):
        self.device = device

    def synchronize(self):
        synchronize()

    def query(self):
        return True

    def wait_stream(self, stream):
        pass

    def wait_event(self, event):
        event.synchronize()

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event


_default_stream = Stream()


def current_stream(device=None):
    return _default_stream


default_stream = current_stream


class stream:
    """``with corelib.cuda.stream(s):``: work still runs in order on the default stream."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        return False


def synchronize(device=None):
    if is_initialized():
        _backend().synchronize()


def memory_allocated(device=None):
    return _backend().memory_stats()["allocated"] if is_initialized() else 0


def max_memory_allocated(device=None):
    return _backend().memory_stats()["peak"] if is_initialized() else 0


def memory_reserved(device=None):
    return _backend().memory_stats()["reserved"] if is_initialized() else 0


def max_memory_reserved(device=None):
    return _backend().memory_stats()["reserved_peak"] if is_initialized() else 0


def memory_stats(device=None):
    """torch's main keys: allocated/reserved bytes, current and peak, and raw device allocations."""
    st = _backend().memory_stats() if is_initialized() else \
        {"allocated": 0, "peak": 0, "reserved": 0, "reserved_peak": 0, "raw_allocs": 0}
    return {"allocated_bytes.all.current": st["allocated"], "allocated_bytes.all.peak": st["peak"],
            "reserved_bytes.all.current": st["reserved"],
            "reserved_bytes.all.peak": st["reserved_peak"],
            "segment.all.allocated": st["raw_allocs"]}


def reset_peak_memory_stats(device=None):
    if is_initialized():
        from corelib.backends.cuda import _rt
        _rt.reset_peak()


def empty_cache():
    if is_initialized():
        _backend().empty_cache()


def manual_seed(seed):
    _rng["seed"] = int(seed) & 0xFFFFFFFFFFFFFFFF
    _rng["counter"] = 0


manual_seed_all = manual_seed


def seed():
    import random
    s = random.getrandbits(63)
    manual_seed(s)
    return s


seed_all = seed


def initial_seed():
    return _rng["seed"]


def get_rng_state(device="cuda"):
    return (_rng["seed"], _rng["counter"])


def set_rng_state(state, device="cuda"):
    _rng["seed"], _rng["counter"] = int(state[0]), int(state[1])


get_rng_state_all = lambda: [get_rng_state()]
set_rng_state_all = lambda states: set_rng_state(states[0])


def __getattr__(name):
    # the legacy typed constructors: corelib.cuda.FloatTensor([1, 2]), x.type(corelib.cuda.LongTensor)
    import corelib
    cpu = getattr(corelib, name, None) if name.endswith("Tensor") and name != "Tensor" else None
    if cpu is None or not hasattr(cpu, "_legacy"):
        raise AttributeError(f"module 'corelib.cuda' has no attribute '{name}'")
    f = globals()[name] = corelib._typed_constructor(name, cpu._legacy[0], "cuda")
    return f
