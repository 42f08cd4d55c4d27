"""Notes chapters 十二 (weight decay, BatchNorm1d/2d/3d and _BatchNorm's attributes, LayerNorm,
InstanceNorm, GroupNorm) and 十三 (Dropout) against PyTorch."""
import inspect

import numpy as np
import pytest

import corelib
import corelib as cl
import corelib.nn as nn
import corelib.nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def c(t, requires_grad=None):
    rg = t.requires_grad if requires_grad is None else requires_grad
    return cl.tensor(t.detach().numpy().copy(), requires_grad=rg)


def n(x):
    return np.asarray(x.detach().numpy())


def copy_into(cm, tm):
    tsd = tm.state_dict()
    assert list(cm.state_dict().keys()) == list(tsd.keys())
    cm.load_state_dict({k: cl.tensor(v.detach().numpy().copy()) for k, v in tsd.items()})


def _strip(sig):
    return sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty)
                                   for p in sig.parameters.values()],
                       return_annotation=inspect.Signature.empty)


def same_signature(a, b):
    assert str(_strip(inspect.signature(a))) == str(_strip(inspect.signature(b)))


NAMES = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "InstanceNorm1d", "InstanceNorm2d",
         "InstanceNorm3d", "GroupNorm", "Dropout", "Dropout2d"]


@pytest.mark.parametrize("name", NAMES)
def test_signatures(name):
    same_signature(getattr(nn, name), getattr(tnn, name))
    same_signature(getattr(nn, name).forward, getattr(tnn, name).forward)


def test_functional_signatures():
    for fn in ["batch_norm", "layer_norm", "group_norm", "instance_norm", "dropout", "dropout2d"]:
        same_signature(getattr(F, fn), getattr(TF, fn))


