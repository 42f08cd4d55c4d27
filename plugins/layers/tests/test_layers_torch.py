"""corelib-layers Modules against torch.nn (weights copied), reprs, state_dict keys, init, BN stats."""
import math

import numpy as np
import pytest

import corelib as cl
import corelib.nn as nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def c(t):
    return cl.tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad)


def copy_into(cm, tm):
    """Copy torch module parameters/buffers into the corelib module; keys must match."""
    tsd = tm.state_dict()
    assert list(cm.state_dict().keys()) == list(tsd.keys())
    cm.load_state_dict({k: cl.tensor(v.detach().numpy().copy()) for k, v in tsd.items()})


CASES = [
    ("Conv2d", (3, 6, 5), {}, (2, 3, 9, 9)),
    ("Conv2d", (4, 6, 3), dict(stride=2, padding=1, dilation=1, groups=2, bias=False), (1, 4, 8, 7)),
    ("Conv2d", (2, 3, (3, 2)), dict(padding=2, padding_mode="reflect"), (2, 2, 5, 6)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="circular"), (2, 2, 5, 6)),
    ("Conv2d", (2, 3, 3), dict(padding="same", padding_mode="replicate", dilation=2), (2, 2, 6, 6)),
    ("Conv1d", (2, 4, 3), dict(stride=2), (3, 2, 9)),
    ("Conv3d", (2, 2, 2), dict(padding=1), (1, 2, 3, 4, 3)),
    ("ConvTranspose2d", (4, 2, 3), dict(stride=2, padding=1, output_padding=1), (2, 4, 4, 5)),
    ("ConvTranspose1d", (2, 4, 3), dict(groups=2), (1, 2, 6)),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
    ("MaxPool2d", (2, 2), {}, (2, 3, 8, 8)), ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (1, 2, 7, 7)),
    ("MaxPool1d", (3,), {}, (2, 3, 10)), ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool2d", (3, 2, 1), dict(count_include_pad=False), (2, 3, 7, 6)), ("AvgPool1d", (2,), {}, (2, 3, 9)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, (2, 3, 7, 5)), ("AdaptiveMaxPool2d", (2,), {}, (2, 3, 7, 5)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 7)), ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7)),
    ("Linear", (5, 3), {}, (4, 5)), ("Linear", (5, 3), dict(bias=False), (2, 4, 5)),
    ("Identity", (), {}, (2, 3)), ("Flatten", (), {}, (2, 3, 4)), ("Unflatten", (1, (2, 3)), {}, (4, 6)),
    ("Sigmoid", (), {}, (3, 4)), ("Tanh", (), {}, (3, 4)), ("ReLU", (), {}, (3, 4)), ("ReLU6", (), {}, (3, 4)),
    ("LeakyReLU", (0.2,), {}, (3, 4)), ("PReLU", (3,), {}, (2, 3, 4)), ("PReLU", (), dict(init=0.1), (2, 3)),
    ("ELU", (), {}, (3, 4)), ("SELU", (), {}, (3, 4)), ("CELU", (0.5,), {}, (3, 4)), ("GELU", (), {}, (3, 4)),
    ("GELU", (), dict(approximate="tanh"), (3, 4)), ("SiLU", (), {}, (3, 4)), ("Mish", (), {}, (3, 4)),
    ("Softplus", (), dict(beta=2), (3, 4)), ("Softsign", (), {}, (3, 4)), ("Hardtanh", (-2, 2), {}, (3, 4)),
    ("Hardsigmoid", (), {}, (3, 4)), ("Hardswish", (), {}, (3, 4)), ("LogSigmoid", (), {}, (3, 4)),
    ("Softmax", (1,), {}, (3, 4)), ("Softmin", (1,), {}, (3, 4)), ("LogSoftmax", (-1,), {}, (3, 4)),
    ("Threshold", (0.1, 20.0), {}, (3, 4)), ("GLU", (), {}, (3, 4)), ("Tanhshrink", (), {}, (3, 4)),
    ("Softshrink", (), {}, (3, 4)), ("Hardshrink", (), {}, (3, 4)),
    ("LayerNorm", ((4,),), {}, (3, 4)), ("LayerNorm", ((3, 4),), dict(elementwise_affine=False), (2, 3, 4)),
    ("GroupNorm", (2, 4), {}, (2, 4, 3)), ("InstanceNorm2d", (3,), dict(affine=True), (2, 3, 4, 5)),
    ("InstanceNorm1d", (3,), {}, (3, 6)), ("LocalResponseNorm", (2,), {}, (2, 5, 4, 4)),
    ("ZeroPad2d", ((1, 2, 0, 1),), {}, (1, 2, 3, 3)), ("ConstantPad1d", (2, 3.5), {}, (2, 3, 4)),
    ("ConstantPad2d", (1, 0.5), {}, (2, 3, 4)), ("ReflectionPad2d", (2,), {}, (1, 2, 4, 5)),
    ("ReflectionPad1d", ((1, 2),), {}, (1, 2, 5)), ("ReplicationPad2d", ((1, 0, 2, 1),), {}, (1, 2, 3, 3)),
    ("ReplicationPad1d", (2,), {}, (2, 5)),
    ("Upsample", (), dict(scale_factor=2), (1, 2, 3, 3)), ("Upsample", ((5, 4),), dict(mode="bilinear"), (1, 2, 3, 3)),
    ("UpsamplingNearest2d", (), dict(scale_factor=2), (1, 2, 3, 3)),
    ("UpsamplingBilinear2d", ((5, 7),), {}, (1, 2, 3, 3)), ("PixelShuffle", (2,), {}, (1, 8, 2, 3)),
]


