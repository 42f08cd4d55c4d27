"""The "cuda" device tests run under Numba's CUDA simulator unless CORELIB_CUDA_REAL=1.

NUMBA_ENABLE_CUDASIM must be set before numba.cuda is first imported, and turning the simulator
on for a whole pytest session would give the other suites a "cuda" device they do not expect.
So: when pytest runs only tests/cuda, the simulator is enabled in-process; when the session
also covers other folders (CI's one command), the test_cuda_*.py modules are not collected
here and test_subprocess_suite.py runs this folder in a child pytest with the simulator."""
import os
import sys
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:      # importlib mode: make cuda_compare importable
    sys.path.insert(0, str(HERE))
DEVICES = ["cpu", "cuda"]
_state = {"inproc": False, "available": False}


def _only_here(config):
    args = [a.split("::")[0] for a in config.args] or ["."]
    paths = [Path(a).resolve() for a in args]
    return all(p == HERE or HERE in p.parents for p in paths)


def pytest_configure(config):
    if not _only_here(config):
        return
    _state["inproc"] = True
    os.environ["CORELIB_CUDA_TESTS_INPROC"] = "1"
    if os.environ.get("CORELIB_CUDA_REAL") != "1":
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
        if "numba" in sys.modules and "numba.cuda" not in sys.modules:
            import numba
            numba.config.ENABLE_CUDASIM = 1
    if os.environ.get("CORELIB_CUDA_RECORD") and os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        import importlib.util
        spec = importlib.util.spec_from_file_location("_ptx_sweep", HERE / "ptx_sweep.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _state["dump"] = mod.install_recorder()
    try:
        from numba import cuda as _cuda  # noqa: F401
        import corelib
        _state["available"] = corelib.cuda.is_available()
        if _state["available"]:
            from corelib.backends.cuda import _kernels
            _kernels.TILE = 4        # small tiles: every matmul crosses tile edges; fast in the simulator
    except Exception:                # pragma: no cover
        _state["available"] = False


def pytest_sessionfinish(session, exitstatus):
    if "dump" in _state:
        _state["dump"](os.environ["CORELIB_CUDA_RECORD"])


def pytest_ignore_collect(collection_path, config):
    p = Path(str(collection_path))
    if p.parent == HERE and p.name.startswith("test_cuda_") and not _state["inproc"]:
        return True
    return None


def pytest_collection_modifyitems(config, items):
    if not _state["inproc"] or _state["available"]:
        return
    skip = pytest.mark.skip(reason="numba.cuda (or its simulator) is not available")
    for it in items:
        if Path(str(it.fspath)).parent == HERE and it.fspath.basename.startswith("test_cuda_"):
            it.add_marker(skip)


@pytest.fixture(params=DEVICES)
def device(request):
    return request.param


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
