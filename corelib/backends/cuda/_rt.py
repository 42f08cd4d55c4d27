"""Runtime of the cuda backend: device detection, launch configuration and the caching allocator.

Imported only when a tensor first goes to a "cuda" device (never by ``import corelib``).
Raises RuntimeError with install/check hints when neither a GPU nor the simulator is there."""
import math
import os

NO_NUMBA = ("corelib's cuda device needs Numba's CUDA target, which is not installed. Install it "
            "with `pip install corelib[cuda]` (i.e. `pip install numba-cuda`); check with "
            "`corelib.cuda.is_available()`.")
NO_DEVICE = ("no CUDA GPU was found (CUDA driver library not found or no device visible), so "
             "tensors cannot be moved to 'cuda'. Check with `corelib.cuda.is_available()`; install "
             "the GPU support with `pip install corelib[cuda]` (numba-cuda) on a machine with an "
             "NVIDIA driver, or set NUMBA_ENABLE_CUDASIM=1 before importing numba to use Numba's "
             "(slow) CUDA simulator.")

try:
    import numba
except ImportError:                      # pragma: no cover - numba is a core dependency
    raise RuntimeError(NO_NUMBA) from None
try:
    from numba import cuda
except ImportError:                      # pragma: no cover
    raise RuntimeError(NO_NUMBA) from None

import numpy as np

from corelib._config import _state as _config

SIM = bool(numba.config.ENABLE_CUDASIM)
# corelib sizes its grids on purpose (small grids for small tensors); numba's low-occupancy warning
# would otherwise be formatted and printed on every such launch
numba.config.CUDA_LOW_OCCUPANCY_WARNINGS = 0
if not SIM:
    try:
        _ok = bool(cuda.is_available())
    except Exception:                    # pragma: no cover
        _ok = False
    if not _ok and os.environ.get("CORELIB_CUDA_COMPILE_ONLY") != "1":   # PTX sweep without a GPU
        raise RuntimeError(NO_DEVICE)

# ---- launch configuration ----------------------------------------------------------------------
# Every kernel is grid-stride, so any launch size is correct; the simulator runs each thread as
# a Python thread (~60 us per thread per launch), hence the tiny cap there.
THREADS = 32 if SIM else 256
MAX_BLOCKS = 2 if SIM else 4096


def grid(n):
    """(blocks, threads) for n independent work items (n >= 1)."""
    b = (n + THREADS - 1) // THREADS
    return (max(1, min(b, MAX_BLOCKS)), THREADS)


def scatter_grid(n):
    """The launch of an atomic scatter-add over n items: in index order on one thread under
    corelib.use_deterministic_algorithms(True) (float atomics add in any order), else grid(n)."""
    return (1, 1) if _config["deterministic"] else grid(n)


def device_count():
    if SIM:
        return 1
    try:
        return len(cuda.gpus)
    except Exception:                    # pragma: no cover
        return 0


def check_index(index):
    n = device_count()
    if not 0 <= (index or 0) < n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device cuda:{index} requested, "
                           f"{n} device(s) visible)")


def synchronize():
    if not SIM:
        cuda.synchronize()


# ---- kernel launches --------------------------------------------------------------------------------
# numba's launch path re-types and re-marshals every argument on every launch (~50-100 us for our
# kernels' 10-25 arguments on an H200 host, against ~8 us for torch's whole op). Kernel launches
# once through numba (which compiles and checks the types), then remembers, per argument-type key,
# the compiled cuda.core kernel and how to build numba's parameter list for it, and launches that
# directly. Device buffers are recognised by identity: the allocator records each one's
# parameters (meminfo, parent, nitems, itemsize, data, shape, strides) when it allocates it.
FAST_LAUNCH = not SIM and os.environ.get("CORELIB_CUDA_FAST_LAUNCH", "1") != "0"
_BUF = {}                        # id(raw device buffer) -> (type key, numba's parameters for it)
_core = {}


def _core_launch():
    if not _core:
        from numba.cuda import dispatcher as D
        from numba.cuda.cudadrv import driver as drv
        _core.update(launch=D.launch, Config=D.LaunchConfig, stream=drv._to_core_stream(0), cfg={})
    return _core


