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
        if not isinstance(lp, np.ndarray):           # cuda: device kernels (below)
            log_alpha, nll, dev = _ctc_forward_cuda(lp, targets, offsets, il, tl, blank)
            if self._inputs is not None:
                self.retain_inputs(0)
                self.state = (dev, None, None, None, blank, log_alpha, nll)
            return nll
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
        if not isinstance(lp, np.ndarray):           # cuda: `targets` holds the device index arrays
            return _ctc_backward_cuda(gy, lp, targets, blank, log_alpha, nll)
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


# ---- cuda: the same recursions as device kernels --------------------------------------------------
# One block per batch element (grid-stride over blocks); its threads split the L states of a time
# step, with a syncthreads between steps (the loop bounds are uniform within a block). The
# gradient pass runs one thread per (t, c), summing alpha + beta over the states labelled c in
# the same ascending order as the cpu kernel. Arrays are flat; lp is (T, N, C) contiguous.
_CUDA = {}


def _cuda_kernels():
    global cuda                     # a module global: the simulator swaps it in kernels' globals
    if _CUDA:
        return _CUDA
    from numba import cuda
    from corelib.backends.cuda._rt import jit

    @jit
    def ctc_alpha(lp, T, N, C, targets, offsets, il, tl, blank, la, lmax, nll, ninf):
        for n in range(cuda.blockIdx.x, N, cuda.gridDim.x):
            tn = il[n]
            S = tl[n]
            L = 2 * S + 1
            off = offsets[n]
            base = n * T * lmax
            if cuda.threadIdx.x == 0 and tn > 0:
                la[base] = lp[n * C + blank]
                if S > 0:
                    la[base + 1] = lp[n * C + targets[off]]
            cuda.syncthreads()
            for t in range(1, tn):
                lo = L - 2 * (tn - t)
                lo = lo if lo > 0 else 0
                hi = 2 * t + 2
                hi = hi if hi < L else L
                for s in range(lo + cuda.threadIdx.x, hi, cuda.blockDim.x):
                    prev = base + (t - 1) * lmax
                    c = ninf
                    if s % 2 == 0:
                        lab = blank
                    else:
                        lab = targets[off + s // 2]
                        if s > 1 and lab != targets[off + s // 2 - 1]:
                            c = la[prev + s - 2]
                    b = la[prev + s - 1] if s > 0 else ninf
                    a = la[prev + s]
                    m = c if c > b else b          # max(a, max(b, c)) without max()
                    m = m if m > a else a
                    if m != ninf:
                        la[base + t * lmax + s] = m + math.log(math.exp(a - m) + math.exp(b - m)
                                                               + math.exp(c - m)) + lp[(t * N + n) * C + lab]
                cuda.syncthreads()
            if cuda.threadIdx.x == 0:
                if tn == 0:
                    nll[n] = 0.0 if S == 0 else -ninf
                else:
                    last = base + (tn - 1) * lmax
                    a = la[last + L - 1]
                    b = la[last + L - 2] if L > 1 else ninf
                    m = b if b > a else a
                    nll[n] = -(m + math.log(math.exp(a - m) + math.exp(b - m))) if m != ninf else -ninf
            cuda.syncthreads()

    @jit
    def ctc_beta_grad(lp, T, N, C, targets, offsets, il, tl, blank, la, lb, lmax, nll, gy, grad, ninf):
        for n in range(cuda.blockIdx.x, N, cuda.gridDim.x):
            tn = il[n]
            S = tl[n]
            L = 2 * S + 1
            off = offsets[n]
            base = n * T * lmax
            total = nll[n]
            if tn > 0 and total != -ninf:
                if cuda.threadIdx.x == 0:
                    last = base + (tn - 1) * lmax
                    lb[last + L - 1] = lp[((tn - 1) * N + n) * C + blank]
                    if S > 0:
                        lb[last + L - 2] = lp[((tn - 1) * N + n) * C + targets[off + S - 1]]
                cuda.syncthreads()
                for t in range(tn - 2, -1, -1):
                    lo = L - 2 * (tn - t)
                    lo = lo if lo > 0 else 0
                    hi = 2 * t + 2
                    hi = hi if hi < L else L
                    for s in range(lo + cuda.threadIdx.x, hi, cuda.blockDim.x):
                        nxt = base + (t + 1) * lmax
                        c = ninf
                        if s % 2 == 0:
                            lab = blank
                        else:
                            lab = targets[off + s // 2]
                            if s < L - 2 and lab != targets[off + s // 2 + 1]:
                                c = lb[nxt + s + 2]
                        b = lb[nxt + s + 1] if s < L - 1 else ninf
                        a = lb[nxt + s]
                        m = c if c > b else b          # max(a, max(b, c)) without max()
                        m = m if m > a else a
                        if m != ninf:
                            lb[base + t * lmax + s] = m + math.log(math.exp(a - m) + math.exp(b - m)
                                                                   + math.exp(c - m)) + lp[(t * N + n) * C + lab]
                    cuda.syncthreads()
                g = gy[n]
                for j in range(cuda.threadIdx.x, tn * C, cuda.blockDim.x):
                    t = j // C
                    c = j - t * C
                    acc = ninf
                    for s in range(L):
                        lab = blank if s % 2 == 0 else targets[off + s // 2]
                        if lab != c:
                            continue
                        v = la[base + t * lmax + s] + lb[base + t * lmax + s]
                        if v == ninf:
                            continue
                        if acc == ninf:
                            acc = v
                        elif acc > v:
                            acc = acc + math.log1p(math.exp(v - acc))
                        else:
                            acc = v + math.log1p(math.exp(acc - v))
                    x = lp[(t * N + n) * C + c]
                    grad[(t * N + n) * C + c] = (math.exp(x) - math.exp(acc + total - x)) * g
            cuda.syncthreads()

    _CUDA.update(alpha=ctc_alpha, beta_grad=ctc_beta_grad)
    return _CUDA


def _launch(N):
    from corelib.backends.cuda import _rt
    return (max(1, min(N, _rt.MAX_BLOCKS)), _rt.THREADS)  # (host code)


def _ctc_forward_cuda(lp, targets, offsets, il, tl, blank):
    """Device version of the forward: (log_alpha (N, T, lmax), nll (N,)), device arrays; the
    small int64 index arrays are copied to the device once."""
    from corelib.backends.cuda import xp
    lp_c = xp._fresh(xp.ascontiguousarray(lp))
    T, N, C = lp_c.shape
    lmax = 2 * int(tl.max()) + 1 if tl.size else 1
    log_alpha = xp.full((N, T, lmax), -np.inf, lp_c.dtype)
    nll = xp.empty((N,), lp_c.dtype)
    dev = tuple(xp.from_host(np.ascontiguousarray(a, dtype=np.int64)) for a in
                (targets if targets.size else np.zeros(1, np.int64), offsets, il, tl))
    if N:
        _cuda_kernels()["alpha"][_launch(N)](lp_c._buf, T, N, C, dev[0]._buf, dev[1]._buf, dev[2]._buf,
                                             dev[3]._buf, blank, log_alpha._buf, lmax, nll._buf,
                                             lp_c.dtype.type(-np.inf))
    return log_alpha, nll, dev


def _ctc_backward_cuda(gy, lp, dev, blank, log_alpha, nll):
    from corelib.backends.cuda import xp
    lp_c = xp._fresh(xp.ascontiguousarray(lp))
    T, N, C = lp_c.shape
    lmax = log_alpha.shape[2]
    grad = xp.zeros(lp_c.shape, lp_c.dtype)
    g = xp._fresh(xp.ascontiguousarray(xp.broadcast_to(xp.asarray(gy), nll.shape).astype(lp_c.dtype)))
    lb = xp.full((N, T, lmax), -np.inf, lp_c.dtype)
    if N:
        _cuda_kernels()["beta_grad"][_launch(N)](lp_c._buf, T, N, C, dev[0]._buf, dev[1]._buf, dev[2]._buf,
                                                 dev[3]._buf, blank, log_alpha._buf, lb._buf, lmax,
                                                 nll._buf, g._buf, grad._buf, lp_c.dtype.type(-np.inf))
    return grad
