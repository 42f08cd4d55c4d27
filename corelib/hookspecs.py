"""The hook specifications of corelib's plugin system.

A plugin is a module (found through the ``corelib.plugins`` entry-point group) that
implements some of the hooks below with the :data:`hookimpl` marker::

    # acme_losses/plugin.py
    from corelib import hookimpl

    @hookimpl
    def corelib_register_losses():
        return {"focal": "acme_losses.focal:FocalLoss"}

There is one hook per component kind. Every hook takes no arguments and returns a
mapping ``{snake_case_name: target}`` (or ``None`` for "nothing"), where ``target`` is
either the class / function itself or a lazy ``"module:attr"`` string that the registry
imports the first time the component is asked for. Prefer lazy strings: they keep
``corelib.registry.list(...)`` and the first registry use fast, and a broken component
then breaks only itself.

Each hook is called at most once per process, the first time its kind is used
(``registry.get`` / ``registry.list`` / a facade such as ``corelib.nn.Conv2d``).
The registry calls each plugin's implementation separately, so it always knows which
plugin supplied which name; results are not merged by pluggy.

Names are the snake_case of the class or function name, dropping a trailing ``Loss`` for
losses and a trailing ``_`` for initializers ("cross_entropy", "adamw", "step_lr",
"xavier_uniform", "conv2d"); see :func:`corelib._catalog.snake_case`. The class or
function name itself (for lazy targets, the part after ``:``) becomes an alias
automatically, so ``registry.get("loss", "FocalLoss")`` works too.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Union

import pluggy

from corelib._catalog import KIND_HOOKS

__all__ = ["hookspec", "hookimpl", "Target", "HOOKS"]

PROJECT = "corelib"

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marker for corelib's own hook specifications (used only in this module)."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marker to be imported and used in plugins: ``from corelib import hookimpl``."""

Target = Union[str, Callable[..., Any], type]
"""A component: the class or function itself, or a lazy ``"module:attr"`` string."""


@hookspec
def corelib_register_layers() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the layers (``nn.Module`` subclasses) this plugin provides.

    Kind ``"layer"``; reached as ``corelib.nn.<ClassName>`` and
    ``corelib.registry.get("layer", name)``. Names like ``"conv2d"``, ``"batch_norm2d"``,
    ``"relu"``. Called at most once, the first time the ``"layer"`` kind is used.
    """


@hookspec
def corelib_register_losses() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the loss classes this plugin provides.

    Kind ``"loss"``; reached as ``corelib.nn.<ClassName>`` and
    ``corelib.registry.get("loss", name)``. The name drops a trailing ``Loss``:
    ``TripletMarginLoss`` -> ``"triplet_margin"``. Called at most once, the first time the
    ``"loss"`` kind is used.
    """


@hookspec
def corelib_register_optimizers() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the optimizers (``optim.Optimizer`` subclasses) provided.

    Kind ``"optimizer"``; reached as ``corelib.optim.<ClassName>``. Names like ``"sgd"``,
    ``"adamw"``, ``"rmsprop"``, ``"lbfgs"``. Called at most once, the first time the
    ``"optimizer"`` kind is used.
    """


@hookspec
def corelib_register_schedulers() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the learning-rate schedulers this plugin provides.

    Kind ``"scheduler"``; reached as ``corelib.optim.lr_scheduler.<ClassName>``. Names like
    ``"step_lr"``, ``"reduce_lr_on_plateau"``. Called at most once, the first time the
    ``"scheduler"`` kind is used.
    """


@hookspec
def corelib_register_initializers() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the weight initializers (functions) this plugin provides.

    Kind ``"initializer"``; reached as ``corelib.nn.init.<function_name>``. The name drops
    the trailing ``_`` of in-place initializers: ``xavier_uniform_`` -> ``"xavier_uniform"``
    (the function name stays an alias). Called at most once, the first time the
    ``"initializer"`` kind is used.
    """


@hookspec
def corelib_register_transforms() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the data transforms this plugin provides.

    Kind ``"transform"``; reached as ``corelib.transforms.<ClassName>``. Names like
    ``"to_tensor"``, ``"random_resized_crop"``, ``"compose"``. Called at most once, the
    first time the ``"transform"`` kind is used.
    """


@hookspec
def corelib_register_loggers() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the loggers and logging helpers this plugin provides.

    Kind ``"logger"``; reached as ``corelib.utils.tensorboard.SummaryWriter`` and
    ``corelib.utils.<function>``. Names like ``"summary_writer"``, ``"make_grid"``,
    ``"summary"``. Called at most once, the first time the ``"logger"`` kind is used.
    """


@hookspec
def corelib_register_datasets() -> Mapping[str, Target]:
    """Return ``{name: target}`` for the datasets (``utils.data.Dataset`` subclasses) provided.

    Kind ``"dataset"``; reached as ``corelib.datasets.<ClassName>``. Names like
    ``"mnist"``, ``"cifar10"``, ``"image_folder"``. Called at most once, the first time the
    ``"dataset"`` kind is used.
    """


@hookspec
def corelib_register_functional() -> Mapping[str, Target]:
    """Return ``{name: target}`` for functions added to ``corelib.nn.functional``.

    Kind ``"functional"``; reached as ``corelib.nn.functional.<name>`` when the core does not
    define the name itself. Names are the PyTorch functional names, e.g. ``"cross_entropy"``,
    ``"mse_loss"``, ``"ctc_loss"``. Called at most once, the first time the ``"functional"``
    kind is used.
    """


#: kind -> hook name (one source of truth, shared with the registry without importing pluggy).
HOOKS = dict(KIND_HOOKS)
