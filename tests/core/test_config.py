"""Process-wide settings with torch's names."""
import pytest

import corelib as cl


def test_deterministic_and_precision_flags_round_trip():
    assert cl.are_deterministic_algorithms_enabled() is False
    cl.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert cl.are_deterministic_algorithms_enabled() and cl.is_deterministic_algorithms_warn_only_enabled()
    finally:
        cl.use_deterministic_algorithms(False)
    assert cl.get_float32_matmul_precision() == "highest"
    cl.set_float32_matmul_precision("medium")
    try:
        assert cl.get_float32_matmul_precision() == "medium"
    finally:
        cl.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="precision"):
        cl.set_float32_matmul_precision("low")


def test_threads_cudnn_switches_and_compile():
    n = cl.get_num_threads()
    cl.set_num_threads(1)
    try:
        assert cl.get_num_threads() == 1
    finally:
        cl.set_num_threads(n)
    with pytest.raises(RuntimeError, match="positive"):
        cl.set_num_threads(0)
    cl.backends.cudnn.benchmark = True
    assert cl.backends.cudnn.benchmark and cl.backends.cudnn.is_available() is False
    cl.backends.cudnn.benchmark = False
    m = cl.nn.Linear(2, 3)
    assert cl.compile(m) is m and cl.compile(mode="max-autotune")(len) is len
    with pytest.raises(RuntimeError, match="callable"):
        cl.compile(3)
