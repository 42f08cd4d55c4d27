"""Fused numba kernels for the hot optimizers (SGD, Adam/AdamW): one pass over memory.

Each loop body repeats PyTorch's ``_single_tensor_*`` sequence of in-place ops element by
element, in the parameter's dtype (every scalar is passed already cast to it), so the results
match PyTorch's to rounding. Arrays are 1-D and C-contiguous.
"""
import numpy as np

from corelib.backends.cpu import njit


@njit(error_model="numpy")
def sgd_kernel(p, g, buf, neg, wd_on, wd, mom_on, init, mom, damp1, nesterov, neg_lr):
    for i in range(p.size):
        gi = g[i]
        if neg:
            gi = -gi
        if wd_on:
            gi = gi + wd * p[i]
        if mom_on:
            if init:
                b = gi
            else:
                b = buf[i] * mom + damp1 * gi
            buf[i] = b
            if nesterov:
                gi = gi + mom * b
            else:
                gi = b
        p[i] = p[i] + neg_lr * gi


@njit(error_model="numpy")
def adam_kernel(p, g, m, v, vmax, neg, wd_mode, wd, decay_scale, w1_small, w1, one_minus_w1,
                beta2, one_minus_beta2, amsgrad, bc2_sqrt, eps, neg_step_size):
    # wd_mode: 0 none, 1 L2 (grad += wd * p), 2 decoupled (p *= 1 - lr * wd)
    for i in range(p.size):
        gi = g[i]
        if neg:
            gi = -gi
        pi = p[i]
        if wd_mode == 2:
            pi = pi * decay_scale
        elif wd_mode == 1:
            gi = gi + wd * pi
        mi = m[i]
        if w1_small:
            mi = mi + w1 * (gi - mi)
        else:
            mi = gi - (gi - mi) * one_minus_w1
        m[i] = mi
        vi = v[i] * beta2 + one_minus_beta2 * gi * gi
        v[i] = vi
        if amsgrad:
            mx = vmax[i]
            if vi > mx or vi != vi:
                mx = vi
            vmax[i] = mx
            vi = mx
        denom = np.sqrt(vi) / bc2_sqrt + eps
        p[i] = pi + neg_step_size * mi / denom
