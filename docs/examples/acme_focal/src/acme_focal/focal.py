import corelib
from corelib.nn.modules.loss import _WeightedLoss


def focal_loss(input, target, weight=None, gamma=2.0, reduction="mean"):
    """``-(1 - p_t)^gamma log p_t`` with ``p_t = softmax(input)[target]``; gamma=0 is cross entropy."""
    logp = input.log_softmax(1).gather(1, target.unsqueeze(1)).squeeze(1)
    loss = -(1 - logp.exp()) ** gamma * logp
    if weight is not None:
        loss = loss * weight[target]
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


class FocalLoss(_WeightedLoss):
    """Focal loss for class imbalance: :math:`-(1 - p_t)^\\gamma \\log p_t`.

    Args:
        weight: (C,) weight per class.
        gamma: focusing parameter (default 2; 0 gives cross entropy).
        reduction: 'none' | 'mean' (default) | 'sum'.

    Example::

        >>> FocalLoss()(corelib.randn(4, 5), corelib.tensor([0, 1, 2, 3]))
    """

    def __init__(self, weight=None, gamma=2.0, reduction="mean"):
        super().__init__(weight, reduction=reduction)
        self.gamma = gamma

    def forward(self, input, target):
        return focal_loss(input, target, self.weight, self.gamma, self.reduction)