@pytest.mark.parametrize("name,args,kw,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_module_vs_torch(name, args, kw, shape):
    tm = getattr(tnn, name)(*args, **kw).double()
    cm = getattr(nn, name)(*args, **kw).double()
    assert repr(cm) == repr(tm)
    copy_into(cm, tm)
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    xc = c(x)
    yt, yc = tm(x), cm(xc)
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = torch.randn_like(yt)
    yt.backward(g)
    yc.backward(cl.tensor(g.numpy()))
    np.testing.assert_allclose(xc.grad.numpy(), x.grad.numpy(), rtol=1e-6, atol=1e-6)
    for (k, p), (k2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert k == k2
        np.testing.assert_allclose(p.grad.numpy(), p2.grad.numpy(), rtol=1e-6, atol=1e-6, err_msg=k)


def test_reprs_of_the_notes():
    assert repr(nn.Conv2d(3, 6, 5)) == "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.Linear(400, 120)) == "Linear(in_features=400, out_features=120, bias=True)"
    assert repr(nn.MaxPool2d(kernel_size=2, stride=2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.BatchNorm2d(16)) == repr(tnn.BatchNorm2d(16))   # torch 2.13 adds bias=True
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    for m, t in [(nn.BatchNorm1d(3, affine=False), tnn.BatchNorm1d(3, affine=False)),
                 (nn.GroupNorm(2, 4, affine=False), tnn.GroupNorm(2, 4, affine=False)),
                 (nn.LayerNorm(5, bias=False), tnn.LayerNorm(5, bias=False)), (nn.Embedding(10, 3, padding_idx=0), tnn.Embedding(10, 3, padding_idx=0)),
                 (nn.MaxUnpool2d(2), tnn.MaxUnpool2d(2)), (nn.Bilinear(2, 3, 4), tnn.Bilinear(2, 3, 4)),
                 (nn.ConvTranspose2d(2, 3, 3, 2, 1, 1, groups=1, dilation=2), tnn.ConvTranspose2d(2, 3, 3, 2, 1, 1, dilation=2)),
                 (nn.RReLU(0.1, 0.2), tnn.RReLU(0.1, 0.2)), (nn.Dropout2d(0.2), tnn.Dropout2d(0.2)),
                 (nn.AlphaDropout(), tnn.AlphaDropout()), (nn.InstanceNorm3d(4), tnn.InstanceNorm3d(4))]:
        assert repr(m) == repr(t)


def test_default_init_bounds_and_seed():
    cl.manual_seed(0)
    m = nn.Conv2d(4, 8, 3)
    bound = 1 / math.sqrt(4 * 9)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    cl.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(4, 8, 3).weight.detach().numpy(), w)
    lin = nn.Linear(100, 7)
    assert np.abs(lin.weight.detach().numpy()).max() <= 0.1
    assert nn.PReLU().weight.item() == pytest.approx(0.25)
    e = nn.Embedding(5, 3, padding_idx=2)
    assert (e.weight.detach().numpy()[2] == 0).all()


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats(momentum):
    tm = tnn.BatchNorm2d(3, momentum=momentum)
    cm = nn.BatchNorm2d(3, momentum=momentum)
    for _ in range(4):
        x = torch.randn(4, 3, 5, 5) * 2 + 1
        np.testing.assert_allclose(cm(c(x)).detach().numpy(), tm(x).detach().numpy(), rtol=1e-4, atol=1e-4)
    for k in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(cm, k).numpy(), getattr(tm, k).numpy(), rtol=1e-5, atol=1e-5)
    assert cm.num_batches_tracked.item() == 4
    cm.eval(); tm.eval()
    x = torch.randn(2, 3, 4, 4)
    np.testing.assert_allclose(cm(c(x)).detach().numpy(), tm(x).detach().numpy(), rtol=1e-4, atol=1e-4)


def test_batchnorm_state_dict_without_num_batches_tracked():
    m = nn.BatchNorm1d(3)
    sd = {k: v for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    res = m.load_state_dict(sd, strict=False)
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    assert "num_batches_tracked" in res.missing_keys or res.missing_keys == []


def test_dropout_scaling_and_eval():
    m = nn.Dropout(0.25)
    x = cl.ones(100, 100)
    y = m(x).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    m.eval()
    assert np.array_equal(m(x).numpy(), x.numpy())


def test_embedding_from_pretrained_and_grad():
    w = cl.randn(6, 3)
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    e2 = nn.Embedding(6, 3, padding_idx=1)
    out = e2(cl.tensor([[1, 2], [1, 5]]))
    out.sum().backward()
    g = e2.weight.grad.numpy()
    assert (g[1] == 0).all() and (g[2] == 1).all()


def test_registry_and_lenet_forward():
    from corelib import registry
    assert registry.get("layer", "conv2d") is nn.Conv2d
    assert registry.get("layer", "batch_norm2d") is nn.BatchNorm2d
    assert registry.get("layer", "leaky_relu") is nn.LeakyReLU
    net = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5),
                        nn.ReLU(inplace=True), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                        nn.Linear(120, 10))
    y = net(cl.randn(2, 3, 32, 32))
    assert tuple(y.shape) == (2, 10)
    y.sum().backward()
    assert net[0].weight.grad is not None
