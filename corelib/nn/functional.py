"""corelib.nn.functional: PyTorch's torch.nn.functional on corelib Tensors.

Convolution, transposed convolution, unfold/fold and pooling are dedicated primitives with
numba/BLAS kernels (corelib/nn/_conv.py, _pool.py, _kernels.py); activations that matter for
speed are single primitives; everything else composes differentiable core ops.

Higher-order gradients: convolution, unfold/fold and max/avg pooling support double backward
(their backward passes are themselves differentiable Functions). Piecewise-linear activations
save their slope as a constant (exact for any order); smooth ones recompute their derivative
with Tensor ops under create_graph=True.

Names not defined here (the losses: cross_entropy, mse_loss, ...) resolve through the registry
kind "functional" (see ``__getattr__`` at the end of this module).
"""
import math
import numbers
import warnings

import numpy as np

import corelib
from corelib import _tensor as T
from corelib.autograd import Function, grad_mode
from corelib.ops._util import float_input

Tensor = T.Tensor

__all__ = [
    "linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "unfold", "fold", "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
    "max_unpool2d", "max_unpool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "adaptive_max_pool3d", "pad", "interpolate", "upsample",
    "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu", "elu_",
    "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink", "softshrink",
    "hardshrink", "threshold", "threshold_", "sigmoid", "tanh", "softmax", "softmin",
    "log_softmax", "glu", "normalize", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "batch_norm", "layer_norm", "rms_norm", "instance_norm",
    "group_norm", "local_response_norm", "embedding", "one_hot", "cosine_similarity",
    "pairwise_distance",
]


# ---- helpers ---------------------------------------------------------------------------------
def _wrap(arr, dev=None):
    if dev is not None and dev.type != "cpu":
        from corelib._creation import _wrap as _dwrap
        return _dwrap(arr, dev)
    return T._make(np.asarray(arr), dev if dev is not None else T.CPU)


def _ntuple(v, n, name="argument"):
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(a) for a in v)
        if len(v) == 1 and n > 1:
            return v * n
        if len(v) != n:
            raise ValueError(f"expected {name} to be a single integer value or a list of {n} values "
                             f"to match the convolution dimensions, but got {name}={list(v)}")
        return v
    if isinstance(v, (numbers.Integral, np.integer)):
        return (int(v),) * n
    raise TypeError(f"{name} must be an int or a tuple of {n} ints, not {type(v).__name__}")


def _check_tensor(x, fn, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")


def _shape(t):
    return list(t.shape)


def _inplace_result(x, res):
    from corelib.ops.inplace import check_inplace, commit
    check_inplace(x)
    return commit(x, res)


def _float_check(x, fn):
    if not x.is_floating_point():
        raise NotImplementedError(f"\"{fn}\" not implemented for '{_dtype_name(x)}' (expected a floating "
                                  f"point tensor; convert with .float())")


def _dtype_name(x):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "float16": "Half", "float32": "Float", "float64": "Double"}.get(
        x._data.dtype.name, x._data.dtype.name)


