"""The losses of ``torch.nn.functional``, composed from corelib's differentiable ops.

    import corelib as cl
    from corelib_losses import functional as F      # also corelib.nn.functional.* when installed
    x = cl.randn(4, 5, requires_grad=True)
    F.cross_entropy(x, cl.tensor([1, 0, 4, 2])).backward()

Every loss is a few core ops (log_softmax, gather, where, clamp, logaddexp, ...), so autograd
supplies the gradient and double backward. Two primitives keep their own backward because
PyTorch defines their gradient by a formula that no composition reproduces: ``ctc_loss`` (the
alpha/beta recursions, numba kernels in :mod:`corelib_losses._ctc`) and ``binary_cross_entropy``
(whose gradient is ``(x - y) / max(x (1 - x), 1e-12)``, finite at probabilities 0 and 1).

Reductions follow PyTorch: ``'none'`` keeps the per-element (or per-sample) loss, ``'sum'`` adds
it up and ``'mean'`` averages it, except where PyTorch defines a weighted mean (``nll_loss`` and
``cross_entropy`` with class indices divide by the summed weights of the non-ignored targets;
``ctc_loss`` divides each sample by its target length first; ``kl_div`` also has
``'batchmean'``). The legacy ``size_average`` / ``reduce`` arguments are honoured with
PyTorch's deprecation warning.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

import corelib as cl
from corelib import Tensor
from corelib.autograd import Function

__all__ = [
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "kl_div", "margin_ranking_loss", "multilabel_margin_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "ctc_loss", "pairwise_distance",
]

_REDUCTIONS = ("none", "mean", "sum")
_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


# ---- reductions ------------------------------------------------------------------------------
def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction that the deprecated ``size_average`` / ``reduce`` pair stands for."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction, allowed=_REDUCTIONS):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction == "elementwise_mean":                 # PyTorch's deprecated spelling of 'mean'
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=3)
        reduction = "mean"
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(use one of {', '.join(repr(r) for r in allowed)})")
    return reduction


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


# ---- helpers ---------------------------------------------------------------------------------
def _tname(t):
    return _TORCH_NAMES.get(str(t.dtype).replace("corelib.", ""), str(t.dtype))


def _const(arr, like):
    """A constant Tensor (no grad) on ``like``'s device."""
    a = np.asarray(arr)                 # (np.ascontiguousarray would turn 0-d into 1-d)
    return cl.as_tensor(a if a.flags.c_contiguous else a.copy()).to(like.device)


def _as_tensor(x, like):
    if isinstance(x, Tensor):
        return x
    return cl.tensor(x, dtype=like.dtype, device=like.device)


def _check_same_size_warn(input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", stacklevel=stacklevel)
        input, target = cl.broadcast_tensors(input, target)
    return input, target


def _log_sigmoid(x):
    # log(sigmoid(x)) = -log(1 + exp(-x)); logaddexp keeps it finite for |x| = 1e4 and its
    # gradient, sigmoid(-x), exact (0 and 1 at the extremes, 0.5 at 0).
    return -cl.logaddexp(cl.zeros_like(x), -x)


def _zero_ignored(loss, mask):
    # a where, not a product with the mask: an ignored target keeps a zero gradient even when
    # the mean divides by a zero total weight (all ignored: loss nan, gradient 0, as PyTorch)
    if mask.all():
        return loss
    return cl.where(_const(mask.reshape(loss.shape), loss), loss, cl.zeros_like(loss))


def _weighted_mean(loss, w, mask):
    return _zero_ignored(loss, mask).sum() / w.sum()


def _check_float_input(input, fn):
    if not input.is_floating_point():
        raise NotImplementedError(f"{fn} is not implemented for input of dtype {_tname(input)}: it "
                                  f"takes floating point scores (use input.float())")


def _class_indices(target, n_classes, ignore_index=None):
    """Validated int64 class indices (numpy) and the mask of the non-ignored ones."""
    if target.dtype not in (cl.int64, cl.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_tname(target)} "
                           f"(class-index targets must be integers, e.g. target.long(); "
                           f"probability targets must have the input's shape)")
    tgt = np.asarray(target.detach().cpu().numpy(), dtype=np.int64)
    mask = tgt != ignore_index if ignore_index is not None else np.ones(tgt.shape, bool)
    bad = mask & ((tgt < 0) | (tgt >= n_classes))
    if bad.any():
        extra = "" if ignore_index is None else f" or ignore_index={ignore_index}"
        raise IndexError(f"Target {int(tgt[bad].flat[0])} is out of bounds. Expected class "
                         f"indices in [0, {n_classes - 1}] ({n_classes} classes){extra}.")
    return tgt, mask


