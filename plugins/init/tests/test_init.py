"""Tests of corelib-init: the torch.nn.init functions, their math, RNG use and the facade."""
import math
import warnings

import numpy as np
import pytest

import corelib
from corelib import registry
from corelib_init import init as I

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]
RANDOM_INITS = {
    "uniform_": lambda t, **kw: I.uniform_(t, -0.5, 2.0, **kw),
    "normal_": lambda t, **kw: I.normal_(t, 1.0, 0.5, **kw),
    "trunc_normal_": lambda t, **kw: I.trunc_normal_(t, **kw),
    "xavier_uniform_": lambda t, **kw: I.xavier_uniform_(t, **kw),
    "xavier_normal_": lambda t, **kw: I.xavier_normal_(t, **kw),
    "kaiming_uniform_": lambda t, **kw: I.kaiming_uniform_(t, **kw),
    "kaiming_normal_": lambda t, **kw: I.kaiming_normal_(t, **kw),
    "orthogonal_": lambda t, **kw: I.orthogonal_(t, **kw),
    "sparse_": lambda t, **kw: I.sparse_(t, 0.3, **kw),
}


def arr(t):
    return t.detach().numpy().astype(np.float64)


def empty(*shape, dtype=None):
    return corelib.empty(*shape, dtype=dtype)


# --------------------------------------------------------------------------- gain and fans


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain_matches_torch(name):
    torch = pytest.importorskip("torch")
    got = I.calculate_gain(name)
    want = torch.nn.init.calculate_gain(name)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("param", [None, 0, 0.2, 1, 3, -0.5, 0.01])
def test_calculate_gain_leaky_relu_param(param):
    torch = pytest.importorskip("torch")
    assert I.calculate_gain("leaky_relu", param) == torch.nn.init.calculate_gain("leaky_relu", param)
    # param is ignored by the other nonlinearities, as in torch
    assert I.calculate_gain("relu", param) == math.sqrt(2.0)


def test_calculate_gain_values():
    assert I.calculate_gain("tanh") == 5.0 / 3
    assert I.calculate_gain("relu") == math.sqrt(2.0)
    assert I.calculate_gain("selu") == 0.75
    assert I.calculate_gain("sigmoid") == 1
    assert I.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01 ** 2))
    assert I.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)


@pytest.mark.parametrize("args", [("leaky_relu", True), ("leaky_relu", "0.2"),
                                  ("leaky_relu", [0.1]), ("gelu",), ("ReLU",), (None,)])
def test_calculate_gain_errors_match_torch(args):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as want:
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError) as got:
        I.calculate_gain(*args)
    assert str(got.value) == str(want.value)
    if args[0] == "leaky_relu":
        assert "not a valid number" in str(got.value)


@pytest.mark.parametrize("shape", [(5, 3), (1, 1), (7, 4, 3), (16, 8, 3, 3), (6, 2, 1, 5),
                                   (4, 3, 2, 3, 5), (3, 0), (0, 4, 3, 3)])