def _bcast_channel(w, ndim):
    """A (C,) tensor shaped to broadcast over (N, C, *sp) of ndim dims."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


# ---- linear ----------------------------------------------------------------------------------
class _Linear(Function):
    """y = x @ w.T + b for 2-d x (one GEMM, bias folded in)."""

    def forward(self, x, w, b):
        self.retain_inputs(0, 1)
        y = x @ w.T
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, w = self.saved_inputs()
        nx, nw, nb = self.needs_input_grad
        gx = gy @ w if nx else None
        gw = gy.T @ x if nw else None
        gb = gy.sum(0) if nb else None
        return gx, gw, gb


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias; input (*, in_features), weight (out, in), bias (out,)."""
    _check_tensor(input, "linear")
    if weight.dim() not in (1, 2):
        raise RuntimeError(f"linear(): weight must be 1-D or 2-D, but got weight of size {_shape(weight)}")
    if input.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and "
                           f"{weight.dim()}D")
    fin = weight.shape[-1]
    if input.shape[-1] != fin:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({'x'.join(map(str, (int(np.prod(input.shape[:-1])), input.shape[-1])))} and "
                           f"{'x'.join(map(str, (weight.shape[-1], weight.shape[0] if weight.dim() == 2 else 1)))})")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name.capitalize()} "
                           f"and {weight.dtype.name.capitalize()}")
    if bias is not None and weight.dim() == 2 and bias.shape not in ((weight.shape[0],), (), (1,)):
        raise RuntimeError(f"linear(): bias of size {_shape(bias)} does not match weight of size "
                           f"{_shape(weight)} (expected [{weight.shape[0]}])")
    if weight.dim() == 2 and input.dim() == 2 and (bias is None or bias.dim() == 1):
        return _Linear.apply(input, weight, bias)
    if weight.dim() == 2 and input.dim() > 2 and (bias is None or bias.dim() == 1):
        lead = tuple(input.shape[:-1])
        y = _Linear.apply(input.reshape(-1, fin), weight, bias)
        return y.reshape(lead + (weight.shape[0],))
    y = corelib.matmul(input, weight.t() if weight.dim() == 2 else weight)
    return y + bias if bias is not None else y


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1 @ W_k @ x2 + b_k; x1 (*, in1), x2 (*, in2), weight (out, in1, in2)."""
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got {_shape(weight)}")
    O, I, J = weight.shape
    if input1.shape[-1] != I:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
                           f"but expected {I}")
    if input2.shape[-1] != J:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
                           f"but expected {J}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {_shape(input1)[:-1]} "
                           f"and {_shape(input2)[:-1]}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, I)
    x2 = input2.reshape(-1, J)
    t = (x1 @ weight.permute(1, 0, 2).reshape(I, O * J)).reshape(-1, O, J)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (O,))


# ---- convolution -----------------------------------------------------------------------------
def _conv_prep(input, weight, bias, n, name, transposed=False, groups=1):
    _check_tensor(input, name)
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got "
                           f"input of size: {_shape(input)}")
    if weight.dim() != n + 2:
        raise RuntimeError(f"Expected {n + 2}-dimensional weight for {name}, but got {weight.dim()}-dimensional "
                           f"weight of size {_shape(weight)}")
    if not input.is_floating_point():
        raise RuntimeError(f"\"{'slow_conv2d_cpu' if not transposed else 'slow_conv_transpose2d_cpu'}\" not "
                           f"implemented for '{_dtype_name(input)}' (convolution needs a floating point input)")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"Input type ({input.dtype.name}) and weight type ({weight.dtype.name}) should be "
                           f"the same; convert one with .to(dtype)")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({input.dtype.name}) and bias type ({bias.dtype.name}) should be the "
                           f"same; convert one with .to(dtype)")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = input.dim() == n + 2
    return (input if batched else input.unsqueeze(0)), batched


def _convnd(input, weight, bias, stride, padding, dilation, groups, n, name):
    from corelib.nn._conv import Conv, ConvParams
    x, batched = _conv_prep(input, weight, bias, n, name, groups=groups)
    stride = _ntuple(stride, n, "stride")
    dilation = _ntuple(dilation, n, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    k = tuple(weight.shape[2:])
    C = x.shape[1]
    O = weight.shape[0]
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {_shape(weight)} instead")
    if weight.shape[1] * groups != C:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape(weight)}, expected input"
                           f"{_shape(x)} to have {weight.shape[1] * groups} channels, but got {C} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given weight of size {_shape(weight)}, expected bias to be 1-dimensional with "
                           f"{O} elements, but got bias of size {_shape(bias)} instead")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            total = [d * (kk - 1) for d, kk in zip(dilation, k)]
            left = [t // 2 for t in total]
            extra = [t - 2 * lft for t, lft in zip(total, left)]
            if any(extra):
                pads = []
                for e in reversed(extra):
                    pads += [0, e]
                x = pad(x, pads)
            padding = tuple(left)
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    else:
        padding = _ntuple(padding, n, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
    sp = x.shape[2:]
    padded = [i + 2 * p for i, p in zip(sp, padding)]
    eff = [d * (kk - 1) + 1 for d, kk in zip(dilation, k)]
    if any(pi < e for pi, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           f"actual input size")
    prm = ConvParams(k, stride, padding, dilation, groups, n)
    y = Conv.apply(x, weight, bias, prm)
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or (C, L) input; weight (O, C/groups, k)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or (C, H, W) input; weight (O, C/groups, kH, kW)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) or (C, D, H, W) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, n, name,
                      output_size=None):
    from corelib.nn._conv import ConvT, ConvParams
    x, batched = _conv_prep(input, weight, bias, n, name, transposed=True, groups=groups)
    stride = _ntuple(stride, n, "stride")
    padding = _ntuple(padding, n, "padding")
    dilation = _ntuple(dilation, n, "dilation")
    output_padding = _ntuple(output_padding, n, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                               f"output_padding: {list(output_padding)}, stride: {list(stride)}, "
                               f"dilation: {list(dilation)}")
    C = x.shape[1]
    if weight.shape[0] != C:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected input {_shape(x)} "
                           f"to have {weight.shape[0]} channels, but got {C} channels instead")
    if C % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {_shape(weight)} instead")
    O = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected bias to be "
                           f"1-dimensional with {O} elements, but got bias of size {_shape(bias)} instead")
    k = tuple(weight.shape[2:])
    sp = x.shape[2:]
    out = [(i - 1) * s - 2 * p + d * (kk - 1) + op + 1
           for i, s, p, d, kk, op in zip(sp, stride, padding, dilation, k, output_padding)]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sp))}). Calculated output size "
                           f"per channel: ({' x '.join(map(str, out))}). Output size is too small")
    prm = ConvParams(k, stride, padding, dilation, groups, n)
    # output_padding >= stride (allowed when < dilation): the backward convolution of the output
    # gradient spans op // stride more input rows than x has; give x that many trailing zero rows
    # (no change to the output) so the gradient is cropped back by pad's backward
    extra = [op // s for op, s in zip(output_padding, stride)]
    if any(extra):
        x = pad(x, [v for e in reversed(extra) for v in (0, e)])
    y = ConvT.apply(x, weight, prm, tuple(out))
    if bias is not None:
        y = y + _bcast_channel(bias, y.dim())
    return y if batched else y.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-d convolution; weight (C_in, C_out/groups, k)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                             "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-d convolution; weight (C_in, C_out/groups, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                             "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 3-d convolution; weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                             "conv_transpose3d")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kH*kW, L) (im2col)."""
    from corelib.nn._conv import Unfold, ConvParams
    _check_tensor(input, "unfold")
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    k = _ntuple(kernel_size, 2, "kernel_size")
    d = _ntuple(dilation, 2, "dilation")
    p = _ntuple(padding, 2, "padding")
    s = _ntuple(stride, 2, "stride")
    if any(v <= 0 for v in k + d + s) or any(v < 0 for v in p):
        raise RuntimeError(f"unfold(): kernel_size, dilation and stride must be positive and padding "
                           f"non-negative, but got kernel_size={list(k)}, dilation={list(d)}, "
                           f"padding={list(p)}, stride={list(s)}")
    prm = ConvParams(k, s, p, d, 1, 2)
    out = prm.out_sp((1,) + tuple(x.shape[2:]))[1:]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size={list(k)}, "
                           f"dilation={list(d)}, padding={list(p)}, calculated shape of the array of sliding "
                           f"blocks as ({out[0]}, {out[1]}), but its components must be at least one.")
    y = Unfold.apply(x, prm)
    return y if batched else y.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks: (N, C*kH*kW, L) -> (N, C, *output_size), summing overlaps (col2im)."""
    from corelib.nn._conv import Fold, ConvParams
    _check_tensor(input, "fold")
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                                  f"supported (got {input.dim()}D)")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    os_ = _ntuple(output_size, 2, "output_size")
    k = _ntuple(kernel_size, 2, "kernel_size")
    d = _ntuple(dilation, 2, "dilation")
    p = _ntuple(padding, 2, "padding")
    s = _ntuple(stride, 2, "stride")
    K = k[0] * k[1]
    if x.shape[1] % K:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={k}")
    prm = ConvParams(k, s, p, d, 1, 2)
    blocks = prm.out_sp((1,) + os_)[1:]
    L = blocks[0] * blocks[1]
    if x.shape[2] != L:
        raise RuntimeError(f"Given output_size={os_}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {L}, but got input.size(2)={x.shape[2]}.")
    y = Fold.apply(x.contiguous(), prm, os_)
    return y if batched else y.squeeze(0)


# ---- pooling ---------------------------------------------------------------------------------
def _pool_input(input, n, name):
    _check_tensor(input, name)
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got: {_shape(input)}" if n > 1 else
                           f"{name}() Expected 2D or 3D input tensor, but got {_shape(input)}")
    if any(s == 0 for s in input.shape[1 if input.dim() == n + 2 else 0:]):
        raise RuntimeError(f"{name}: Expected input's non-batch dimensions to have positive length, but "
                           f"input has a shape of {_shape(input)}")
    batched = input.dim() == n + 2
    x = input if batched else input.unsqueeze(0)
    N, C = x.shape[:2]
    sp3 = (1,) * (3 - n) + tuple(x.shape[2:])
    return x.reshape((N, C) + sp3), batched, N, C


def _pool_out(i, k, s, p, d, ceil_mode):
    num = i + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


def _pool_args(kernel_size, stride, padding, dilation, n, name):
    k = _ntuple(kernel_size, n, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _ntuple(stride, n, "stride")
    p = _ntuple(padding, n, "padding")
    d = _ntuple(dilation, n, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {list(k)}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {list(s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {list(d)}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0:
            raise RuntimeError(f"{name}: padding must be non-negative, but got {list(p)}")
        if pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    return k, s, p, d


def _finish_pool(y, batched, n):
    N, C = y.shape[:2]
    y = y.reshape((N, C) + tuple(y.shape[5 - n:]))
    return y if batched else y.squeeze(0)


def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, n, name):
    from corelib.nn._pool import MaxPool
    from corelib.nn._kernels import window_arrays
    x5, batched, N, C = _pool_input(input, n, name)
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation, n, name)
    sp = x5.shape[5 - n:]
    out = [_pool_out(i, kk, ss, pp, dd, ceil_mode) for i, kk, ss, pp, dd in zip(sp, k, s, p, d)]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, [C] + list(sp)))}). Calculated output size: "
                           f"({'x'.join(map(str, [C] + out))}). Output size is too small")
    pad3 = (3 - n)
    wins = [window_arrays(1, 1, 1, 1, 0, 1)] * pad3 + \
        [window_arrays(i, o, kk, ss, pp, dd) for i, o, kk, ss, pp, dd in zip(sp, out, k, s, p, d)]
    dil = (1,) * pad3 + d
    o3 = (1,) * pad3 + tuple(out)
    y = MaxPool.apply(x5, wins, dil, (N, C) + o3)
    res = _finish_pool(y, batched, n)
    if return_indices:
        fn = y.grad_fn
        idx = getattr(fn, "idx", None) if fn is not None else None
        if idx is None:   # no graph recorded: recompute the indices
            from corelib.nn._kernels import max_pool
            xa = x5.detach()._data
            _, idx = max_pool(xa.reshape((N * C,) + xa.shape[2:]), wins, dil)
        ind = _wrap(idx.reshape((N, C) + tuple(out)), x5.device)
        return res, (ind if batched else ind.squeeze(0))
    return res


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L)."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W); return_indices gives flat H*W argmax indices."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n, name):
    from corelib.nn._pool import AvgPool
    from corelib.nn._kernels import window_arrays
    x5, batched, N, C = _pool_input(input, n, name)
    k, s, p, _ = _pool_args(kernel_size, stride, padding, 1, n, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sp = x5.shape[5 - n:]
    out = [_pool_out(i, kk, ss, pp, 1, ceil_mode) for i, kk, ss, pp in zip(sp, k, s, p)]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, [C] + list(sp)))}). Calculated output size: "
                           f"({'x'.join(map(str, [C] + out))}). Output size is too small")
    pad3 = 3 - n
    wins = [window_arrays(1, 1, 1, 1, 0, 1)] * pad3
    divs = [np.ones(1)] * pad3
    for i, o, kk, ss, pp in zip(sp, out, k, s, p):
        st, lo, hi = window_arrays(i, o, kk, ss, pp, 1)
        wins.append((st, lo, hi))
        if count_include_pad:
            divs.append((np.minimum(st + kk, i + pp) - st).astype(np.float64))
        else:
            divs.append((hi - lo).astype(np.float64))
    o3 = (1,) * pad3 + tuple(out)
    y = AvgPool.apply(x5, wins, divs, divisor_override, (N, C) + o3)
    return _finish_pool(y, batched, n)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x**p) ** (1/p)."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    k = kernel_size[0] if isinstance(kernel_size, (list, tuple)) else kernel_size
    return (out.sign() * relu(out.abs())).mul(k).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over 2-d windows: (sum of x**p) ** (1/p)."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kh * kw).pow(1.0 / norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over 3-d windows: (sum of x**p) ** (1/p)."""
    kd, kh, kw = (kernel_size,) * 3 if isinstance(kernel_size, int) else tuple(kernel_size)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kd * kh * kw).pow(1.0 / norm_type)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-d average pooling over (N, C, L) or (C, L)."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-d average pooling over (N, C, H, W) or (C, H, W)."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                       "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                       "avg_pool3d")


