"""Notes chapter 六 (weight initialisation): calculate_gain, the ten init methods, Xavier /
Kaiming bounds, and the notes' gradient-explosion demo (std of each layer's output)."""
import inspect
import math
import warnings

import numpy as np
import pytest

import corelib
import corelib as cl
import corelib.nn as nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def n(x):
    return np.asarray(x.detach().numpy())


def _strip(sig):
    return sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty)
                                   for p in sig.parameters.values()],
                       return_annotation=inspect.Signature.empty)


INIT_FNS = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
            "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
            "sparse_", "trunc_normal_"]


@pytest.mark.parametrize("name", INIT_FNS)
def test_init_signatures(name):
    a, b = getattr(nn.init, name), getattr(tnn.init, name)
    assert str(_strip(inspect.signature(a))) == str(_strip(inspect.signature(b)))


# ----------------------------------------------------------------------------- calculate_gain
@pytest.mark.parametrize("nl,param", [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
                                      ("conv_transpose1d", None), ("conv_transpose2d", None),
                                      ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
                                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                      ("leaky_relu", 1), ("selu", None), ("tanh", 3)])
def test_calculate_gain(nl, param):
    g, t = nn.init.calculate_gain(nl, param), tnn.init.calculate_gain(nl, param)
    assert g == pytest.approx(t, rel=1e-12)
    assert type(g) is type(t)


def test_calculate_gain_errors():
    for args in [("bogus",), ("leaky_relu", "x"), ("leaky_relu", True)]:
        with pytest.raises(ValueError):
            tnn.init.calculate_gain(*args)
        with pytest.raises(ValueError):
            nn.init.calculate_gain(*args)
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert nn.init.calculate_gain(nonlinearity="leaky_relu", param=0.5) == pytest.approx(math.sqrt(2 / 1.25))


def test_fans():
    for shape in [(4, 5), (6, 3, 5, 5), (2, 3, 4), (3, 2, 2, 2, 2)]:
        assert nn.init._calculate_fan_in_and_fan_out(cl.empty(*shape)) == \
            tnn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
        for mode in ("fan_in", "fan_out"):
            assert nn.init._calculate_correct_fan(cl.empty(*shape), mode) == \
                tnn.init._calculate_correct_fan(torch.empty(*shape), mode)
    with pytest.raises(ValueError):
        nn.init._calculate_fan_in_and_fan_out(cl.empty(3))
    with pytest.raises(ValueError):
        nn.init.kaiming_normal_(cl.empty(3, 4), mode="fan_avg")


# ----------------------------------------------------------------------------- notes' snippets
def test_notes_xavier_snippet():
    class Lin:
        neural_num = 256
    self = Lin()
    m = nn.Linear(256, 256)
    a = np.sqrt(6 / (self.neural_num + self.neural_num))

    tanh_gain = nn.init.calculate_gain('tanh')
    a *= tanh_gain

    r = nn.init.uniform_(m.weight.data, -a, a)
    assert r is m.weight.data or np.shares_memory(n(r), n(m.weight))
    w = n(m.weight).copy()
    assert w.min() >= -a and w.max() <= a and w.max() > 0.9 * a
    assert w.std() == pytest.approx(a / math.sqrt(3), rel=0.02)

    nn.init.xavier_uniform_(m.weight.data, gain=tanh_gain)
    w2 = n(m.weight)
    assert not np.array_equal(w, w2)
    assert np.abs(w2).max() <= a + 1e-6 and np.abs(w2).max() > 0.9 * a
    assert w2.std() == pytest.approx(a / math.sqrt(3), rel=0.02)
    assert m.weight.requires_grad and m.weight.is_leaf and m.weight.grad_fn is None


def test_notes_kaiming_snippet():
    class Lin:
        neural_num = 400
    self = Lin()
    m = nn.Linear(400, 400)
    nn.init.normal_(m.weight.data, std=np.sqrt(2 / self.neural_num))
    assert n(m.weight).std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert abs(n(m.weight).mean()) < 0.01
    nn.init.kaiming_normal_(m.weight.data)
    assert n(m.weight).std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert m.weight.dtype == cl.float32


