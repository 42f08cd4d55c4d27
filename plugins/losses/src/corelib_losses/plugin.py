"""Hook implementations of corelib-losses (lazy targets only: nothing is imported here)."""
from corelib.hookspecs import hookimpl

_CLASSES = {
    "cross_entropy": "CrossEntropyLoss",
    "nll": "NLLLoss",
    "bce": "BCELoss",
    "bce_with_logits": "BCEWithLogitsLoss",
    "l1": "L1Loss",
    "mse": "MSELoss",
    "smooth_l1": "SmoothL1Loss",
    "huber": "HuberLoss",
    "poisson_nll": "PoissonNLLLoss",
    "gaussian_nll": "GaussianNLLLoss",
    "kl_div": "KLDivLoss",
    "margin_ranking": "MarginRankingLoss",
    "multi_label_margin": "MultiLabelMarginLoss",
    "soft_margin": "SoftMarginLoss",
    "multi_label_soft_margin": "MultiLabelSoftMarginLoss",
    "multi_margin": "MultiMarginLoss",
    "triplet_margin": "TripletMarginLoss",
    "triplet_margin_with_distance": "TripletMarginWithDistanceLoss",
    "hinge_embedding": "HingeEmbeddingLoss",
    "cosine_embedding": "CosineEmbeddingLoss",
    "ctc": "CTCLoss",
}

FUNCTIONS = (
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "poisson_nll_loss", "gaussian_nll_loss",
    "kl_div", "margin_ranking_loss", "multilabel_margin_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "ctc_loss",
)


@hookimpl
def corelib_register_losses():
    return {name: f"corelib_losses.modules:{cls}" for name, cls in _CLASSES.items()}


# NOTE: optionalhook: while corelib.hookspecs has no corelib_register_functional spec, pluggy's
# check_pending() would otherwise reject the whole plugin (and with it every loss).
@hookimpl(optionalhook=True)
def corelib_register_functional():
    return {name: f"corelib_losses.functional:{name}" for name in FUNCTIONS}
