"""corelib.backends.cudnn: torch's cuDNN switches, so scripts that set them run unchanged.
corelib does not use cuDNN (its cuda kernels are its own): ``is_available()`` is False and the
flags change nothing (determinism: corelib.use_deterministic_algorithms)."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
