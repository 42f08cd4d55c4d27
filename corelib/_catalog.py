"""Static knowledge about corelib's component kinds and first-party bundles.

Nothing here imports anything heavy: the registry reads this module to name the kinds and
hooks, and to turn a miss into "provided by corelib-losses, which is not installed".

``CATALOG`` maps ``(kind, name)`` to the first-party distribution that provides it. A bundle
that adds a public name should add it here too; ``corelib.testing.check_plugin`` reports a
first-party name missing from the catalog.
"""
from __future__ import annotations

import re

__all__ = ["KINDS", "KIND_HOOKS", "BUNDLES", "BUNDLE_DIRS", "CATALOG", "snake_case"]

#: The component kinds, in display order.
KINDS = ("layer", "loss", "optimizer", "scheduler", "initializer", "transform", "logger", "dataset",
         "functional")

#: kind -> name of the pluggy hook that collects it (see corelib/hookspecs.py).
KIND_HOOKS = {
    "layer": "corelib_register_layers",
    "loss": "corelib_register_losses",
    "optimizer": "corelib_register_optimizers",
    "scheduler": "corelib_register_schedulers",
    "initializer": "corelib_register_initializers",
    "transform": "corelib_register_transforms",
    "logger": "corelib_register_loggers",
    "dataset": "corelib_register_datasets",
    "functional": "corelib_register_functional",
}

#: kind -> the first-party distribution that provides it.
BUNDLES = {
    "layer": "corelib-layers",
    "loss": "corelib-losses",
    "optimizer": "corelib-optim",
    "scheduler": "corelib-schedulers",
    "initializer": "corelib-init",
    "transform": "corelib-transforms",
    "logger": "corelib-loggers",
    "dataset": "corelib-datasets",
    "functional": "corelib-losses",
}

#: distribution -> its folder under plugins/ in a source checkout.
BUNDLE_DIRS = {
    "corelib-layers": "layers",
    "corelib-losses": "losses",
    "corelib-optim": "optim",
    "corelib-schedulers": "schedulers",
    "corelib-init": "init",
    "corelib-transforms": "transforms",
    "corelib-loggers": "loggers",
    "corelib-datasets": "datasets",
}

_NAMES = {
    "layer": """
        conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d unfold fold
        max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d
        max_unpool1d max_unpool2d max_unpool3d lp_pool1d lp_pool2d
        adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool3d
        adaptive_avg_pool1d adaptive_avg_pool2d adaptive_avg_pool3d
        linear bilinear identity flatten unflatten
        relu relu6 leaky_relu prelu rrelu elu selu celu gelu silu mish glu sigmoid tanh
        hardtanh hardsigmoid hardswish log_sigmoid softplus softsign softshrink hardshrink
        tanhshrink threshold softmax softmin log_softmax softmax2d
        batch_norm1d batch_norm2d batch_norm3d instance_norm1d instance_norm2d instance_norm3d
        layer_norm group_norm local_response_norm
        dropout dropout1d dropout2d dropout3d alpha_dropout
        embedding
        zero_pad2d constant_pad1d constant_pad2d reflection_pad1d reflection_pad2d
        replication_pad1d replication_pad2d
        upsample upsampling_nearest2d upsampling_bilinear2d pixel_shuffle pixel_unshuffle
    """,
    "loss": """
        cross_entropy nll bce bce_with_logits l1 mse smooth_l1 huber poisson_nll kl_div
        margin_ranking multi_label_margin soft_margin multi_label_soft_margin multi_margin
        triplet_margin hinge_embedding cosine_embedding ctc gaussian_nll
        triplet_margin_with_distance
    """,
    "functional": """
        binary_cross_entropy binary_cross_entropy_with_logits cosine_embedding_loss cross_entropy ctc_loss gaussian_nll_loss hinge_embedding_loss huber_loss kl_div l1_loss margin_ranking_loss mse_loss multi_margin_loss multilabel_margin_loss multilabel_soft_margin_loss nll_loss poisson_nll_loss smooth_l1_loss soft_margin_loss triplet_margin_loss triplet_margin_with_distance_loss
    """,
    "optimizer": """
        sgd adagrad rmsprop adadelta adam adamw adamax nadam radam sparse_adam asgd rprop lbfgs
    """,
    "scheduler": """
        step_lr multi_step_lr exponential_lr cosine_annealing_lr reduce_lr_on_plateau lambda_lr
        multiplicative_lr linear_lr constant_lr cosine_annealing_warm_restarts cyclic_lr
        one_cycle_lr sequential_lr chained_scheduler polynomial_lr
    """,
    "initializer": """
        xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform normal constant
        ones zeros orthogonal eye dirac sparse trunc_normal calculate_gain
    """,
    "transform": """
        to_tensor pil_to_tensor to_pil_image convert_image_dtype normalize resize center_crop random_crop random_resized_crop
        five_crop ten_crop pad random_horizontal_flip random_vertical_flip random_rotation
        random_affine gaussian_blur color_jitter grayscale random_grayscale linear_transformation
        random_erasing lambda random_apply random_choice random_order compose
    """,
    "logger": "summary_writer make_grid save_image summary",
    "dataset": "digits shapes image_folder dataset_folder mnist fashion_mnist cifar10",
}

#: (kind, snake_case_name) -> first-party distribution providing it.
CATALOG: dict[tuple[str, str], str] = {
    (kind, name): BUNDLES[kind] for kind, names in _NAMES.items() for name in names.split()
}

# Words that the generic CamelCase split would cut in the wrong place ("Re_LU",
# "RM_Sprop", "Adam_W"): they stay whole, as in PyTorch's functional names.
_WHOLE_WORDS = (
    "LeakyReLU", "PReLU", "RReLU", "ReLU", "CELU", "GELU", "SELU", "SiLU", "ELU",
    "RMSprop", "AdamW", "NAdam", "RAdam",
)
_WHOLE_RE = re.compile(
    "(" + "|".join(sorted(_WHOLE_WORDS, key=len, reverse=True)) + r")(?=[A-Z0-9_]|$)"
)
_WHOLE_SNAKE = {w: ("leaky_relu" if w == "LeakyReLU" else w.lower()) for w in _WHOLE_WORDS}
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str, kind: str | None = None) -> str:
    """Return the registry key for a class or function name.

    The snake_case of ``name``, dropping a trailing ``Loss`` when ``kind == "loss"`` and a
    trailing ``_`` when ``kind == "initializer"``. Acronyms stay whole, as PyTorch's
    functional names have them::

        >>> snake_case("BCEWithLogitsLoss", "loss"), snake_case("ReduceLROnPlateau")
        ('bce_with_logits', 'reduce_lr_on_plateau')
        >>> snake_case("RMSprop"), snake_case("ReLU6"), snake_case("xavier_uniform_", "initializer")
        ('rmsprop', 'relu6', 'xavier_uniform')
    """
    if kind == "loss" and name.endswith("Loss") and len(name) > 4:
        name = name[:-4]
    elif kind == "initializer" and name.endswith("_") and len(name) > 1:
        name = name.rstrip("_")
    parts = []
    pos = 0
    for m in _WHOLE_RE.finditer(name):
        parts.append(_CAMEL_RE.sub("_", name[pos:m.start()]))
        digit_follows = name[m.end():m.end() + 1].isdigit()  # "ReLU6" -> "relu6"
        parts.append("_" + _WHOLE_SNAKE[m.group(1)] + ("" if digit_follows else "_"))
        pos = m.end()
    parts.append(_CAMEL_RE.sub("_", name[pos:]))
    return re.sub(r"_+", "_", "".join(parts).lower()).strip("_")
