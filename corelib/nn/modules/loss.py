"""Loss base classes (the losses themselves come from the losses bundle, kind "loss").

``_Loss(size_average=None, reduce=None, reduction='mean')`` keeps ``self.reduction``; the
deprecated ``size_average`` / ``reduce`` pair is mapped to a reduction as in PyTorch (with a
warning). ``_WeightedLoss`` adds ``weight`` as a buffer (so ``.to()`` moves it and it appears in
``state_dict()``). Other names (``corelib.nn.modules.loss.MSELoss`` ...) resolve through the registry.
"""
import warnings

from corelib.nn.module import Module

__all__ = ["_Loss", "_WeightedLoss", "_Reduction"]


class _Reduction:
    """PyTorch's torch.nn._reduction helpers."""

    @staticmethod
    def get_enum(reduction):
        if reduction == "none":
            return 0
        if reduction == "mean":
            return 1
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.")
            return 1
        if reduction == "sum":
            return 2
        raise ValueError(f"{reduction} is not a valid value for reduction")

    @staticmethod
    def legacy_get_string(size_average, reduce, emit_warning=True):
        warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
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
            warnings.warn(warning.format(ret), stacklevel=3)
        return ret

    @staticmethod
    def legacy_get_enum(size_average, reduce, emit_warning=True):
        return _Reduction.get_enum(_Reduction.legacy_get_string(size_average, reduce, emit_warning))


class _Loss(Module):
    reduction: str

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _Reduction.legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from corelib._registry import facade
    getter, _ = facade(__name__, ("loss",))
    return getter(name)
