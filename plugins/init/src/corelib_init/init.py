"""Weight initializers with ``torch.nn.init``'s names, signatures, defaults and math.

Every ``*_`` function fills its tensor in place under ``corelib.no_grad()`` (so it works on
leaf Parameters, which keep ``requires_grad``), records no autograd history, returns the
same tensor object, and draws from corelib's RNG: ``corelib.manual_seed(s)`` makes it
reproducible, and ``generator=corelib.Generator().manual_seed(s)`` uses that generator.

Usage (notes chapter 6)::

    import corelib.nn as nn
    tanh_gain = nn.init.calculate_gain("tanh")
    nn.init.xavier_uniform_(m.weight.data, gain=tanh_gain)
    nn.init.kaiming_normal_(m.weight.data)
"""
import math
import warnings

import numpy as np

import corelib
from corelib.random import numpy_rng

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    # deprecated aliases (for backward compatibility), as in torch.nn.init
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


# --------------------------------------------------------------------------- helpers


def _check_tensor(tensor, fn):
    if not isinstance(tensor, corelib.Tensor):
        raise TypeError(f"nn.init.{fn}() expects a corelib.Tensor (e.g. m.weight or "
                        f"m.weight.data), got {type(tensor).__name__}")


def _assign(tensor, arr):
    """Write the numpy array ``arr`` (same shape) into ``tensor`` in place, without history."""
    with corelib.no_grad():
        tensor.copy_(corelib.from_numpy(np.ascontiguousarray(arr)))
    return tensor


