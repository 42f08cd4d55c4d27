"""Process-wide settings with torch's names: threads, deterministic algorithms, float32 matmul
precision, and torch.compile (corelib runs eagerly)."""
import os
import warnings

_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def set_num_threads(n):
    """Threads of corelib's parallel numba kernels (the CPU convolutions and pools)."""
    n = int(n)
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    import numba
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


def get_num_threads():
    import sys
    if "numba" not in sys.modules:
        return int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1))
    import numba
    return numba.get_num_threads()


def use_deterministic_algorithms(mode, *, warn_only=False):
    """corelib's CPU kernels are always deterministic. On cuda, True makes the scatter-adds
    that use float atomics (index_add, scatter_add, put/index_put with accumulate, embedding
    and pooling backwards) add in index order with one thread: reproducible, and slow."""
    _state["deterministic"] = bool(mode)
    _state["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium'. The lower ones permit TF32/bfloat16 inside float32
    matmuls; corelib computes them in full float32 under every setting."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision: {precision!r}; expected 'highest', 'high' or 'medium'")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """corelib has no graph compiler: returns ``model`` (or, used as ``@compile(...)``, the
    decorated function) unchanged, so code written for torch.compile runs eagerly."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile() expects a callable (a Module or a function), got "
                           f"{type(model).__name__}")
    if backend not in ("inductor", "eager", "aot_eager") and not callable(backend):
        warnings.warn(f"corelib.compile: backend {backend!r} ignored; running eagerly")
    return model
