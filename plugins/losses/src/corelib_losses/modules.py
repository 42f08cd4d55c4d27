"""The loss classes of ``torch.nn``: thin Modules over :mod:`corelib_losses.functional`.

Each class keeps its options and hands the work to the functional form, as PyTorch does;
``reduction`` (and the deprecated ``size_average`` / ``reduce``) is handled by the core bases
``corelib.nn.modules.loss._Loss`` / ``_WeightedLoss`` (``weight`` is a buffer).

    import corelib as cl
    loss = cl.nn.CrossEntropyLoss(label_smoothing=0.1)
    out = loss(cl.randn(8, 5, requires_grad=True), cl.randint(0, 5, (8,)))
    out.backward()
"""
from corelib.nn.modules.loss import _Loss, _WeightedLoss

from corelib_losses import functional as F

__all__ = [
    "L1Loss", "NLLLoss", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "BCELoss",
    "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss",
    "HuberLoss", "SoftMarginLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss",
    "CosineEmbeddingLoss", "MarginRankingLoss", "MultiMarginLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "CTCLoss",
]


class L1Loss(_Loss):
    r"""Mean absolute error: :math:`l_n = |x_n - y_n|`.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Shape: input (*), target (*) of the same shape; output scalar, or (*) for ``'none'``.

    Example::

        >>> loss = L1Loss()
        >>> loss(cl.tensor([1.0, 2.0]), cl.tensor([0.0, 0.0]))
        tensor(1.5000)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error: :math:`l_n = (x_n - y_n)^2`.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> MSELoss()(cl.tensor([1.0, 2.0]), cl.tensor([0.0, 0.0]))
        tensor(2.5000)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    r"""Negative log likelihood of log-probabilities: :math:`l_n = -w_{y_n} x_{n, y_n}`.

    Args:
        weight: (C,) rescaling weight per class.
        ignore_index: target value that contributes neither loss nor gradient (default -100).
        reduction: ``'none'`` | ``'mean'`` (default; divides by the summed weights of the
            non-ignored targets) | ``'sum'``.

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) int64.

    Example::

        >>> NLLLoss()(cl.tensor([[-1.0, -0.5]]), cl.tensor([1]))
        tensor(0.5000)
    """
    __constants__ = ["ignore_index", "reduction"]

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross entropy of logits: ``LogSoftmax`` and ``NLLLoss`` in one, numerically stable.

    :math:`l_n = -w_{y_n} \log \frac{\exp x_{n, y_n}}{\sum_c \exp x_{n, c}}`

    Args:
        weight: (C,) rescaling weight per class.
        ignore_index: target value ignored (class-index targets only; default -100).
        reduction: ``'none'`` | ``'mean'`` (default; weighted mean over non-ignored targets
            for class indices, mean over samples for probabilities) | ``'sum'``.
        label_smoothing: in [0, 1]; the target becomes ``(1 - ls) y + ls / C``.

    Shape: input (C,), (N, C) or (N, C, d1, ...); target class indices (), (N,) or
    (N, d1, ...) int64, or class probabilities of the input's shape.

    Example::

        >>> CrossEntropyLoss()(cl.tensor([[2.0, 0.0]]), cl.tensor([0]))
        tensor(0.1269)
    """
    __constants__ = ["ignore_index", "reduction", "label_smoothing"]

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    r"""Binary cross entropy of probabilities in [0, 1]:
    :math:`l_n = -w_n [y_n \log x_n + (1 - y_n) \log(1 - x_n)]`, each log clamped at -100.

    Args:
        weight: rescaling weight broadcast to the input.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> BCELoss()(cl.tensor([0.5]), cl.tensor([1.0]))
        tensor(0.6931)
    """
    __constants__ = ["reduction"]

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid and binary cross entropy in one stable step:
    :math:`l_n = -w_n [p\, y_n \log \sigma(x_n) + (1 - y_n) \log(1 - \sigma(x_n))]`.

    Args:
        weight: rescaling weight broadcast to the input.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.
        pos_weight: weight p of the positive examples, broadcast along the class dimension.

    Example::

        >>> BCEWithLogitsLoss()(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Smooth L1: :math:`0.5 d^2 / \beta` where :math:`|d| < \beta`, else :math:`|d| - 0.5\beta`.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.
        beta: the threshold between the L2 and L1 parts (default 1.0; 0 gives L1).

    Example::

        >>> SmoothL1Loss()(cl.tensor([0.5, 3.0]), cl.tensor([0.0, 0.0]))
        tensor(1.3125)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Huber: :math:`0.5 d^2` where :math:`|d| < \delta`, else :math:`\delta(|d| - 0.5\delta)`.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.
        delta: the threshold (default 1.0, must be positive).

    Example::

        >>> HuberLoss(delta=2.0)(cl.tensor([0.5, 3.0]), cl.tensor([0.0, 0.0]))
        tensor(2.0625)
    """
    __constants__ = ["reduction", "delta"]

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class PoissonNLLLoss(_Loss):
    r"""Poisson negative log likelihood: ``exp(x) - y x`` (``log_input``) or ``x - y log(x + eps)``.

    Args:
        log_input: the input is the log of the rate (default True).
        full: add the Stirling term ``y log y - y + 0.5 log(2 pi y)`` (for y > 1).
        eps: keeps ``log(x + eps)`` finite when ``log_input=False`` (default 1e-8).
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> PoissonNLLLoss()(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(1.)
    """
    __constants__ = ["log_input", "full", "eps", "reduction"]

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    r"""Gaussian negative log likelihood:
    :math:`0.5 (\log \max(var, eps) + (x - y)^2 / \max(var, eps))` (+ 0.5 log 2 pi if ``full``).

    Args:
        full: include the constant term (default False).
        eps: clamp of ``var`` (gradient passes unchanged; default 1e-6).
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Shape: input (N, *); target like input; var like input, one dimension less, a size-1
    dimension, or a float.

    Example::

        >>> GaussianNLLLoss()(cl.tensor([1.0]), cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.5000)
    """
    __constants__ = ["full", "eps", "reduction"]

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence: :math:`l_n = y_n (\log y_n - x_n)` for log-probabilities x.

    Args:
        reduction: ``'none'`` | ``'batchmean'`` (sum / batch size: the real KL divergence) |
            ``'sum'`` | ``'mean'`` (default; divides by every element and warns).
        log_target: the target is given as log-probabilities too (default False).

    Example::

        >>> KLDivLoss(reduction="batchmean")(cl.tensor([[-0.5, -1.0]]), cl.tensor([[0.5, 0.5]]))
        tensor(0.0569)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    r"""Ranking loss :math:`\max(0, -y (x_1 - x_2) + margin)`, y = 1 wants x1 above x2.

    Args:
        margin: default 0.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> MarginRankingLoss()(cl.tensor([1.0]), cl.tensor([2.0]), cl.tensor([1.0]))
        tensor(1.)
    """
    __constants__ = ["margin", "reduction"]

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    r"""``x`` where y = 1 and :math:`\max(0, \Delta - x)` where y = -1 (x: a distance).

    Args:
        margin: :math:`\Delta` (default 1.0).
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> HingeEmbeddingLoss()(cl.tensor([0.3, 0.3]), cl.tensor([1.0, -1.0]))
        tensor(0.5000)
    """
    __constants__ = ["margin", "reduction"]

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-class multi-label hinge loss; the target lists label indices, padded with -1:
    :math:`\sum_{j, i} \max(0, 1 - (x[y_j] - x[i])) / C` over labels j and non-labels i.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> MultiLabelMarginLoss()(cl.tensor([[0.1, 0.2, 0.4, 0.8]]), cl.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    r"""Two-class logistic loss :math:`\log(1 + \exp(-y x))`, y in {1, -1}.

    Args:
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> SoftMarginLoss()(cl.tensor([0.0]), cl.tensor([1.0]))
        tensor(0.6931)
    """
    __constants__ = ["reduction"]

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""Multi-label one-versus-all logistic loss, averaged over the C classes per sample.

    Args:
        weight: (C,) rescaling weight per class.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> MultiLabelSoftMarginLoss()(cl.tensor([[0.0, 0.0]]), cl.tensor([[1.0, 0.0]]))
        tensor(0.6931)
    """
    __constants__ = ["reduction"]

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    r"""``1 - cos(x1, x2)`` where y = 1 and :math:`\max(0, \cos(x_1, x_2) - margin)` where y = -1.

    Args:
        margin: in [-1, 1], [0, 0.5] suggested (default 0).
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> CosineEmbeddingLoss()(cl.tensor([[1.0, 0.0]]), cl.tensor([[0.0, 1.0]]), cl.tensor([1.0]))
        tensor(1.)
    """
    __constants__ = ["margin", "reduction"]

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss :math:`\sum_{i \ne y} w_y \max(0, margin - x[y] + x[i])^p / C`.

    Args:
        p: 1 (default) or 2.
        margin: default 1.0.
        weight: (C,) rescaling weight per class.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> MultiMarginLoss()(cl.tensor([[0.1, 0.2, 0.4, 0.8]]), cl.tensor([3]))
        tensor(0.3250)
    """
    __constants__ = ["p", "margin", "reduction"]

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    r"""Triplet loss :math:`\max(d(a, p) - d(a, n) + margin, 0)`, d the pairwise p-norm distance.

    Args:
        margin: default 1.0.
        p: norm degree (default 2).
        eps: added to the difference before the norm (default 1e-6).
        swap: use :math:`\min(d(a, n), d(p, n))` as the negative distance (default False).
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> TripletMarginLoss()(cl.zeros(1, 2), cl.zeros(1, 2), cl.ones(1, 2))
        tensor(0.)
    """
    __constants__ = ["margin", "p", "eps", "swap", "reduction"]

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    r"""Triplet loss with any distance: :math:`\max(d(a, p) - d(a, n) + margin, 0)`.

    Args:
        distance_function: ``d(x1, x2) -> Tensor`` (default: pairwise_distance).
        margin: default 1.0 (must be positive).
        swap: use :math:`\min(d(a, n), d(p, n))` as the negative distance.
        reduction: ``'none'`` | ``'mean'`` (default) | ``'sum'``.

    Example::

        >>> TripletMarginWithDistanceLoss()(cl.zeros(1, 2), cl.zeros(1, 2), cl.ones(1, 2))
        tensor(0.)
    """
    __constants__ = ["margin", "swap", "reduction"]

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than "
                             f"0, got {margin} instead")
        self.distance_function = distance_function if distance_function is not None \
            else F.pairwise_distance
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    r"""Connectionist Temporal Classification loss (alignment-free sequence labelling).

    Args:
        blank: index of the blank label (default 0).
        reduction: ``'none'`` | ``'mean'`` (default; each loss divided by its target length,
            then averaged over the batch) | ``'sum'``.
        zero_infinity: replace the infinite losses of impossible alignments (and their
            gradients) by zero (default False).

    Shape: log_probs (T, N, C) or (T, C), log-softmax outputs; targets (N, S) padded or
    (sum(target_lengths),) concatenated; input_lengths, target_lengths (N,) tensors or tuples.

    Example::

        >>> lp = cl.randn(50, 16, 20).log_softmax(2).requires_grad_()
        >>> targets = cl.randint(1, 20, (16, 30))
        >>> CTCLoss()(lp, targets, (50,) * 16, cl.randint(10, 30, (16,))).backward()
    """
    __constants__ = ["blank", "reduction"]

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
