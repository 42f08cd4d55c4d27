"""nn on "cuda" (Numba CUDA simulator in CI) vs cpu: convolution (im2col/col2im kernels + device
GEMM), pooling kernels, the functional ops composed of core ops, layers, losses, optimizers and a
LeNet training step. Shapes stay tiny: every simulated thread is a Python thread."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F

RNG = np.random.default_rng(0)


def arr(*shape, lo=-2.0, hi=2.0, dtype=np.float32):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def host(t):
    return t.detach().cpu().numpy()


def close(a, b, tol=1e-5):
    a = host(a) if isinstance(a, cl.Tensor) else np.asarray(a)
    b = host(b) if isinstance(b, cl.Tensor) else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=tol, atol=tol)


def check(fn, *arrays, tol=1e-5, grad=True):
    """fn on cpu tensors vs on cuda tensors: values and input gradients."""
    ins = {}
    outs = {}
    for dev in ("cpu", "cuda"):
        ins[dev] = [cl.tensor(a, device=dev, requires_grad=grad and a.dtype.kind == "f")
                    for a in arrays]
        outs[dev] = fn(*ins[dev])
    assert outs["cuda"].device.type == "cuda"
    close(outs["cuda"], outs["cpu"], tol)
    if grad:
        for dev in ("cpu", "cuda"):
            w = cl.tensor(np.linspace(-1, 1, outs["cpu"].numel(), dtype=np.float32)
                          .reshape(outs["cpu"].shape), device=dev)
            (outs[dev] * w).sum().backward()
        for x, y in zip(ins["cpu"], ins["cuda"]):
            if x.requires_grad:
                assert y.grad.device.type == "cuda"
                close(y.grad, x.grad, tol)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding=2, dilation=2),
                                dict(groups=2), dict(padding="same")])
def test_conv2d(kw):
    check(lambda x, w, b: F.conv2d(x, w, b, **kw), arr(2, 4, 5, 5), arr(4, 4 // kw.get("groups", 1), 3, 3),
          arr(4), tol=1e-4)


def test_conv1d_3d_and_transposed():
    check(lambda x, w: F.conv1d(x, w, stride=2, padding=1), arr(2, 2, 7), arr(3, 2, 3), tol=1e-4)
    check(lambda x, w: F.conv3d(x, w, padding=1), arr(1, 2, 3, 3, 3), arr(2, 2, 2, 2, 2), tol=1e-4)
    check(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
          arr(1, 2, 3, 3), arr(2, 3, 3, 3), arr(3), tol=1e-4)
    check(lambda x: F.fold(F.unfold(x, 2, stride=1), (4, 4), 2), arr(1, 2, 4, 4), tol=1e-4)


def test_conv_double_backward():
    res = {}
    for dev in ("cpu", "cuda"):
        x = cl.tensor(arr(1, 2, 4, 4) if dev == "cpu" else res["x"], device=dev, requires_grad=True)
        if dev == "cpu":
            res["x"] = x.detach().numpy().copy()
            res["w"] = arr(2, 2, 3, 3)
        w = cl.tensor(res["w"], device=dev, requires_grad=True)
        g, = cl.autograd.grad(F.conv2d(x, w, padding=1).square().sum(), x, create_graph=True)
        g.sum().backward()
        res[dev] = (host(g), host(w.grad))
    for a, b in zip(res["cuda"], res["cpu"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_max_pool2d(kw):
    a = arr(2, 2, 5, 5)
    a[0, 0, 1, 1] = np.nan
    a[1, 1, 2:4, 2:4] = 1.5           # ties: the first index wins
    check(lambda x: F.max_pool2d(x, **kw), a)
    rc = F.max_pool2d(cl.tensor(a, device="cuda"), return_indices=True, **kw)
    r = F.max_pool2d(cl.tensor(a), return_indices=True, **kw)
    assert rc[1].device.type == "cuda" and rc[1].dtype == cl.int64
    np.testing.assert_array_equal(host(rc[1]), host(r[1]))
    # max_unpool round trip on the device
    kk = kw["kernel_size"]
    if kw.get("dilation", 1) == 1 and not kw.get("padding"):
        u = F.max_unpool2d(rc[0], rc[1], kk, kw.get("stride"), output_size=a.shape[-2:])
        close(u, F.max_unpool2d(r[0], r[1], kk, kw.get("stride"), output_size=a.shape[-2:]))


def test_pool_1d_3d_avg_adaptive():
    a = arr(2, 3, 6)
    check(lambda x: F.max_pool1d(x, 3, 2, 1), a)
    check(lambda x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False), a)
    b = arr(1, 2, 5, 5)
    check(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), b)
    check(lambda x: F.avg_pool2d(x, 2, divisor_override=3), b)
    check(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), b)
    check(lambda x: F.adaptive_max_pool2d(x, 3), b)
    i = F.adaptive_max_pool2d(cl.tensor(b, device="cuda"), 2, return_indices=True)[1]
    np.testing.assert_array_equal(host(i), host(F.adaptive_max_pool2d(cl.tensor(b), 2, return_indices=True)[1]))
    check(lambda x: F.max_pool3d(x, 2), arr(1, 1, 4, 4, 4))
    check(lambda x: F.avg_pool3d(x, 2), arr(1, 1, 4, 4, 4))


def test_pool_double_backward():
    for fn in (lambda x: F.max_pool2d(x, 2), lambda x: F.avg_pool2d(x, 2)):
        out = {}
        a = arr(1, 1, 4, 4)
        for dev in ("cpu", "cuda"):
            x = cl.tensor(a, device=dev, requires_grad=True)
            g, = cl.autograd.grad(fn(x).square().sum(), x, create_graph=True)
            g.sum().backward()
            out[dev] = (host(g), host(x.grad))
        for u, v in zip(out["cuda"], out["cpu"]):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_functional_composed_ops():
    x, w, b = arr(3, 5), arr(4, 5), arr(4)
    check(lambda x, w, b: F.linear(x, w, b), x, w, b, tol=1e-4)
    rm, rv = arr(2, lo=0, hi=1), arr(2, lo=0.5, hi=1.5)
    check(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), arr(3, 2, 2, 2), arr(2), arr(2),
          tol=1e-4)
    check(lambda x: F.batch_norm(x, cl.tensor(rm, device=x.device), cl.tensor(rv, device=x.device)),
          arr(3, 2, 2), tol=1e-4)
    check(lambda x: F.layer_norm(x, (4,)), arr(2, 3, 4), tol=1e-4)
    check(lambda e: F.embedding(cl.tensor([[0, 2], [1, 2]], device=e.device), e), arr(3, 4))
    check(lambda x: F.relu(x) + F.gelu(x) + F.leaky_relu(x, 0.1), arr(3, 4), tol=1e-4)
    y = F.dropout(cl.ones(200, device="cuda"), 0.5, training=True)
    v = host(y)
    assert y.device.type == "cuda" and set(np.unique(v)) <= {0.0, 2.0} and 40 < (v == 0).sum() < 160


def test_layers_lenet_forward_backward():
    nn = pytest.importorskip("corelib_layers") and cl.nn
    cl.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 3, 3),
                        nn.ReLU(), nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
    netc = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 3, 3),
                         nn.ReLU(), nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
    netc.load_state_dict(net.state_dict())
    netc.to("cuda")
    assert all(p.device.type == "cuda" for p in netc.parameters())
    x = arr(2, 1, 12, 12)
    y = net(cl.tensor(x))
    yc = netc(cl.tensor(x, device="cuda"))
    close(yc, y, 1e-5)
    y.square().sum().backward()
    yc.square().sum().backward()
    for p, q in zip(net.parameters(), netc.parameters()):
        close(q.grad, p.grad, 1e-4)
