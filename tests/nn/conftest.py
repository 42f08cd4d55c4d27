import os
import sys

import pytest

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:      # importlib mode: make nn_helpers importable
    sys.path.insert(0, _here)


@pytest.fixture(autouse=True)
def _seed():
    import corelib
    corelib.manual_seed(0)