class Kernel:
    """A numba CUDA kernel whose launches (``k[blocks, threads](*args)``) skip numba's marshalling
    after the first launch with the same argument types."""

    def __init__(self, disp):
        self.disp = disp
        self.plans = {}

    py_func = property(lambda self: self.disp.py_func)

    def __getattr__(self, name):
        return getattr(self.disp, name)

    def __getitem__(self, cfg):
        if not FAST_LAUNCH:
            return self.disp[cfg]
        return lambda *args: self.launch(cfg, args)

    def launch(self, cfg, args):
        infos = [_BUF.get(id(a)) for a in args]
        key = tuple([i[0] if i is not None else type(a) for i, a in zip(infos, args)])
        plan = self.plans.get(key)
        if plan:
            kern, convs = plan
            params = []
            for a, i, c in zip(args, infos, convs):
                if i is not None:
                    params.extend(i[1])
                else:
                    params.append(c(a))
            core = _core_launch()
            conf = core["cfg"].get(cfg)
            if conf is None:
                g, b = cfg
                conf = core["cfg"][cfg] = core["Config"](grid=g, block=b)
            core["launch"](core["stream"], conf, kern, *params)
            return
        self.disp[cfg](*args)
        if plan is None:
            try:
                self.plans[key] = self._plan(args, infos) or False
            except Exception:                # pragma: no cover - numba internals moved: stay slow
                self.plans[key] = False

    def _plan(self, args, infos):
        import ctypes
        from numba.core import types
        kern = self.disp.overloads.get(tuple(self.disp.typeof_pyval(a) for a in args))
        if kern is None or kern.debug or kern.cooperative or self.disp.extensions:
            return None
        convs = []
        for a, i, t in zip(args, infos, kern.argument_types):
            if i is not None:
                ok, c = isinstance(t, types.Array) and t.ndim == 1, None
            elif isinstance(a, (bool, np.bool_)):
                ok, c = t == types.boolean, _same
            elif isinstance(a, (int, np.integer)):
                ok = isinstance(t, types.Integer)
                c = getattr(ctypes, f"c_{t}", None) if ok else None
                ok = c is not None
            elif isinstance(a, (float, np.floating)):
                c = {types.float32: ctypes.c_float, types.float64: ctypes.c_double}.get(t)
                ok = c is not None
            else:
                ok = False
            if not ok:
                return None
            convs.append(c)
        return kern._codelibrary.get_cufunc().kernel, convs


def _same(v):
    return v


def jit(fn):
    """cuda.jit for corelib's kernels: launches go through Kernel (the fast path on a GPU)."""
    return Kernel(cuda.jit(fn))


def _register(dev):
    ptr = getattr(dev, "device_ctypes_pointer", None) if FAST_LAUNCH else None   # None: a stand-in
    if ptr is not None:
        n, isz = int(dev.size), int(dev.dtype.itemsize)
        _BUF[id(dev)] = (dev.dtype.str, (0, 0, n, isz, int(ptr.value or 0), n, isz))


# ---- caching allocator ----------------------------------------------------------------------------
# Freed buffers go back to a pool keyed by (dtype, bucketed element count) and are handed out
# again, so a training step after the first allocates no device memory.
# Trap: every raw buffer stays referenced from _owned until empty_cache. A Block that dies in a
# reference cycle (autograd graphs make them) would otherwise take its device array into the
# cycle's garbage; the gc runs numba's weakref finalizer (which frees the memory) before
# Block.__del__ puts the array back in the pool, and the pool would hand out freed memory.
_pool = {}
_owned = {}
stats = {"allocated": 0, "peak": 0, "reserved": 0, "reserved_peak": 0, "raw_allocs": 0}


def _raw_alloc(n, dtype):
    """The one place device memory is allocated (tests wrap it to guard the buffers)."""
    return cuda.device_array(n, dtype=dtype)


def _bucket(n):
    if n <= 1024:
        return max(128, (n + 127) // 128 * 128)
    g = 1 << max(10, n.bit_length() - 4)           # ~6-12% granularity above 1k elements
    return (n + g - 1) // g * g


class Block:
    """One pooled device buffer; returns to the pool when the last array using it dies."""
    __slots__ = ("dev", "key", "nbytes", "__weakref__")

    def __init__(self, n, dtype):
        dtype = np.dtype(dtype)
        m = _bucket(n)
        key = (dtype.str, m)
        lst = _pool.get(key)
        if lst:
            self.dev = lst.pop()
        else:
            self.dev = _raw_alloc(m, dtype)
            _owned[id(self.dev)] = self.dev
            _register(self.dev)
            stats["reserved"] += m * dtype.itemsize
            stats["reserved_peak"] = max(stats["reserved_peak"], stats["reserved"])
            stats["raw_allocs"] += 1
        self.key = key
        self.nbytes = m * dtype.itemsize
        stats["allocated"] += self.nbytes
        if stats["allocated"] > stats["peak"]:
            stats["peak"] = stats["allocated"]

    def __del__(self):
        try:
            stats["allocated"] -= self.nbytes
            _pool.setdefault(self.key, []).append(self.dev)
        except Exception:                # interpreter shutdown
            pass


def empty_cache():
    freed = 0
    for (dt, m), lst in _pool.items():
        freed += len(lst) * m * np.dtype(dt).itemsize
        for dev in lst:
            _owned.pop(id(dev), None)
            _BUF.pop(id(dev), None)
        lst.clear()
    stats["reserved"] -= freed


def reset_peak():
    stats["peak"] = stats["allocated"]
    stats["reserved_peak"] = stats["reserved"]


def ceil_div(a, b):
    return -(-a // b)


_ = (math, os)