# ----------------------------------------------------------------------------- ten init methods
def test_xavier_uniform_normal_bounds():
    w = cl.empty(300, 200)
    r = nn.init.xavier_uniform_(w)
    assert r is w
    bound = math.sqrt(6 / 500)
    assert n(w).max() <= bound and n(w).min() >= -bound and n(w).max() > 0.95 * bound
    assert n(w).std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    nn.init.xavier_normal_(w, gain=2.0)
    assert n(w).std() == pytest.approx(2 * math.sqrt(2 / 500), rel=0.02)
    w4 = cl.empty(64, 32, 3, 3)
    nn.init.xavier_normal_(w4)
    assert n(w4).std() == pytest.approx(math.sqrt(2 / (32 * 9 + 64 * 9)), rel=0.03)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nl,a", [("relu", 0), ("leaky_relu", 0), ("leaky_relu", 0.2), ("linear", 0)])
def test_kaiming_uniform_normal(mode, nl, a):
    w = cl.empty(128, 64, 3, 3)
    fan = 64 * 9 if mode == "fan_in" else 128 * 9
    std = tnn.init.calculate_gain(nl, a) / math.sqrt(fan)
    r = nn.init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nl)
    assert r is w
    bound = math.sqrt(3) * std
    assert np.abs(n(w)).max() <= bound * (1 + 1e-6) and np.abs(n(w)).max() > 0.95 * bound
    nn.init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nl)
    assert n(w).std() == pytest.approx(std, rel=0.02)


def test_uniform_normal_constant_defaults():
    w = cl.empty(100, 100)
    nn.init.uniform_(w)
    assert 0 <= n(w).min() and n(w).max() < 1 and n(w).mean() == pytest.approx(0.5, abs=0.02)
    nn.init.uniform_(w, a=-3, b=-1)
    assert -3 <= n(w).min() and n(w).max() < -1
    nn.init.normal_(w)
    assert n(w).std() == pytest.approx(1, rel=0.03) and abs(n(w).mean()) < 0.03
    nn.init.normal_(w, mean=2.0, std=0.1)
    assert n(w).mean() == pytest.approx(2.0, abs=0.01)
    assert nn.init.constant_(w, 0.3) is w
    np.testing.assert_allclose(n(w), 0.3, rtol=1e-6)
    nn.init.zeros_(w)
    assert not n(w).any()
    nn.init.ones_(w)
    assert (n(w) == 1).all()
    with pytest.raises(RuntimeError):
        nn.init.uniform_(w, 1.0, 0.0)
    with pytest.raises(RuntimeError):
        nn.init.normal_(w, std=-1.0)


def test_eye_dirac_vs_torch():
    for shape in [(3, 5), (5, 3), (4, 4)]:
        np.testing.assert_array_equal(n(nn.init.eye_(cl.empty(*shape))), nn_t(tnn.init.eye_(torch.empty(*shape))))
    with pytest.raises(ValueError):
        nn.init.eye_(cl.empty(2, 3, 4))
    for shape, g in [((3, 16, 5, 5), 1), ((6, 4, 3, 3), 2), ((4, 2, 3), 1), ((2, 2, 3, 3, 3), 1), ((3, 24, 5, 5), 3)]:
        np.testing.assert_array_equal(n(nn.init.dirac_(cl.empty(*shape), g)),
                                      nn_t(tnn.init.dirac_(torch.empty(*shape), g)))
    with pytest.raises(ValueError):
        nn.init.dirac_(cl.empty(3, 4))
    # dirac keeps the identity through a conv
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = cl.randn(1, 3, 5, 5)
    np.testing.assert_allclose(n(conv(x)), n(x), rtol=1e-6, atol=1e-6)


