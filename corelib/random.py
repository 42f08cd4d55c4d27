"""Random number generation: corelib.Generator, manual_seed and RNG state.

Every random draw in corelib (creation functions, dropout, samplers, transforms, init)
comes from a Generator; the default one is seeded by ``corelib.manual_seed``.
"""
import numpy as np


class Generator:
    """A source of random numbers (PCG64 underneath), like ``torch.Generator``."""

    def __init__(self, device="cpu"):
        from corelib._device import device as _dev
        self.device = _dev(device)
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor (opaque; pass it back to set_state)."""
        import pickle
        from corelib._tensor import Tensor
        blob = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return Tensor(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, state):
        import pickle
        arr = state.numpy() if hasattr(state, "numpy") else np.asarray(state)
        seed, st = pickle.loads(arr.astype(np.uint8).tobytes())
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = st
        return self

    def __repr__(self):
        return f"<corelib.Generator object, device='{self.device}'>"


default_generator = Generator()
default_generator.manual_seed(67280421310721)


def numpy_rng(generator=None):
    """The numpy Generator behind ``generator`` (or the default one). For bundles and kernels."""
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator (and the cuda one, when present); returns it."""
    default_generator.manual_seed(seed)
    import sys
    cuda = sys.modules.get("corelib.backends.cuda")
    if cuda is not None and hasattr(cuda, "manual_seed"):
        cuda.manual_seed(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
