"""Run the "cuda" device under Numba's CUDA simulator unless CORELIB_CUDA_REAL=1 (real GPU).

NUMBA_ENABLE_CUDASIM must be set before numba.cuda is first imported; when numba.cuda was
already imported for real without a GPU, the cuda tests skip."""
import os
import sys
import warnings

import pytest

if os.environ.get("CORELIB_CUDA_REAL") != "1":
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    if "numba" in sys.modules and "numba.cuda" not in sys.modules:
        import numba
        numba.config.ENABLE_CUDASIM = 1

try:
    from numba import cuda as _cuda  # noqa: F401
    import corelib
    _AVAILABLE = corelib.cuda.is_available()
    if _AVAILABLE:
        from corelib.backends.cuda import _kernels
        _kernels.TILE = 4            # small tiles: every matmul crosses tile edges, fast in the simulator
except Exception:                    # pragma: no cover
    _AVAILABLE = False

DEVICES = ["cpu", "cuda"]


def pytest_collection_modifyitems(config, items):
    if _AVAILABLE:
        return
    skip = pytest.mark.skip(reason="numba.cuda (or its simulator) is not available")
    for it in items:
        if "tests/cuda" in str(it.fspath).replace("\\", "/"):
            it.add_marker(skip)


@pytest.fixture(params=DEVICES)
def device(request):
    return request.param


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