# ---- classification --------------------------------------------------------------------------
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of log-probabilities ``input`` (N, C, d1, ...) or (C,) at the
    class indices ``target`` (N, d1, ...) or (): ``l_n = -w[y_n] x[n, y_n]``.

    ``'mean'`` divides by the summed weights of the non-ignored targets (nan if all are ignored).

        >>> nll_loss(cl.tensor([[-1.0, -0.5]]), cl.tensor([1]))
        tensor(0.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    dim = input.dim()
    if dim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {dim})")
    _check_float_input(input, "nll_loss")
    if dim == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"Expected input batch_size (1) to match target batch_size "
                             f"({target.shape[0]}).")
    else:
        if target.dim() == 0 or input.shape[0] != target.shape[0]:
            tb = target.shape[0] if target.dim() else 0
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({tb}).")
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if dim == 2 and target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    class_dim = 0 if dim == 1 else 1
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    tgt, mask = _class_indices(target, n_classes, ignore_index)
    safe = np.where(mask, tgt, 0)
    picked = input.gather(class_dim, _const(np.expand_dims(safe, class_dim), input)).squeeze(class_dim)
    if weight is None:
        if mask.all():
            loss = -picked
            return _reduce(loss, reduction)
        w = _const(mask.astype(input.detach()._data.dtype), input)
    else:
        w = weight.to(input.dtype)[_const(safe, input)] * _const(mask, input)
    loss = -picked * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return _weighted_mean(loss, w, mask)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy between the logits ``input`` and ``target``: log_softmax then nll_loss.

    ``input`` is (N, C), (N, C, d1, ...) or unbatched (C,). ``target`` holds class indices
    (N,), (N, d1, ...) or () -- or class probabilities of the input's shape (float).
    ``label_smoothing`` mixes the target with the uniform distribution over the C classes.

        >>> cross_entropy(cl.tensor([[2.0, 0.0]]), cl.tensor([0]))
        tensor(0.1269)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dim() < 1:
        raise RuntimeError("cross_entropy expects input of shape (C,), (N, C) or (N, C, d1, ...), "
                           "got a 0-d tensor")
    _check_float_input(input, "cross_entropy (log_softmax)")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    wshape = [1] * input.dim()
    wshape[class_dim] = n_classes
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    if tuple(target.shape) == tuple(input.shape):
        # class probabilities
        if not target.is_floating_point():
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {_tname(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = input.log_softmax(class_dim) * target
        if weight is not None:
            prod = prod * weight.to(input.dtype).view(wshape)
        loss = -prod.sum(class_dim)
        if reduction == "mean":
            if input.numel() == 0:
                return loss.sum() * float("nan")
            return loss.sum() / (input.numel() // n_classes)
        return _reduce(loss, reduction)
    if label_smoothing <= 0:
        return _cross_entropy_indices(input, target, weight, ignore_index, reduction, class_dim)
    logp = input.log_softmax(class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    tgt, mask = _class_indices(target, n_classes, ignore_index)
    if weight is not None:
        smooth = -(logp * weight.to(input.dtype).view(wshape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = _zero_ignored(smooth, mask)
    if reduction == "mean":
        if weight is not None:
            denom = weight.to(input.dtype)[_const(tgt[mask], input)].sum()
        else:
            denom = float(mask.sum())
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _sk():
    from corelib.ops import _softmax_kernels      # imports numba: only at the first call
    return _softmax_kernels


class _LogSoftmaxPick(Function):
    """``-log_softmax(x, dim)`` at the class indices ``idx`` (x's shape with size 1 at dim).

    NOTE: log_softmax and the gather fused into one primitive for speed (cross-entropy
    forward+backward on 512x1000 logits: ~5 passes over the logits instead of ~15); the
    composed form is what create_graph=True differentiates, so double backward stays exact.
    """

    rows = False

    def forward(self, x, idx, dim):
        if dim == 1 and _sk().fast_rows(x):
            r = _sk().rows_exp(x)
            if r is not None:
                m, e, s = r
                rows = np.arange(x.shape[0])
                out = (m - x[rows, idx[:, 0]]) + np.log(s)
                if self._inputs is not None:
                    self.retain_inputs(0)
                    self.state = (e, s[:, None], idx, dim)
                return out
        xp = self.xp
        if xp is not np:
            idx = xp.asarray(idx)                       # uploaded once, for forward and backward
            # one thread per row: for a few thousand classes at most (longer rows: the general
            # path's reductions split them across threads)
            if dim == 1 and x.ndim == 2 and x.shape[1] <= 4096 and \
                    x.dtype in (np.float32, np.float64) and x._is_c():
                from corelib.backends.cuda import _nn
                out, e, s = _nn.log_softmax_pick(x, idx)      # one kernel
                if self._inputs is not None:
                    self.retain_inputs(0)
                    self.state = (e, s, idx, dim)
                    self.rows = True                  # e, s as the fused kernel left them
                return out
        m = x.max(axis=dim, keepdims=True)              # an inf max gives NaN, as PyTorch
        e = xp.subtract(x, m)
        xp.exp(e, out=e)
        s = e.sum(axis=dim, keepdims=True)
        lse = xp.log(s) + m
        out = (lse - xp.take_along_axis(x, idx, axis=dim)).squeeze(dim)
        if self._inputs is not None:
            self.retain_inputs(0)
            self.state = (e, s, idx, dim)
        return out

    def backward(self, gy):
        e, s, idx, dim = self.state
        if self.rows:                                 # the fused cuda forward's e and s
            self.rows = False                         # (any later backward recomputes them)
            if not cl.is_grad_enabled():
                from corelib._creation import _wrap
                from corelib.backends.cuda import _nn
                self.state = (None, None, idx, dim)   # e now holds the gradient
                return _wrap(_nn.log_softmax_pick_grad(e, s, idx, gy.detach()._data), gy.device), \
                    None, None
            e = s = None
        g = gy.unsqueeze(dim)
        if cl.is_grad_enabled():                      # create_graph: differentiable form
            x, = self.saved_inputs()
            if isinstance(idx, np.ndarray):
                it = _const(idx, x)
            else:                                     # already on x's device (cuda)
                from corelib._creation import _wrap
                it = _wrap(idx.reshape(idx.shape[0], 1) if idx.ndim == 1 else idx, x.device)
            onehot = cl.zeros_like(x).scatter(dim, it, 1.0)
            return (x.softmax(dim) - onehot) * g, None, None
        if gy.device.type != "cpu":
            return self._device_backward(g, e, s, idx, dim), None, None
        ga = g.detach().numpy()
        if e is None:                                 # a second backward (retain_graph=True)
            x, = self.saved_inputs()
            xa = x.detach().numpy()
            e = np.exp(xa - xa.max(axis=dim, keepdims=True))
            s = e.sum(axis=dim, keepdims=True)
        self.state = (None, None, idx, dim)           # e now holds the gradient
        if e.ndim == 2 and dim == 1 and e.dtype == np.float32 and ga.dtype == np.float32:
            g1 = np.broadcast_to(ga, idx.shape)[:, 0]
            return _const(_sk().rows_scale(e, g1 / s[:, 0], out=e, pick=(idx[:, 0], g1)), gy), None, None
        grad = np.multiply(e, ga / s, out=e if e.dtype == np.result_type(e, ga) else None)
        ix = np.indices(idx.shape, sparse=True)
        ix = tuple(idx if k == dim else ix[k] for k in range(idx.ndim))
        np.subtract.at(grad, ix, np.broadcast_to(ga, idx.shape))
        return _const(grad, gy), None, None

    def _device_backward(self, g, e, s, idx, dim):
        """The same gradient on device arrays (cuda): ``e / s * g``, minus g at the indices
        (an atomic add of -g: the same rounding as subtract.at)."""
        from corelib._creation import _wrap
        xp = self.xp
        ga = g.detach()._data
        if e is None:                                 # a second backward (retain_graph=True)
            x, = self.saved_inputs()
            xa = x.detach()._data
            e = xp.exp(xa - xa.max(axis=dim, keepdims=True))
            s = e.sum(axis=dim, keepdims=True)
        grad = e * (ga / s)
        self.state = (None, None, idx, dim)
        nd = idx.ndim
        ix = tuple(idx if k == dim else xp.arange(n).reshape((1,) * k + (n,) + (1,) * (nd - k - 1))
                   for k, n in enumerate(idx.shape))
        # the indices were validated on the host in forward: no bounds check (a wait for the GPU)
        getattr(xp, "add_at_unchecked", xp.add.at)(grad, ix, -xp.broadcast_to(ga, idx.shape))
        return _wrap(grad, g.device)


def _cross_entropy_indices(input, target, weight, ignore_index, reduction, class_dim):
    """cross_entropy for class-index targets without label smoothing (the common, fast path)."""
    n_classes = input.shape[class_dim]
    if input.dim() >= 2:
        if target.dim() == 0 or input.shape[0] != target.shape[0]:
            tb = target.shape[0] if target.dim() else 0
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({tb}).")
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if input.dim() == 2 and target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    elif target.dim() > 1 or (target.dim() == 1 and target.shape[0] != 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    tgt, mask = _class_indices(target, n_classes, ignore_index)
    all_in = bool(mask.all())
    safe = tgt if all_in else np.where(mask, tgt, 0)
    safe = safe.reshape(tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1:]))
    loss = _LogSoftmaxPick.apply(input, np.expand_dims(safe, class_dim), class_dim)
    if weight is None and all_in:
        return _reduce(loss, reduction)
    if weight is None:
        w = _const(mask.reshape(loss.shape).astype(loss.detach()._data.dtype), input)
    else:
        w = weight.to(input.dtype)[_const(safe, input)] * _const(mask.reshape(loss.shape), input)
    loss = loss * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return _weighted_mean(loss, w, mask)


class _BinaryCrossEntropy(Function):
    """-(y log x + (1 - y) log(1 - x)), each log clamped at -100 (as PyTorch).

    NOTE: its own backward because PyTorch's gradient is (x - y) / max(x (1 - x), 1e-12), which
    stays finite at x = 0 and 1 where the composed form gives 0 * inf = nan. The backward uses
    Tensor ops, so double backward works.
    """

    def forward(self, x, y):
        self.retain_inputs(0, 1)
        xp = self.xp
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        return (-(y * lx + (1 - y) * l1x)).astype(x.dtype, copy=False)

    def backward(self, gy):
        x, y = self.saved_inputs()
        gx = gy * (x - y) / (x * (1 - x)).clamp_min(1e-12) if self.needs_input_grad[0] else None
        gt = None
        if self.needs_input_grad[1]:
            gt = gy * ((-x).log1p() - x.log())        # unclamped, as PyTorch
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy of probabilities ``input`` in [0, 1]:
    ``l_n = -w_n [y_n log x_n + (1 - y_n) log(1 - x_n)]`` with each log clamped at -100.

        >>> binary_cross_entropy(cl.tensor([0.5]), cl.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")
    if target.dtype != input.dtype:                   # as PyTorch: no implicit cast
        raise RuntimeError(f"Found dtype {_tname(target)} but expected {_tname(input)} "
                           f"(binary_cross_entropy needs the target in the input's dtype: "
                           f"target.to(input.dtype))")
    a = input.detach().cpu().numpy()
    if a.size and not ((a >= 0) & (a <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_entropy "
                           "takes probabilities: apply sigmoid first, or use "
                           "binary_cross_entropy_with_logits on the logits)")
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight.to(input.dtype).expand(cl.broadcast_shapes(target.shape, weight.shape))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid and binary cross entropy in one stable step (log-sum-exp form):
    ``l_n = -w_n [p y_n log s(x_n) + (1 - y_n) log(1 - s(x_n))]`` with ``pos_weight`` p.

    Finite values and gradients for logits of any magnitude.

        >>> binary_cross_entropy_with_logits(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if not target.is_floating_point():
        raise RuntimeError(f"result type {_tname(input)} can't be cast to the desired output type "
                           f"{_tname(target)} (binary_cross_entropy_with_logits needs a floating "
                           f"point target: target.float())")
    ls = _log_sigmoid(input)
    if pos_weight is not None:
        ls = ls * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---- regression ------------------------------------------------------------------------------
def _pointwise_weighted(loss, weight, input, reduction):
    """PyTorch's ``weight=`` of l1_loss / mse_loss: same size as input; 'mean' is
    ``sum(w * l) / sum(w)``."""
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: ``l_n = |x_n - y_n|`` (times ``weight``, same size as input; the
    weighted 'mean' divides by ``weight.sum()``).

        >>> l1_loss(cl.tensor([1.0, 2.0]), cl.tensor([0.0, 0.0]))
        tensor(1.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    shape_in = input
    input, target = _check_same_size_warn(input, target)
    return _pointwise_weighted((input - target).abs(), weight, shape_in, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: ``l_n = (x_n - y_n)^2``.

        >>> mse_loss(cl.tensor([1.0, 2.0]), cl.tensor([0.0, 0.0]))
        tensor(2.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    shape_in = input
    input, target = _check_same_size_warn(input, target)
    d = input - target
    return _pointwise_weighted(d * d, weight, shape_in, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = x - y); L1 for beta 0.

        >>> smooth_l1_loss(cl.tensor([0.5, 3.0]), cl.tensor([0.0, 0.0]))
        tensor(1.3125)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _check_same_size_warn(input, target)
    z = (input - target).abs()
    if beta == 0:
        return _reduce(z, reduction)
    loss = cl.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)`` (d = x - y).

        >>> huber_loss(cl.tensor([0.5, 3.0]), cl.tensor([0.0, 0.0]), delta=2.0)
        tensor(2.0625)
    """
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    shape_in = input
    input, target = _check_same_size_warn(input, target)
    z = (input - target).abs()
    loss = cl.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    if weight is not None:
        if tuple(weight.shape) != tuple(shape_in.shape):
            raise ValueError("Weights and input must have the same size.")
        loss = loss * weight
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log likelihood: ``exp(x) - y x`` (log_input) or ``x - y log(x + eps)``;
    ``full`` adds the Stirling term ``y log y - y + 0.5 log(2 pi y)`` where y > 1.

        >>> poisson_nll_loss(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1                        # the Stirling term is differentiable in target
        ts = cl.where(big, target, cl.ones_like(target))
        stirling = ts * ts.log() - ts + 0.5 * (2 * math.pi * ts).log()
        loss = loss + cl.where(big, stirling, cl.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log likelihood: ``0.5 (log max(var, eps) + (x - y)^2 / max(var, eps))``
    (+ ``0.5 log 2 pi`` if ``full``). ``var`` has the input's shape, one dimension less, a
    size-1 dimension, or is a float (homoscedastic).

        >>> gaussian_nll_loss(cl.tensor([1.0]), cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.5000)
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = cl.ones_like(input) * float(var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
            pass
        else:
            raise ValueError(f"var is of incorrect size: expected {list(input.shape)}, that shape "
                             f"without its last dimension, or with one dimension of size 1; got "
                             f"{list(var.shape)}")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    # clamp without touching the gradient (PyTorch clamps under no_grad)
    vd = var.detach()
    var = var + (vd.clamp(min=eps) - vd)
    d = input - target
    loss = 0.5 * (var.log() + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``:
    ``l_n = y_n (log y_n - x_n)`` (``target`` as log-probabilities with ``log_target``).
    ``'batchmean'`` divides the sum by the batch size (the mathematical KL divergence).

        >>> kl_div(cl.tensor([[-0.5, -1.0]]), cl.tensor([[0.5, 0.5]]), reduction="batchmean")
        tensor(0.0569)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with the "
                      "KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(use 'none', 'batchmean', 'sum' or 'mean')")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = cl.xlogy(target, target) - target * input
    if reduction == "batchmean":
        s = loss.sum()
        return s / input.shape[0] if input.dim() != 0 else s
    return _reduce(loss, reduction)


# ---- margins and embeddings ------------------------------------------------------------------
def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -y (x1 - x2) + margin)``: y = 1 wants x1 ranked above x2, y = -1 below.

        >>> margin_ranking_loss(cl.tensor([1.0]), cl.tensor([2.0]), cl.tensor([1.0]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {list(input1.shape)}, input2: "
                           f"{list(input2.shape)}, target: {list(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``x_n`` where ``y_n = 1`` and ``max(0, margin - x_n)`` where ``y_n = -1`` (x: a distance).

        >>> hinge_embedding_loss(cl.tensor([0.3, 0.3]), cl.tensor([1.0, -1.0]))
        tensor(0.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    zeros = cl.zeros_like(input)
    m = (margin - input).clamp_min(0)
    loss = cl.where(target != 1, m, zeros) + cl.where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-y x))`` with y in {1, -1}.

        >>> soft_margin_loss(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all logistic loss, averaged over the C classes per sample:
    ``-(1/C) sum_i w_i [y_i log s(x_i) + (1 - y_i) log s(-x_i)]``.

        >>> multilabel_soft_margin_loss(cl.tensor([[0.0, 0.0]]), cl.tensor([[1.0, 0.0]]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * _log_sigmoid(input) + (1 - target) * _log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss. ``target`` holds the label indices of each sample,
    padded with -1 after the last one (``[0, 3, -1, -1]``, not ``[1, 0, 0, 1]``):
    ``sum_{j in labels, i not in labels} max(0, 1 - (x[j] - x[i])) / C``.

        >>> multilabel_margin_loss(cl.tensor([[0.1, 0.2, 0.4, 0.8]]), cl.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if input.dim() > 2 or target.dim() != input.dim() or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)} (target must have the input's shape, label "
                           f"indices padded with -1)")
    if target.dtype is not cl.int64:
        raise RuntimeError(f"multilabel_margin_loss expects an int64 (Long) target, got "
                           f"{_tname(target)}")
    unbatched = input.dim() <= 1
    x = input.reshape(1, -1) if unbatched else input
    tgt = np.asarray(target.detach().cpu().numpy(), np.int64).reshape(x.shape)
    n_classes = x.shape[1]
    if tgt.size and (tgt.min() < -1 or tgt.max() >= n_classes):
        raise RuntimeError(f"argument #2 'target' is out of range: label indices must be in "
                           f"[0, {n_classes - 1}] or -1 (end of the labels)")
    valid = np.cumprod(tgt >= 0, axis=1).astype(bool)           # labels before the first -1
    is_target = np.zeros(tgt.shape, bool)
    rows = np.nonzero(valid)
    is_target[rows[0], tgt[rows]] = True
    safe = np.where(valid, tgt, 0)
    xj = x.gather(1, _const(safe, x))                            # (N, C): x[y_j]
    z = (1 - xj.unsqueeze(2) + x.unsqueeze(1)).relu()            # (N, j, i)
    keep = valid[:, :, None] & ~is_target[:, None, :]
    loss = (z * _const(keep, x)).sum((1, 2)) / n_classes
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: ``sum_{i != y} w_y max(0, margin - x[y] + x[i])^p / C``, p in {1, 2}.

        >>> multi_margin_loss(cl.tensor([[0.1, 0.2, 0.4, 0.8]]), cl.tensor([3]))
        tensor(0.3250)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if input.dim() > 2:
        raise RuntimeError(f"multi_margin_loss expects input of shape (C,) or (N, C), got "
                           f"{list(input.shape)}")
    unbatched = input.dim() <= 1
    x = input.reshape(1, -1) if unbatched else input
    n, n_classes = x.shape
    if target.numel() != n or target.dim() > 1:
        raise RuntimeError(f"inconsistent target size, expected {n} but got {list(target.shape)}")
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"inconsistent weight size, expected {n_classes} but got "
                           f"{list(weight.shape)}")
    if target.dtype is not cl.int64:
        raise RuntimeError(f"multi_margin_loss expects an int64 (Long) target, got {_tname(target)}")
    tgt = np.asarray(target.detach().cpu().numpy(), np.int64).reshape(n)
    if tgt.size and (tgt.min() < 0 or tgt.max() >= n_classes):
        raise RuntimeError(f"target out of range: class indices must be in [0, {n_classes - 1}]")
    idx = _const(tgt[:, None], x)
    z = (margin - x.gather(1, idx) + x).relu()
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.to(x.dtype)[_const(tgt, x)].unsqueeze(1)
    other = np.ones((n, n_classes), bool)
    other[np.arange(n), tgt] = False
    loss = (z * _const(other, x)).sum(1) / n_classes
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension (PyTorch's pairwise_distance)."""
    dim = max(x1.dim(), x2.dim()) - 1
    return (x1 - x2 + eps).norm(p, dim, keepdim)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise p-norm distance (+eps);
    ``swap`` uses ``min(d(a, n), d(p, n))`` for the negative distance.

        >>> triplet_margin_loss(cl.zeros(1, 2), cl.zeros(1, 2), cl.ones(1, 2))
        tensor(0.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not (anchor.dim() == positive.dim() == negative.dim()):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.dim()}D, positive "
                           f"{positive.dim()}D, and negative {negative.dim()}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = cl.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Triplet loss with any ``distance_function(x1, x2)`` (default: pairwise_distance).

        >>> triplet_margin_with_distance_loss(cl.zeros(1, 2), cl.zeros(1, 2), cl.ones(1, 2))
        tensor(0.)
    """
    reduction = _reduction(None, None, reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    if not (anchor.dim() == positive.dim() == negative.dim()):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.dim()}D, positive "
                           f"{positive.dim()}D, and negative {negative.dim()}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = cl.minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` where y = 1 and ``max(0, cos(x1, x2) - margin)`` where y = -1.

        >>> cosine_embedding_loss(cl.tensor([[1.0, 0.0]]), cl.tensor([[0.0, 1.0]]), cl.tensor([1.0]))
        tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if td == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod = (input1 * input2).sum(td)
    m1 = (input1 * input1).sum(td) + eps
    m2 = (input2 * input2).sum(td) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = cl.zeros_like(cos)
    loss = cl.where(target == 1, 1 - cos, zeros) + cl.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(loss, reduction)


# ---- sequences -------------------------------------------------------------------------------
def _lengths(x, name):
    if isinstance(x, Tensor):
        a = x.detach().cpu().numpy()
    else:
        a = np.asarray(x)
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "f" and np.all(a == np.round(a)):
            a = a.astype(np.int64)
        else:
            raise RuntimeError(f"ctc_loss: {name} must be integers (a tuple of ints or an int tensor), "
                               f"got {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist Temporal Classification loss.

    ``log_probs`` (T, N, C) or unbatched (T, C): log-softmax outputs. ``targets`` padded (N, S)
    or concatenated 1-D (sum(target_lengths),) label indices (never ``blank``).
    ``input_lengths`` / ``target_lengths``: (N,) tensors or tuples of ints. ``'mean'`` divides
    each sample's loss by its target length, then averages over the batch. Impossible
    alignments give inf (0 with ``zero_infinity=True``) and a zero gradient.

        >>> lp = cl.randn(5, 1, 3).log_softmax(2)
        >>> ctc_loss(lp, cl.tensor([[1, 2]]), (5,), (2,)).shape
        ()
    """
    from corelib_losses._ctc import ctc_nll

    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.dim() == 2
    if log_probs.dim() not in (2, 3):
        raise RuntimeError(f"ctc_loss expects log_probs of shape (T, N, C) or (T, C), got "
                           f"{list(log_probs.shape)}")
    if not log_probs.is_floating_point():
        raise RuntimeError(f"ctc_loss expects floating point log_probs, got {_tname(log_probs)}")
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    if unbatched:
        targets = targets.unsqueeze(0) if targets.dim() == 1 else targets
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    if il.size != N:
        raise RuntimeError(f"input_lengths must be of size batch_size: expected {N} values, got {il.size}")
    if tl.size != N:
        raise RuntimeError(f"target_lengths must be of size batch_size: expected {N} values, got {tl.size}")
    for arr, name in ((il, "input_lengths"), (tl, "target_lengths")):
        if arr.size and arr.min() < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(arr.min())} (lengths cannot be negative)")
    if il.size and il.max() > T:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{int(il.max())} (log_probs has T={T} time steps)")
    if not 0 <= blank < C:
        raise RuntimeError(f"blank must be in label range: blank={blank}, C={C}")
    tg = np.asarray(targets.detach().cpu().numpy())
    if tg.dtype.kind not in "iu":
        tg = tg.astype(np.int64)
    tg = tg.astype(np.int64)
    if tg.ndim == 2:
        if tg.shape[0] != N:
            raise RuntimeError(f"ctc_loss: padded targets must be (N, S) with N={N}, got "
                               f"{list(tg.shape)}")
        if tl.size and tl.max() > tg.shape[1]:
            raise RuntimeError(f"Expected tensor to have size at least {int(tl.max())} at "
                               f"dimension 1, but got size {tg.shape[1]} for argument #2 'targets' "
                               f"(while checking arguments for ctc_loss)")
        offsets = np.arange(N, dtype=np.int64) * tg.shape[1]
        flat = tg.reshape(-1)
    elif tg.ndim == 1:
        if tl.sum() > tg.size:
            raise RuntimeError(f"ctc_loss: concatenated targets have {tg.size} labels but "
                               f"target_lengths add up to {int(tl.sum())}")
        offsets = np.concatenate([[0], np.cumsum(tl)[:-1]]).astype(np.int64)
        flat = tg
    else:
        raise RuntimeError(f"ctc_loss expects targets of shape (N, S) or (sum(target_lengths),), "
                           f"got {list(tg.shape)}")
    for n in range(N):
        lab = flat[offsets[n]:offsets[n] + tl[n]]
        if lab.size and (lab.min() < 0 or lab.max() >= C):
            raise RuntimeError(f"ctc_loss: target labels must be in [0, {C - 1}], got "
                               f"{int(lab.min() if lab.min() < 0 else lab.max())} in sample {n}")
    res = ctc_nll(lp, np.ascontiguousarray(flat), offsets, il, tl, int(blank), bool(zero_infinity))
    if zero_infinity:
        res = cl.where(res == float("inf"), cl.zeros_like(res), res)
    if unbatched:
        res = res.reshape(())
    if reduction == "mean":
        denom = _const(np.maximum(tl, 1).astype(lp.detach()._data.dtype), lp)
        return (res / (denom.reshape(()) if unbatched else denom)).mean()
    if reduction == "sum":
        return res.sum()
    return res
