import importlib.util
import os
import sys

import numpy as np
import pytest
from PIL import Image

if importlib.util.find_spec("corelib_transforms") is None:  # not pip-installed: use the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "src"))


def _has_tensor():
    try:
        import corelib
        return hasattr(corelib, "Tensor") and hasattr(corelib, "from_numpy")
    except Exception:  # noqa: BLE001
        return False


HAS_TENSOR = _has_tensor()
requires_tensor = pytest.mark.skipif(not HAS_TENSOR, reason="corelib.Tensor is not available")


@pytest.fixture
def rgb():
    """A 48 (w) x 64 (h) random RGB image."""
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (64, 48, 3), dtype=np.uint8))


@pytest.fixture
def seeded():
    from corelib.random import manual_seed
    manual_seed(1234)
    return manual_seed
