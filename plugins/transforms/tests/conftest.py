import importlib.util
import os
import sys

import numpy as np
import pytest
from PIL import Image

if importlib.util.find_spec("corelib_transforms") is None:  # not pip-installed: use the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "src"))


@pytest.fixture
def rgb():
    """A 48 (w) x 64 (h) random RGB image."""
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (64, 48, 3), dtype=np.uint8))

