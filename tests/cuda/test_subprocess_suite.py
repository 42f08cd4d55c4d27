"""When pytest covers more than tests/cuda (CI), run this folder in a child pytest so the CUDA
simulator is enabled there only (see conftest.py)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_cuda_suite_in_subprocess():
    if os.environ.get("CORELIB_CUDA_TESTS_INPROC") == "1":
        pytest.skip("the cuda tests run in this process")
    here = Path(__file__).resolve().parent
    env = dict(os.environ)
    env.pop("CORELIB_CUDA_TESTS_INPROC", None)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(here)],
                       capture_output=True, text=True, env=env, timeout=300, cwd=str(here.parents[1]))
    tail = (r.stdout + r.stderr)[-4000:]
    assert r.returncode == 0, tail
    assert " passed" in r.stdout, tail
