"""Values and input gradients of every loss against PyTorch (test-only oracle)."""
import numpy as np
import pytest

import corelib as cl
from corelib_losses import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
REDS = ("none", "sum", "mean")
rng = np.random.default_rng(0)


def compare(fc, ft, *arrs, grad=(0,), rtol=1e-5, atol=1e-6):
    cs, ts = [], []
    for i, a in enumerate(arrs):
        a = np.asarray(a)
        rg = i in grad and a.dtype.kind == "f"
        cs.append(cl.tensor(a, requires_grad=rg))
        ts.append(torch.tensor(a, requires_grad=rg))
    oc, ot = fc(*cs), ft(*ts)
    np.testing.assert_allclose(oc.detach().numpy(), ot.detach().numpy(), rtol=rtol, atol=atol)
    assert oc.dtype.itemsize == ot.dtype.itemsize
    go = rng.standard_normal(tuple(ot.shape))
    oc.backward(cl.tensor(go, dtype=oc.dtype))
    ot.backward(torch.tensor(go, dtype=ot.dtype))
    for c, t in zip(cs, ts):
        if t.requires_grad:
            np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


X = rng.standard_normal((4, 5))
Y = rng.integers(0, 5, 4)
W5 = rng.random(5)


@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [-100, 2])
def test_cross_entropy_indices(red, ls, weighted, ignore):
    w = W5 if weighted else None
    kw = dict(reduction=red, label_smoothing=ls, ignore_index=ignore)
    y = Y.copy()
    y[1] = 2
    if w is None:
        compare(lambda a, b: F.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), X, y)
    else:
        compare(lambda a, b, w: F.cross_entropy(a, b, w, **kw), lambda a, b, w: TF.cross_entropy(a, b, w, **kw), X, y, w)


@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.1])
def test_cross_entropy_spatial_and_probs(red, ls):
    x3 = rng.standard_normal((2, 5, 3, 2))
    y3 = rng.integers(0, 5, (2, 3, 2))
    y3[0, 0, 0] = -100
    kw = dict(reduction=red, label_smoothing=ls)
    compare(lambda a, b, w: F.cross_entropy(a, b, w, **kw), lambda a, b, w: TF.cross_entropy(a, b, w, **kw), x3, y3, W5)
    p = rng.dirichlet(np.ones(5), 4)
    compare(lambda a, b, w: F.cross_entropy(a, b, w, **kw), lambda a, b, w: TF.cross_entropy(a, b, w, **kw), X, p, W5, grad=(0, 1))
    compare(lambda a, b: F.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), X[0], np.array(3))
    compare(lambda a, b: F.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), X[0], p[0], grad=(0, 1))


def test_cross_entropy_extreme_and_float32():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], np.float32)
    compare(F.cross_entropy, TF.cross_entropy, x, np.array([1, 2]))
    compare(F.cross_entropy, TF.cross_entropy, rng.standard_normal((6, 7)).astype(np.float32), rng.integers(0, 7, 6), rtol=1e-5, atol=1e-6)
    # all targets ignored: nan, as PyTorch
    out = F.cross_entropy(cl.tensor(X), cl.tensor(np.full(4, -100)))
    assert np.isnan(out.item())


def test_cross_entropy_double_backward():
    x = cl.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    (g,) = cl.autograd.grad(F.cross_entropy(x, cl.tensor(Y)), x, create_graph=True)
    (gt,) = torch.autograd.grad(TF.cross_entropy(xt, torch.tensor(Y)), xt, create_graph=True)
    (g * g).sum().backward()
    (gt * gt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("red", REDS)
def test_nll(red):
    lp = np.log(rng.dirichlet(np.ones(5), 4))
    y = Y.copy()
    y[0] = 1
    compare(lambda a, b, w: F.nll_loss(a, b, w, ignore_index=1, reduction=red),
            lambda a, b, w: TF.nll_loss(a, b, w, ignore_index=1, reduction=red), lp, y, W5)
    compare(lambda a, b: F.nll_loss(a, b.to(cl.uint8), reduction=red),
            lambda a, b: TF.nll_loss(a, b.to(torch.uint8), reduction=red), lp, Y)


@pytest.mark.parametrize("red", REDS)
def test_bce_and_logits(red):
    p = rng.random((3, 4))
    p[0, :] = [0.0, 1.0, 0.0, 1.0]
    t = rng.random((3, 4)).round()
    t[0, :] = [0.0, 1.0, 1.0, 0.0]
    compare(lambda a, b, w: F.binary_cross_entropy(a, b, w, reduction=red),
            lambda a, b, w: TF.binary_cross_entropy(a, b, w, reduction=red), p, t, rng.random(4))
    out = F.binary_cross_entropy(cl.tensor([0.0, 1.0]), cl.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0])
    for dt in (np.float64, np.float32):
        lg = (rng.standard_normal((3, 4)) * 1e4).astype(dt)
        lg[0, :2] = [1e4, -1e4]
        compare(lambda a, b, w, pw: F.binary_cross_entropy_with_logits(a, b, w, reduction=red, pos_weight=pw),
                lambda a, b, w, pw: TF.binary_cross_entropy_with_logits(a, b, w, reduction=red, pos_weight=pw),
                lg, t.astype(dt), rng.random(4).astype(dt), (rng.random(4) + 0.5).astype(dt), grad=(0, 1))
    compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=red),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=red), X, rng.random((4, 5)), grad=(0, 1))


