"""``corelib.optim.lr_scheduler``: the ``LRScheduler`` base class (core) and the schedulers
(kind "scheduler", from the installed schedulers bundle: StepLR, MultiStepLR, ...).

A scheduler adjusts ``group["lr"]`` of its optimizer's param groups once per ``step()``::

    opt = corelib.optim.SGD(net.parameters(), lr=0.1)
    sched = corelib.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # calls opt.step()
        sched.step()          # after opt.step(), as in PyTorch >= 1.1

A subclass implements ``get_lr()`` (the chainable form, from the current ``group["lr"]``) and
optionally ``_get_closed_form_lr()`` (used by ``step(epoch)``).
"""
from __future__ import annotations

import math  # noqa: F401  (subclasses written against this module use it)
import warnings
from weakref import ref

from corelib._registry import facade as _facade
from corelib._tensor import Tensor
from corelib.optim.optimizer import Optimizer

__all__ = ["LRScheduler", "_LRScheduler"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available. Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose.")

_registry_getattr, _registry_dir = _facade(__name__, ("scheduler",))


def __getattr__(name):
    return _registry_getattr(name)


def __dir__():
    return sorted(set(_registry_dir()) | set(globals()))


# --------------------------------------------------------------------------- helpers


def _to_scalar(x):
    if isinstance(x, Tensor):
        return x.item() if x.numel() == 1 else x
    return x


def _format_param(name, optimizer, param):
    """One value per param group: a list/tuple must match the groups, a scalar is repeated."""
    def _copy(p):
        return p.clone() if isinstance(p, Tensor) else p

    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} "
                             f"has {len(param)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
    else:
        param = [param] * len(optimizer.param_groups)
    return list(map(_copy, param))


def _param_groups_val_list(optimizer, key):
    return [g[key].clone() if isinstance(g[key], Tensor) else g[key] for g in optimizer.param_groups]


def _update_param_group_val(param_group, key, val):
    if isinstance(param_group[key], Tensor):
        param_group[key].fill_(_to_scalar(val))
    else:
        param_group[key] = val


def _warn_get_lr_called_within_step(lr_scheduler):
    if not lr_scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, please use "
                      "`get_last_lr()`.", UserWarning, stacklevel=2)


def _check_verbose(verbose):
    if verbose != "deprecated" and verbose:
        warnings.warn("The verbose parameter is deprecated. Please use get_last_lr() to access the "
                      "learning rate.", UserWarning, stacklevel=3)


class _enable_get_lr_call:
    def __init__(self, o):
        self.o = o

    def __enter__(self):
        self.o._get_lr_called_within_step = True
        return self

    def __exit__(self, type, value, traceback):
        self.o._get_lr_called_within_step = False


class _initial_mode:
    def __init__(self, o):
        self.o = o

    def __enter__(self):
        self.o._is_initial = True

    def __exit__(self, type, value, traceback):
        self.o._is_initial = False


def _patch_track_step_called(opt):
    """Wrap ``opt.step`` (on the instance) so schedulers can tell whether it ran: sets
    ``opt._opt_called`` and counts ``opt._step_count``, as PyTorch does."""
    if hasattr(opt.step, "_wrapped_by_lr_sched"):
        return
    opt_ref = ref(opt)
    func = opt.step.__func__
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        o = opt_ref()
        o._opt_called = True
        o._step_count = getattr(o, "_step_count", 0) + 1
        return func.__get__(o, o.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    opt._step_count = 0
    opt.step = wrapper


# --------------------------------------------------------------------------- base class


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Attributes: ``optimizer``, ``last_epoch`` (the index of the last epoch, -1 before the first
    step), ``base_lrs`` (the groups' ``initial_lr``). ``step()`` moves to the next epoch and sets
    the groups' ``lr`` to ``get_lr()``; ``get_last_lr()`` returns what the last step set.
    """

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                initial_lr = group["lr"]
                if isinstance(initial_lr, Tensor):
                    initial_lr = initial_lr.clone()
                group.setdefault("initial_lr", initial_lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        f"scheduler with last_epoch >= 0.\nThis typically happens when:\n1. You're "
                        f"trying to resume training from a checkpoint but haven't properly loaded "
                        f"the optimizer state\n2. You're using last_epoch >= 0 for a fresh training "
                        f"run (not recommended)")
        self.base_lrs = _param_groups_val_list(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _patch_track_step_called(self.optimizer)
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        with _initial_mode(self):
            self.step()

    def state_dict(self):
        """The scheduler's state: every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates set by the last ``step()`` (one per param group)."""
        return self._last_lr

    def get_lr(self):
        """Compute the learning rates of the current epoch (subclasses implement it)."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance one epoch (``epoch`` is deprecated: it selects the closed form)."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(
                    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
                    "initialization. Please, make sure to call `optimizer.step()` before "
                    "`lr_scheduler.step()`. See more details at "
                    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                    UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(
                    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch "
                    "1.1.0 and later, you should call them in the opposite order: `optimizer.step()` "
                    "before `lr_scheduler.step()`.  Failure to do this will result in PyTorch "
                    "skipping the first value of the learning rate schedule. See more details at "
                    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                    UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        with _enable_get_lr_call(self):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                if hasattr(self, "_get_closed_form_lr"):
                    values = self._get_closed_form_lr()
                else:
                    values = self.get_lr()
        for param_group, lr in zip(self.optimizer.param_groups, values):
            _update_param_group_val(param_group, "lr", lr)
        self._last_lr = _param_groups_val_list(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """Deprecated alias of :class:`LRScheduler` (the notes' name)."""