# ----------------------------------------------------------------------------- 12.1 weight decay
def test_weight_decay_sgd_matches_torch_and_formula():
    torch.manual_seed(0)
    tm = tnn.Linear(4, 3)
    cm = nn.Linear(4, 3)
    copy_into(cm, tm)
    wd, lr = 0.1, 0.5
    topt = torch.optim.SGD(tm.parameters(), lr=lr, weight_decay=wd)
    copt = cl.optim.SGD(cm.parameters(), lr=lr, weight_decay=wd)
    assert copt.defaults["weight_decay"] == wd
    assert copt.param_groups[0]["weight_decay"] == wd
    x = torch.randn(8, 4)
    y = torch.randn(8, 3)
    for _ in range(3):
        w_before = n(cm.weight).copy()
        topt.zero_grad(); copt.zero_grad()
        TF.mse_loss(tm(x), y).backward()
        F.mse_loss(cm(c(x)), c(y)).backward()
        g = n(cm.weight.grad).copy()
        topt.step(); copt.step()
        # w_{i+1} = w_i - lr * (dLoss/dw + wd * w_i)
        np.testing.assert_allclose(n(cm.weight), w_before - lr * (g + wd * w_before), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(n(cm.weight), n(tm.weight), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(n(cm.bias), n(tm.bias), rtol=1e-5, atol=1e-6)


def test_weight_decay_shrinks_weights_with_zero_loss_grad():
    p = nn.Parameter(cl.ones(3))
    opt = cl.optim.SGD([p], lr=1.0, weight_decay=0.1)
    p.grad = cl.zeros(3)
    opt.step()
    np.testing.assert_allclose(n(p), 0.9 * np.ones(3), rtol=1e-6)  # w (1 - lambda)


def test_weight_decay_per_param_group():
    a, b = nn.Parameter(cl.ones(2)), nn.Parameter(cl.ones(2))
    opt = cl.optim.SGD([{"params": [a], "weight_decay": 0.5}, {"params": [b]}], lr=1.0, weight_decay=0.0)
    a.grad, b.grad = cl.zeros(2), cl.zeros(2)
    opt.step()
    np.testing.assert_allclose(n(a), [0.5, 0.5])
    np.testing.assert_allclose(n(b), [1.0, 1.0])


# ----------------------------------------------------------------------------- 12.3 _BatchNorm
def test_batchnorm_notes_signature_and_attributes():
    sig = inspect.signature(nn.BatchNorm2d)
    d = {k: v.default for k, v in sig.parameters.items()}
    assert d["eps"] == 1e-5 and d["momentum"] == 0.1 and d["affine"] is True and d["track_running_stats"] is True
    bn, tb = nn.BatchNorm2d(3), tnn.BatchNorm2d(3)
    assert repr(bn) == repr(tb)
    for attr in ["num_features", "eps", "momentum", "affine", "track_running_stats"]:
        assert getattr(bn, attr) == getattr(tb, attr)
    assert list(bn.state_dict()) == list(tb.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [k for k, _ in bn.named_parameters()] == ["weight", "bias"]
    assert [k for k, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    np.testing.assert_array_equal(n(bn.weight), np.ones(3))
    np.testing.assert_array_equal(n(bn.bias), np.zeros(3))
    np.testing.assert_array_equal(n(bn.running_mean), np.zeros(3))
    np.testing.assert_array_equal(n(bn.running_var), np.ones(3))
    assert bn.num_batches_tracked.dtype == cl.int64 and bn.num_batches_tracked.dim() == 0
    assert int(bn.num_batches_tracked) == 0
    assert not bn.running_mean.requires_grad and bn.weight.requires_grad
    assert isinstance(bn.weight, nn.Parameter) and not isinstance(bn.running_mean, nn.Parameter)


@pytest.mark.parametrize("kwargs", [dict(affine=False), dict(track_running_stats=False),
                                    dict(affine=False, track_running_stats=False), dict(momentum=None),
                                    dict(eps=1e-3, momentum=0.5), dict(bias=False)])
def test_batchnorm_options_repr_and_keys(kwargs):
    bn, tb = nn.BatchNorm1d(4, **kwargs), tnn.BatchNorm1d(4, **kwargs)
    assert repr(bn) == repr(tb)
    assert list(bn.state_dict()) == list(tb.state_dict())
    assert (bn.weight is None) == (tb.weight is None)
    assert (bn.running_mean is None) == (tb.running_mean is None)
    assert (bn.num_batches_tracked is None) == (tb.num_batches_tracked is None)


BN_CASES = [
    ("BatchNorm1d", (4,), {}, (8, 4)),
    ("BatchNorm1d", (4,), {}, (5, 4, 7)),
    ("BatchNorm1d", (3,), dict(momentum=None), (6, 3)),
    ("BatchNorm1d", (3,), dict(affine=False), (6, 3, 2)),
    ("BatchNorm1d", (3,), dict(track_running_stats=False), (6, 3)),
    ("BatchNorm2d", (3,), {}, (4, 3, 5, 6)),
    ("BatchNorm2d", (3,), dict(momentum=0.3, eps=1e-3), (2, 3, 4, 4)),
    ("BatchNorm2d", (3,), dict(affine=False, track_running_stats=False), (2, 3, 4, 4)),
    ("BatchNorm2d", (3,), dict(bias=False), (2, 3, 4, 4)),
    ("BatchNorm2d", (2,), {}, (1, 2, 3, 3)),  # batch size 1 with spatial dims is allowed
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 4, 3)),
]


def _run_bn(name, args, kwargs, shape, steps=3, dtype=torch.float32):
    torch.manual_seed(0)
    tm = getattr(tnn, name)(*args, **kwargs)
    cm = getattr(nn, name)(*args, **kwargs)
    if tm.weight is not None:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            if tm.bias is not None:
                tm.bias.uniform_(-0.5, 0.5)
    copy_into(cm, tm)
    if dtype == torch.float64:
        tm, cm = tm.double(), cm.double()
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-10)
    for _ in range(steps):  # train: batch statistics, running stats updated
        xt = (torch.randn(*shape, dtype=dtype) * 2 + 1).requires_grad_()
        xc = c(xt)
        yt, yc = tm(xt), cm(xc)
        np.testing.assert_allclose(n(yc), n(yt), **tol)
        g = torch.randn_like(yt)
        yt.backward(g); yc.backward(c(g))
        np.testing.assert_allclose(n(xc.grad), n(xt.grad), **tol)
        for (k, pc), (_, pt) in zip(cm.named_parameters(), tm.named_parameters()):
            np.testing.assert_allclose(n(pc.grad), n(pt.grad), err_msg=k, **tol)
        for (k, bc), (_, bt) in zip(cm.named_buffers(), tm.named_buffers()):
            np.testing.assert_allclose(n(bc), n(bt), err_msg=k, **tol)
            assert bc.dtype.itemsize == bt.dtype.itemsize if hasattr(bc.dtype, "itemsize") else True
    tm.eval(); cm.eval()
    xt = torch.randn(*shape, dtype=dtype, requires_grad=True)
    xc = c(xt)
    yt, yc = tm(xt), cm(xc)
    np.testing.assert_allclose(n(yc), n(yt), **tol)
    yt.sum().backward(); yc.sum().backward()
    np.testing.assert_allclose(n(xc.grad), n(xt.grad), **tol)
    for (k, bc), (_, bt) in zip(cm.named_buffers(), tm.named_buffers()):
        np.testing.assert_allclose(n(bc), n(bt), err_msg=k, **tol)  # not updated in eval
    return cm, tm


@pytest.mark.parametrize("name,args,kwargs,shape", BN_CASES)
def test_batchnorm_train_eval_vs_torch(name, args, kwargs, shape):
    cm, tm = _run_bn(name, args, kwargs, shape)
    if tm.num_batches_tracked is not None:
        assert int(cm.num_batches_tracked) == int(tm.num_batches_tracked) == 3


def test_batchnorm_float64():
    _run_bn("BatchNorm2d", (3,), {}, (4, 3, 2, 2), dtype=torch.float64)


def test_batchnorm_running_stats_formula():
    bn = nn.BatchNorm1d(2, momentum=0.1)
    x = cl.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    bn(x)
    mean = np.array([3.0, 6.0])
    var_unbiased = np.array([4.0, 16.0])
    # running = (1 - momentum) * pre_running + momentum * stat_t
    np.testing.assert_allclose(n(bn.running_mean), 0.9 * 0 + 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(n(bn.running_var), 0.9 * 1 + 0.1 * var_unbiased, rtol=1e-6)
    # training output uses the biased batch variance
    y = n(bn(x))
    np.testing.assert_allclose(y.mean(0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(y.var(0), [1, 1], rtol=1e-4)
    # eval uses the running statistics
    bn.eval()
    rm, rv = n(bn.running_mean).copy(), n(bn.running_var).copy()
    np.testing.assert_allclose(n(bn(x)), (n(x) - rm) / np.sqrt(rv + 1e-5), rtol=1e-5)
    np.testing.assert_array_equal(n(bn.running_mean), rm)
    assert int(bn.num_batches_tracked) == 2


def test_batchnorm_momentum_none_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None, affine=False)
    means = []
    for k in range(4):
        x = cl.randn(10, 1) + k
        means.append(float(x.mean()))
        bn(x)
    np.testing.assert_allclose(float(bn.running_mean[0]), np.mean(means), rtol=1e-5)


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError):
        bn(cl.randn(1, 3))  # Expected more than 1 value per channel when training
    bn.eval()
    assert tuple(bn(cl.randn(1, 3)).shape) == (1, 3)  # fine in eval
    with pytest.raises(ValueError):
        nn.BatchNorm2d(3)(cl.randn(2, 3, 4))
    with pytest.raises(ValueError):
        nn.BatchNorm1d(3)(cl.randn(2, 3, 4, 5))
    with pytest.raises(ValueError):
        nn.BatchNorm3d(3)(cl.randn(2, 3, 4, 5))
    with pytest.raises(RuntimeError):
        nn.BatchNorm2d(3)(cl.randn(2, 4, 3, 3))


def test_batchnorm_reset_and_load_state_dict():
    bn = nn.BatchNorm2d(2)
    bn(cl.randn(4, 2, 3, 3))
    bn.reset_running_stats()
    np.testing.assert_array_equal(n(bn.running_mean), 0)
    np.testing.assert_array_equal(n(bn.running_var), 1)
    assert int(bn.num_batches_tracked) == 0
    tb = tnn.BatchNorm2d(2)
    tb(torch.randn(4, 2, 3, 3))
    copy_into(bn, tb)
    np.testing.assert_allclose(n(bn.running_mean), n(tb.running_mean))
    assert int(bn.num_batches_tracked) == 1
    bn.reset_parameters()
    np.testing.assert_array_equal(n(bn.weight), 1)


def test_batchnorm_in_sequential_train_eval_toggle():
    torch.manual_seed(0)
    tnet = tnn.Sequential(tnn.Linear(4, 6), tnn.BatchNorm1d(6), tnn.ReLU(), tnn.Linear(6, 2))
    cnet = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    copy_into(cnet, tnet)
    xt = torch.randn(10, 4)
    np.testing.assert_allclose(n(cnet(c(xt))), n(tnet(xt)), rtol=1e-4, atol=1e-5)
    tnet.eval(); cnet.eval()
    assert not cnet[1].training
    np.testing.assert_allclose(n(cnet(c(xt))), n(tnet(xt)), rtol=1e-4, atol=1e-5)


def test_functional_batch_norm():
    xt = torch.randn(5, 3, 4)
    rm, rv = torch.zeros(3), torch.ones(3)
    crm, crv = c(rm), c(rv)
    w, b = torch.rand(3), torch.rand(3)
    yt = TF.batch_norm(xt, rm, rv, w, b, training=True, momentum=0.2, eps=1e-3)
    yc = F.batch_norm(c(xt), crm, crv, c(w), c(b), training=True, momentum=0.2, eps=1e-3)
    np.testing.assert_allclose(n(yc), n(yt), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n(crm), n(rm), rtol=1e-6)
    np.testing.assert_allclose(n(crv), n(rv), rtol=1e-6)
    yt = TF.batch_norm(xt, rm, rv)
    yc = F.batch_norm(c(xt), crm, crv)
    np.testing.assert_allclose(n(yc), n(yt), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- 12.4 LN / IN / GN
def _run(name, args, kwargs, shape, train=True, dtype=torch.float32, steps=2):
    torch.manual_seed(1)
    tm = getattr(tnn, name)(*args, **kwargs)
    cm = getattr(nn, name)(*args, **kwargs)
    if getattr(tm, "weight", None) is not None:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            if tm.bias is not None:
                tm.bias.uniform_(-0.5, 0.5)
    copy_into(cm, tm)
    if dtype == torch.float64:
        tm, cm = tm.double(), cm.double()
    tm.train(train); cm.train(train)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-10)
    for _ in range(steps):
        xt = (torch.randn(*shape, dtype=dtype) * 3 - 1).requires_grad_()
        xc = c(xt)
        yt, yc = tm(xt), cm(xc)
        assert tuple(yc.shape) == tuple(yt.shape)
        np.testing.assert_allclose(n(yc), n(yt), **tol)
        g = torch.randn_like(yt)
        yt.backward(g); yc.backward(c(g))
        np.testing.assert_allclose(n(xc.grad), n(xt.grad), **tol)
        for (k, pc), (_, pt) in zip(cm.named_parameters(), tm.named_parameters()):
            np.testing.assert_allclose(n(pc.grad), n(pt.grad), err_msg=k, **tol)
        for (k, bc), (_, bt) in zip(cm.named_buffers(), tm.named_buffers()):
            np.testing.assert_allclose(n(bc), n(bt), err_msg=k, **tol)
    return cm, tm


LN_CASES = [
    ("LayerNorm", (5,), {}, (3, 5)),
    ("LayerNorm", ([4, 5],), {}, (2, 3, 4, 5)),
    ("LayerNorm", ((3, 4, 5),), dict(elementwise_affine=False), (2, 3, 4, 5)),
    ("LayerNorm", (5,), dict(eps=1e-2, bias=False), (2, 5)),
    ("LayerNorm", (6,), {}, (6,)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("GroupNorm", (3, 6), {}, (2, 6, 4, 4)),
    ("GroupNorm", (1, 4), dict(affine=False), (2, 4, 3, 3)),
    ("GroupNorm", (4, 4), dict(eps=1e-3), (2, 4, 3, 2, 2)),
    ("GroupNorm", (2, 4), {}, (2, 4)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 7)),
    ("InstanceNorm1d", (3,), dict(affine=True), (3, 7)),
    ("InstanceNorm2d", (3,), {}, (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), dict(affine=True, track_running_stats=True), (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), dict(track_running_stats=True, momentum=0.3), (3, 4, 5)),
    ("InstanceNorm3d", (2,), dict(affine=True), (2, 2, 3, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", LN_CASES)
def test_ln_gn_in_vs_torch(name, args, kwargs, shape):
    cm, tm = _run(name, args, kwargs, shape)
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    for (k1, p1), (k2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert k1 == k2 and tuple(p1.shape) == tuple(p2.shape)
    if name.startswith("Instance"):
        _run(name, args, kwargs, shape, train=False)


def test_ln_gn_in_float64():
    _run("LayerNorm", ((4,),), {}, (3, 4), dtype=torch.float64)
    _run("GroupNorm", (2, 4), {}, (3, 4, 5), dtype=torch.float64)
    _run("InstanceNorm2d", (3,), dict(affine=True), (2, 3, 4, 4), dtype=torch.float64)


def test_layernorm_notes_attributes():
    ln, tl = nn.LayerNorm([6, 3, 3]), tnn.LayerNorm([6, 3, 3])
    assert ln.normalized_shape == tl.normalized_shape == (6, 3, 3)
    assert isinstance(ln.normalized_shape, tuple)
    assert ln.eps == 1e-5 and ln.elementwise_affine is True
    assert tuple(ln.weight.shape) == (6, 3, 3)  # element-wise gamma / beta
    assert not hasattr(ln, "running_mean") or getattr(ln, "running_mean", None) is None
    assert list(ln.state_dict()) == ["weight", "bias"]
    ln2 = nn.LayerNorm(4, elementwise_affine=False)
    assert ln2.weight is None and ln2.bias is None and list(ln2.state_dict()) == []
    assert repr(ln2) == repr(tnn.LayerNorm(4, elementwise_affine=False))
    # notes' usage: normalise a feature map batch over C, H, W
    x = cl.randn(8, 6, 3, 4)
    y = nn.LayerNorm(x.size()[1:])(x)
    yy = n(y).reshape(8, -1)
    np.testing.assert_allclose(yy.mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(yy.var(1), 1, rtol=1e-3)
    with pytest.raises(RuntimeError):
        nn.LayerNorm(5)(cl.randn(3, 4))


def test_instancenorm_notes_defaults():
    sig = inspect.signature(nn.InstanceNorm2d)
    d = {k: v.default for k, v in sig.parameters.items()}
    assert d["eps"] == 1e-5 and d["momentum"] == 0.1 and d["affine"] is False and d["track_running_stats"] is False
    m, t = nn.InstanceNorm2d(3), tnn.InstanceNorm2d(3)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict()) == []
    m, t = nn.InstanceNorm2d(3, affine=True, track_running_stats=True), tnn.InstanceNorm2d(3, affine=True,
                                                                                             track_running_stats=True)
    assert list(m.state_dict()) == list(t.state_dict())
    x = cl.randn(2, 3, 5, 5) * 4 + 2
    y = n(nn.InstanceNorm2d(3)(x)).reshape(2, 3, -1)
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-3)


def test_groupnorm_notes_attributes():
    gn, tg = nn.GroupNorm(2, 4), tnn.GroupNorm(2, 4)
    assert repr(gn) == repr(tg)
    assert gn.num_groups == 2 and gn.num_channels == 4 and gn.eps == 1e-5 and gn.affine is True
    assert tuple(gn.weight.shape) == (4,)  # per-channel gamma / beta
    assert list(gn.state_dict()) == ["weight", "bias"]
    assert not any("running" in k for k in gn.state_dict())
    with pytest.raises(ValueError):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError):
        nn.GroupNorm(2, 4)(cl.randn(2, 3, 4))


def test_norm_integer_input_errors():
    x = cl.tensor([[1, 2], [3, 4]])
    xt = torch.tensor([[1, 2], [3, 4]])
    for fc, ft in [(lambda: F.layer_norm(x, (2,)), lambda: TF.layer_norm(xt, (2,))),
                   (lambda: F.group_norm(x, 1), lambda: TF.group_norm(xt, 1)),
                   (lambda: F.batch_norm(x, None, None, training=True),
                    lambda: TF.batch_norm(xt, None, None, training=True))]:
        with pytest.raises(NotImplementedError):
            ft()
        with pytest.raises(NotImplementedError):
            fc()
    for cm, tm in [(nn.LayerNorm(2), tnn.LayerNorm(2)), (nn.GroupNorm(1, 2), tnn.GroupNorm(1, 2)),
                   (nn.BatchNorm1d(2), tnn.BatchNorm1d(2))]:
        with pytest.raises(RuntimeError):
            tm(xt)
        with pytest.raises(RuntimeError):
            cm(x)


# ----------------------------------------------------------------------------- 十三 Dropout
def test_dropout_signature_repr():
    d, t = nn.Dropout(), tnn.Dropout()
    assert repr(d) == repr(t) == "Dropout(p=0.5, inplace=False)"
    assert d.p == 0.5 and d.inplace is False
    assert repr(nn.Dropout(p=0.2, inplace=True)) == repr(tnn.Dropout(p=0.2, inplace=True))
    assert repr(nn.Dropout(0)) == repr(tnn.Dropout(0))
    for p in (-0.1, 1.1):
        with pytest.raises(ValueError):
            nn.Dropout(p)
        with pytest.raises(ValueError):
            F.dropout(cl.ones(3), p)
    assert list(d.state_dict()) == []


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_scaling(p):
    cl.manual_seed(0)
    drop = nn.Dropout(p)
    x = cl.ones(200, 500)
    y = n(drop(x))
    kept = y != 0
    # kept values are scaled by 1 / (1 - p), the rest are zero
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    assert kept.mean() == pytest.approx(1 - p, abs=0.01)
    assert y.mean() == pytest.approx(1.0, abs=0.02)  # expectation preserved
    assert y.dtype == np.float32


def test_dropout_eval_identity_and_p_edges():
    drop = nn.Dropout(0.5)
    x = cl.randn(4, 5)
    drop.eval()
    y = drop(x)
    np.testing.assert_array_equal(n(y), n(x))
    drop.train()
    np.testing.assert_array_equal(n(nn.Dropout(0.0)(x)), n(x))
    np.testing.assert_array_equal(n(nn.Dropout(1.0)(x)), np.zeros((4, 5)))
    np.testing.assert_array_equal(n(F.dropout(x, 0.5, training=False)), n(x))
    # torch.nn.functional.dropout defaults to training=True
    assert (n(F.dropout(cl.ones(1000))) == 0).any()
    t = TF.dropout(torch.ones(1000))
    assert (t == 0).any()


def test_dropout_backward_uses_same_mask():
    cl.manual_seed(1)
    x = cl.randn(50, 40, requires_grad=True)
    drop = nn.Dropout(0.3)
    y = drop(x)
    y.sum().backward()
    mask = n(y) != 0
    np.testing.assert_allclose(n(x.grad)[mask], 1 / 0.7, rtol=1e-6)
    np.testing.assert_array_equal(n(x.grad)[~mask], 0)


def test_dropout_reproducible_and_float64_and_inplace():
    cl.manual_seed(5)
    a = n(nn.Dropout()(cl.ones(30))).copy()
    cl.manual_seed(5)
    b = n(nn.Dropout()(cl.ones(30))).copy()
    np.testing.assert_array_equal(a, b)
    y = nn.Dropout()(cl.ones(10, dtype=cl.float64))
    assert y.dtype == cl.float64
    x = cl.ones(100)
    r = nn.Dropout(0.5, inplace=True)(x)
    assert (n(x) != 1).any()
    np.testing.assert_array_equal(n(r), n(x))
    # in-place on a non-leaf keeps gradients right
    w = cl.ones(100, requires_grad=True)
    h = w * 2
    out = nn.Dropout(0.5, inplace=True)(h)
    out.sum().backward()
    np.testing.assert_allclose(n(w.grad), np.where(n(out) != 0, 4.0, 0.0))


def test_dropout_notes_placement_in_mlp_train_vs_eval():
    class MLP(nn.Module):
        def __init__(self, neural_num, d_prob=0.5):
            super(MLP, self).__init__()
            self.linears = nn.Sequential(
                nn.Linear(1, neural_num), nn.ReLU(inplace=True),
                nn.Dropout(d_prob), nn.Linear(neural_num, neural_num), nn.ReLU(inplace=True),
                nn.Dropout(d_prob), nn.Linear(neural_num, 1))

        def forward(self, x):
            return self.linears(x)

    cl.manual_seed(0)
    net = MLP(50, 0.5)
    x = cl.linspace(-1, 1, 20).unsqueeze(1)
    net.train()
    a, b = n(net(x)).copy(), n(net(x)).copy()
    assert not np.array_equal(a, b)
    net.eval()
    a, b = n(net(x)).copy(), n(net(x)).copy()
    np.testing.assert_array_equal(a, b)
    assert all(not m.training for m in net.modules())


def test_dropout2d_channels():
    cl.manual_seed(0)
    y = n(nn.Dropout2d(0.5)(cl.ones(4, 16, 3, 3)))
    per_channel = y.reshape(4, 16, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert repr(nn.Dropout2d()) == repr(tnn.Dropout2d())


def test_weight_decay_and_dropout_regularise_together_smoke():
    cl.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1))
    opt = cl.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-2)
    x = cl.randn(32, 3)
    y = x.sum(1, keepdim=True)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = nn.MSELoss()(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_private_bases_where_torch_keeps_them():
    # notes 12.3 name `_BatchNorm`; torch code checks isinstance(m, nn.modules.batchnorm._BatchNorm)
    from corelib.nn.modules.batchnorm import _BatchNorm, _NormBase
    assert issubclass(nn.BatchNorm1d, _BatchNorm) and issubclass(nn.BatchNorm3d, _BatchNorm)
    assert isinstance(nn.BatchNorm2d(3), nn.modules.batchnorm._BatchNorm)
    assert issubclass(nn.InstanceNorm2d, _NormBase) and not issubclass(nn.InstanceNorm2d, _BatchNorm)
    assert issubclass(tnn.InstanceNorm2d, tnn.modules.batchnorm._NormBase)
    assert issubclass(nn.InstanceNorm1d, nn.modules.instancenorm._InstanceNorm)
    assert nn.modules.normalization.LayerNorm is nn.LayerNorm
    assert nn.modules.normalization.GroupNorm is nn.GroupNorm
    assert issubclass(nn.Dropout, nn.modules.dropout._DropoutNd)
    assert issubclass(nn.Conv2d, nn.modules.conv._ConvNd)
    assert issubclass(nn.ConvTranspose2d, nn.modules.conv._ConvTransposeNd)
    assert issubclass(nn.MaxPool2d, nn.modules.pooling._MaxPoolNd)
    for name in ["AvgPool1d", "AvgPool2d", "AvgPool3d"]:
        assert issubclass(getattr(nn, name), nn.modules.pooling._AvgPoolNd)
        assert issubclass(getattr(tnn, name), tnn.modules.pooling._AvgPoolNd)
    assert issubclass(nn.MaxUnpool2d, nn.modules.pooling._MaxUnpoolNd)
    assert nn.modules.activation.ReLU is nn.ReLU and nn.modules.linear.Linear is nn.Linear
    with pytest.raises(AttributeError):
        nn.modules.batchnorm._NoSuchBase


def test_instancenorm_channel_mismatch_warns_or_raises():
    with pytest.warns(UserWarning, match="does not match num_features"):
        tnn.InstanceNorm1d(3)(torch.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        y = nn.InstanceNorm1d(3)(cl.randn(2, 4, 5))
    assert tuple(y.shape) == (2, 4, 5)
    with pytest.raises(ValueError):
        nn.InstanceNorm1d(3, affine=True)(cl.randn(2, 4, 5))


def test_groupnorm_empty_batch():
    assert tuple(nn.GroupNorm(2, 4)(cl.zeros(0, 4, 3)).shape) == tuple(tnn.GroupNorm(2, 4)(torch.zeros(0, 4, 3)).shape)


def test_dropout2d_2d_input_warns_like_torch():
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        y = nn.Dropout2d()(cl.ones(20, 30))
    v = n(y)
    assert set(np.unique(v)) <= {0.0, 2.0}
    with pytest.warns(UserWarning):
        tnn.Dropout2d()(torch.ones(2, 3))
    with pytest.warns(UserWarning):
        nn.Dropout2d().eval()(cl.ones(2, 3))


def test_dropout_integer_input():
    with pytest.raises(RuntimeError):
        TF.dropout(torch.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError):
        F.dropout(cl.tensor([1, 2, 3]))
    np.testing.assert_array_equal(n(F.dropout(cl.tensor([1, 2]), training=False)), [1, 2])