def _adaptive_size(output_size, sp, n):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            raise ValueError(f"adaptive pool: output_size must have {n} elements, got {output_size}")
        return tuple(int(i) if o is None else int(o) for o, i in zip(output_size, sp))
    return (int(output_size),) * n


def _adaptive_poolnd(input, output_size, n, name, is_max, return_indices=False):
    from corelib.nn._pool import AvgPool, MaxPool
    from corelib.nn._kernels import adaptive_arrays
    x5, batched, N, C = _pool_input(input, n, name)
    sp = x5.shape[5 - n:]
    out = _adaptive_size(output_size, sp, n)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but "
                           f"received {list(out)}")
    pad3 = 3 - n
    wins = [adaptive_arrays(1, 1)] * pad3 + [adaptive_arrays(i, o) for i, o in zip(sp, out)]
    o3 = (1,) * pad3 + tuple(out)
    if is_max:
        y = MaxPool.apply(x5, wins, (1, 1, 1), (N, C) + o3)
        res = _finish_pool(y, batched, n)
        if return_indices:
            fn = y.grad_fn
            idx = getattr(fn, "idx", None) if fn is not None else None
            if idx is None:
                from corelib.nn._kernels import max_pool
                xa = x5.detach()._data
                _, idx = max_pool(xa.reshape((N * C,) + xa.shape[2:]), wins, (1, 1, 1))
            ind = _wrap(idx.reshape((N, C) + tuple(out)), x5.device)
            return res, (ind if batched else ind.squeeze(0))
        return res
    divs = [w[2].astype(np.float64) for w in wins]
    y = AvgPool.apply(x5, wins, divs, None, (N, C) + o3)
    return _finish_pool(y, batched, n)


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_poolnd(input, output_size, 1, "adaptive_avg_pool1d", False)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (None in output_size keeps that input size)."""
    return _adaptive_poolnd(input, output_size, 2, "adaptive_avg_pool2d", False)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_poolnd(input, output_size, 3, "adaptive_avg_pool3d", False)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_poolnd(input, output_size, 1, "adaptive_max_pool1d", True, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size; return_indices gives flat H*W argmax indices."""
    return _adaptive_poolnd(input, output_size, 2, "adaptive_max_pool2d", True, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_poolnd(input, output_size, 3, "adaptive_max_pool3d", True, return_indices)


def _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, n, name):
    _check_tensor(input, name)
    k = _ntuple(kernel_size, n, "kernel_size")
    s = k if stride is None else _ntuple(stride, n, "stride")
    p = _ntuple(padding, n, "padding")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D input, but got input of size: {_shape(input)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape(input)}) but got indices tensor with shape: {_shape(indices)}")
    if indices.dtype is not corelib.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    sp_in = tuple(input.shape[-n:])
    default = tuple((i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(sp_in, s, p, k))
    if output_size is None:
        out = default
    else:
        out = tuple(int(v) for v in output_size)
        if len(out) == n + 2 or len(out) == n + 1:
            out = out[-n:]
        if len(out) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has "
                             f"a length of '{len(output_size)}'")
        for o, dflt, ss in zip(out, default, s):
            if not (dflt - ss < o < dflt + ss):
                raise ValueError(f"invalid output_size \"{list(out)}\" (dim should be in the range "
                                 f"{[d - ss for d in default]} to {[d + ss for d in default]})")
    batched = input.dim() == n + 2
    x = input if batched else input.unsqueeze(0)
    N, C = x.shape[:2]
    M = int(np.prod(out))
    idx = indices._data.reshape(N * C, -1)
    if idx.size and (idx.min() < 0 or idx.max() >= M):
        bad = int(idx.max()) if idx.max() >= M else int(idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))})")
    y = _MaxUnpool.apply(x.reshape(N * C, -1), idx, M).reshape((N, C) + out)
    return y if batched else y.squeeze(0)


