"""Elementwise primitives. Binary ops broadcast; the engine reduces broadcast gradients.

The wrappers at the bottom apply PyTorch's type promotion before calling a primitive, so each
primitive sees inputs of one dtype (or a Python scalar, which numpy treats as weak)."""
import builtins
import math

import numpy as np

from corelib.autograd import Function
from corelib import _dtype as D
from corelib import _tensor as T
from corelib.ops._util import float_input, py_scalar, named
from corelib.ops.convert import cast

Tensor = T.Tensor


# ---- binary ---------------------------------------------------------------------------------
def _retain_operands(fn, for_a=(1,), for_b=(0,)):
    """Retain the Tensor operands that backward needs: ``for_a`` are the operands the gradient
    of a uses, ``for_b`` those of b's (0 = a, 1 = b)."""
    ins = fn._inputs
    if ins is None:
        return
    need = set()
    if fn.needs_input_grad[0]:
        need.update(for_a)
    if fn.needs_input_grad[1]:
        need.update(for_b)
    fn.retain_inputs(*sorted(i for i in need if isinstance(ins[i], Tensor)))


def _operands(fn):
    """(a, b) for backward: retained Tensors (version-checked), Python scalars as given, None
    for an operand that was not kept."""
    ins = fn._inputs
    ab = [x if not isinstance(x, Tensor) else None for x in ins[:2]]
    for (i, _), t in zip(fn._retained, fn.saved_inputs()):
        ab[i] = t
    return ab[0], ab[1]


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        _retain_operands(self)
        return a * b

    def backward(self, gy):
        a, b = _operands(self)
        na, nb = self.needs_input_grad
        return (gy * b if na else None), (gy * a if nb else None)


class Div(Function):
    fp_quiet = True

    def forward(self, a, b):
        _retain_operands(self, (1,), (0, 1))
        return a / b

    def backward(self, gy):
        a, b = _operands(self)
        na, nb = self.needs_input_grad
        return (gy / b if na else None), (-gy * a / (b * b) if nb else None)


class Pow(Function):
    fp_quiet = True

    def forward(self, a, b):
        _retain_operands(self, (0, 1), (0, 1))
        if isinstance(b, (int, float)) and not isinstance(a, (int, float)):
            if b == 2:
                return a * a
            if b == 0.5:
                return self.xp.sqrt(a)
        if isinstance(b, np.ndarray) and b.dtype.kind in "iu" and (b < 0).any():
            # integer ** negative integer: 1 for base 1, +-1 for base -1, else 0 (as torch)
            xp = self.xp
            r = xp.power(a, xp.abs(b))
            odd = (xp.abs(b) % 2) == 1
            neg = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0)).astype(r.dtype)
            return xp.where(b < 0, neg, r)
        return self.xp.power(a, b)

    def backward(self, gy):
        a, b = _operands(self)
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, Tensor):
                ga = gy * b * a ** (b - 1)
            elif b == 0:
                ga = gy * 0
            else:
                ga = gy * (b * a ** (b - 1)) if b != 2 else gy * (2 * a)
        if nb:
            if isinstance(a, Tensor):
                # d/db a**b = a**b * log(a), taken as 0 where a == 0 and b >= 0 (as torch)
                out = a ** b
                la = where(a == 0, zeros_like_(a), log(where(a == 0, ones_like_(a), a)))
                gb = gy * out * la
            else:
                gb = gy * (a ** b) * math.log(a) if a > 0 else gy * 0
        return ga, gb


def _minmax_masks(xp, a, b, a_loses):
    """Gradient shares of maximum/minimum: half each on a tie, and (as torch) a NaN on either
    side sends the whole gradient to both operands."""
    half = xp.where(a == b, 0.5, 1.0)
    return half * ~a_loses(a, b), half * ~a_loses(b, a)


