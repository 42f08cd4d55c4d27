"""Random number generation: corelib.Generator, manual_seed and RNG state.

Every random draw in corelib (creation functions, dropout, samplers, transforms, init)
comes from a Generator; the default one is seeded by ``corelib.manual_seed``.
"""
import numpy as np


_MAGIC = b"CLRNG1"
_M128 = (1 << 128) - 1
_STATE_LEN = len(_MAGIC) + 53


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
        """The state as a uint8 tensor (opaque; pass it back to set_state). No pickle inside:
        loading a checkpoint's RNG state can never run code."""
        from corelib import _tensor as T
        st = self._rng.bit_generator.state
        blob = b"".join((
            _MAGIC,
            (self._seed & _M128).to_bytes(16, "little"),
            st["state"]["state"].to_bytes(16, "little"),
            st["state"]["inc"].to_bytes(16, "little"),
            int(st["has_uint32"]).to_bytes(1, "little"),
            int(st["uinteger"]).to_bytes(4, "little"),
        ))
        return T._make(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state):
        arr = new_state.numpy() if hasattr(new_state, "numpy") else np.asarray(new_state)
        blob = np.asarray(arr).astype(np.uint8).tobytes()
        if len(blob) != _STATE_LEN or not blob.startswith(_MAGIC):
            raise RuntimeError(f"Invalid RNG state: expected a uint8 tensor of {_STATE_LEN} bytes made "
                               f"by corelib.get_rng_state() / Generator.get_state()")
        o = len(_MAGIC)
        seed = int.from_bytes(blob[o:o + 16], "little")
        state = int.from_bytes(blob[o + 16:o + 32], "little")
        inc = int.from_bytes(blob[o + 32:o + 48], "little")
        has = blob[o + 48]
        uint = int.from_bytes(blob[o + 49:o + 53], "little")
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                                         "has_uint32": has, "uinteger": uint}
        return self

    def __repr__(self):
        return f"<corelib.Generator object, device='{self.device}'>"


default_generator = Generator()
default_generator.manual_seed(67280421310721)


def numpy_rng(generator=None):
    """The numpy Generator behind ``generator`` (or the default one). For bundles and kernels."""
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator and the cuda one (as torch.manual_seed); returns the former."""
    default_generator.manual_seed(seed)
    from corelib import cuda               # no numba import: its generator state is plain Python
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
