"""examples/add_pepper_noise.py: the notes' custom transform inside a Compose."""
import importlib.util
import os

import numpy as np
import pytest

from corelib.random import manual_seed
from corelib_transforms import transforms as T

EXAMPLE = os.path.join(os.path.dirname(__file__), *[os.pardir] * 3, "examples", "add_pepper_noise.py")


@pytest.fixture(scope="module")
def example():
    if not os.path.exists(EXAMPLE):
        pytest.skip("examples/add_pepper_noise.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("add_pepper_noise", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_pepper_noise_in_compose(example):
    img = example.demo_image(64)
    pipe = T.Compose([T.Resize((32, 32)), example.AddPepperNoise(0.8, p=1.0)])
    manual_seed(0)
    a = np.asarray(pipe(img))
    manual_seed(0)
    assert np.array_equal(a, np.asarray(pipe(img)))            # corelib's RNG: reproducible
    salt = np.all(a == 255, axis=-1).mean()
    pepper = np.all(a == 0, axis=-1).mean()
    assert 0.05 < salt < 0.15 and 0.05 < pepper < 0.15          # (1 - snr) / 2 = 0.1 each
    assert example.AddPepperNoise(0.8, p=0.0)(img) is img