def nn_t(t):
    return t.detach().numpy()


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 3, 2, 2), (8, 8)])
def test_orthogonal(shape):
    w = cl.empty(*shape)
    assert nn.init.orthogonal_(w, gain=2) is w
    m = n(w).reshape(shape[0], -1).astype(np.float64)
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, 4 * np.eye(m.shape[0]), atol=1e-5)
    else:
        np.testing.assert_allclose(m.T @ m, 4 * np.eye(m.shape[1]), atol=1e-5)
    with pytest.raises(ValueError):
        nn.init.orthogonal_(cl.empty(3))


def test_sparse():
    w = cl.empty(100, 30)
    assert nn.init.sparse_(w, sparsity=0.1) is w
    z = (n(w) == 0).sum(0)
    assert (z == 10).all()  # ceil(0.1 * 100) zeros per column
    nz = n(w)[n(w) != 0]
    assert nz.std() == pytest.approx(0.01, rel=0.05)
    nn.init.sparse_(w, sparsity=0.25, std=1.0)
    assert ((n(w) == 0).sum(0) == 25).all()
    with pytest.raises(ValueError):
        nn.init.sparse_(cl.empty(3, 4, 5), 0.1)


def test_trunc_normal():
    w = cl.empty(200, 200)
    nn.init.trunc_normal_(w, std=0.5, a=-1.0, b=1.0)
    assert n(w).min() >= -1 and n(w).max() <= 1
    t = torch.empty(200, 200)
    tnn.init.trunc_normal_(t, std=0.5, a=-1.0, b=1.0)
    assert n(w).std() == pytest.approx(t.std().item(), rel=0.03)


def test_init_on_parameter_keeps_leaf_and_no_history():
    lin = nn.Linear(5, 3)
    for fn in [nn.init.xavier_uniform_, nn.init.xavier_normal_, nn.init.kaiming_uniform_,
               nn.init.kaiming_normal_, nn.init.orthogonal_, nn.init.eye_, nn.init.ones_,
               nn.init.zeros_, nn.init.uniform_, nn.init.normal_, lambda w: nn.init.constant_(w, 0.1),
               lambda w: nn.init.sparse_(w, 0.5), nn.init.trunc_normal_]:
        r = fn(lin.weight)
        assert r is lin.weight
        assert isinstance(lin.weight, nn.Parameter)
        assert lin.weight.requires_grad and lin.weight.is_leaf and lin.weight.grad_fn is None
    nn.init.constant_(lin.bias, 0.0)
    lin(cl.ones(2, 5)).sum().backward()
    assert lin.weight.grad is not None


def test_init_reproducible_with_manual_seed_and_generator():
    for fn in [nn.init.xavier_uniform_, nn.init.kaiming_normal_, nn.init.orthogonal_, nn.init.normal_,
               lambda w: nn.init.sparse_(w, 0.3)]:
        cl.manual_seed(7)
        a = n(fn(cl.empty(6, 5))).copy()
        cl.manual_seed(7)
        b = n(fn(cl.empty(6, 5))).copy()
        np.testing.assert_array_equal(a, b)
    g = cl.Generator().manual_seed(3)
    a = n(nn.init.xavier_uniform_(cl.empty(4, 4), generator=g)).copy()
    g = cl.Generator().manual_seed(3)
    b = n(nn.init.xavier_uniform_(cl.empty(4, 4), generator=g)).copy()
    np.testing.assert_array_equal(a, b)


def test_init_float64_keeps_dtype():
    w = cl.empty(20, 10, dtype=cl.float64)
    nn.init.kaiming_uniform_(w)
    assert w.dtype == cl.float64
    nn.init.orthogonal_(w)
    assert w.dtype == cl.float64


def test_init_errors_and_deprecated_aliases():
    with pytest.raises((NotImplementedError, RuntimeError)):
        nn.init.uniform_(cl.zeros(3, dtype=cl.int64))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        nn.init.xavier_uniform(cl.empty(3, 4))
    assert any(issubclass(r.category, FutureWarning) for r in rec)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        nn.init.kaiming_uniform_(cl.empty(0, 3))
    assert any("zero-element" in str(r.message) for r in rec)


