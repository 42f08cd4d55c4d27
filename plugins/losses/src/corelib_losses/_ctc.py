"""CTC loss: log-space alpha/beta recursions as numba kernels (cpu), wrapped in a Function.

Extended label sequence of a target y (length S): l' = [blank, y1, blank, y2, ..., yS, blank]
(L = 2S + 1 states). alpha[t, s] = log P(l'[:s+1] emitted by frames 0..t), beta[t, s] the
same from the end; nll = -logsumexp(alpha[T-1, L-1], alpha[T-1, L-2]).

The gradient matches PyTorch's ``ctc_loss`` (LossCTC.cpp): for t < input_length

    grad[t, n, c] = exp(lp[t, n, c]) - exp(logsumexp_{s: l'[s] = c}(alpha + beta)[t, s] + nll - lp[t, n, c])

i.e. the gradient with respect to the logits when ``log_probs = log_softmax(logits)``; it
passes unchanged through a preceding log_softmax. Samples whose alignment is impossible
(nll = inf) get a zero gradient instead of PyTorch's NaN, with or without zero_infinity.

Only states that can still reach the end are visited (s >= L - 2 (T_n - t)) and only those
reachable from the start (s <= 2t + 1), as PyTorch does.
"""
import math

import numpy as np

from corelib.autograd import Function
from corelib.backends.cpu import njit


@njit
def _ctc_forward(lp, targets, offsets, il, tl, blank, log_alpha, nll):
    N = lp.shape[1]
    ninf = -np.inf
    for n in range(N):
        tn = il[n]
        S = tl[n]
        L = 2 * S + 1
        off = offsets[n]
        if tn == 0:
            nll[n] = 0.0 if S == 0 else np.inf
            continue
        la = log_alpha[n]
        la[0, 0] = lp[0, n, blank]
        if S > 0:
            la[0, 1] = lp[0, n, targets[off]]
        for t in range(1, tn):
            lo = max(0, L - 2 * (tn - t))
            hi = min(L, 2 * t + 2)
            for s in range(lo, hi):
                if s % 2 == 0:
                    lab = blank
                    c = ninf
                else:
                    lab = targets[off + s // 2]
                    c = ninf
                    if s > 1 and lab != targets[off + s // 2 - 1]:
                        c = la[t - 1, s - 2]
                b = la[t - 1, s - 1] if s > 0 else ninf
                a = la[t - 1, s]
                m = max(a, max(b, c))
                if m != ninf:       # log-sum-exp of the (up to) three predecessors
                    la[t, s] = m + math.log(math.exp(a - m) + math.exp(b - m) + math.exp(c - m)) \
                        + lp[t, n, lab]
        a = la[tn - 1, L - 1]
        b = la[tn - 1, L - 2] if L > 1 else ninf
        m = max(a, b)
        nll[n] = -(m + math.log(math.exp(a - m) + math.exp(b - m))) if m != ninf else np.inf


@njit
def _ctc_backward(lp, targets, offsets, il, tl, blank, log_alpha, nll, gy, grad):
    T, N, C = lp.shape
    ninf = -np.inf
    lcab = np.empty(C, dtype=lp.dtype)
    for n in range(N):
        tn = il[n]
        S = tl[n]
        L = 2 * S + 1
        off = offsets[n]
        g = gy[n]
        if tn == 0 or nll[n] == np.inf:
            continue
        la = log_alpha[n]
        lb = np.full((tn, L), ninf, dtype=lp.dtype)
        lb[tn - 1, L - 1] = lp[tn - 1, n, blank]
        if S > 0:
            lb[tn - 1, L - 2] = lp[tn - 1, n, targets[off + S - 1]]
        for t in range(tn - 2, -1, -1):
            lo = max(0, L - 2 * (tn - t))
            hi = min(L, 2 * t + 2)
            for s in range(lo, hi):
                if s % 2 == 0:
                    lab = blank
                    c = ninf
                else:
                    lab = targets[off + s // 2]
                    c = ninf
                    if s < L - 2 and lab != targets[off + s // 2 + 1]:
                        c = lb[t + 1, s + 2]
                b = lb[t + 1, s + 1] if s < L - 1 else ninf
                a = lb[t + 1, s]
                m = max(a, max(b, c))
                if m != ninf:
                    lb[t, s] = m + math.log(math.exp(a - m) + math.exp(b - m) + math.exp(c - m)) \
                        + lp[t, n, lab]
        total = nll[n]
        for t in range(tn):
            for c in range(C):
                lcab[c] = ninf
            for s in range(L):
                v = la[t, s] + lb[t, s]
                if v == ninf:
                    continue
                lab = blank if s % 2 == 0 else targets[off + s // 2]
                cur = lcab[lab]
                if cur == ninf:
                    lcab[lab] = v
                elif cur > v:
                    lcab[lab] = cur + math.log1p(math.exp(v - cur))
                else:
                    lcab[lab] = v + math.log1p(math.exp(cur - v))
            for c in range(C):
                x = lp[t, n, c]
                grad[t, n, c] = (math.exp(x) - math.exp(lcab[c] + total - x)) * g


class CTCLossFunction(Function):
    """Per-sample CTC negative log likelihood (N,) of log_probs (T, N, C)."""

    def forward(self, lp, targets, offsets, il, tl, blank):
        lp_c = np.ascontiguousarray(lp)
        N = lp_c.shape[1]
        lmax = 2 * int(tl.max()) + 1 if tl.size else 1
        log_alpha = np.full((N, lp_c.shape[0], lmax), -np.inf, dtype=lp_c.dtype)
        nll = np.empty(N, dtype=lp_c.dtype)
        _ctc_forward(lp_c, targets, offsets, il, tl, blank, log_alpha, nll)
        if self._inputs is not None:
            self.retain_inputs(0)
            self.state = (targets, offsets, il, tl, blank, log_alpha, nll)
        return nll

    def backward(self, gy):
        lp, = self.saved_inputs()
        return (CTCLossBackward.apply(gy, lp.detach(), *self.state),) + (None,) * 5


class CTCLossBackward(Function):
    """The gradient of CTCLossFunction w.r.t. log_probs (not differentiable again, as in PyTorch)."""

    def forward(self, gy, lp, targets, offsets, il, tl, blank, log_alpha, nll):
        lp_c = np.ascontiguousarray(lp)
        grad = np.zeros_like(lp_c)
        g = np.ascontiguousarray(np.broadcast_to(gy, nll.shape), dtype=lp_c.dtype)
        _ctc_backward(lp_c, targets, offsets, il, tl, blank, log_alpha, nll, g, grad)
        return grad

    def backward(self, gg):
        raise RuntimeError("double backward of ctc_loss is not supported (as in PyTorch); "
                           "differentiate the loss once")


def ctc_nll(lp, targets, offsets, il, tl, blank, zero_infinity):
    """(N,) negative log likelihoods; ``lp`` a (T, N, C) Tensor, the rest int64 numpy arrays."""
    return CTCLossFunction.apply(lp, targets, offsets, il, tl, blank)
