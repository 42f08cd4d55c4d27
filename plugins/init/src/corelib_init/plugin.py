"""Hook implementations of corelib-init (lazy targets only: nothing is imported here)."""
from corelib.hookspecs import hookimpl

_M = "corelib_init.init"

# registry key -> function name (the key drops the trailing "_"; the function name is an alias)
_FUNCTIONS = {
    "calculate_gain": "calculate_gain",
    "uniform": "uniform_",
    "normal": "normal_",
    "trunc_normal": "trunc_normal_",
    "constant": "constant_",
    "ones": "ones_",
    "zeros": "zeros_",
    "eye": "eye_",
    "dirac": "dirac_",
    "xavier_uniform": "xavier_uniform_",
    "xavier_normal": "xavier_normal_",
    "kaiming_uniform": "kaiming_uniform_",
    "kaiming_normal": "kaiming_normal_",
    "orthogonal": "orthogonal_",
    "sparse": "sparse_",
}


@hookimpl
def corelib_register_initializers():
    return {name: f"{_M}:{fn}" for name, fn in _FUNCTIONS.items()}
