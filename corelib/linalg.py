"""corelib.linalg: torch.linalg's names (implemented in corelib/ops/extra_linalg.py)."""
from corelib.ops.linalg import matmul
from corelib.ops.extra_linalg import (
    LinAlgError, det, slogdet as _slogdet, inv, inv_ex, solve, solve_ex, solve_triangular,
    linalg_cholesky as cholesky, cholesky_ex, linalg_qr as qr, eigh, eigvalsh, linalg_svd as svd,
    svdvals, pinv, matrix_rank, lstsq, vector_norm, matrix_norm, linalg_norm as norm, cond,
    matrix_power, linalg_cross as cross, multi_dot, vecdot, linalg_diagonal as diagonal, vander,
    tensorinv, tensorsolve, matrix_exp, _linalg_slogdet as slogdet)

__all__ = ["LinAlgError", "det", "slogdet", "inv", "inv_ex", "solve", "solve_ex",
           "solve_triangular", "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd",
           "svdvals", "pinv", "matrix_rank", "lstsq", "vector_norm", "matrix_norm", "norm", "cond",
           "matrix_power", "cross", "multi_dot", "vecdot", "diagonal", "vander", "tensorinv",
           "tensorsolve", "matrix_exp", "matmul"]