def _no_grad_uniform_(tensor, a, b, generator=None):
    # torch's checks (corelib's Tensor.uniform_ does not make them)
    if not tensor.is_floating_point():
        raise NotImplementedError(f"uniform_ needs a floating-point tensor, got {tensor.dtype}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    with corelib.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def _no_grad_normal_(tensor, mean, std, generator=None):
    if not tensor.is_floating_point():
        raise NotImplementedError(f"normal_ needs a floating-point tensor, got {tensor.dtype}")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    with corelib.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _no_grad_fill_(tensor, val):
    with corelib.no_grad():
        return tensor.fill_(val)


def _no_grad_zero_(tensor):
    with corelib.no_grad():
        return tensor.zero_()


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _no_grad_trunc_normal_(tensor, mean, std, a, b, generator=None):
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=3,
        )
    if not tensor.is_floating_point():
        raise NotImplementedError(f"trunc_normal_ needs a floating-point tensor, got {tensor.dtype}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    rng = numpy_rng(generator)
    shape = tuple(tensor.shape)
    n = int(np.prod(shape, dtype=np.int64))
    p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    if p > 0.3:
        # plain rejection: redraw from N(mean, std^2) until inside [a, b]
        out = rng.standard_normal(n) * std + mean
        bad = np.flatnonzero((out < a) | (out > b))
        while bad.size:
            out[bad] = rng.standard_normal(bad.size) * std + mean
            bad = bad[(out[bad] < a) | (out[bad] > b)]
    else:
        # narrow or far-off window: uniform proposals on [a, b], accepted with
        # probability pdf(x) / pdf(mode) (as torch does for p <= 0.3)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        out = np.empty(n)
        pending = np.arange(n)
        while pending.size:
            cand = rng.uniform(a, b, pending.size)
            log_pdf = -0.5 * ((cand - mean) / std) ** 2 - log_peak
            ok = np.log(rng.random(pending.size)) <= log_pdf
            out[pending[ok]] = cand[ok]
            pending = pending[~ok]
    return _assign(tensor, out.reshape(shape))


# --------------------------------------------------------------------------- gain and fans


def calculate_gain(nonlinearity, param=None):
    r"""Return the recommended gain value for the given nonlinearity function.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity :math:`1`
    Conv{1,2,3}D      :math:`1`
    Sigmoid           :math:`1`
    Tanh              :math:`\frac{5}{3}`
    ReLU              :math:`\sqrt{2}`
    Leaky Relu        :math:`\sqrt{\frac{2}{1 + \text{negative\_slope}^2}}`
    SELU              :math:`\frac{3}{4}`
    ================= ====================================================

    For self-normalizing networks use ``nonlinearity='linear'`` rather than ``'selu'``.

    Args:
        nonlinearity: the non-linear function (``nn.functional`` name): ``'linear'``,
            ``'conv1d'``, ``'conv2d'``, ``'conv3d'``, ``'conv_transpose1d'``,
            ``'conv_transpose2d'``, ``'conv_transpose3d'``, ``'sigmoid'``, ``'tanh'``,
            ``'relu'``, ``'leaky_relu'`` or ``'selu'``
        param: optional parameter for the non-linear function (the negative slope of
            ``'leaky_relu'``, default 0.01)

    Examples:
        >>> gain = nn.init.calculate_gain("leaky_relu", 0.2)  # leaky_relu with negative_slope=0.2
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    elif nonlinearity == "tanh":
        return 5.0 / 3
    elif nonlinearity == "relu":
        return math.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            # True/False are instances of int, hence the check above
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    elif nonlinearity == "selu":
        return 3.0 / 4  # found empirically (pytorch/pytorch#50664)
    else:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    if dimensions > 2:
        for s in tensor.shape[2:]:
            receptive_field_size *= s
    fan_in = num_input_fmaps * receptive_field_size
    fan_out = num_output_fmaps * receptive_field_size
    return fan_in, fan_out


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# --------------------------------------------------------------------------- simple fills


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill the input Tensor with values drawn from the uniform distribution :math:`\mathcal{U}(a, b)`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        a: the lower bound of the uniform distribution
        b: the upper bound of the uniform distribution
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.uniform_(w)
    """
    _check_tensor(tensor, "uniform_")
    return _no_grad_uniform_(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill the input Tensor with values drawn from the normal distribution :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        mean: the mean of the normal distribution
        std: the standard deviation of the normal distribution
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.normal_(w)
    """
    _check_tensor(tensor, "normal_")
    return _no_grad_normal_(tensor, mean, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill the input Tensor with values drawn from a truncated normal distribution.

    The values are effectively drawn from the normal distribution
    :math:`\mathcal{N}(\text{mean}, \text{std}^2)` with values outside :math:`[a, b]`
    redrawn until they are within the bounds. The method used for generating the random
    values works best when :math:`a \leq \text{mean} \leq b`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        mean: the mean of the normal distribution
        std: the standard deviation of the normal distribution
        a: the minimum cutoff value
        b: the maximum cutoff value
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.trunc_normal_(w)
    """
    _check_tensor(tensor, "trunc_normal_")
    return _no_grad_trunc_normal_(tensor, mean, std, a, b, generator=generator)


def constant_(tensor, val):
    r"""Fill the input Tensor with the value :math:`\text{val}`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        val: the value to fill the tensor with

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.constant_(w, 0.3)
    """
    _check_tensor(tensor, "constant_")
    return _no_grad_fill_(tensor, val)


def ones_(tensor):
    r"""Fill the input Tensor with the scalar value `1`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.ones_(w)
    """
    _check_tensor(tensor, "ones_")
    return _no_grad_fill_(tensor, 1.0)


def zeros_(tensor):
    r"""Fill the input Tensor with the scalar value `0`.

    Args:
        tensor: an n-dimensional `corelib.Tensor`

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.zeros_(w)
    """
    _check_tensor(tensor, "zeros_")
    return _no_grad_zero_(tensor)


def eye_(tensor):
    r"""Fill the 2-dimensional input `Tensor` with the identity matrix.

    Preserves the identity of the inputs in `Linear` layers, where as many inputs are
    preserved as possible.

    Args:
        tensor: a 2-dimensional `corelib.Tensor`

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.eye_(w)
    """
    _check_tensor(tensor, "eye_")
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _assign(tensor, np.eye(*tuple(tensor.shape)))


def dirac_(tensor, groups=1):
    r"""Fill the {3, 4, 5}-dimensional input `Tensor` with the Dirac delta function.

    Preserves the identity of the inputs in `Convolutional` layers, where as many input
    channels are preserved as possible. In case of groups>1, each group of channels
    preserves identity.

    Args:
        tensor: a {3, 4, 5}-dimensional `corelib.Tensor`
        groups (int, optional): number of groups in the conv layer (default: 1)

    Examples:
        >>> w = corelib.empty(3, 16, 5, 5)
        >>> nn.init.dirac_(w)
        >>> w = corelib.empty(3, 24, 5, 5)
        >>> nn.init.dirac_(w, 3)
    """
    _check_tensor(tensor, "dirac_")
    dimensions = tensor.dim()
    if dimensions not in [3, 4, 5]:
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    arr = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min_dim):
            arr[(g * out_chans_per_grp + d, d) + centre] = 1
    return _assign(tensor, arr)


# --------------------------------------------------------------------------- xavier / kaiming


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Fill the input `Tensor` with values using a Xavier uniform distribution.

    The method is described in `Understanding the difficulty of training deep feedforward
    neural networks` - Glorot, X. & Bengio, Y. (2010). The resulting tensor will have values
    sampled from :math:`\mathcal{U}(-a, a)` where

    .. math::
        a = \text{gain} \times \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Also known as Glorot initialization.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        gain: an optional scaling factor
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
    """
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # uniform bounds from the standard deviation
    return _no_grad_uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Fill the input `Tensor` with values using a Xavier normal distribution.

    The method is described in `Understanding the difficulty of training deep feedforward
    neural networks` - Glorot, X. & Bengio, Y. (2010). The resulting tensor will have values
    sampled from :math:`\mathcal{N}(0, \text{std}^2)` where

    .. math::
        \text{std} = \text{gain} \times \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    Also known as Glorot initialization.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        gain: an optional scaling factor
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.xavier_normal_(w)
    """
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _no_grad_normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""Fill the input `Tensor` with values using a Kaiming uniform distribution.

    The method is described in `Delving deep into rectifiers: Surpassing human-level
    performance on ImageNet classification` - He, K. et al. (2015). The resulting tensor
    will have values sampled from :math:`\mathcal{U}(-\text{bound}, \text{bound})` where

    .. math::
        \text{bound} = \text{gain} \times \sqrt{\frac{3}{\text{fan\_mode}}}

    Also known as He initialization.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        a: the negative slope of the rectifier used after this layer (only used with
            ``'leaky_relu'``)
        mode: either ``'fan_in'`` (default) or ``'fan_out'``. ``'fan_in'`` preserves the
            magnitude of the variance of the weights in the forward pass, ``'fan_out'`` in
            the backward pass.
        nonlinearity: the non-linear function (`nn.functional` name), recommended to use
            only with ``'relu'`` or ``'leaky_relu'`` (default).
        generator: the corelib Generator to sample from (default: None)

    Note:
        ``fan_in`` and ``fan_out`` assume the weight is used transposed (``x @ w.T`` in
        ``Linear``, ``w.shape = [fan_out, fan_in]``); for ``x @ w`` pass ``w.T``.

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")
    """
    _check_tensor(tensor, "kaiming_uniform_")
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # uniform bounds from the standard deviation
    return _no_grad_uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""Fill the input `Tensor` with values using a Kaiming normal distribution.

    The method is described in `Delving deep into rectifiers: Surpassing human-level
    performance on ImageNet classification` - He, K. et al. (2015). The resulting tensor
    will have values sampled from :math:`\mathcal{N}(0, \text{std}^2)` where

    .. math::
        \text{std} = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}}

    Also known as He initialization.

    Args:
        tensor: an n-dimensional `corelib.Tensor`
        a: the negative slope of the rectifier used after this layer (only used with
            ``'leaky_relu'``)
        mode: either ``'fan_in'`` (default) or ``'fan_out'``. ``'fan_in'`` preserves the
            magnitude of the variance of the weights in the forward pass, ``'fan_out'`` in
            the backward pass.
        nonlinearity: the non-linear function (`nn.functional` name), recommended to use
            only with ``'relu'`` or ``'leaky_relu'`` (default).
        generator: the corelib Generator to sample from (default: None)

    Note:
        ``fan_in`` and ``fan_out`` assume the weight is used transposed (``x @ w.T`` in
        ``Linear``, ``w.shape = [fan_out, fan_in]``); for ``x @ w`` pass ``w.T``.

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    """
    _check_tensor(tensor, "kaiming_normal_")
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return _no_grad_normal_(tensor, 0, std, generator)


# --------------------------------------------------------------------------- structured


def orthogonal_(tensor, gain=1, generator=None):
    r"""Fill the input `Tensor` with a (semi) orthogonal matrix.

    Described in `Exact solutions to the nonlinear dynamics of learning in deep linear
    neural networks` - Saxe, A. et al. (2013). The input tensor must have at least 2
    dimensions, and for tensors with more than 2 dimensions the trailing dimensions are
    flattened. The matrix is the Q of the QR decomposition of a standard normal matrix,
    with Q's columns multiplied by the signs of R's diagonal (so it is uniformly
    distributed), times ``gain``.

    Args:
        tensor: an n-dimensional `corelib.Tensor`, where :math:`n \geq 2`
        gain: optional scaling factor
        generator: the corelib Generator to sample from (default: None)

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.orthogonal_(w)
    """
    _check_tensor(tensor, "orthogonal_")
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor  # no-op
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = numpy_rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    # make Q uniform (Mezzadri, https://arxiv.org/pdf/math-ph/0609050.pdf)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _assign(tensor, (q * gain).reshape(tuple(tensor.shape)))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    r"""Fill the 2D input `Tensor` as a sparse matrix.

    The non-zero elements will be drawn from the normal distribution
    :math:`\mathcal{N}(0, \text{std}^2)`, as described in `Deep learning via Hessian-free
    optimization` - Martens, J. (2010). In each column, ``ceil(sparsity * rows)`` entries
    chosen at random are zero.

    Args:
        tensor: a 2-dimensional `corelib.Tensor`
        sparsity: the fraction of elements in each column to be set to zero
        std: the standard deviation of the normal distribution used to generate the
            non-zero values
        generator: the corelib Generator to sample from (default: None); it also picks
            the zeroed rows

    Examples:
        >>> w = corelib.empty(3, 5)
        >>> nn.init.sparse_(w, sparsity=0.1)
    """
    _check_tensor(tensor, "sparse_")
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tuple(tensor.shape)
    num_zeros = math.ceil(sparsity * rows)
    rng = numpy_rng(generator)
    arr = rng.standard_normal((rows, cols)) * std
    if num_zeros > 0 and rows > 0 and cols > 0:
        # a random permutation of the rows per column; its first num_zeros rows are zeroed
        perm = np.argsort(rng.random((rows, cols)), axis=0)
        np.put_along_axis(arr, perm[:num_zeros], 0.0, axis=0)
    return _assign(tensor, arr)


# --------------------------------------------------------------------------- deprecated


def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = rf"""
    {old_name}(...)

    .. warning::
        This method is now deprecated in favor of :func:`corelib.nn.init.{new_name}`.

    See :func:`~corelib.nn.init.{new_name}` for details."""
    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__wrapped__ = meth
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