class Maximum(Function):
    def forward(self, a, b):
        if not isinstance(a, (int, float, bool)):
            self.save_for_backward(*_minmax_masks(self.xp, a, b, lambda u, v: u < v))
        return self.xp.maximum(a, b)

    def backward(self, gy):
        ma, mb = self.saved_tensors
        return gy * ma.to(gy.dtype), gy * mb.to(gy.dtype)


class Minimum(Function):
    def forward(self, a, b):
        self.save_for_backward(*_minmax_masks(self.xp, a, b, lambda u, v: u > v))
        return self.xp.minimum(a, b)

    def backward(self, gy):
        ma, mb = self.saved_tensors
        return gy * ma.to(gy.dtype), gy * mb.to(gy.dtype)


class Atan2(Function):
    def forward(self, a, b):
        self.retain_inputs(0, 1)
        return self.xp.arctan2(a, b)

    def backward(self, gy):
        a, b = self.saved_inputs()
        d = a * a + b * b
        return gy * b / d, -gy * a / d


class Remainder(Function):
    fp_quiet = True

    def forward(self, a, b):
        self.save_for_backward(np.floor_divide(a, b) if isinstance(self._inputs[1], Tensor) else None) \
            if self._inputs is not None else None
        return self.xp.remainder(a, b)

    def backward(self, gy):
        q, = self.saved_tensors
        return gy, (-gy * q if q is not None else None)


