"""PyTorch's default initialisation, drawn from corelib's RNG (kept local: no dependency on the
initializers bundle)."""
import math

import corelib


def fan_in(weight):
    if weight.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    rf = 1
    for s in weight.shape[2:]:
        rf *= s
    return weight.shape[1] * rf


def uniform_(t, bound):
    with corelib.no_grad():
        t.uniform_(-bound, bound)
    return t


def kaiming_uniform_a_sqrt5(weight):
    """kaiming_uniform_(w, a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    fi = fan_in(weight)
    gain = math.sqrt(2.0 / (1 + 5.0))
    bound = math.sqrt(3.0) * gain / math.sqrt(fi) if fi > 0 else 0.0
    return uniform_(weight, bound)


def bias_uniform_(bias, weight):
    fi = fan_in(weight)
    bound = 1 / math.sqrt(fi) if fi > 0 else 0.0
    return uniform_(bias, bound)
