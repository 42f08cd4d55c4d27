"""The cpu backend: numpy is the array namespace; numba kernels are compiled lazily.

``njit`` wraps ``numba.njit(cache=True)`` without importing numba until the first call, and
falls back to a writable cache directory (or no cache) when the package directory is read-only.
"""
import functools
import os
import sys
import tempfile

import numpy as xp  # noqa: F401  (the array namespace of this backend)

name = "cpu"
_cache_checked = []


def _ensure_cache_dir():
    # NOTE: numba raises "no locator available" at decoration time when neither the package
    # __pycache__ nor $HOME/.cache is writable; pick a writable NUMBA_CACHE_DIR first.
    if _cache_checked:
        return _cache_checked[0]
    ok = True
    if not os.environ.get("NUMBA_CACHE_DIR"):
        here = os.path.dirname(os.path.abspath(__file__))
        pkg = os.path.dirname(here)
        if not os.access(pkg, os.W_OK):
            home = os.path.join(os.path.expanduser("~"), ".cache")
            for cand in (os.path.join(home, "corelib-numba"),
                         os.path.join(tempfile.gettempdir(), f"corelib-numba-{os.getuid() if hasattr(os, 'getuid') else 0}")):
                try:
                    os.makedirs(cand, exist_ok=True)
                    if os.access(cand, os.W_OK):
                        os.environ["NUMBA_CACHE_DIR"] = cand
                        break
                except OSError:
                    pass
            else:
                ok = False
    _cache_checked.append(ok)
    return ok


def _passive_omp():
    # NOTE: numba's OpenMP workers spin after a parallel region, and OpenBLAS's threads spin
    # after a GEMM. On a 2-core machine each then starves the other (a LeNet step went from
    # 10 ms to 36 ms). Passive waiting must be set before numba loads libgomp.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def njit(*args, **kwargs):
    """Lazy ``numba.njit``: ``@njit`` or ``@njit(parallel=True, ...)``; cache=True by default."""
    def wrap(fn):
        compiled = []

        @functools.wraps(fn)
        def call(*a):
            if not compiled:
                if kwargs.get("parallel"):
                    _passive_omp()
                import numba
                kw = dict(kwargs)
                kw.setdefault("cache", _ensure_cache_dir())
                try:
                    compiled.append(numba.njit(**kw)(fn))
                except RuntimeError:      # cannot cache: compile without it
                    kw["cache"] = False
                    compiled.append(numba.njit(**kw)(fn))
            return compiled[0](*a)
        call.py_func = fn
        return call

    if len(args) == 1 and callable(args[0]) and not kwargs:
        return wrap(args[0])
    return wrap


_tuned = []


def tune_allocator():
    """Keep freed large arrays in the process heap (glibc malloc), once per process.

    NOTE: by default glibc hands every large freed block back to the OS and page-faults the
    next one in; a training step allocates the same large arrays every iteration, so that
    cost recurs (a 1024x1024 matmul forward+backward: 1.2x -> 1.02x of plain numpy; a LeNet
    step -10%). Like a caching allocator, this keeps up to 256 MB of freed memory for reuse.
    Called at the first backward(); CORELIB_MALLOC_TUNING=0 turns it off.
    """
    if _tuned:
        return
    _tuned.append(True)
    if os.environ.get("CORELIB_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)      # M_MMAP_THRESHOLD: blocks up to 32 MB come from the heap
        libc.mallopt(-1, 256 << 20)     # M_TRIM_THRESHOLD: keep up to 256 MB of free heap
    except (OSError, AttributeError):   # not glibc (musl, ...): nothing to tune
        pass

