"""Registry keys (snake_case rule), the static catalog and the hook specs."""
import inspect

import pytest

from corelib import hookspecs
from corelib._catalog import BUNDLE_DIRS, BUNDLES, CATALOG, KIND_HOOKS, KINDS, snake_case

CASES = {
    "BCEWithLogitsLoss": "bce_with_logits", "ReduceLROnPlateau": "reduce_lr_on_plateau",
    "StepLR": "step_lr", "RMSprop": "rmsprop", "AdamW": "adamw", "NAdam": "nadam",
    "RAdam": "radam", "LBFGS": "lbfgs", "SGD": "sgd", "ASGD": "asgd", "Adamax": "adamax",
    "Conv2d": "conv2d", "BatchNorm2d": "batch_norm2d", "ConvTranspose2d": "conv_transpose2d",
    "ReLU6": "relu6", "ReLU": "relu", "PReLU": "prelu", "GELU": "gelu", "CTCLoss": "ctc",
    "KLDivLoss": "kl_div", "xavier_uniform_": "xavier_uniform", "SummaryWriter": "summary_writer",
    "ImageFolder": "image_folder", "CIFAR10": "cifar10", "FashionMNIST": "fashion_mnist",
    "MNIST": "mnist", "ToTensor": "to_tensor", "RandomResizedCrop": "random_resized_crop",
    "MaxPool2d": "max_pool2d", "AdaptiveAvgPool2d": "adaptive_avg_pool2d",
    "GroupNorm": "group_norm", "LocalResponseNorm": "local_response_norm", "SiLU": "silu",
    "ELU": "elu", "SELU": "selu", "CELU": "celu", "RReLU": "rrelu", "LeakyReLU": "leaky_relu",
    "SparseAdam": "sparse_adam", "OneCycleLR": "one_cycle_lr", "CyclicLR": "cyclic_lr",
    "GaussianNLLLoss": "gaussian_nll", "PoissonNLLLoss": "poisson_nll", "NLLLoss": "nll",
    "MultiLabelSoftMarginLoss": "multi_label_soft_margin", "L1Loss": "l1",
    "SmoothL1Loss": "smooth_l1", "MSELoss": "mse", "CrossEntropyLoss": "cross_entropy",
    "ToPILImage": "to_pil_image", "LPPool2d": "lp_pool2d", "Softmax2d": "softmax2d",
    "LogSoftmax": "log_softmax", "CosineAnnealingWarmRestarts": "cosine_annealing_warm_restarts",
    "calculate_gain": "calculate_gain", "make_grid": "make_grid", "MyAdamWrapper": "my_adam_wrapper",
    "UpsamplingBilinear2d": "upsampling_bilinear2d", "MaxUnpool2d": "max_unpool2d",
}


def _kind_for(name):
    if name.endswith("Loss"):
        return "loss"
    return "initializer" if name.endswith("_") else None


@pytest.mark.parametrize("name,expected", sorted(CASES.items()))
def test_snake_case(name, expected):
    assert snake_case(name, _kind_for(name)) == expected


def test_suffixes_are_dropped_only_for_their_kind():
    assert snake_case("TripletMarginLoss", "loss") == "triplet_margin"
    assert snake_case("TripletMarginLoss", "layer") == "triplet_margin_loss"
    assert snake_case("Loss", "loss") == "loss"
    assert snake_case("kaiming_normal_", "initializer") == "kaiming_normal"
    assert snake_case("kaiming_normal_") == "kaiming_normal"  # trailing "_" is stripped anyway


def test_catalog_keys_are_their_own_snake_case_and_bundles_are_known():
    for (kind, name), bundle in CATALOG.items():
        assert kind in KINDS
        assert snake_case(name, kind) == name, name
        assert bundle == BUNDLES[kind] and bundle in BUNDLE_DIRS


def test_catalog_covers_the_notes():
    losses = {n for (k, n) in CATALOG if k == "loss"}
    assert len(losses) == 21  # the 18 of the notes, plus huber, gaussian_nll, triplet_margin_with_distance
    for kind, name in [("optimizer", "lbfgs"), ("scheduler", "reduce_lr_on_plateau"),
                       ("initializer", "calculate_gain"), ("transform", "compose"),
                       ("logger", "summary_writer"), ("dataset", "cifar10"), ("layer", "conv2d"),
                       ("layer", "batch_norm2d"), ("layer", "prelu")]:
        assert (kind, name) in CATALOG


def test_every_kind_has_a_documented_hookspec():
    assert list(KIND_HOOKS) == list(KINDS) and hookspecs.HOOKS == KIND_HOOKS
    specs = {n for n in dir(hookspecs) if n.startswith("corelib_")}
    assert specs == set(KIND_HOOKS.values())
    for kind, hook in KIND_HOOKS.items():
        fn = getattr(hookspecs, hook)
        doc = inspect.getdoc(fn)
        assert doc and "Called at most once" in doc and f'"{kind}"' in doc, hook
        assert not inspect.signature(fn).parameters  # hooks take no arguments
        assert fn.corelib_spec is not None  # marked with hookspec


def test_hookimpl_marker():
    from corelib.hookspecs import hookimpl

    @hookimpl
    def corelib_register_losses():
        return {}

    assert corelib_register_losses.corelib_impl is not None
