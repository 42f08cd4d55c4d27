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

SIM = bool(numba.config.ENABLE_CUDASIM)
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


# ---- caching allocator ----------------------------------------------------------------------------
# Freed buffers go back to a pool keyed by (dtype, bucketed element count) and are handed out
# again, so a training step after the first allocates no device memory.
_pool = {}
stats = {"allocated": 0, "peak": 0, "reserved": 0, "raw_allocs": 0}


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
            stats["reserved"] += m * dtype.itemsize
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
        lst.clear()
    stats["reserved"] -= freed


def reset_peak():
    stats["peak"] = stats["allocated"]


def ceil_div(a, b):
    return -(-a // b)


_ = (math, os)