def test_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    t = torch.empty(shape)
    c = empty(*shape)
    assert I._calculate_fan_in_and_fan_out(c) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    for mode in ("fan_in", "fan_out", "FAN_OUT"):
        assert I._calculate_correct_fan(c, mode) == torch.nn.init._calculate_correct_fan(t, mode)


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_need_two_dims(shape):
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        I._calculate_fan_in_and_fan_out(empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        I.xavier_uniform_(empty(*shape))


def test_bad_mode_message_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as want:
        torch.nn.init.kaiming_uniform_(torch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError) as got:
        I.kaiming_uniform_(empty(3, 4), mode="fan_avg")
    assert str(got.value) == str(want.value)


# --------------------------------------------------------------------------- statistics


def test_xavier_uniform_bound_and_std():
    gain = I.calculate_gain("tanh")
    w = empty(1000, 1000)
    I.xavier_uniform_(w, gain=gain)
    a = arr(w)
    bound = gain * math.sqrt(6.0 / (1000 + 1000))
    assert np.abs(a).max() <= bound + 1e-6
    assert np.abs(a).max() > 0.999 * bound
    assert abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.02
    assert abs(a.mean()) < 0.01 * bound


def test_xavier_uniform_conv_weight():
    w = empty(64, 32, 5, 5)          # fan_in 800, fan_out 1600
    I.xavier_uniform_(w)
    bound = math.sqrt(6.0 / (800 + 1600))
    a = arr(w)
    assert np.abs(a).max() <= bound + 1e-6
    assert abs(a.std() / (bound / math.sqrt(3)) - 1) < 0.02


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier_normal_std(gain):
    w = empty(1000, 500)
    I.xavier_normal_(w, gain=gain)
    a = arr(w)
    std = gain * math.sqrt(2.0 / 1500)
    assert abs(a.std() / std - 1) < 0.02
    assert abs(a.mean()) < 0.01 * std


@pytest.mark.parametrize("a_, mode, nonlinearity", [
    (0, "fan_in", "leaky_relu"), (0, "fan_in", "relu"), (0, "fan_out", "relu"),
    (0.2, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
    (0, "fan_out", "tanh"), (0, "fan_in", "linear"), (0, "fan_in", "selu"),
])
@pytest.mark.parametrize("dist", ["uniform", "normal"])
def test_kaiming(a_, mode, nonlinearity, dist):
    w = empty(500, 200, 3, 3)         # fan_in 1800, fan_out 4500
    fan = 1800 if mode == "fan_in" else 4500
    gain = I.calculate_gain(nonlinearity, a_)
    std = gain / math.sqrt(fan)
    if dist == "uniform":
        out = I.kaiming_uniform_(w, a=a_, mode=mode, nonlinearity=nonlinearity)
        bound = math.sqrt(3.0) * std
        assert np.abs(arr(w)).max() <= bound + 1e-6
    else:
        out = I.kaiming_normal_(w, a=a_, mode=mode, nonlinearity=nonlinearity)
    assert out is w
    assert abs(arr(w).std() / std - 1) < 0.02


def test_kaiming_defaults_are_leaky_relu_fan_in():
    # default a=0 with leaky_relu -> gain sqrt(2): the notes' D(W) = 2 / n_i
    w = empty(1000, 1000)
    I.kaiming_normal_(w)
    assert abs(arr(w).var() / (2 / 1000) - 1) < 0.03
    I.kaiming_uniform_(w)
    assert np.abs(arr(w)).max() <= math.sqrt(6 / 1000) + 1e-6


@pytest.mark.parametrize("fn", [I.kaiming_uniform_, I.kaiming_normal_])
def test_kaiming_zero_element_warns_and_is_noop(fn):
    w = empty(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert fn(w) is w


def test_uniform_normal_constant_ones_zeros():
    w = empty(1000, 1000)
    assert I.uniform_(w) is w
    a = arr(w)
    assert a.min() >= 0 and a.max() <= 1 and abs(a.mean() - 0.5) < 0.005
    I.uniform_(w, a=-3.0, b=-1.0)
    a = arr(w)
    assert a.min() >= -3 and a.max() <= -1 and abs(a.std() / (2 / math.sqrt(12)) - 1) < 0.02
    assert I.normal_(w) is w
    a = arr(w)
    assert abs(a.mean()) < 0.005 and abs(a.std() - 1) < 0.02
    I.normal_(w, mean=2.0, std=0.1)
    a = arr(w)
    assert abs(a.mean() - 2) < 0.001 and abs(a.std() / 0.1 - 1) < 0.02
    assert I.constant_(w, 0.3) is w
    assert np.all(arr(w) == np.float32(0.3))
    assert I.ones_(w) is w and np.all(arr(w) == 1)
    assert I.zeros_(w) is w and np.all(arr(w) == 0)


def test_notes_uniform_equivalent_to_xavier_tanh():
    # notes 6.2: a = sqrt(6 / (n + n)) * tanh_gain; uniform_(w, -a, a) ~ xavier_uniform_(gain=tanh_gain)
    n = 1000
    tanh_gain = I.calculate_gain("tanh")
    a = np.sqrt(6 / (n + n)) * tanh_gain
    w1, w2 = empty(n, n), empty(n, n)
    I.uniform_(w1, -a, a)
    I.xavier_uniform_(w2, gain=tanh_gain)
    assert abs(arr(w1).std() / arr(w2).std() - 1) < 0.01
    assert np.abs(arr(w2)).max() <= a + 1e-6


def test_random_init_errors_match_torch():
    with pytest.raises(RuntimeError, match="from=2 > to=-2"):
        I.uniform_(empty(3), 2, -2)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        I.normal_(empty(3), 0, -1)
    with pytest.raises(NotImplementedError):
        I.normal_(corelib.zeros(3, dtype=corelib.int64))
    with pytest.raises(TypeError, match="corelib.Tensor"):
        I.xavier_uniform_(np.zeros((3, 4)))


def _truncnorm_moments(mu, sigma, a, b):
    alpha, beta = (a - mu) / sigma, (b - mu) / sigma
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    mean = mu + sigma * (pdf(alpha) - pdf(beta)) / z
    var = sigma ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z
                        - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    return mean, math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [
    (0.0, 1.0, -2.0, 2.0),          # defaults: rejection from the normal
    (0.0, 0.02, -0.04, 0.04),       # ViT style
    (0.0, 1.0, 1.0, 3.0),           # p < 0.3: uniform proposals
    (0.5, 2.0, -1.0, 0.0),          # mean outside [a, b] but within 2 std
])
def test_trunc_normal_bounds_and_moments(mean, std, a, b):
    w = empty(1000, 1000)
    kwargs = {} if (mean, std, a, b) == (0.0, 1.0, -2.0, 2.0) else dict(mean=mean, std=std, a=a, b=b)
    assert I.trunc_normal_(w, **kwargs) is w
    x = arr(w)
    assert x.min() >= np.float32(a) and x.max() <= np.float32(b)
    m, s = _truncnorm_moments(mean, std, a, b)
    assert abs(x.mean() - m) < 0.01 * s
    assert abs(x.std() / s - 1) < 0.02


def test_trunc_normal_far_mean_warns_and_stays_in_bounds():
    w = empty(200, 50, dtype=corelib.float64)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        I.trunc_normal_(w, mean=5.0, std=1.0, a=-2.0, b=2.0)
    x = arr(w)
    assert x.min() >= -2 and x.max() <= 2 and x.mean() > 1.5   # piled up near b


# --------------------------------------------------------------------------- structured


@pytest.mark.parametrize("shape", [(300, 300), (100, 400), (400, 100), (8, 4, 3, 3), (1, 50)])
@pytest.mark.parametrize("gain", [1, 2.0])
def test_orthogonal(shape, gain):
    w = empty(*shape, dtype=corelib.float64)
    assert I.orthogonal_(w, gain=gain) is w
    m = arr(w).reshape(shape[0], -1) / gain
    rows, cols = m.shape
    if rows <= cols:
        np.testing.assert_allclose(m @ m.T, np.eye(rows), atol=1e-10)
    if rows >= cols:
        np.testing.assert_allclose(m.T @ m, np.eye(cols), atol=1e-10)


def test_orthogonal_float32_and_sign_correction():
    g = corelib.Generator().manual_seed(7)
    w = empty(50, 80)
    I.orthogonal_(w, generator=g)
    m = arr(w)
    np.testing.assert_allclose(m @ m.T, np.eye(50), atol=1e-5)
    # the same algorithm as torch: Q of QR(normal), columns times sign(diag(R))
    rng = corelib.random.numpy_rng(corelib.Generator().manual_seed(7))
    flat = rng.standard_normal((50, 80)).T
    q, r = np.linalg.qr(flat)
    expect = (q * np.sign(np.diag(r))).T
    np.testing.assert_allclose(m, expect, atol=1e-6)


def test_orthogonal_errors_and_empty():
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        I.orthogonal_(empty(5))
    w = empty(0, 3)
    assert I.orthogonal_(w) is w


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (1, 7)])
def test_eye_matches_torch(shape):
    torch = pytest.importorskip("torch")
    w = empty(*shape)
    assert I.eye_(w) is w
    np.testing.assert_array_equal(arr(w), torch.nn.init.eye_(torch.empty(shape)).numpy())


