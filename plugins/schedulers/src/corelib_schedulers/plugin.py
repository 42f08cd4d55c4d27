"""Hook implementations of corelib-schedulers (lazy targets only: nothing is imported here)."""
from corelib.hookspecs import hookimpl

_M = "corelib_schedulers.schedulers"

_CLASSES = {
    "step_lr": "StepLR",
    "multi_step_lr": "MultiStepLR",
    "exponential_lr": "ExponentialLR",
    "cosine_annealing_lr": "CosineAnnealingLR",
    "reduce_lr_on_plateau": "ReduceLROnPlateau",
    "lambda_lr": "LambdaLR",
    "multiplicative_lr": "MultiplicativeLR",
    "linear_lr": "LinearLR",
    "constant_lr": "ConstantLR",
    "polynomial_lr": "PolynomialLR",
    "cosine_annealing_warm_restarts": "CosineAnnealingWarmRestarts",
    "cyclic_lr": "CyclicLR",
    "one_cycle_lr": "OneCycleLR",
    "sequential_lr": "SequentialLR",
    "chained_scheduler": "ChainedScheduler",
}


@hookimpl
def corelib_register_schedulers():
    return {name: f"{_M}:{cls}" for name, cls in _CLASSES.items()}
