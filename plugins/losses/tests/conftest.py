import warnings

import pytest


@pytest.fixture(autouse=True)
def _quiet_numpy():
    import numpy as np
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