class _MaxUnpool(Function):
    def forward(self, x, idx, M):
        self.idx = idx
        if not isinstance(x, np.ndarray):            # device arrays: an advanced-index put
            out = self.xp.zeros((x.shape[0], M), dtype=x.dtype)
            out[self.xp.arange(x.shape[0])[:, None], idx] = x
            return out
        out = np.zeros((x.shape[0], M), dtype=x.dtype)
        np.put_along_axis(out, idx, x, axis=1)
        return out

    def backward(self, gy):
        return gy.gather(1, _wrap(self.idx, gy.device))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: put each value at its index, zeros elsewhere."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")


# ---- padding, resampling ----------------------------------------------------------------------
class _ConstPad(Function):
    """Pad (or crop, for negative amounts) the trailing dims; backward is the opposite pad."""

    def forward(self, x, pads, value):
        self.pads = pads                     # per dim from the first padded dim: (lo, hi)
        nd = len(pads)
        lead = x.shape[:x.ndim - nd]
        tail = x.shape[x.ndim - nd:]
        shape = lead + tuple(t + lo + hi for t, (lo, hi) in zip(tail, pads))
        if any(s < 0 for s in shape):
            raise RuntimeError(f"The input size {list(x.shape)}, plus negative padding results in a "
                               f"negative output size {list(shape)}")
        out = self.xp.full(shape, value, dtype=x.dtype)
        src = [slice(None)] * len(lead)
        dst = [slice(None)] * len(lead)
        for t, (lo, hi) in zip(tail, pads):
            src.append(slice(max(-lo, 0), t - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(t - max(-lo, 0) - max(-hi, 0), 0)))
        if all(s.start < s.stop for s in src[len(lead):]):
            out[tuple(dst)] = x[tuple(src)]
        return out

    def backward(self, gy):
        return _ConstPad.apply(gy, tuple((-lo, -hi) for lo, hi in self.pads), 0)


def _pad_index(n, lo, hi, mode):
    j = np.arange(-lo, n + hi)
    if mode == "reflect":
        if n == 1:
            return np.zeros_like(j)
        period = 2 * (n - 1)
        j = np.abs(j) % period
        return np.where(j >= n, period - j, j)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    return j % n                                   # circular


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dims; pad = (last_lo, last_hi, 2nd_last_lo, 2nd_last_hi, ...)."""
    _check_tensor(input, "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, but got {len(pad)}")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {input.dim()}")
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(nd))[::-1]  # first padded dim first
    if mode == "constant":
        v = 0 if value is None else value
        if not pairs or all(lo == 0 and hi == 0 for lo, hi in pairs):
            return input.clone() if input._rg else input.clone()
        return _ConstPad.apply(input, pairs, v)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}; expected one of 'constant', 'reflect', "
                                  f"'replicate', 'circular'")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if nd > 3 or input.dim() not in (nd + 1, nd + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor "
                                  f"(mode '{mode}' pads the last {input.dim() - 2} dims of a batched or the last "
                                  f"{input.dim() - 1} of an unbatched input)")
    x = input
    for i, (lo, hi) in enumerate(pairs):
        dim = input.dim() - nd + i
        n = input.shape[dim]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input {_shape(input)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(f"Padding value causes wrapping around more than once (padding ({lo}, {hi}) at "
                               f"dimension {dim} of size {n}).")
        if mode == "replicate" and n == 0:
            raise RuntimeError(f"input tensor must have non-zero size at dimension {dim} for replicate padding")
        if lo == 0 and hi == 0:
            continue
        idx = _pad_index(n, lo, hi, mode)
        x = x.index_select(dim, _wrap(idx.astype(np.int64), x.device))
    return x


def _interp_scales(input, size, scale_factor, n, recompute_scale_factor):
    sp = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = _ntuple(size, n, "size") if isinstance(size, (list, tuple)) else (int(size),) * n
        if isinstance(size, (list, tuple)) and len(size) != n:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(sp)} and output size of {list(size)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                             f"(o1, o2, ...,oK) format.")
        return out, [None] * n
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    sf = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (list, tuple)) else \
        (float(scale_factor),) * n
    if len(sf) != n:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(sp)} and scale_factor of shape {list(scale_factor)}.")
    out = tuple(int(math.floor(i * s)) for i, s in zip(sp, sf))
    return out, ([None] * n if recompute_scale_factor else list(sf))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample (N, C, *sp) to size or by scale_factor; modes nearest, nearest-exact, linear,
    bilinear, trilinear (align_corners), area."""
    _check_tensor(input, "interpolate")
    n = input.dim() - 2
    if n < 1 or n > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    lin = {"linear": 1, "bilinear": 2, "trilinear": 3}
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif mode in lin:
        if lin[mode] != n:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {lin[mode] + 2}D input")
        align_corners = bool(align_corners)
    elif mode == "bicubic":
        if n != 2:
            raise NotImplementedError(f"Got {input.dim()}D input, but bicubic mode needs 4D input")
        align_corners = bool(align_corners)
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if antialias and not (mode in ("bilinear", "bicubic") and n == 2):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires "
                         "a 4-D tensor as input")
    out, sf = _interp_scales(input, size, scale_factor, n, recompute_scale_factor)
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, input.shape[2:]))}) and output ({', '.join(map(str, out))})")
    if mode == "area":
        return _adaptive_poolnd(input, out, n, "adaptive_avg_pool", False)
    x = input
    for i in range(n):
        dim = 2 + i
        I, O = x.shape[dim], out[i]
        scale = (1.0 / sf[i]) if sf[i] is not None and sf[i] > 0 else I / O
        dst = np.arange(O, dtype=np.float64)
        if antialias:
            x = _antialias_along(x, dim, I, O, ((I - 1) / (O - 1) if O > 1 else 0.0) if align_corners
                                 else scale, mode == "bicubic")
        elif mode == "nearest":
            src = np.minimum(np.floor((dst * np.float32(scale)).astype(np.float32)).astype(np.int64), I - 1)
            x = x.index_select(dim, _wrap(src, x.device))
        elif mode == "nearest-exact":
            src = np.minimum(np.floor(((dst + 0.5) * scale)).astype(np.int64), I - 1)
            x = x.index_select(dim, _wrap(src, x.device))
        elif mode == "bicubic":
            x = _cubic_along(x, dim, I, O, scale, align_corners)
        else:
            if align_corners:
                src = dst * ((I - 1) / (O - 1)) if O > 1 else np.zeros(O)
            else:
                src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
            i0 = np.minimum(np.floor(src).astype(np.int64), I - 1)
            i1 = np.minimum(i0 + 1, I - 1)
            lam = (src - i0).astype(x._data.dtype)
            shp = [1] * x.dim()
            shp[dim] = O
            lam_t = _wrap(lam.reshape(shp), x.device)
            a = x.index_select(dim, _wrap(i0, x.device))
            b = x.index_select(dim, _wrap(i1, x.device))
            x = a + (b - a) * lam_t
    return x


