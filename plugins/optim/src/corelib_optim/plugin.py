"""Hook implementations of corelib-optim (lazy targets only: nothing is imported here)."""
from corelib.hookspecs import hookimpl

_M = "corelib_optim.optimizers"

_CLASSES = {
    "sgd": f"{_M}:SGD",
    "adagrad": f"{_M}:Adagrad",
    "rmsprop": f"{_M}:RMSprop",
    "adadelta": f"{_M}:Adadelta",
    "adam": f"{_M}:Adam",
    "adamw": f"{_M}:AdamW",
    "adamax": f"{_M}:Adamax",
    "nadam": f"{_M}:NAdam",
    "radam": f"{_M}:RAdam",
    "sparse_adam": f"{_M}:SparseAdam",
    "asgd": f"{_M}:ASGD",
    "rprop": f"{_M}:Rprop",
    "lbfgs": "corelib_optim.lbfgs:LBFGS",
}


@hookimpl
def corelib_register_optimizers():
    return dict(_CLASSES)
