"""corelib.nn.functional against torch.nn.functional (values and gradients) and gradcheck."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F
from corelib.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def c(t, rg=None):
    return cl.tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad if rg is None else rg)


def close(a, b, tol=1e-5):
    a = a.detach().numpy() if isinstance(a, cl.Tensor) else a
    np.testing.assert_allclose(a, b.detach().numpy(), rtol=tol, atol=tol)


def run_both(cfn, tfn, *tensors, tol=1e-5):
    """Apply both functions to the same float64 inputs; compare outputs and all input grads."""
    ts = [t.double().requires_grad_(t.is_floating_point()) for t in tensors]
    cs = [c(t) for t in ts]
    yt = tfn(*ts)
    yc = cfn(*cs)
    close(yc, yt, tol)
    g = torch.randn_like(yt)
    gt = torch.autograd.grad(yt, [t for t in ts if t.requires_grad], g, allow_unused=True)
    yc.backward(c(g, False))
    for cc, gg in zip([x for x in cs if x.requires_grad], gt):
        if gg is not None:
            close(cc.grad, gg, tol)


CONV2D = [  # N, C, H, W, O, k, stride, padding, dilation, groups
    (2, 4, 7, 6, 6, 3, 1, 1, 1, 1), (1, 4, 9, 8, 4, 3, 2, 0, 2, 2), (3, 6, 5, 5, 6, 2, (2, 1), (1, 0), 1, 3),
    (1, 2, 6, 5, 3, (3, 2), 1, "same", (2, 1), 1), (2, 3, 5, 7, 2, 3, 1, "valid", 1, 1)]


@pytest.mark.parametrize("N,C,H,W,O,k,s,p,d,g", CONV2D)
def test_conv2d(N, C, H, W, O, k, s, p, d, g):
    kk = (k, k) if isinstance(k, int) else k
    run_both(lambda x, w, b: F.conv2d(x, w, b, s, p, d, g), lambda x, w, b: TF.conv2d(x, w, b, s, p, d, g),
             torch.randn(N, C, H, W), torch.randn(O, C // g, *kk), torch.randn(O))


@pytest.mark.parametrize("s,p,d,g", [(1, 0, 1, 1), (2, 1, 1, 2), (3, 2, 2, 1)])
def test_conv1d_conv3d(s, p, d, g):
    run_both(lambda x, w, b: F.conv1d(x, w, b, s, p, d, g), lambda x, w, b: TF.conv1d(x, w, b, s, p, d, g),
             torch.randn(2, 4, 11), torch.randn(6, 4 // g, 3), torch.randn(6))
    run_both(lambda x, w: F.conv3d(x, w, None, s, p, d, g), lambda x, w: TF.conv3d(x, w, None, s, p, d, g),
             torch.randn(1, 4, 6, 5, 7), torch.randn(2, 4 // g, 2, 3, 2))


def test_conv_unbatched():
    run_both(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1),
             torch.randn(3, 5, 5), torch.randn(2, 3, 3, 3))


@pytest.mark.parametrize("s,p,op,d,g", [(1, 0, 0, 1, 1), (2, 1, 1, 1, 2), (3, 1, 2, 2, 1), (2, 0, 1, 3, 1)])
def test_conv_transpose(s, p, op, d, g):
    run_both(lambda x, w, b: F.conv_transpose2d(x, w, b, s, p, op, g, d),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, s, p, op, g, d),
             torch.randn(2, 4, 4, 5), torch.randn(4, 6 // g, 3, 2), torch.randn(6))
    run_both(lambda x, w: F.conv_transpose1d(x, w, None, s, p, op, g, d),
             lambda x, w: TF.conv_transpose1d(x, w, None, s, p, op, g, d),
             torch.randn(1, 4, 5), torch.randn(4, 2, 3))
    run_both(lambda x, w: F.conv_transpose3d(x, w, None, s, p, op, g, d),
             lambda x, w: TF.conv_transpose3d(x, w, None, s, p, op, g, d),
             torch.randn(1, 2, 3, 2, 3), torch.randn(2, 2 // g if g <= 2 else 1, 2, 2, 2))


def test_conv_gradcheck_and_double_backward():
    x = cl.randn(1, 2, 5, 4, dtype=cl.float64, requires_grad=True)
    w = cl.randn(4, 1, 3, 2, dtype=cl.float64, requires_grad=True)
    b = cl.randn(4, dtype=cl.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, (2, 1), 1, (1, 2), 2), (x, w, b))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, None, 1, 1, 1, 2), (x, w))
    wt = cl.randn(2, 3, 2, 3, dtype=cl.float64, requires_grad=True)
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1), (x, wt))


def test_conv_errors():
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[6, 3, 5, 5\], expected "
                                            r"input\[1, 4, 32, 32\] to have 3 channels, but got 4 channels instead"):
        F.conv2d(cl.randn(1, 4, 32, 32), cl.randn(6, 3, 5, 5))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but "
                                            r"got input of size: \[2, 3\]"):
        F.conv2d(cl.randn(2, 3), cl.randn(6, 3, 5, 5))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(cl.randn(1, 3, 4, 4), cl.randn(6, 3, 5, 5))
    with pytest.raises(ValueError, match="strided"):
        F.conv2d(cl.randn(1, 3, 8, 8), cl.randn(6, 3, 3, 3), stride=2, padding="same")


POOL = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=2, ceil_mode=True),
        dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True)]


@pytest.mark.parametrize("kw", POOL)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (1, 1, 7, 7), (3, 5, 6)])
def test_pool2d(kw, shape):
    x = torch.randn(*shape)
    run_both(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), x)
    _, i1 = F.max_pool2d(c(x), return_indices=True, **kw)
    _, i2 = TF.max_pool2d(x, return_indices=True, **kw)
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())
    for cip in (True, False):
        run_both(lambda x: F.avg_pool2d(x, count_include_pad=cip, **kw),
                 lambda x: TF.avg_pool2d(x, count_include_pad=cip, **kw), x)
    run_both(lambda x: F.avg_pool2d(x, divisor_override=3, **kw), lambda x: TF.avg_pool2d(x, divisor_override=3, **kw), x)


def test_pool_dilation_1d_3d():
    x = torch.randn(2, 3, 11)
    run_both(lambda x: F.max_pool1d(x, 3, 2, 1, 2, True), lambda x: TF.max_pool1d(x, 3, 2, 1, 2, True), x)
    run_both(lambda x: F.avg_pool1d(x, 3, 2, 1, True, False), lambda x: TF.avg_pool1d(x, 3, 2, 1, True, False), x)
    x3 = torch.randn(1, 2, 5, 6, 7)
    run_both(lambda x: F.max_pool3d(x, 2, (1, 2, 2), 1, (2, 1, 1)), lambda x: TF.max_pool3d(x, 2, (1, 2, 2), 1, (2, 1, 1)), x3)
    run_both(lambda x: F.avg_pool3d(x, 3, 2, 1), lambda x: TF.avg_pool3d(x, 3, 2, 1), x3)
    run_both(lambda x: F.max_pool2d(x, 2, 1, 1, 2), lambda x: TF.max_pool2d(x, 2, 1, 1, 2), torch.randn(1, 2, 6, 6))


def test_max_pool_nan_and_double_backward():
    x = cl.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(x, 2).item())
    xd = cl.randn(1, 2, 5, 5, dtype=cl.float64, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool2d(x, 3, 2, 1), (xd,))
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2), (xd,))
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), (xd,))


@pytest.mark.parametrize("os", [(3, 4), (5, 3), 1, (None, 2)])
def test_adaptive(os):
    x = torch.randn(2, 3, 9, 7)
    run_both(lambda x: F.adaptive_avg_pool2d(x, os), lambda x: TF.adaptive_avg_pool2d(x, os), x)
    run_both(lambda x: F.adaptive_max_pool2d(x, os), lambda x: TF.adaptive_max_pool2d(x, os), x)
    _, i1 = F.adaptive_max_pool2d(c(x), os, True)
    _, i2 = TF.adaptive_max_pool2d(x, os, True)
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())
    x1 = torch.randn(2, 3, 10)
    run_both(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), x1)
    run_both(lambda x: F.adaptive_max_pool1d(x, 3), lambda x: TF.adaptive_max_pool1d(x, 3), x1)


def test_max_unpool():
    x = torch.randn(2, 3, 6, 6)
    y, i = TF.max_pool2d(x, 2, return_indices=True)
    run_both(lambda y: F.max_unpool2d(y, c(i), 2), lambda y: TF.max_unpool2d(y, i, 2), y)
    x = torch.randn(2, 3, 7, 7)
    y, i = TF.max_pool2d(x, 2, return_indices=True)
    run_both(lambda y: F.max_unpool2d(y, c(i), 2, output_size=(7, 7)),
             lambda y: TF.max_unpool2d(y, i, 2, output_size=(7, 7)), y)
    x1 = torch.randn(1, 2, 9)
    y1, i1 = TF.max_pool1d(x1, 3, 2, return_indices=True)
    run_both(lambda y: F.max_unpool1d(y, c(i1), 3, 2), lambda y: TF.max_unpool1d(y, i1, 3, 2), y1)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad(mode):
    x = torch.randn(2, 3, 5, 6)
    for p in [(2, 1, 0, 3), (1, 1, 2, 2)]:
        run_both(lambda x: F.pad(x, p, mode), lambda x: TF.pad(x, p, mode), x)
    run_both(lambda x: F.pad(x, (1, 2), mode), lambda x: TF.pad(x, (1, 2), mode), torch.randn(2, 3, 5))
    run_both(lambda x: F.pad(x, (1, 2), mode), lambda x: TF.pad(x, (1, 2), mode), torch.randn(3, 5))
    if mode != "constant":
        with pytest.raises(NotImplementedError):
            F.pad(c(x), (1, 2), mode)
    if mode == "constant":
        run_both(lambda x: F.pad(x, (-1, 2, 1, -2), value=1.5), lambda x: TF.pad(x, (-1, 2, 1, -2), value=1.5), x)


@pytest.mark.parametrize("kw", [dict(size=(7, 5), mode="nearest"), dict(scale_factor=2, mode="nearest"),
                                dict(scale_factor=1.7, mode="nearest"), dict(size=(8, 3), mode="bilinear"),
                                dict(size=(8, 3), mode="bilinear", align_corners=True),
                                dict(scale_factor=(2, 0.5), mode="bilinear"), dict(size=(3, 2), mode="area"),
                                dict(size=(7, 9), mode="nearest-exact")])
def test_interpolate(kw):
    run_both(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), torch.randn(2, 3, 5, 6))


def test_unfold_fold():
    x = torch.randn(2, 3, 6, 7)
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    run_both(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), x)
    u = TF.unfold(x, **kw)
    run_both(lambda u: F.fold(u, (6, 7), **kw), lambda u: TF.fold(u, (6, 7), **kw), u)
    xd = cl.randn(1, 2, 4, 4, dtype=cl.float64, requires_grad=True)
    assert gradgradcheck(lambda x: F.unfold(x, 2, padding=1), (xd,))


ACTS = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}), ("selu", {}),
    ("celu", {"alpha": 1.3}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {"beta": 2.0, "threshold": 1.0}), ("softsign", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("hardsigmoid", {}), ("hardswish", {}), ("logsigmoid", {}), ("tanhshrink", {}), ("softshrink", {"lambd": 0.3}),
    ("hardshrink", {"lambd": 0.3}), ("sigmoid", {}), ("tanh", {}), ("softmax", {"dim": 1}), ("softmin", {"dim": 0}),
    ("log_softmax", {"dim": -1}), ("glu", {"dim": 1}), ("normalize", {"dim": 1}),
]


@pytest.mark.parametrize("name,kw", ACTS)
def test_activation(name, kw):
    x = torch.randn(4, 6) * 3
    run_both(lambda x: getattr(F, name)(x, **kw), lambda x: getattr(TF, name)(x, **kw), x)


@pytest.mark.parametrize("name,kw", [a for a in ACTS if a[0] in ("gelu", "elu", "silu", "mish", "softplus", "celu")])
def test_activation_double_backward(name, kw):
    x = cl.randn(3, 4, dtype=cl.float64, requires_grad=True)
    assert gradgradcheck(lambda x: getattr(F, name)(x, **kw), (x,))


def test_threshold_prelu_rrelu():
    x = torch.randn(3, 4, 5)
    run_both(lambda x: F.threshold(x, 0.1, -2.0), lambda x: TF.threshold(x, 0.1, -2.0), x)
    run_both(lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), x, torch.rand(4))
    run_both(lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), x, torch.rand(1))
    run_both(lambda x: F.rrelu(x, 0.1, 0.3, training=False), lambda x: TF.rrelu(x, 0.1, 0.3, training=False), x)
    xc = c(x)
    cl.manual_seed(0)
    y = F.rrelu(xc, 0.1, 0.3, training=True).numpy()
    neg = x.numpy() < 0
    ratio = y[neg] / x.numpy()[neg]
    assert ((ratio >= 0.1) & (ratio <= 0.3)).all() and np.array_equal(y[~neg], x.numpy()[~neg])
    cl.manual_seed(0)
    np.testing.assert_array_equal(F.rrelu(xc, 0.1, 0.3, training=True).numpy(), y)


def test_inplace_relu():
    x = cl.randn(3, 4)
    ref = np.maximum(x.numpy(), 0)
    r = F.relu(x, inplace=True)
    assert r is x and np.array_equal(x.numpy(), ref)


def test_dropout():
    x = cl.ones(200, 300)
    cl.manual_seed(1)
    y = F.dropout(x, 0.3).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert F.dropout(x, 0.3, training=False) is x
    y2 = F.dropout2d(cl.ones(50, 40, 3, 3), 0.5).numpy()
    assert (y2.reshape(50, 40, 9).std(-1) == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)
    z = F.alpha_dropout(cl.randn(10000), 0.2, training=True).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_norms():
    x = torch.randn(4, 3, 5, 6)
    w, b = torch.randn(3), torch.randn(3)
    run_both(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), lambda x, w, b: TF.batch_norm(x, None, None, w, b, True),
             x, w, b, tol=1e-4)
    rm, rv = torch.randn(3), torch.rand(3) + 0.5
    run_both(lambda x, w, b: F.batch_norm(x, c(rm.double()), c(rv.double()), w, b, False),
             lambda x, w, b: TF.batch_norm(x, rm.double(), rv.double(), w, b, False), x, w, b)
    run_both(lambda x, w, b: F.layer_norm(x, (5, 6), w, b), lambda x, w, b: TF.layer_norm(x, (5, 6), w, b),
             x, torch.randn(5, 6), torch.randn(5, 6), tol=1e-4)
    run_both(lambda x, w, b: F.group_norm(x, 3, w, b), lambda x, w, b: TF.group_norm(x, 3, w, b), x, w, b, tol=1e-4)
    run_both(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
             x, w, b, tol=1e-4)
    run_both(lambda x: F.local_response_norm(x, 3), lambda x: TF.local_response_norm(x, 3), x)
    run_both(lambda x: F.local_response_norm(x, 2), lambda x: TF.local_response_norm(x, 2), torch.randn(2, 5, 7))


def test_batch_norm_running_stats():
    rm_c, rv_c = cl.zeros(3), cl.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    for _ in range(3):
        x = torch.randn(5, 3, 4)
        F.batch_norm(c(x), rm_c, rv_c, training=True, momentum=0.2)
        TF.batch_norm(x, rm_t, rv_t, training=True, momentum=0.2)
    close(rm_c, rm_t)
    close(rv_c, rv_t)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(cl.randn(1, 3), None, None, training=True)


def test_embedding_one_hot_distances():
    w = torch.randn(10, 4)
    idx = torch.tensor([[1, 2, 0], [4, 1, 9]])
    run_both(lambda w: F.embedding(c(idx), w, padding_idx=1), lambda w: TF.embedding(idx, w, padding_idx=1), w)
    run_both(lambda w: F.embedding(c(idx), w, scale_grad_by_freq=True),
             lambda w: TF.embedding(idx, w, scale_grad_by_freq=True), w)
    wc, wt = c(w * 3, False), (w * 3).clone()
    F.embedding(c(idx), wc, max_norm=1.0)
    TF.embedding(idx, wt, max_norm=1.0)
    close(wc, wt, 1e-5)
    np.testing.assert_array_equal(F.one_hot(c(idx), 12).numpy(), TF.one_hot(idx, 12).numpy())
    np.testing.assert_array_equal(F.one_hot(c(idx)).numpy(), TF.one_hot(idx).numpy())
    a, b = torch.randn(5, 6), torch.randn(5, 6)
    run_both(lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b), a, b)
    run_both(lambda a, b: F.pairwise_distance(a, b), lambda a, b: TF.pairwise_distance(a, b), a, b)
    run_both(lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
             lambda a, b: TF.pairwise_distance(a, b, 1.0, keepdim=True), a, b)


def test_linear_bilinear_pixel_shuffle():
    run_both(lambda x, w, b: F.linear(x, w, b), lambda x, w, b: TF.linear(x, w, b),
             torch.randn(2, 3, 5), torch.randn(4, 5), torch.randn(4))
    run_both(lambda x, w: F.linear(x, w), lambda x, w: TF.linear(x, w), torch.randn(5), torch.randn(4, 5))
    run_both(lambda a, b, w, bb: F.bilinear(a, b, w, bb), lambda a, b, w, bb: TF.bilinear(a, b, w, bb),
             torch.randn(3, 4), torch.randn(3, 5), torch.randn(2, 4, 5), torch.randn(2))
    run_both(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), torch.randn(2, 8, 3, 4))
    run_both(lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2), torch.randn(2, 2, 4, 6))


def test_getattr_registry_fallback():
    with pytest.raises(AttributeError, match="no attribute 'definitely_not_a_function'"):
        F.definitely_not_a_function


def test_rms_norm_channel_shuffle_lp_pool3d():
    w = torch.randn(3, 4)
    run_both(lambda x, w: F.rms_norm(x, (3, 4), w), lambda x, w: TF.rms_norm(x, (3, 4), w), torch.randn(2, 3, 4), w)
    run_both(lambda x: F.rms_norm(x, 4, eps=1e-2), lambda x: TF.rms_norm(x, (4,), eps=1e-2), torch.randn(5, 4))
    x16 = torch.randn(2, 6)
    a = F.rms_norm(cl.tensor(x16.numpy(), dtype=cl.float16), (6,))
    b = TF.rms_norm(x16.half(), (6,))
    assert a.dtype == cl.float16 and np.allclose(a.numpy(), b.numpy(), atol=1e-3)
    run_both(lambda x: F.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3), torch.randn(2, 6, 3, 2))
    run_both(lambda x: F.lp_pool3d(x, 2.0, 2), lambda x: TF.lp_pool3d(x, 2.0, 2), torch.randn(1, 2, 4, 5, 4))
    for bad_c, bad_t in ((lambda: F.channel_shuffle(cl.ones(1, 4, 2), 3), lambda: TF.channel_shuffle(torch.ones(1, 4, 2), 3)),
                         (lambda: F.rms_norm(cl.ones(2, 4), (3,)), lambda: TF.rms_norm(torch.ones(2, 4), (3,)))):
        with pytest.raises(RuntimeError):
            bad_t()
        with pytest.raises(RuntimeError):
            bad_c()