def test_eye_needs_2d():
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        I.eye_(empty(2, 2, 2))


@pytest.mark.parametrize("shape, groups", [
    ((4, 4, 3), 1), ((6, 4, 5), 1), ((4, 6, 3, 3), 1), ((6, 2, 3, 3), 3), ((8, 3, 3, 5), 2),
    ((4, 4, 3, 3, 3), 1), ((6, 3, 1, 2, 3), 2),
])
def test_dirac_matches_torch(shape, groups):
    torch = pytest.importorskip("torch")
    w = empty(*shape)
    assert I.dirac_(w, groups) is w
    np.testing.assert_array_equal(arr(w), torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_dirac_structure():
    w = empty(4, 4, 3, 3)
    I.dirac_(w)
    a = arr(w)
    assert a.sum() == 4
    for d in range(4):
        assert a[d, d, 1, 1] == 1


def test_dirac_errors():
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        I.dirac_(empty(3, 3))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        I.dirac_(empty(5, 2, 3, 3), groups=2)


def _functional():
    try:
        import corelib.nn.functional as F
    except ImportError:
        return None
    return F


def test_dirac_conv_identity():
    F = _functional()
    if F is None or not hasattr(F, "conv2d"):
        pytest.skip("corelib.nn.functional.conv2d is not available (structure checked above)")
    corelib.manual_seed(0)
    x = corelib.randn(2, 4, 7, 7)
    w = empty(4, 4, 3, 3)
    I.dirac_(w)
    np.testing.assert_allclose(arr(F.conv2d(x, w, padding=1)), arr(x), atol=1e-6)
    # grouped: each group of channels is preserved
    wg = empty(6, 2, 3, 3)
    I.dirac_(wg, groups=3)
    xg = corelib.randn(1, 6, 5, 5)
    np.testing.assert_allclose(arr(F.conv2d(xg, wg, padding=1, groups=3)), arr(xg), atol=1e-6)
    if hasattr(F, "conv1d"):
        w1 = empty(3, 3, 5)
        I.dirac_(w1)
        x1 = corelib.randn(2, 3, 9)
        np.testing.assert_allclose(arr(F.conv1d(x1, w1, padding=2)), arr(x1), atol=1e-6)


@pytest.mark.parametrize("sparsity", [0.1, 0.25, 0.9, 0.0])
def test_sparse_zero_fraction_per_column(sparsity):
    rows, cols = 200, 300
    w = empty(rows, cols)
    assert I.sparse_(w, sparsity) is w
    a = arr(w)
    nz = math.ceil(sparsity * rows)
    np.testing.assert_array_equal((a == 0).sum(axis=0), np.full(cols, nz))
    nonzero = a[a != 0]
    assert abs(nonzero.std() / 0.01 - 1) < 0.03


def test_sparse_std_and_errors():
    w = empty(100, 1000)
    I.sparse_(w, sparsity=0.5, std=2.0)
    a = arr(w)
    assert np.all((a == 0).sum(axis=0) == 50)
    assert abs(a[a != 0].std() / 2.0 - 1) < 0.03
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        I.sparse_(empty(2, 3, 4), 0.1)


# --------------------------------------------------------------------------- RNG and in-place


@pytest.mark.parametrize("name", sorted(RANDOM_INITS))
def test_reproducible_with_manual_seed_and_generator(name):
    fn = RANDOM_INITS[name]
    corelib.manual_seed(123)
    a = arr(fn(empty(40, 30)))
    corelib.manual_seed(123)
    b = arr(fn(empty(40, 30)))
    np.testing.assert_array_equal(a, b)
    c = arr(fn(empty(40, 30)))
    assert not np.array_equal(a, c)
    # generator=: reproducible, and the default generator is left alone
    state = corelib.random.get_rng_state()
    g1 = arr(fn(empty(40, 30), generator=corelib.Generator().manual_seed(5)))
    g2 = arr(fn(empty(40, 30), generator=corelib.Generator().manual_seed(5)))
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(arr(corelib.random.get_rng_state()), arr(state))
    assert not np.array_equal(g1, arr(fn(empty(40, 30), generator=corelib.Generator().manual_seed(6))))


ALL_INITS = dict(RANDOM_INITS)
ALL_INITS.update({
    "constant_": lambda t: I.constant_(t, 0.5),
    "ones_": I.ones_,
    "zeros_": I.zeros_,
    "eye_": I.eye_,
})


@pytest.mark.parametrize("name", sorted(ALL_INITS))
def test_in_place_on_parameter(name):
    from corelib.nn import Parameter
    p = Parameter(corelib.zeros(20, 10))
    assert corelib.is_grad_enabled()
    before = id(p)
    out = ALL_INITS[name](p)
    assert out is p and id(p) == before
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert type(p) is Parameter
    # .data shares memory: writing through it changes the parameter, still no history
    out = ALL_INITS[name](p.data)
    assert p.requires_grad and p.grad_fn is None
    # the parameter still trains
    (p * 2).sum().backward()
    np.testing.assert_array_equal(arr(p.grad), np.full((20, 10), 2.0))


def test_dirac_in_place_on_parameter_and_dtype_kept():
    from corelib.nn import Parameter
    p = Parameter(corelib.zeros(4, 4, 3, 3, dtype=corelib.float64))
    assert I.dirac_(p) is p
    assert p.requires_grad and p.grad_fn is None and p.dtype == corelib.float64


def test_view_of_tensor_written_in_place():
    base = corelib.zeros(6, 4)
    I.ones_(base[2:4])
    I.eye_(base[:, :2].t())       # a non-contiguous view
    a = arr(base)
    np.testing.assert_array_equal(a[2:4, 2:], 1)
    np.testing.assert_array_equal(a[:2, :2], np.eye(2))


# --------------------------------------------------------------------------- deprecated aliases


DEPRECATED = ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
              "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]
DEPRECATED_ARGS = {"constant": (0.5,), "sparse": (0.2,)}


@pytest.mark.parametrize("old", DEPRECATED)
def test_deprecated_aliases_warn_like_torch(old):
    fn = getattr(I, old)
    assert fn.__name__ == old
    shape = (4, 4, 3, 3) if old == "dirac" else (6, 5)
    w = empty(*shape)
    with pytest.warns(FutureWarning) as rec:
        out = fn(w, *DEPRECATED_ARGS.get(old, ()))
    assert out is w
    msg = f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`."
    assert str(rec[0].message) == msg
    assert rec[0].filename == __file__
    torch = pytest.importorskip("torch")
    with pytest.warns(FutureWarning) as trec:
        getattr(torch.nn.init, old)(torch.empty(shape), *DEPRECATED_ARGS.get(old, ()))
    assert str(trec[0].message) == msg


def test_module_all_matches_torch():
    torch = pytest.importorskip("torch")
    assert sorted(I.__all__) == sorted(torch.nn.init.__all__)


def test_signatures_match_torch():
    import inspect
    torch = pytest.importorskip("torch")
    for name in torch.nn.init.__all__:
        if name in DEPRECATED:
            continue
        ours = inspect.signature(getattr(I, name))
        theirs = inspect.signature(getattr(torch.nn.init, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for p in ours.parameters.values():
            q = theirs.parameters[p.name]
            assert p.default == q.default and type(p.default) is type(q.default), (name, p.name)


# --------------------------------------------------------------------------- registry and facade


KEYS = ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "uniform",
        "normal", "constant", "ones", "zeros", "orthogonal", "eye", "dirac", "sparse",
        "trunc_normal", "calculate_gain"]


@pytest.mark.parametrize("key", KEYS)
def test_registry_keys_and_aliases(key):
    fn = getattr(I, "calculate_gain" if key == "calculate_gain" else key + "_")
    assert registry.get("initializer", key) is fn
    assert registry.get("initializer", fn.__name__) is fn
    info = registry.info("initializer", key)
    assert info.dist == "corelib-init"


def test_registry_lists_exactly_the_catalog():
    from corelib._catalog import CATALOG
    catalog = sorted(n for (k, n), d in CATALOG.items() if k == "initializer")
    assert sorted(KEYS) == catalog
    assert set(KEYS) <= set(registry.list("initializer"))


def test_check_plugin():
    from corelib.testing import check_plugin
    report = check_plugin("corelib-init")
    assert len(report.checked) == len(KEYS)


def _facade_nn():
    try:
        import corelib.nn as nn
        import corelib.nn.init  # noqa: F401
    except ImportError as e:
        pytest.skip(f"corelib.nn (or corelib.nn.init) is not importable yet: {e}")
    return nn


def test_facade_notes_usage():
    nn = _facade_nn()

    class MLP(nn.Module):
        def __init__(self, neural_num):
            super().__init__()
            self.neural_num = neural_num
            self.weight = nn.Parameter(corelib.empty(neural_num, neural_num))

    m = MLP(256)
    tanh_gain = nn.init.calculate_gain("tanh")
    assert tanh_gain == 5.0 / 3
    out = nn.init.xavier_uniform_(m.weight.data, gain=tanh_gain)
    a = np.sqrt(6 / (m.neural_num + m.neural_num)) * tanh_gain
    assert np.abs(arr(m.weight)).max() <= a + 1e-6
    assert out.shape == (256, 256)
    nn.init.kaiming_normal_(m.weight.data)
    assert abs(arr(m.weight).std() / math.sqrt(2 / 256) - 1) < 0.05
    nn.init.normal_(m.weight.data, std=np.sqrt(2 / m.neural_num))
    assert m.weight.requires_grad and m.weight.grad_fn is None


def test_facade_names():
    nn = _facade_nn()
    for name in I.__all__:
        if name in DEPRECATED:
            continue
        assert getattr(nn.init, name) is getattr(I, name)
    assert nn.init._calculate_fan_in_and_fan_out is I._calculate_fan_in_and_fan_out
    assert nn.init._calculate_correct_fan is I._calculate_correct_fan
    listed = dir(nn.init)
    for name in I.__all__:
        assert name in listed, name
    with pytest.raises(AttributeError, match="ones_"):
        nn.init.ones           # torch.nn.init has no deprecated `ones`
    with pytest.raises(AttributeError, match="xavier_uniform_"):
        nn.init.xavier_unifrom_


def test_facade_deprecated_alias_warns():
    nn = _facade_nn()
    w = empty(5, 5)
    with pytest.warns(FutureWarning, match=r"`nn.init.xavier_normal` is now deprecated") as rec:
        assert nn.init.xavier_normal(w) is w
    assert rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.init.xavier_normal_(w)   # the new name does not warn