def test_registry_initializer_names():
    from corelib import registry
    for key in ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "uniform", "normal",
                "constant", "orthogonal", "eye", "sparse", "dirac", "calculate_gain"]:
        assert callable(registry.get("initializer", key))
    assert registry.get("initializer", "xavier_uniform") is nn.init.xavier_uniform_


# ----------------------------------------------------------------------------- 6.1 demo
class MLP(nn.Module):
    def __init__(self, neural_num, layers, act=None):
        super(MLP, self).__init__()
        self.linears = nn.ModuleList([nn.Linear(neural_num, neural_num, bias=False) for i in range(layers)])
        self.neural_num = neural_num
        self.act = act
        self.stds = []

    def forward(self, x):
        for (i, linear) in enumerate(self.linears):
            x = linear(x)
            if self.act == "tanh":
                x = corelib.tanh(x)
            elif self.act == "relu":
                x = corelib.relu(x)
            s = x.std()
            line = "layer:{}, std:{}".format(i, s)
            assert line == "layer:{}, std:{}".format(i, s.item())  # 0-dim tensors format as their item
            self.stds.append(s.item())
            if corelib.isnan(x.std()):
                print("output is nan in {} layers".format(i))
                break
        return x

    def initialize(self, how):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if how == "normal":
                    nn.init.normal_(m.weight.data)
                elif how == "scaled":
                    nn.init.normal_(m.weight.data, std=np.sqrt(1 / self.neural_num))
                elif how == "xavier":
                    a = np.sqrt(6 / (self.neural_num + self.neural_num))
                    tanh_gain = nn.init.calculate_gain('tanh')
                    a *= tanh_gain
                    nn.init.uniform_(m.weight.data, -a, a)
                elif how == "xavier_builtin":
                    nn.init.xavier_uniform_(m.weight.data, gain=nn.init.calculate_gain('tanh'))
                elif how == "kaiming":
                    nn.init.normal_(m.weight.data, std=np.sqrt(2 / self.neural_num))
                elif how == "kaiming_builtin":
                    nn.init.kaiming_normal_(m.weight.data)


def test_gradient_explosion_demo_std_per_layer():
    cl.manual_seed(1)
    layer_nums, neural_nums, batch_size = 100, 256, 16

    net = MLP(neural_nums, layer_nums)
    net.initialize("normal")
    inputs = corelib.randn((batch_size, neural_nums))
    output = net(inputs)
    # std grows by ~sqrt(256)=16 per layer: overflow to inf then nan well before layer 100
    assert net.stds[1] == pytest.approx(256.0, rel=0.2)
    assert np.isnan(net.stds[-1]) and len(net.stds) < 40
    assert corelib.isnan(output.std())

    net = MLP(128, 50)
    net.initialize("scaled")
    net(corelib.randn((batch_size, 128)))
    assert len(net.stds) == 50
    assert 0.3 < net.stds[-1] < 3


@pytest.mark.parametrize("act,how,lo,hi", [("tanh", "xavier", 0.5, 0.8), ("tanh", "xavier_builtin", 0.5, 0.8),
                                           ("relu", "kaiming", 0.1, 10.0), ("relu", "kaiming_builtin", 0.1, 10.0)])
def test_activation_aware_init_keeps_scale(act, how, lo, hi):
    cl.manual_seed(0)
    net = MLP(128, 50, act=act)
    net.initialize(how)
    net(corelib.randn((16, 128)))
    assert len(net.stds) == 50
    assert lo < net.stds[-1] < hi, net.stds[-1]


def test_tanh_with_scaled_normal_vanishes():
    cl.manual_seed(0)
    net = MLP(128, 100, act="tanh")
    net.initialize("scaled")
    net(corelib.randn((16, 128)))
    assert net.stds[-1] < 0.2
