"""Matrix products. matmul is the one primitive; mm, bmm, mv, dot, outer, addmm compose it."""
import numpy as np

from corelib.autograd import Function
from corelib import _dtype as D
from corelib import _tensor as T

Tensor = T.Tensor


class MatMul(Function):
    def forward(self, a, b):
        self.retain_inputs(0, 1)
        return self.xp.matmul(a, b)

    def backward(self, gy):
        a, b = self.saved_inputs()
        na, nb = self.needs_input_grad
        a1, b1 = a.dim() == 1, b.dim() == 1
        if a1 and b1:
            return (gy * b if na else None), (gy * a if nb else None)
        a2 = a.unsqueeze(0) if a1 else a
        b2 = b.unsqueeze(-1) if b1 else b
        g2 = gy
        if a1:
            g2 = g2.unsqueeze(-2)
        if b1:
            g2 = g2.unsqueeze(-1)
        ga = gb = None
        if na:
            ga = g2 @ b2.mT
            if a1:
                ga = ga.reshape(-1, ga.shape[-1]).sum(0) if ga.dim() > 2 else ga.squeeze(0)
        if nb:
            gb = a2.mT @ g2
            if b1:
                gb = gb.reshape(-1, gb.shape[-2]).sum(0) if gb.dim() > 2 else gb.squeeze(-1)
        return ga, gb


def matmul(input, other, *, out=None):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    if input.dim() == 0 or other.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.dim()}D and {other.dim()}D")
    ka = input.shape[-1]
    kb = other.shape[-2] if other.dim() > 1 else other.shape[0]
    if ka != kb:
        sa = "x".join(map(str, input.shape[-2:] if input.dim() > 1 else (1,) + tuple(input.shape)))
        sb = "x".join(map(str, other.shape[-2:] if other.dim() > 1 else tuple(other.shape) + (1,)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != {other.dtype}")
    r = MatMul.apply(input, other)
    if r.grad_fn is not None and input.dim() <= 2 and other.dim() <= 2:
        from corelib.ops._util import named
        named(r, "DotBackward0" if input.dim() == 1 and other.dim() == 1 else
              "MmBackward0" if input.dim() == 2 and other.dim() == 2 else "MvBackward0"
              if input.dim() == 2 else "SqueezeBackward4")
    if out is not None:
        from corelib.ops.inplace import copy_into_out
        return copy_into_out(out, r)
    return r


def mm(input, mat2, *, out=None):
    if input.dim() != 2:
        raise RuntimeError(f"self must be a matrix (got a {input.dim()}D tensor)")
    if mat2.dim() != 2:
        raise RuntimeError(f"mat2 must be a matrix (got a {mat2.dim()}D tensor)")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if input.dim() != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (got {input.dim()}D)")
    if mat2.dim() != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor (got {mat2.dim()}D)")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


def mv(input, vec):
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {vec.dim()}")
    return matmul(input, vec)


def dot(input, other):
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return matmul(input, other)


vdot = inner = dot


def outer(input, vec2):
    for name, v in (("self", input), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    r = mm(mat1, mat2)
    if alpha != 1:
        r = r * alpha
    return r + (input * beta if beta != 1 else input) if beta != 0 else r


def addmv(input, mat, vec, *, beta=1, alpha=1):
    r = mv(mat, vec) * alpha if alpha != 1 else mv(mat, vec)
    return r + input * beta if beta != 0 else r


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    r = bmm(batch1, batch2)
    if alpha != 1:
        r = r * alpha
    return r + input * beta if beta != 0 else r


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    r = bmm(batch1, batch2).sum(0)
    if alpha != 1:
        r = r * alpha
    return r + input * beta if beta != 0 else r


def einsum(equation, *operands):
    """einsum composed from permute/reshape/mul/sum/matmul-free broadcasting (differentiable)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    lhs, rhs = eq.split("->") if "->" in eq else (eq, None)
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum(): {len(terms)} operand subscripts but {len(operands)} operands")
    terms, ell = _einsum_ellipsis(eq, terms, operands)
    if rhs is None:
        counts = {}
        for c in "".join(terms):
            counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    rhs = rhs.replace("...", ell)
    letters = []
    for term in terms:
        for c in term:
            if c not in letters:
                letters.append(c)
    for c in rhs:
        if c not in letters:
            raise ValueError(f"einsum(): output subscript {c} does not appear in the inputs")
    full = None
    for term, op in zip(terms, operands):
        if len(term) != op.dim():
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does "
                               f"not match the number of dimensions ({op.dim()}) for operand")
        for c in term:
            if term.count(c) > 1:            # a repeated subscript takes the diagonal
                i, j = term.index(c), term.index(c, term.index(c) + 1)
                op = op.diagonal(0, i, j)
                term = term[:i] + term[i + 1:j] + term[j + 1:] + c
        perm = sorted(range(len(term)), key=lambda i: letters.index(term[i]))
        x = op.permute(perm) if perm != list(range(len(term))) else op
        present = sorted(term, key=letters.index)
        shape = [x.shape[present.index(c)] if c in present else 1 for c in letters]
        x = x.reshape(shape)
        full = x if full is None else full * x
    red = tuple(i for i, c in enumerate(letters) if c not in rhs)
    if red:
        full = full.sum(dim=red)
    kept = [c for c in letters if c in rhs]
    perm = [kept.index(c) for c in rhs]
    return full.permute(perm) if perm != list(range(len(perm))) else full


def _einsum_ellipsis(eq, terms, operands):
    """Replace each '...' by letters unused in eq for the broadcast dims (right-aligned)."""
    if "." not in eq:
        return terms, ""
    n = [op.dim() - (len(t) - 3) if "..." in t else 0 for t, op in zip(terms, operands)]
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in eq]
    ell = "".join(free[:max(n)])
    return [t.replace("...", ell[len(ell) - k:]) for t, k in zip(terms, n)], ell