def _cubic_weights(t, a=-0.75):
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for fractional offsets t."""
    def near(z):                          # |z| <= 1
        return ((a + 2) * z - (a + 3)) * z * z + 1

    def far(z):                           # 1 < |z| < 2
        return ((a * z - 5 * a) * z + 8 * a) * z - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _cubic_along(x, dim, I, O, scale, align_corners):
    """Bicubic resampling along one dim (separable): four clamped taps per output, as torch."""
    dst = np.arange(O, dtype=np.float64)
    if align_corners:
        src = dst * ((I - 1) / (O - 1)) if O > 1 else np.zeros(O)
    else:
        src = (dst + 0.5) * scale - 0.5   # cubic: no clamping of negative source positions
    i0 = np.floor(src).astype(np.int64)
    shp = [1] * x.dim()
    shp[dim] = O
    out = None
    for k, w in enumerate(_cubic_weights(src - i0)):
        idx = np.clip(i0 - 1 + k, 0, I - 1)
        term = x.index_select(dim, _wrap(idx, x.device)) * _wrap(w.astype(x._data.dtype).reshape(shp), x.device)
        out = term if out is None else out + term
    return out


def _antialias_along(x, dim, I, O, scale, cubic):
    """Resampling with a filter widened by the scale when shrinking (torch's antialias=True):
    a triangle (bilinear) or Keys' cubic with a=-0.5 (bicubic), normalised per output."""
    interp = 4.0 if cubic else 2.0
    support = interp * 0.5 * scale if scale >= 1.0 else interp * 0.5
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    W = np.zeros((O, I))
    for o in range(O):
        center = scale * (o + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), I)
        z = np.abs((np.arange(lo, hi) - center + 0.5) * inv)
        if cubic:
            a = -0.5
            w = np.where(z < 1, ((a + 2) * z - (a + 3)) * z * z + 1,
                         np.where(z < 2, ((a * z - 5 * a) * z + 8 * a) * z - 4 * a, 0.0))
        else:
            w = np.maximum(1.0 - z, 0.0)
        total = w.sum()
        W[o, lo:hi] = w / total if total != 0 else w
    Wt = _wrap(np.ascontiguousarray(W.T).astype(x._data.dtype), x.device)
    return (x.movedim(dim, -1) @ Wt).movedim(-1, dim)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={C} is not divisible by {r * r}")
    lead = tuple(lead)
    nl = len(lead)
    x = input.reshape(lead + (C // (r * r), r, r, H, W))
    x = x.permute(tuple(range(nl)) + (nl, nl + 3, nl + 1, nl + 4, nl + 2))
    return x.reshape(lead + (C // (r * r), H * r, W * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    *lead, C, H, W = input.shape
    if H % r or W % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor, "
                           f"but got {H}x{W} and {r}")
    lead = tuple(lead)
    nl = len(lead)
    x = input.reshape(lead + (C, H // r, r, W // r, r))
    x = x.permute(tuple(range(nl)) + (nl, nl + 2, nl + 4, nl + 1, nl + 3))
    return x.reshape(lead + (C * r * r, H // r, W // r))


# ---- activations -----------------------------------------------------------------------------
class _PiecewiseLinear(Function):
    """y = x * slope + offset with slope and offset constant per element (computed in forward)."""

    def forward(self, x, kind, a, b):
        xp = self.xp
        if kind == "leaky":
            pos = x > 0
            y = np.where(pos, x, x * x.dtype.type(a))
            slope = np.where(pos, x.dtype.type(1), x.dtype.type(a)) if self._inputs is not None else None
        elif kind == "hardtanh":
            y = xp.clip(x, x.dtype.type(a), x.dtype.type(b))
            slope = ((x > a) & (x < b)) if self._inputs is not None else None
        elif kind == "threshold":                  # NaN is kept (and passes its gradient), as in torch
            keep = ~(x <= a)
            y = np.where(keep, x, x.dtype.type(b))
            slope = keep if self._inputs is not None else None
        elif kind == "hardsigmoid":
            y = xp.clip(x / x.dtype.type(6) + x.dtype.type(0.5), x.dtype.type(0), x.dtype.type(1))
            slope = np.where((x > -3) & (x < 3), x.dtype.type(1 / 6), x.dtype.type(0)) \
                if self._inputs is not None else None
        elif kind == "rrelu":                      # a: the random slopes (array)
            neg = x < 0
            y = np.where(neg, x * a, x)
            slope = np.where(neg, a, x.dtype.type(1)) if self._inputs is not None else None
        elif kind == "softshrink":
            y = np.where(x > a, x - x.dtype.type(a), np.where(x < -a, x + x.dtype.type(a), x * x.dtype.type(0)))
            slope = (np.abs(x) > a) if self._inputs is not None else None
        elif kind == "hardshrink":                 # NaN is kept, its gradient is 0 (torch's vector path)
            y = np.where(np.abs(x) <= a, x.dtype.type(0), x)
            slope = (np.abs(x) > a) if self._inputs is not None else None
        else:
            raise ValueError(kind)
        if slope is not None:
            self.save_for_backward(slope)
        return y

    def backward(self, gy):
        slope, = self.saved_tensors
        return gy * slope


def _pw(x, kind, a=None, b=None, name=""):
    _check_tensor(x, name)
    _float_check(x, name)
    return _PiecewiseLinear.apply(x, kind, a, b)


def relu(input, inplace=False):
    """max(x, 0)."""
    _check_tensor(input, "relu")
    r = corelib.relu(input)
    return _inplace_result(input, r) if inplace else r


def relu_(input):
    return relu(input, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    r = _pw(input, "leaky", float(negative_slope), None, "leaky_relu")
    return _inplace_result(input, r) if inplace else r


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val) (gradient 0 outside the open interval)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    r = _pw(input, "hardtanh", float(min_val), float(max_val), "hardtanh")
    return _inplace_result(input, r) if inplace else r


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    r = _pw(input, "threshold", float(threshold), float(value), "threshold")
    return _inplace_result(input, r) if inplace else r


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, True)


def hardsigmoid(input, inplace=False):
    r = _pw(input, "hardsigmoid", None, None, "hardsigmoid")
    return _inplace_result(input, r) if inplace else r


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _check_tensor(input, "hardswish")
    r = input * _pw(input, "hardsigmoid", None, None, "hardswish")
    return _inplace_result(input, r) if inplace else r


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _pw(input, "softshrink", float(lambd), None, "softshrink")


def hardshrink(input, lambd=0.5):
    return _pw(input, "hardshrink", float(lambd), None, "hardshrink")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slopes ~ U(lower, upper) for negative inputs while training (from
    corelib's RNG), the fixed slope (lower + upper) / 2 in eval."""
    _check_tensor(input, "rrelu")
    if lower > upper:
        raise RuntimeError(f"Lower bound should be less than or equal to the upper bound (got lower={lower}, "
                           f"upper={upper})")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _float_check(input, "rrelu")
    rng = corelib.random.numpy_rng()
    a = rng.uniform(lower, upper, size=input.shape).astype(input._data.dtype)
    r = _PiecewiseLinear.apply(input, "rrelu", a, None)
    return _inplace_result(input, r) if inplace else r


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


class _Smooth(Function):
    """Smooth pointwise activations: numpy forward, numpy derivative for first-order backward,
    Tensor-op derivative when the backward itself is recorded (create_graph=True)."""

    def forward(self, x, kind, a, b):
        self.retain_inputs(0)
        self.kind, self.a, self.b = kind, a, b
        return _SMOOTH[kind][0](x, a, b)

    def backward(self, gy):
        x, = self.saved_inputs()
        f, df, tdf = _SMOOTH[self.kind]
        if grad_mode.is_grad_enabled():
            return gy * tdf(x, self.a, self.b)
        return gy * _wrap(df(x._data, self.a, self.b), x.device)


_SQ2PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _np_sigmoid(x):
    return np.exp(-np.logaddexp(x.dtype.type(0), -x))


def _erf(x):
    if not isinstance(x, np.ndarray):             # device array: the backend's erf kernel
        from corelib.backends.cuda import xp
        return xp.erf(x)
    from corelib.ops._special import erf_np
    return erf_np(x)


def _gelu_f(x, approx, _):
    t = x.dtype.type
    if approx == "tanh":
        return t(0.5) * x * (t(1) + np.tanh(t(_SQ2PI) * (x + t(0.044715) * x * x * x)))
    return t(0.5) * x * (t(1) + _erf(x * t(1 / math.sqrt(2))))


def _gelu_df(x, approx, _):
    t = x.dtype.type
    if approx == "tanh":
        u = t(_SQ2PI) * (x + t(0.044715) * x ** 3)
        th = np.tanh(u)
        return t(0.5) * (t(1) + th) + t(0.5) * x * (t(1) - th * th) * t(_SQ2PI) * (t(1) + t(3 * 0.044715) * x * x)
    cdf = t(0.5) * (t(1) + _erf(x * t(1 / math.sqrt(2))))
    return cdf + x * np.exp(t(-0.5) * x * x) * t(1 / math.sqrt(2 * math.pi))


def _gelu_tdf(x, approx, _):
    if approx == "tanh":
        u = _SQ2PI * (x + 0.044715 * x ** 3)
        th = u.tanh()
        return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _SQ2PI * (1 + 3 * 0.044715 * x * x)
    cdf = 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    return cdf + x * (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))


def _elu_f(x, alpha, scale):
    t = x.dtype.type
    return np.where(x > 0, x * t(scale), t(alpha * scale) * np.expm1(np.minimum(x, t(0))))


def _elu_df(x, alpha, scale):
    t = x.dtype.type
    return np.where(x > 0, t(scale), t(alpha * scale) * np.exp(np.minimum(x, t(0))))


def _elu_tdf(x, alpha, scale):
    return corelib.where(x > 0, corelib.full_like(x, scale), (alpha * scale) * x.clamp(max=0).exp())


def _celu_f(x, alpha, _):
    t = x.dtype.type
    return np.where(x > 0, x, t(alpha) * np.expm1(np.minimum(x, t(0)) / t(alpha)))


def _celu_df(x, alpha, _):
    t = x.dtype.type
    return np.where(x > 0, t(1), np.exp(np.minimum(x, t(0)) / t(alpha)))


def _celu_tdf(x, alpha, _):
    return corelib.where(x > 0, corelib.ones_like(x), (x.clamp(max=0) / alpha).exp())


def _silu_f(x, a, b):
    return x * _np_sigmoid(x)


def _silu_df(x, a, b):
    s = _np_sigmoid(x)
    return s * (1 + x * (1 - s))


def _silu_tdf(x, a, b):
    s = x.sigmoid()
    return s * (1 + x * (1 - s))


def _softplus_f(x, beta, thr):
    t = x.dtype.type
    bx = x * t(beta)
    return np.where(bx > thr, x, np.logaddexp(t(0), bx) / t(beta))


def _softplus_df(x, beta, thr):
    bx = x * x.dtype.type(beta)
    return np.where(bx > thr, x.dtype.type(1), _np_sigmoid(bx))


def _softplus_tdf(x, beta, thr):
    bx = x * beta
    return corelib.where(bx > thr, corelib.ones_like(x), bx.sigmoid())


def _mish_f(x, a, b):
    return x * np.tanh(np.logaddexp(x.dtype.type(0), x))


def _mish_df(x, a, b):
    tsp = np.tanh(np.logaddexp(x.dtype.type(0), x))
    return tsp + x * (1 - tsp * tsp) * _np_sigmoid(x)


def _mish_tdf(x, a, b):
    sp = corelib.logaddexp(corelib.zeros_like(x), x)
    tsp = sp.tanh()
    return tsp + x * (1 - tsp * tsp) * x.sigmoid()


_SMOOTH = {
    "gelu": (_gelu_f, _gelu_df, _gelu_tdf),
    "elu": (_elu_f, _elu_df, _elu_tdf),
    "celu": (_celu_f, _celu_df, _celu_tdf),
    "silu": (_silu_f, _silu_df, _silu_tdf),
    "softplus": (_softplus_f, _softplus_df, _softplus_tdf),
    "mish": (_mish_f, _mish_df, _mish_tdf),
}


def _smooth(x, kind, a=None, b=None):
    _check_tensor(x, kind)
    _float_check(x, kind)
    return _Smooth.apply(x, kind, a, b)


def gelu(input, approximate="none"):
    """x * Phi(x); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh (got '{approximate}')")
    return _smooth(input, "gelu", approximate)


def elu(input, alpha=1.0, inplace=False):
    r = _smooth(input, "elu", float(alpha), 1.0)
    return _inplace_result(input, r) if inplace else r


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    r = _smooth(input, "elu", _SELU_ALPHA, _SELU_SCALE)
    return _inplace_result(input, r) if inplace else r


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    r = _smooth(input, "celu", float(alpha))
    return _inplace_result(input, r) if inplace else r


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    r = _smooth(input, "silu")
    return _inplace_result(input, r) if inplace else r


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    r = _smooth(input, "mish")
    return _inplace_result(input, r) if inplace else r


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold."""
    return _smooth(input, "softplus", float(beta), float(threshold))


def softsign(input):
    return input / (1 + input.abs())


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), computed stably."""
    _check_tensor(input, "logsigmoid")
    return -_smooth(-input, "softplus", 1.0, math.inf)


def tanhshrink(input):
    return input - input.tanh()


def sigmoid(input):
    return corelib.sigmoid(input)


def tanh(input):
    return corelib.tanh(input)


def prelu(input, weight):
    """x if x > 0 else weight * x; weight has 1 element or one per channel (dim 1)."""
    _check_tensor(input, "prelu")
    _float_check(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {input.dtype} and {weight.dtype}; "
                           f"convert one with .to()")
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError(f"Not allow zero-dim input tensor when weight has {n} elements.")
        ch = input.shape[1] if input.dim() >= 2 else 1  # no channel dim below 2-D: one channel, as torch
        if ch != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {ch}.")
        if input.dim() >= 2:
            w = weight.reshape((1, n) + (1,) * (input.dim() - 2))
        else:
            w = weight.reshape(n)
    else:
        w = weight.reshape(())
    return corelib.where(input > 0, input, w * input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return corelib.softmax(input, dim, _stacklevel, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return corelib.softmax(-input, dim, _stacklevel, None)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return corelib.log_softmax(input, dim, _stacklevel, dtype)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.dim()
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    n = input.norm(p, dim, keepdim=True).clamp_min(eps)
    r = input / n
    if out is not None:
        out.copy_(r)
        return out
    return r


# ---- dropout ---------------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _mask_mul(input, mask_shape, p, inplace):
    rng = corelib.random.numpy_rng()
    dt = input._data.dtype
    if p == 1.0:
        m = np.zeros(mask_shape, dtype=dt)
    else:
        if not input.is_floating_point():
            raise RuntimeError(f"result type Float can't be cast to the desired output type {_dtype_name(input)} "
                               f"(dropout needs a floating point input; convert with .float())")
        m = (rng.random(mask_shape) >= p).astype(dt)
        m *= dt.type(1.0 / (1.0 - p))
    r = input * _wrap(m, input.device)
    return _inplace_result(input, r) if inplace else r


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p (from corelib's RNG) and scale the rest by 1/(1-p)
    while training; the identity otherwise."""
    _check_p(p)
    _check_tensor(input, "dropout")
    if not training or p == 0.0:
        return input
    return _mask_mul(input, input.shape, p, inplace)


def _feature_dropout(input, p, training, inplace, n, name):
    _check_p(p)
    _check_tensor(input, name)
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D input, but got input of size: {_shape(input)}"
                           if n != 2 else
                           f"{name}: Expected 3D or 4D input, but got input of size: {_shape(input)}")
    if not training or p == 0.0:
        return input
    if input.dim() == n + 2:
        shape = tuple(input.shape[:2]) + (1,) * n
    else:
        shape = (input.shape[0],) + (1,) * n
    return _mask_mul(input, shape, p, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input."""
    if input.dim() >= 2 and input.dim() not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
        _check_p(p)
        if not training or p == 0.0:
            return input
        return _mask_mul(input, tuple(input.shape[:2]) + (1,) * (input.dim() - 2), p, inplace)
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=2)
        _check_p(p)
        if not training or p == 0.0:
            return input
        return _mask_mul(input, tuple(input.shape[:2]) + (1,), p, inplace)
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


_ALPHA_P = 1.7580993408473766


def _alpha_dropout(input, p, training, inplace, mask_shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        r = input * 0
        return _inplace_result(input, r) if inplace else r
    dt = input._data.dtype
    rng = corelib.random.numpy_rng()
    keep = (rng.random(mask_shape) >= p).astype(dt)
    a = 1.0 / math.sqrt((_ALPHA_P * _ALPHA_P * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA_P * a) + _ALPHA_P * a * p
    r = input * _wrap((keep * a).astype(dt), input.device) + _wrap(b.astype(dt), input.device)
    return _inplace_result(input, r) if inplace else r


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    return _alpha_dropout(input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha_dropout(input, p, training, inplace, shape)


# ---- normalisation ---------------------------------------------------------------------------
def _verify_batch_size(shape):
    n = 1
    for i, s in enumerate(shape):
        if i != 1:
            n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(shape)}")


def _update_running(running, new, momentum):
    with corelib.no_grad():
        running.mul_(1 - momentum).add_(new.detach().to(running.dtype) * momentum)


def _same_float_dtype(input, *tensors):
    """PyTorch's CPU norms refuse parameters or statistics of another float dtype than the input
    (a float16 input with float32 ones is allowed)."""
    for t in tensors:
        if t is not None and t.dtype != input.dtype and not (
                input.dtype == corelib.float16 and t.dtype == corelib.float32):
            raise RuntimeError(f"mixed dtype (CPU): all inputs must share same datatype. Got input of "
                               f"dtype {input.dtype} and weight/bias/statistics of dtype {t.dtype}; "
                               f"convert the input with .to({t.dtype}) or the module with .to({input.dtype})")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise over (N, *sp) per channel (dim 1). Training: batch statistics, and running_mean /
    running_var (when given) updated in place with momentum (unbiased variance). Eval: the running
    statistics."""
    _check_tensor(input, "batch_norm")
    if input.dim() < 2:
        raise ValueError(f"expected 2D or more input (got {input.dim()}D input)")
    C = input.shape[1]
    for nm, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                  ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"running_mean should contain {C} elements not {t.numel()}" if nm == "running_mean"
                               else f"{nm} should contain {C} elements not {t.numel()}")
    nd = input.dim()
    if training:
        _verify_batch_size(input.shape)
    _float_check(input, "batch_norm")
    _same_float_dtype(input, weight, bias, running_mean, running_var)
    dims = (0,) + tuple(range(2, nd))
    if training or running_mean is None or running_var is None:
        mean = input.mean(dims, keepdim=True)
        xc = input - mean
        var = (xc * xc).mean(dims, keepdim=True)
        if training and running_mean is not None and running_var is not None:
            n = input.numel() // C
            _update_running(running_mean, mean.reshape(-1), momentum)
            _update_running(running_var, var.reshape(-1) * (n / max(n - 1, 1)), momentum)
        y = xc * (var + eps).rsqrt()
    else:
        rm = _bcast_channel(running_mean, nd).to(input.dtype)
        rv = _bcast_channel(running_var, nd).to(input.dtype)
        if weight is not None:
            scale = _bcast_channel(weight, nd) * (rv + eps).rsqrt()
            shift = (_bcast_channel(bias, nd) if bias is not None else 0) - rm * scale
            return (input * scale + shift).to(input.dtype)
        y = (input - rm) * (rv + eps).rsqrt()
    if weight is not None:
        y = y * _bcast_channel(weight, nd)
    if bias is not None:
        y = y + _bcast_channel(bias, nd)
    return y.to(input.dtype)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) over its spatial dims."""
    _check_tensor(input, "instance_norm")
    _float_check(input, "instance_norm")
    _same_float_dtype(input, weight, bias)
    if input.dim() < 3:
        raise ValueError(f"instance_norm expects an input of at least 3 dims (N, C, *), got {_shape(input)}")
    nd = input.dim()
    C = input.shape[1]
    dims = tuple(range(2, nd))
    if use_input_stats:
        sp = 1
        for s in input.shape[2:]:
            sp *= s
        if sp == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {_shape(input)}")
        mean = input.mean(dims, keepdim=True)
        xc = input - mean
        var = (xc * xc).mean(dims, keepdim=True)
        if running_mean is not None and running_var is not None:
            _update_running(running_mean, mean.detach().reshape(-1, C).mean(0), momentum)
            _update_running(running_var, (var.detach() * (sp / max(sp - 1, 1))).reshape(-1, C).mean(0), momentum)
        y = xc * (var + eps).rsqrt()
    else:
        if running_mean is None or running_var is None:
            raise ValueError("Expected running_mean and running_var to be defined when use_input_stats is false")
        y = (input - _bcast_channel(running_mean, nd)) * (_bcast_channel(running_var, nd) + eps).rsqrt()
    if weight is not None:
        y = y * _bcast_channel(weight, nd)
    if bias is not None:
        y = y + _bcast_channel(bias, nd)
    return y.to(input.dtype)


def _trailing_dims(input, normalized_shape, params, star):
    """The trailing dims normalized_shape names, after checking the input's shape and that of each
    (name, per-element parameter) against it; star opens the expected shape in the message."""
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[-k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"{star}{', '.join(map(str, ns))}], but got input of size{_shape(input)}")
    for nm, t in params:
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got {nm} "
                               f"of shape {_shape(t)} and normalized_shape = {list(ns)}")
    return tuple(range(input.dim() - k, input.dim()))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean of x**2 over the trailing normalized_shape dims + eps) * weight; eps
    defaults to the machine epsilon of the dtype it computes in (float32 for float16, as torch)."""
    _check_tensor(input, "rms_norm")
    _float_check(input, "rms_norm")
    dims = _trailing_dims(input, normalized_shape, (("weight", weight),), "[*")
    x = input.float() if input.dtype is corelib.float16 else input      # float32 statistics
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)          # of the computing dtype, as torch
    y = x * (x * x).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y.to(input.dtype)


def channel_shuffle(input, groups):
    """(N, C, *) -> the channels regrouped: (N, g, C/g, *) transposed to (N, C/g, g, *)."""
    _check_tensor(input, "channel_shuffle")
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with sizes {_shape(input)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape((n, c) + rest)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the trailing dims given by normalized_shape (elementwise affine)."""
    _check_tensor(input, "layer_norm")
    _float_check(input, "layer_norm")
    _same_float_dtype(input, weight, bias)
    dims = _trailing_dims(input, normalized_shape, (("weight", weight), ("bias", bias)), "[*, ")
    mean = input.mean(dims, keepdim=True)
    xc = input - mean
    var = (xc * xc).mean(dims, keepdim=True)
    y = xc * (var + eps).rsqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.to(input.dtype)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise over groups of channels (and all spatial dims) per sample."""
    _check_tensor(input, "group_norm")
    _float_check(input, "group_norm")
    _same_float_dtype(input, weight, bias)
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    N, C = input.shape[:2]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {_shape(input)} and num_groups={num_groups}")
    for nm, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {nm} to be a vector of size equal to the number of channels in input, "
                               f"but got {nm} of shape {_shape(t)} and input of shape {_shape(input)}")
    x = input.reshape(N, num_groups, input.numel() // max(N * num_groups, 1) if N else 0)
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc * (var + eps).rsqrt()).reshape(input.shape)
    nd = input.dim()
    if weight is not None:
        y = y * _bcast_channel(weight, nd)
    if bias is not None:
        y = y + _bcast_channel(bias, nd)
    return y.to(input.dtype)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha/size * sum of squares over `size` neighbouring channels) ** beta."""
    _check_tensor(input, "local_response_norm")
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k) ** beta
    return input / div


# ---- embedding, one_hot, distances -------------------------------------------------------------
class _Embedding(Function):
    def forward(self, w, idx, padding_idx, scale_grad_by_freq):
        self.idx = idx
        self.num = w.shape[0]
        self.padding_idx = padding_idx
        self.freq = scale_grad_by_freq
        return w[idx]

    def backward(self, gy):
        return _EmbeddingBackward.apply(gy, self.idx, self.num, self.padding_idx, self.freq)


class _EmbeddingBackward(Function):
    def forward(self, g, idx, num, padding_idx, freq):
        self.idx = idx
        self.padding_idx = padding_idx
        D = g.shape[-1]
        flat = idx.reshape(-1)
        g2 = g.reshape(-1, D)
        if freq:
            counts = np.bincount(flat, minlength=num).astype(g.dtype)
            g2 = g2 / counts[flat][:, None]
        out = self.xp.zeros((num, D), dtype=g.dtype)
        np.add.at(out, flat, g2)
        if padding_idx is not None:
            out[padding_idx] = 0
        self.freq = freq
        self.num = num
        return out

    def backward(self, gg):
        if self.freq:
            flat = self.idx.reshape(-1)
            counts = np.bincount(flat, minlength=self.num).astype(gg._data.dtype)
            scale = _wrap((1.0 / counts[self.idx]).astype(gg._data.dtype)[..., None], gg.device)
        else:
            scale = None
        if self.padding_idx is not None:
            keep = (self.idx != self.padding_idx).astype(gg._data.dtype)[..., None]
            scale = _wrap(keep, gg.device) if scale is None else scale * _wrap(keep, gg.device)
        r = _Embedding.apply(gg, self.idx, None, False)
        return r * scale if scale is not None else r


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    with corelib.no_grad():
        rows = np.unique(idx.reshape(-1))
        w = weight._data
        sub = w[rows]
        norms = np.linalg.norm(sub, ord=norm_type, axis=1) if norm_type != 2 else np.sqrt((sub * sub).sum(1))
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] = sub * scale[:, None]
        weight._vc[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """weight[input]; the row padding_idx gets no gradient; max_norm renormalises the looked-up rows
    of weight in place."""
    _check_tensor(input, "embedding")
    if input.dtype not in (corelib.int64, corelib.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
                           f"embedding)")
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got {_shape(weight)}")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    idx = input._data.astype(np.int64, copy=False)
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    return _Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new trailing dim of num_classes (max + 1 when -1)."""
    _check_tensor(tensor, "one_hot")
    if tensor.dtype is not corelib.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(a.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, a[..., None], 1, axis=-1)
    return _wrap(out, tensor.device)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along dim."""
    x1, x2 = corelib.broadcast_tensors(x1, x2)
    n1 = (x1 * x1).sum(dim, keepdim=True).clamp_min(eps * eps).sqrt()
    n2 = (x2 * x2).sum(dim, keepdim=True).clamp_min(eps * eps).sqrt()
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    d = x1 - x2 + eps
    nd = max(x1.dim(), x2.dim())
    if nd == 0:
        return d.abs()
    return d.norm(p, -1, keepdim=keepdim)


# ---- the losses and other registered functions ---------------------------------------------------
def __getattr__(name):
    # NOTE: loss functions (cross_entropy, mse_loss, ...) live in bundles and register under the
    # registry kind "functional"; resolve them on first use and cache them here.
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    hint = ""
    try:
        from corelib import registry as _reg
        obj = _reg.find_attr(("functional",), name)
        if obj is not None:
            globals()[name] = obj
            return obj
        try:
            hint = _reg.hint(("functional",), name)
        except Exception:
            hint = ""
    except AttributeError:
        raise
    except Exception as e:   # the kind is unknown to this registry, or discovery failed
        hint = f" ({type(e).__name__}: {e})"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}{hint}; loss functions such as "
                         f"cross_entropy come from the corelib-losses bundle (pip install corelib-losses)")
