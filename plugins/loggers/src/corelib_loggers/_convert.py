"""Turn corelib Tensors, numpy arrays and Python numbers into numpy arrays."""
import numbers

import numpy as np


def to_numpy(x, what="value"):
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (numbers.Number, np.generic)):
        return np.asarray(x)
    if hasattr(x, "detach") and hasattr(x, "numpy"):      # corelib (or torch-like) Tensor
        t = x.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        return np.asarray(t.numpy())
    if isinstance(x, (list, tuple)):
        return np.asarray([to_numpy(v, what) for v in x])
    raise TypeError(f"{what} must be a corelib Tensor, a numpy array or a number, "
                    f"got {type(x).__name__}")
