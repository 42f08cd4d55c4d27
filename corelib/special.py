"""corelib.special: torch.special's names (implemented in corelib/ops/extra_linalg.py)."""
from corelib.ops.elementwise import erf, exp2, expm1, log1p, xlogy
from corelib.ops.reduce import logsumexp, softmax, log_softmax
from corelib.ops.extra_linalg import (
    lgamma as gammaln, digamma, polygamma, erfc, erfcx, erfinv, i0, i0e, i1, i1e, expit, logit,
    xlog1py, log_ndtr, ndtr, ndtri, sinc, entr, zeta, multigammaln, _special_round as round)

psi = digamma

__all__ = ["erf", "erfc", "erfcx", "erfinv", "exp2", "expm1", "log1p", "xlogy", "xlog1py",
           "logsumexp", "softmax", "log_softmax", "gammaln", "digamma", "psi", "polygamma",
           "multigammaln", "i0", "i0e", "i1", "i1e", "expit", "logit", "log_ndtr", "ndtr", "ndtri",
           "sinc", "entr", "zeta", "round"]