# ---- unary ----------------------------------------------------------------------------------
class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Exp(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_output()
        return self.xp.exp(x)

    def backward(self, gy):
        return gy * self.saved_output()


class Expm1(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_output()
        return self.xp.expm1(x)

    def backward(self, gy):
        return gy * (self.saved_output() + 1)


class Log(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.log(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / x


class Log2(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.log2(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / (x * math.log(2.0))


class Log10(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.log10(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / (x * math.log(10.0))


class Log1p(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.log1p(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / (x + 1)


class Sqrt(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_output()
        return self.xp.sqrt(x)

    def backward(self, gy):
        return gy / (2 * self.saved_output())


class Rsqrt(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_output()
        return 1 / self.xp.sqrt(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * (-0.5) * y * y * y


class Abs(Function):
    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.abs(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * sign(x)


class Sin(Function):
    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.sin(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * cos(x)


class Cos(Function):
    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.cos(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return -gy * sin(x)


class Tan(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_output()
        return self.xp.tan(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * (1 + y * y)


class Asin(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arcsin(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * rsqrt(1 - x * x)


class Acos(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arccos(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return -gy * rsqrt(1 - x * x)


class Atan(Function):
    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arctan(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / (1 + x * x)


class Asinh(Function):
    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arcsinh(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * rsqrt(x * x + 1)


class Acosh(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arccosh(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * rsqrt(x * x - 1)


class Atanh(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.arctanh(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy / (1 - x * x)


class Sinh(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.sinh(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * cosh(x)


class Cosh(Function):
    fp_quiet = True

    def forward(self, x):
        self.retain_inputs(0)
        return self.xp.cosh(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * sinh(x)


class Tanh(Function):
    def forward(self, x):
        self.retain_output()
        return self.xp.tanh(x)

    def backward(self, gy):
        y = self.saved_output()
        return gy * (1 - y * y)


class Sigmoid(Function):
    def forward(self, x):
        self.retain_output()
        xp = self.xp
        # exp(-softplus(-x)): no overflow for large |x|; float16 computed in float32, as torch
        xf = x.astype(np.float32) if x.dtype == np.float16 else x
        return xp.exp(-xp.logaddexp(xf.dtype.type(0), -xf)).astype(x.dtype, copy=False)

    def backward(self, gy):
        y = self.saved_output()
        return gy * y * (1 - y)


class Relu(Function):
    def forward(self, x):
        self.retain_output()
        return self.xp.maximum(x, x.dtype.type(0))

    def backward(self, gy):
        return named(ReluGrad.apply(gy, self.saved_output()), "ThresholdBackwardBackward0")


class ReluGrad(Function):
    """0 where y <= 0 (even for a NaN gradient), else gy (NaN y included): torch's
    threshold_backward; one kernel on cuda."""

    def forward(self, gy, y):
        self.retain_inputs(1)
        if self.xp is np:
            from corelib.ops._special import where_np
            return where_np(y <= 0, gy.dtype.type(0), gy)
        return self.xp.relu_grad(gy, y)

    def backward(self, ggy):
        y, = self.saved_inputs()
        return named(ReluGrad.apply(ggy, y), "ThresholdBackwardBackward0"), None


class Erf(Function):
    def forward(self, x):
        self.retain_inputs(0)
        if self.xp is not np:
            return self.xp.erf(x)
        from corelib.ops._special import erf_np
        return erf_np(x)

    def backward(self, gy):
        x, = self.saved_inputs()
        return gy * (2.0 / math.sqrt(math.pi)) * exp(-(x * x))


class Clamp(Function):
    def forward(self, x, lo, hi):
        xp = self.xp
        mask = None
        if lo is not None and hi is not None:
            out = xp.minimum(xp.maximum(x, lo), hi)
            mask = (x >= lo) & (x <= hi)
        elif lo is not None:
            out = xp.maximum(x, lo)
            mask = x >= lo
        else:
            out = xp.minimum(x, hi)
            mask = x <= hi
        if self._inputs is not None:
            self.save_for_backward(mask | np.isnan(x) if x.dtype.kind == "f" else mask)
            self.lo_hi = (lo, hi)
        return out

    def backward(self, gy):
        mask, = self.saved_tensors
        g = gy * mask
        lo, hi = self._inputs[1], self._inputs[2]
        glo = ghi = None
        if isinstance(lo, Tensor) and self.needs_input_grad[1]:
            glo = gy * (self._inputs[0].detach() < lo.detach())
        if isinstance(hi, Tensor) and self.needs_input_grad[2]:
            ghi = gy * (self._inputs[0].detach() > hi.detach())
        return g, glo, ghi


class NonDiffUnary(Function):
    differentiable = False

    def forward(self, x, name):
        return getattr(self.xp, name)(x)


class NonDiffBinary(Function):
    differentiable = False

    def forward(self, a, b, name):
        return getattr(self.xp, name)(a, b)


# ---- wrappers with torch's promotion ---------------------------------------------------------
_INT_RANGE = {np.dtype(t): (np.iinfo(t).min, np.iinfo(t).max)
              for t in (np.int8, np.int16, np.int32, np.int64, np.uint8)}


def _wrap_int(v, dtype):
    """A Python int outside an integer tensor's range wraps around, as in torch."""
    lo, hi = _INT_RANGE[dtype]
    if lo <= v <= hi:
        return v
    return np.array(v & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(dtype)[()]


def _promote(a, b):
    """Cast tensor operands to torch's result dtype; Python scalars stay Python scalars."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
    elif ta:
        b = py_scalar(b)
        k = a._data.dtype.kind
        if (k == "f" and not isinstance(b, complex)) or type(b) is bool:
            return a, b
        if k in "iu" and type(b) is int:
            return a, _wrap_int(b, a._data.dtype)
        if not isinstance(b, (int, float, bool)):
            if isinstance(b, np.ndarray):
                from corelib._creation import tensor
                return _promote(a, tensor(b))
            raise TypeError(f"unsupported operand type: Tensor and {type(b).__name__}")
    elif tb:
        a = py_scalar(a)
        k = b._data.dtype.kind
        if (k == "f" and not isinstance(a, complex)) or type(a) is bool:
            return a, b
        if k in "iu" and type(a) is int:
            return _wrap_int(a, b._data.dtype), b
        if not isinstance(a, (int, float, bool)):
            raise TypeError(f"unsupported operand type: {type(a).__name__} and Tensor")
    rd = D.result_type(a, b)
    if ta and a._data.dtype != rd.np:
        a = cast(a, rd)
    if tb and b._data.dtype != rd.np:
        b = cast(b, rd)
    if not ta and rd._cat == 2:
        a = float(a)
    if not tb and rd._cat == 2:
        b = float(b)
    return a, b


def _deprecated_alpha(name, other, args):
    """add(input, alpha, other) / sub(...): the old overload of the notes (deprecated in torch)."""
    if len(args) != 1 or not isinstance(args[0], Tensor) or isinstance(other, Tensor):
        raise TypeError(f"{name}() takes 2 positional arguments (input, other); pass alpha= by keyword")
    import warnings
    warnings.warn(f"This overload of {name} is deprecated: {name}(input, alpha, other). Use "
                  f"{name}(input, other, alpha=alpha) instead.", UserWarning, stacklevel=3)
    return other, args[0]


def _check_alpha(a, b, alpha):
    if alpha != 1 and isinstance(alpha, float):
        t = a if isinstance(a, Tensor) else b
        if isinstance(t, Tensor) and t._data.dtype.kind in "iub":
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                               f"point number (got alpha={alpha}); convert the tensors with .float() first.")


def add(input, other, *args, alpha=1, out=None):
    if args:
        alpha, other = _deprecated_alpha("add", other, args)
    a, b = _promote(input, other)
    _check_alpha(a, b, alpha)
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
    if not isinstance(a, Tensor):
        a, b = b, a
    r = Add.apply(a, b) if isinstance(b, Tensor) or b != 0 or a._rg else Add.apply(a, b)
    return _out(r, out)


def _is_bool(x):
    return isinstance(x, bool) or isinstance(x, Tensor) and x._data.dtype == np.bool_


def sub(input, other, *args, alpha=1, out=None):
    if args:
        alpha, other = _deprecated_alpha("sub", other, args)
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    a, b = _promote(input, other)
    _check_alpha(a, b, alpha)
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
    return _out(Sub.apply(a, b), out)


def mul(input, other, *, out=None):
    if isinstance(input, Tensor) and isinstance(other, Tensor) and \
            (input._data.dtype.kind == "b") != (other._data.dtype.kind == "b"):
        a, b = input, other     # x * mask: numpy's result dtype is torch's, without a cast pass
    else:
        a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return _out(Mul.apply(a, b), out)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                             f"but found '{rounding_mode}'")
        a, b = _promote(input, other)
        name = "floor_divide" if rounding_mode == "floor" else None
        ta = a if isinstance(a, Tensor) else b
        if ta._data.dtype.kind == "f":
            q = Div.apply(a, b)
            return _out(floor(q) if rounding_mode == "floor" else trunc(q), out)
        _int_zero_division(b)
        if name:
            return _out(NonDiffBinary.apply(a, b, "floor_divide"), out)
        fa = a._data if isinstance(a, Tensor) else a
        fb = b._data if isinstance(b, Tensor) else b
        from corelib._creation import _wrap
        return _out(_wrap(np.trunc(np.true_divide(fa, fb)).astype(ta._data.dtype), ta.device), out)
    if not D.result_type(input, other).is_floating_point:    # true division of integers
        dd = D.get_default_dtype()
        input = cast(input, dd) if isinstance(input, Tensor) else float(input)
        other = cast(other, dd) if isinstance(other, Tensor) else float(other)
    a, b = _promote(input, other)
    return _out(Div.apply(a, b), out)


true_divide = div


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def _int_zero_division(b):
    if not isinstance(b, Tensor) or b._device is T.CPU:    # (a device check would sync)
        if np.any(np.asarray(b._data if isinstance(b, Tensor) else b) == 0):
            raise RuntimeError("ZeroDivisionError: integer division by zero")


def remainder(input, other, *, out=None):
    a, b = _promote(input, other)
    if not (a if isinstance(a, Tensor) else b).is_floating_point():
        _int_zero_division(b)
    if not isinstance(a, Tensor):
        from corelib._creation import full_like
        a = full_like(b, a)
    return _out(Remainder.apply(a, b), out)


def fmod(input, other, *, out=None):
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod(): argument 'input' must be Tensor, not {type(input).__name__}")
    a, b = _promote(input, other)
    if not a.is_floating_point():
        _int_zero_division(b)
    return _out(sub(a, mul(trunc(div(a, b)), b)) if a.is_floating_point() else
                NonDiffBinary.apply(a, b, "fmod"), out)


def pow(input, exponent, *, out=None):
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        e = py_scalar(exponent)
        if input._data.dtype.kind in "iub" and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if input._data.dtype.kind != "f" and isinstance(e, float):
            input = cast(input, D.get_default_dtype())
        return _out(Pow.apply(input, e), out)
    a, b = _promote(input, exponent)
    if not isinstance(a, Tensor):
        from corelib._creation import full_like
        if b._data.dtype.kind != "f":
            a, b = _promote(a, b)
        return _out(Pow.apply(a, b), out)
    return _out(Pow.apply(a, b), out)


float_power = lambda input, exponent: pow(input.double(), exponent.double() if isinstance(exponent, Tensor) else exponent)


def maximum(input, other, *, out=None):
    a, b = _promote(input, other)
    return _out(Maximum.apply(a, b), out)


def minimum(input, other, *, out=None):
    a, b = _promote(input, other)
    return _out(Minimum.apply(a, b), out)


def fmax(input, other, *, out=None):
    """maximum that ignores a NaN operand (NaN only where both are NaN)."""
    a, b = _promote(input, other)
    a, b = (x if isinstance(x, Tensor) else _scalar_like(x, a if isinstance(a, Tensor) else b) for x in (a, b))
    return _out(where((a >= b) | isnan(b), a, b), out)


def fmin(input, other, *, out=None):
    """minimum that ignores a NaN operand (NaN only where both are NaN)."""
    a, b = _promote(input, other)
    a, b = (x if isinstance(x, Tensor) else _scalar_like(x, a if isinstance(a, Tensor) else b) for x in (a, b))
    return _out(where((a <= b) | isnan(b), a, b), out)


def _scalar_like(v, ref):
    from corelib._creation import _wrap
    return _wrap(np.asarray(v, dtype=ref._data.dtype), ref.device)


def atan2(input, other, *, out=None):
    a, b = _promote(input, other)
    a, b = float_input(a), float_input(b) if isinstance(b, Tensor) else float(b)
    return _out(Atan2.apply(a, b), out)


arctan2 = atan2


def _out(r, out):
    if out is None:
        return r
    from corelib.ops.inplace import copy_into_out
    return copy_into_out(out, r)


def _unary_float(cls):
    def op(input, *, out=None):
        return _out(cls.apply(float_input(input)), out)
    op.__name__ = cls.__name__.lower()
    op.__doc__ = f"Elementwise {cls.__name__.lower()} (integer inputs become the default float dtype)."
    return op


exp = _unary_float(Exp)
expm1 = _unary_float(Expm1)
log = _unary_float(Log)
log2 = _unary_float(Log2)
log10 = _unary_float(Log10)
log1p = _unary_float(Log1p)
sqrt = _unary_float(Sqrt)
rsqrt = _unary_float(Rsqrt)
sin = _unary_float(Sin)
cos = _unary_float(Cos)
tan = _unary_float(Tan)
asin = arcsin = _unary_float(Asin)
acos = arccos = _unary_float(Acos)
atan = arctan = _unary_float(Atan)
asinh = arcsinh = _unary_float(Asinh)
acosh = arccosh = _unary_float(Acosh)
atanh = arctanh = _unary_float(Atanh)
sinh = _unary_float(Sinh)
cosh = _unary_float(Cosh)
tanh = _unary_float(Tanh)
sigmoid = _unary_float(Sigmoid)
erf = _unary_float(Erf)


def exp2(input):
    return pow(2.0, float_input(input))


def neg(input, *, out=None):
    if input.dtype is D.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _out(Neg.apply(input), out)


negative = neg


def abs(input, *, out=None):
    return _out(Abs.apply(input), out)


absolute = abs


def relu(input):
    return Relu.apply(input)


def reciprocal(input, *, out=None):
    return _out(div(1.0, float_input(input)), out)


def square(input, *, out=None):
    return _out(mul(input, input) if input._data.dtype.kind != "b" else mul(input.long(), input.long()), out)


def sign(input, *, out=None):
    if input._data.dtype.kind == "b":
        return _out(input.clone(), out)
    if input._data.dtype.kind == "f":
        return _out(_sign_float(input).nan_to_num(0.0, 1.0, -1.0), out)     # sign(nan) is 0
    return _out(NonDiffUnary.apply(input, "sign"), out)


sgn = sign


def signbit(input):
    return NonDiffUnary.apply(input, "signbit")


def _rounding(name):
    class Round(Function):
        def forward(self, x):
            return getattr(self.xp, name)(x)

        def backward(self, gy):
            return gy * 0
    Round.__name__ = name.capitalize()

    def op(input, *, out=None):
        if input._data.dtype.kind != "f":
            return input.clone()
        return _out(Round.apply(input), out)
    op.__name__ = name
    return op


floor = _rounding("floor")
_sign_float = _rounding("sign")
ceil = _rounding("ceil")
trunc = fix = _rounding("trunc")
_round_half_even = _rounding("round")


def round(input, *, decimals=0, out=None):
    if decimals != 0 and input._data.dtype.kind != "f":
        raise RuntimeError(f"round(decimals={decimals}) needs a floating point tensor, got {input.dtype}")
    if decimals == 0:
        return _round_half_even(input, out=out)
    s = 10.0 ** decimals
    return _out(_round_half_even(input * s) / s, out)


def frac(input):
    _float_only(input, "frac")
    return input - trunc(input)


def _float_only(input, name):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): expected a floating point tensor, got {input.dtype}; "
                           f"convert it with .float() first")


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = x
        if min is not None:
            r = maximum(r, min)
        if max is not None:
            r = minimum(r, max)
        return _out(named(r, "ClampBackward0"), out)
    if x._data.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float)):
        x = cast(x, D.get_default_dtype())
    elif x._data.dtype.kind == "b":
        if builtins.all(isinstance(v, (bool, type(None))) for v in (min, max)):
            raise RuntimeError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
        x = cast(x, D.int64)
    lo = None if min is None else x._data.dtype.type(min)
    hi = None if max is None else x._data.dtype.type(max)
    return _out(named(Clamp.apply(x, lo, hi), "ClampBackward1"), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def where(condition, input=None, other=None):
    from corelib.ops.movement import where as _w
    return _w(condition, input, other)


def zeros_like_(x):
    from corelib._creation import zeros_like
    return zeros_like(x)


def ones_like_(x):
    from corelib._creation import ones_like
    return ones_like(x)


def _deprecated_value(name, tensor1, tensor2, args):
    """addcmul(input, value, tensor1, tensor2): the old overload of the notes."""
    if len(args) != 1 or isinstance(tensor1, Tensor):
        raise TypeError(f"{name}() takes (input, tensor1, tensor2, *, value=1)")
    import warnings
    warnings.warn(f"This overload of {name} is deprecated: {name}(input, value, tensor1, tensor2). "
                  f"Use {name}(input, tensor1, tensor2, value=value) instead.", UserWarning, stacklevel=3)
    return tensor1, tensor2, args[0]


def addcmul(input, tensor1, tensor2, *args, value=1, out=None):
    if args:
        value, tensor1, tensor2 = _deprecated_value("addcmul", tensor1, tensor2, args)
    return _out(named(add(input, mul(tensor1, tensor2), alpha=value), "AddcmulBackward0"), out)


def addcdiv(input, tensor1, tensor2, *args, value=1, out=None):
    if args:
        value, tensor1, tensor2 = _deprecated_value("addcdiv", tensor1, tensor2, args)
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2.")
    return _out(named(add(input, div(tensor1, tensor2), alpha=value), "AddcdivBackward0"), out)


def lerp(input, end, weight):
    _float_only(input, "lerp")
    return input + weight * (end - input)


def hypot(input, other):
    _float_only(input, "hypot")
    return sqrt(input * input + other * other)


def logaddexp(input, other):
    m = maximum(input, other).detach()
    m = where(isinf(m), zeros_like_(m), m)          # both -inf, or one +inf: no inf - inf
    return m + log(exp(input - m) + exp(other - m))


def xlogy(input, other):
    from corelib.ops.movement import where as _w
    if not isinstance(input, Tensor):
        input = _scalar_like(input, float_input(other))
    r = input * log(other)
    return _w((input == 0) & ~isnan(other), zeros_like_(r), r)      # xlogy(0, nan) is nan


# ---- comparisons and logic (no gradient) -----------------------------------------------------
def _cmp(name, sym):
    def op(input, other, *, out=None):
        a, b = _promote(input, other)
        if not isinstance(a, Tensor):
            a, b = b, a
            flip = {"less": "greater", "greater": "less", "less_equal": "greater_equal",
                    "greater_equal": "less_equal"}
            return _out(NonDiffBinary.apply(a, b, flip.get(name, name)), out)
        return _out(NonDiffBinary.apply(a, b, name), out)
    op.__name__ = sym
    return op


eq = _cmp("equal", "eq")
ne = _cmp("not_equal", "ne")
lt = less = _cmp("less", "lt")
le = less_equal = _cmp("less_equal", "le")
gt = greater = _cmp("greater", "gt")
ge = greater_equal = _cmp("greater_equal", "ge")
not_equal = ne


def logical_and(input, other):
    return NonDiffBinary.apply(input, other, "logical_and")


def logical_or(input, other):
    return NonDiffBinary.apply(input, other, "logical_or")


def logical_xor(input, other):
    return NonDiffBinary.apply(input, other, "logical_xor")


def logical_not(input):
    return NonDiffUnary.apply(input, "logical_not")


def _bitwise(name):
    def op(input, other):
        if builtins.any(isinstance(x, float) or isinstance(x, Tensor) and x._data.dtype.kind == "f"
                        for x in (input, other)):
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float' (bitwise ops need "
                               f"integer or bool tensors)")
        a, b = _promote(input, other)
        if not isinstance(a, Tensor):
            a = _scalar_like(a, b)
        return NonDiffBinary.apply(a, b, name)
    return op


bitwise_and = _bitwise("bitwise_and")
bitwise_or = _bitwise("bitwise_or")
bitwise_xor = _bitwise("bitwise_xor")
bitwise_left_shift = _bitwise("left_shift")
bitwise_right_shift = _bitwise("right_shift")


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise RuntimeError("bitwise_not is only supported for integer and boolean tensors")
    return NonDiffUnary.apply(input, "invert")


def isnan(input):
    return NonDiffUnary.apply(input, "isnan")


def isinf(input):
    return NonDiffUnary.apply(input, "isinf")


def isfinite(input):
    return NonDiffUnary.apply(input, "isfinite")


def isposinf(input):
    return isinf(input) & (input > 0)


def isneginf(input):
    return isinf(input) & (input < 0)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    from corelib.ops.movement import where as _w
    info = np.finfo(input._data.dtype) if input._data.dtype.kind == "f" else None
    if info is None:
        return input.clone()
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    r = _w(isnan(input), nan, input)
    r = _w(isposinf(input), posinf, r)
    return _w(isneginf(input), neginf, r)


subtract = sub
multiply = mul
divide = div
