"""When pytest covers more than tests/cuda (CI), run this folder in a child pytest so the CUDA
simulator is enabled there only (see conftest.py); the child records every kernel launch, and
each recorded launch is then compiled to PTX where numba-cuda's compiler is installed."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def child_suite(tmp_path_factory):
    if os.environ.get("CORELIB_CUDA_TESTS_INPROC") == "1":
        pytest.skip("the cuda tests run in this process")
    record = tmp_path_factory.mktemp("cuda") / "launches.json"
    env = dict(os.environ, CORELIB_CUDA_RECORD=str(record))
    env.pop("CORELIB_CUDA_TESTS_INPROC", None)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE)],
                       capture_output=True, text=True, env=env, timeout=1200, cwd=str(HERE.parents[1]))
    return r, record


def test_cuda_suite_in_subprocess(child_suite):
    r, _ = child_suite
    tail = (r.stdout + r.stderr)[-4000:]
    assert r.returncode == 0, tail
    assert " passed" in r.stdout, tail


def test_every_recorded_launch_compiles_to_ptx(child_suite):
    r, record = child_suite
    if r.returncode != 0 or not record.exists():
        pytest.fail("the cuda suite failed or recorded nothing: see test_cuda_suite_in_subprocess")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    c = subprocess.run([sys.executable, str(HERE / "ptx_sweep.py"), str(record)], capture_output=True,
                       text=True, env=env, timeout=600, cwd=str(HERE.parents[1]))
    if c.returncode == 2:
        pytest.skip(c.stdout.strip()[-300:])
    assert c.returncode == 0, (c.stdout + c.stderr)[-6000:]
    assert "compiled" in c.stdout