@pytest.mark.parametrize("red", REDS)
def test_regression(red):
    t = rng.standard_normal((4, 5))
    for name, kw in [("l1_loss", {}), ("mse_loss", {}), ("smooth_l1_loss", {"beta": 0.7}),
                     ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7})]:
        compare(lambda a, b: getattr(F, name)(a, b, reduction=red, **kw),
                lambda a, b: getattr(TF, name)(a, b, reduction=red, **kw), X, t, grad=(0, 1))
    counts = rng.integers(0, 5, (4, 5)).astype(float)
    for log_input in (True, False):
        for full in (False, True):
            x = X if log_input else np.abs(X)
            compare(lambda a, b: F.poisson_nll_loss(a, b, log_input=log_input, full=full, reduction=red),
                    lambda a, b: TF.poisson_nll_loss(a, b, log_input=log_input, full=full, reduction=red), x, counts)
    for var in (np.array([[0.5], [1e-9], [2.0], [3.0]]), np.abs(t) + 0.1, np.array([0.5, 1.0, 2.0, 3.0])):
        compare(lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=True, reduction=red),
                lambda a, b, v: TF.gaussian_nll_loss(a, b, v, full=True, reduction=red), X, t, var, grad=(0, 1, 2))


@pytest.mark.parametrize("red", REDS + ("batchmean",))
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_kl_div(red):
    t = rng.dirichlet(np.ones(5), 4)
    t[0, 0] = 0
    compare(lambda a, b: F.kl_div(a, b, reduction=red), lambda a, b: TF.kl_div(a, b, reduction=red), X, t)
    lt = np.log(t + 0.1)
    compare(lambda a, b: F.kl_div(a, b, reduction=red, log_target=True),
            lambda a, b: TF.kl_div(a, b, reduction=red, log_target=True), X, lt, grad=(0, 1))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(cl.tensor(X), cl.tensor(X))


@pytest.mark.parametrize("red", REDS)
def test_margins(red):
    s = np.sign(rng.standard_normal(4))
    compare(lambda a, b, c: F.margin_ranking_loss(a, b, c, margin=0.3, reduction=red),
            lambda a, b, c: TF.margin_ranking_loss(a, b, c, margin=0.3, reduction=red), X[:, 0], X[:, 1], s, grad=(0, 1))
    mlt = np.array([[0, 3, -1, -1, 2], [1, -1, 0, 0, 0], [4, 3, 2, 1, 0], [-1, 1, 1, 1, 1]])
    compare(lambda a, b: F.multilabel_margin_loss(a, b, reduction=red), lambda a, b: TF.multilabel_margin_loss(a, b, reduction=red), X, mlt)
    compare(lambda a, b: F.multilabel_margin_loss(a, b, reduction=red), lambda a, b: TF.multilabel_margin_loss(a, b, reduction=red), X[0], mlt[0])
    compare(lambda a, b: F.soft_margin_loss(a, b, reduction=red), lambda a, b: TF.soft_margin_loss(a, b, reduction=red), X, np.sign(rng.standard_normal((4, 5))))
    compare(lambda a, b, w: F.multilabel_soft_margin_loss(a, b, w, reduction=red),
            lambda a, b, w: TF.multilabel_soft_margin_loss(a, b, w, reduction=red), X * 1e3, rng.random((4, 5)).round(), W5)
    for p in (1, 2):
        compare(lambda a, b, w: F.multi_margin_loss(a, b, p=p, margin=0.7, weight=w, reduction=red),
                lambda a, b, w: TF.multi_margin_loss(a, b, p=p, margin=0.7, weight=w, reduction=red), X, Y, W5)
        compare(lambda a, b: F.multi_margin_loss(a, b, p=p, reduction=red),
                lambda a, b: TF.multi_margin_loss(a, b, p=p, reduction=red), X[0], np.array(2))
    compare(lambda a, b: F.hinge_embedding_loss(a, b, margin=0.5, reduction=red),
            lambda a, b: TF.hinge_embedding_loss(a, b, margin=0.5, reduction=red), np.abs(X), np.sign(rng.standard_normal((4, 5))))


@pytest.mark.parametrize("red", REDS)
def test_embeddings(red):
    s = np.sign(rng.standard_normal(4))
    b = rng.standard_normal((4, 5))
    compare(lambda a, b, c: F.cosine_embedding_loss(a, b, c, margin=0.2, reduction=red),
            lambda a, b, c: TF.cosine_embedding_loss(a, b, c, margin=0.2, reduction=red), X, b, s, grad=(0, 1))
    compare(lambda a, b, c: F.cosine_embedding_loss(a, b, c, reduction=red),
            lambda a, b, c: TF.cosine_embedding_loss(a, b, c, reduction=red), X[0], b[0], np.array(-1.0), grad=(0, 1))
    n = rng.standard_normal((4, 5))
    for swap in (False, True):
        for p in (1.0, 1.5, 2.0):
            compare(lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=0.5, p=p, swap=swap, reduction=red),
                    lambda a, b, c: TF.triplet_margin_loss(a, b, c, margin=0.5, p=p, swap=swap, reduction=red),
                    X, X * 0.5, n, grad=(0, 1, 2))
        compare(lambda a, b, c: F.triplet_margin_with_distance_loss(a, b, c, swap=swap, reduction=red),
                lambda a, b, c: TF.triplet_margin_with_distance_loss(a, b, c, swap=swap, reduction=red),
                X, X * 0.5, n, grad=(0, 1, 2))


def test_classes_match_functional():
    from corelib_losses import modules as M
    x, y = cl.tensor(X), cl.tensor(Y)
    w = cl.tensor(W5)
    assert M.CrossEntropyLoss(weight=w, label_smoothing=0.1)(x, y).item() == pytest.approx(
        TF.cross_entropy(torch.tensor(X), torch.tensor(Y), torch.tensor(W5), label_smoothing=0.1).item())
    with pytest.warns(UserWarning, match="reduction='sum'"):
        m = M.MSELoss(size_average=False)
    assert m.reduction == "sum"
    assert "weight" in dict(M.NLLLoss(weight=w).named_buffers())
