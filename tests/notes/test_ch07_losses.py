"""Notes chapter 七 (损失函数): the 18 losses with every argument the notes give, against PyTorch.

Each loss is checked as a Module and (where the notes' formulas name one) in functional form:
signature and defaults, repr, values and input gradients for reduction none/sum/mean, the
per-class ``weight``, ``ignore_index``, the legacy ``size_average``/``reduce`` pair, the notes'
formulas computed by hand, and the errors for bad targets.
"""
import inspect
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import corelib as cl  # noqa: E402
import corelib.nn as nn  # noqa: E402
import corelib.nn.functional as F  # noqa: E402

NOTES_LOSSES = [
    "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "L1Loss", "MSELoss",
    "SmoothL1Loss", "PoissonNLLLoss", "KLDivLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
    "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "TripletMarginLoss",
    "HingeEmbeddingLoss", "CosineEmbeddingLoss", "CTCLoss",
]
FUNCTIONAL = [
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "l1_loss", "mse_loss", "smooth_l1_loss", "poisson_nll_loss", "kl_div", "margin_ranking_loss",
    "multilabel_margin_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multi_margin_loss", "triplet_margin_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "ctc_loss",
]


def _params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", NOTES_LOSSES)
def test_module_signature_and_repr(name):
    assert _params(getattr(nn, name)) == _params(getattr(torch.nn, name))
    mine, ref = getattr(nn, name)(), getattr(torch.nn, name)()
    assert repr(mine) == repr(ref)
    assert mine.reduction == ref.reduction == "mean"
    assert isinstance(mine, nn.Module)


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functional_signature(name):
    assert _params(getattr(F, name)) == _params(getattr(torch.nn.functional, name))


def test_notes_constructor_snippets_run_unchanged():
    # the calls exactly as the notes write them (with torch -> corelib)
    nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean')
    nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')
    nn.BCELoss(weight=None, reduction='mean')
    nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)
    nn.L1Loss(reduction='mean')
    nn.MSELoss(reduction='mean')
    nn.SmoothL1Loss(reduction='mean')
    nn.PoissonNLLLoss(log_input=True, full=False, eps=1e-08, reduction='mean')
    nn.KLDivLoss(reduction='mean')
    nn.MarginRankingLoss(margin=0.0, reduction='mean')
    nn.MultiLabelMarginLoss(reduction='mean')
    nn.SoftMarginLoss(reduction='mean')
    nn.MultiLabelSoftMarginLoss(weight=None, reduction='mean')
    nn.MultiMarginLoss(p=1, margin=1.0, reduce=None, reduction='mean')
    nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-06, swap=False, reduction='mean')
    nn.HingeEmbeddingLoss(margin=1.0, reduction='mean')
    nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')
    cl.nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)


# ----------------------------------------------------------------------------------------------
# values and gradients vs torch

rng = np.random.default_rng(7)


def _data(name, dtype=np.float32, n=4, c=5):
    """(arrays, grad_mask) for a loss call; arrays in the order the loss takes them."""
    r = np.random.default_rng(abs(hash(name)) % 2**32)
    f = lambda *s: r.standard_normal(s).astype(dtype)  # noqa: E731
    if name in ("CrossEntropyLoss", "NLLLoss"):
        x = f(n, c)
        if name == "NLLLoss":
            x = x - np.log(np.exp(x).sum(1, keepdims=True))
        t = r.integers(0, c, n).astype(np.int64)
        return [x, t], [True, False]
    if name == "BCELoss":
        return [r.uniform(0.05, 0.95, (n, c)).astype(dtype), r.uniform(0, 1, (n, c)).astype(dtype)], [True, True]
    if name in ("BCEWithLogitsLoss", "MultiLabelSoftMarginLoss"):
        return [f(n, c), (r.uniform(0, 1, (n, c)) > 0.5).astype(dtype)], [True, False]
    if name in ("L1Loss", "MSELoss", "SmoothL1Loss"):
        return [f(n, c) * 2, f(n, c)], [True, True]
    if name == "PoissonNLLLoss":
        return [f(n, c), r.poisson(2.0, (n, c)).astype(dtype)], [True, False]
    if name == "KLDivLoss":
        x = f(n, c)
        x = x - np.log(np.exp(x).sum(1, keepdims=True))
        y = r.uniform(0.01, 1, (n, c)).astype(dtype)
        return [x, (y / y.sum(1, keepdims=True)).astype(dtype)], [True, True]
    if name == "MarginRankingLoss":
        return [f(n), f(n), np.where(r.uniform(size=n) > 0.5, 1, -1).astype(dtype)], [True, True, False]
    if name == "MultiLabelMarginLoss":
        t = np.full((n, c), -1, np.int64)
        for i in range(n):
            k = r.integers(1, c)
            t[i, :k] = r.permutation(c)[:k]
        return [f(n, c), t], [True, False]
    if name in ("SoftMarginLoss", "HingeEmbeddingLoss"):
        x = np.abs(f(n, c)) if name == "HingeEmbeddingLoss" else f(n, c)
        return [x, np.where(r.uniform(size=(n, c)) > 0.5, 1, -1).astype(dtype)], [True, False]
    if name == "MultiMarginLoss":
        return [f(n, c), r.integers(0, c, n).astype(np.int64)], [True, False]
    if name == "TripletMarginLoss":
        return [f(n, c), f(n, c), f(n, c)], [True, True, True]
    if name == "CosineEmbeddingLoss":
        return [f(n, c), f(n, c), np.where(r.uniform(size=n) > 0.5, 1, -1).astype(dtype)], [True, True, False]
    raise KeyError(name)


def _both(name, ctor, arrays, grads, mine_ctor=None):
    """Run the loss in corelib and torch; compare value and the input gradients."""
    ref_mod = getattr(torch.nn, name)(**ctor)
    mine_mod = getattr(nn, name)(**(mine_ctor if mine_ctor is not None else ctor))
    ts = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    cs = [cl.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    ref, mine = ref_mod(*ts), mine_mod(*cs)
    assert tuple(mine.shape) == tuple(ref.shape)
    assert str(mine.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    tol = 1e-5 if arrays[0].dtype == np.float32 else 1e-10
    np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    gout = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(arrays[0].dtype)
    ref.backward(torch.tensor(gout))
    mine.backward(cl.tensor(gout))
    for t, c, g in zip(ts, cs, grads):
        if g:
            np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)
    return mine, ref


SIMPLE = [n for n in NOTES_LOSSES if n != "CTCLoss"]


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("name", SIMPLE)
def test_reductions_values_and_grads(name, reduction):
    arrays, grads = _data(name)
    _both(name, {"reduction": reduction}, arrays, grads)


@pytest.mark.parametrize("name", SIMPLE)
def test_float64(name):
    arrays, grads = _data(name, dtype=np.float64)
    _both(name, {}, arrays, grads)


@pytest.mark.parametrize("legacy", [dict(size_average=False), dict(reduce=False),
                                    dict(size_average=True, reduce=True),
                                    dict(size_average=False, reduce=True),
                                    dict(size_average=True, reduce=False)])
@pytest.mark.parametrize("name", SIMPLE)
def test_legacy_size_average_reduce(name, legacy):
    arrays, grads = _data(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine, _ = _both(name, legacy, arrays, grads)
        ref_mod = getattr(torch.nn, name)(**legacy)
        assert getattr(nn, name)(**legacy).reduction == ref_mod.reduction


def test_legacy_args_warn_like_torch():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"


@pytest.mark.parametrize("legacy", [dict(size_average=False), dict(reduce=False)])
def test_functional_legacy_args(legacy):
    x, y = _data("MSELoss")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(
            F.mse_loss(cl.tensor(x), cl.tensor(y), **legacy).numpy(),
            torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(y), **legacy).numpy(), rtol=1e-6)
        np.testing.assert_allclose(
            F.cross_entropy(cl.tensor(x), cl.tensor([0, 1, 2, 3]), **legacy).numpy(),
            torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([0, 1, 2, 3]), **legacy).numpy(),
            rtol=1e-6)


# -- weight / ignore_index / class-specific arguments -----------------------------------------

W = np.array([1.0, 2.0, 0.5, 3.0, 0.25], np.float32)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss"])
def test_weight_and_ignore_index(name, reduction):
    (x, t), g = _data(name, n=6)
    t[1] = 3
    t[4] = 3
    _both(name, dict(weight=torch.tensor(W), ignore_index=3, reduction=reduction), [x, t], g,
          mine_ctor=dict(weight=cl.tensor(W), ignore_index=3, reduction=reduction))
    t2 = t.copy()
    t2[2] = -100                                     # the default ignore_index
    _both(name, dict(weight=torch.tensor(W), reduction=reduction), [x, t2], g,
          mine_ctor=dict(weight=cl.tensor(W), reduction=reduction))


def test_cross_entropy_all_ignored_mean_is_nan():
    x = cl.randn(3, 4, requires_grad=True)
    loss = nn.CrossEntropyLoss(ignore_index=1)(x, cl.tensor([1, 1, 1]))
    ref = torch.nn.CrossEntropyLoss(ignore_index=1)(torch.tensor(x.detach().numpy()), torch.tensor([1, 1, 1]))
    assert math.isnan(loss.item()) and math.isnan(ref.item())


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_spatial_probabilities_and_label_smoothing(reduction):
    r = np.random.default_rng(3)
    x = r.standard_normal((2, 4, 3, 3)).astype(np.float32)
    t = r.integers(0, 4, (2, 3, 3)).astype(np.int64)
    t[0, 0, 0] = -100
    _both("CrossEntropyLoss", dict(reduction=reduction), [x, t], [True, False])
    _both("CrossEntropyLoss", dict(reduction=reduction, weight=torch.tensor(W[:4]), label_smoothing=0.2),
          [x, t], [True, False], mine_ctor=dict(reduction=reduction, weight=cl.tensor(W[:4]), label_smoothing=0.2))
    p = r.uniform(size=(2, 4, 3, 3)).astype(np.float32)
    p /= p.sum(1, keepdims=True)
    _both("CrossEntropyLoss", dict(reduction=reduction), [x, p], [True, True])
    # unbatched input (C,) with a scalar target
    _both("CrossEntropyLoss", dict(reduction=reduction), [x[0, :, 0, 0], np.array(2)], [True, False])


def test_weight_is_a_buffer_in_state_dict():
    for name in ("CrossEntropyLoss", "NLLLoss", "BCELoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss"):
        mine = getattr(nn, name)(weight=cl.tensor(W))
        ref = getattr(torch.nn, name)(weight=torch.tensor(W))
        assert list(mine.state_dict()) == list(ref.state_dict()) == ["weight"]
        np.testing.assert_array_equal(mine.weight.numpy(), W)
        assert getattr(nn, name)().weight is None
    m, r = nn.BCEWithLogitsLoss(pos_weight=cl.tensor(W)), torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(W))
    assert list(m.state_dict()) == list(r.state_dict())
    m, r = nn.CrossEntropyLoss(ignore_index=3), torch.nn.CrossEntropyLoss(ignore_index=3)
    assert m.ignore_index == r.ignore_index == 3
    assert nn.CrossEntropyLoss().label_smoothing == 0.0


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_bce_weights(reduction):
    (x, y), g = _data("BCELoss")
    w = np.abs(np.random.default_rng(0).standard_normal((4, 5))).astype(np.float32)
    _both("BCELoss", dict(weight=torch.tensor(w), reduction=reduction), [x, y], g,
          mine_ctor=dict(weight=cl.tensor(w), reduction=reduction))
    (x, y), g = _data("BCEWithLogitsLoss")
    pw = np.array([1.0, 2.0, 3.0, 0.5, 1.5], np.float32)
    _both("BCEWithLogitsLoss", dict(weight=torch.tensor(W), pos_weight=torch.tensor(pw), reduction=reduction),
          [x, y], g, mine_ctor=dict(weight=cl.tensor(W), pos_weight=cl.tensor(pw), reduction=reduction))
    _both("MultiLabelSoftMarginLoss", dict(weight=torch.tensor(W), reduction=reduction), [x, y], g,
          mine_ctor=dict(weight=cl.tensor(W), reduction=reduction))


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("fn", ["l1_loss", "mse_loss", "huber_loss"])
def test_functional_pointwise_weight(fn, reduction):
    (x, y), g = _data("MSELoss")
    w = np.abs(np.random.default_rng(4).standard_normal(x.shape)).astype(np.float32)
    tx, cx = torch.tensor(x, requires_grad=True), cl.tensor(x, requires_grad=True)
    ref = getattr(torch.nn.functional, fn)(tx, torch.tensor(y), reduction=reduction, weight=torch.tensor(w))
    mine = getattr(F, fn)(cx, cl.tensor(y), reduction=reduction, weight=cl.tensor(w))
    np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(), rtol=1e-5)
    ref.sum().backward()
    mine.sum().backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        getattr(F, fn)(cx, cl.tensor(y), weight=cl.ones(5))


def test_bce_log_clamped_at_minus_100():
    x = np.array([0.0, 1.0, 0.5], np.float32)
    y = np.array([1.0, 0.0, 1.0], np.float32)
    _both("BCELoss", dict(reduction="none"), [x, y], [True, False])


def test_bce_with_logits_large_logits_stable():
    x = np.array([-200.0, -50.0, 0.0, 50.0, 200.0], np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0], np.float32)
    _both("BCEWithLogitsLoss", dict(reduction="none"), [x, y], [True, False])


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_smooth_l1_beta(beta):
    arrays, g = _data("SmoothL1Loss")
    _both("SmoothL1Loss", dict(beta=beta), arrays, g)


@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True), (False, True)])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_poisson_nll_modes(log_input, full, reduction):
    (x, y), g = _data("PoissonNLLLoss")
    if not log_input:
        x = np.abs(x) + 0.1
    y[0, 0], y[0, 1] = 0.0, 1.0          # Stirling term only for targets > 1
    _both("PoissonNLLLoss", dict(log_input=log_input, full=full, eps=1e-3, reduction=reduction),
          [x, y], g)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean_log_target(reduction, log_target):
    (x, y), g = _data("KLDivLoss")
    if log_target:
        y = np.log(y)
    _both("KLDivLoss", dict(reduction=reduction, log_target=log_target), [x, y], g)


def test_kl_div_zero_target_is_zero():
    x = np.log(np.array([[0.5, 0.5]], np.float32))
    y = np.array([[0.0, 1.0]], np.float32)
    _both("KLDivLoss", dict(reduction="sum"), [x, y], [True, True])


@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking_margin(margin):
    arrays, g = _data("MarginRankingLoss")
    _both("MarginRankingLoss", dict(margin=margin, reduction="none"), arrays, g)


@pytest.mark.parametrize("p,margin", [(1, 1.0), (2, 1.0), (1, 0.3), (2, 2.0)])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_multi_margin_p_margin_weight(p, margin, reduction):
    arrays, g = _data("MultiMarginLoss")
    _both("MultiMarginLoss", dict(p=p, margin=margin, weight=torch.tensor(W), reduction=reduction), arrays, g,
          mine_ctor=dict(p=p, margin=margin, weight=cl.tensor(W), reduction=reduction))
    _both("MultiMarginLoss", dict(p=p, margin=margin, reduction=reduction), arrays, g)


def test_multi_margin_p_must_be_1_or_2():
    with pytest.raises(ValueError):
        torch.nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)


@pytest.mark.parametrize("kw", [dict(), dict(margin=0.5, p=1.0), dict(swap=True), dict(p=3.0, eps=1e-3)])
def test_triplet_options(kw):
    arrays, g = _data("TripletMarginLoss")
    _both("TripletMarginLoss", dict(kw, reduction="none"), arrays, g)


@pytest.mark.parametrize("margin", [1.0, 0.2, 3.0])
def test_hinge_embedding_margin(margin):
    arrays, g = _data("HingeEmbeddingLoss")
    _both("HingeEmbeddingLoss", dict(margin=margin, reduction="none"), arrays, g)


@pytest.mark.parametrize("margin", [0.0, 0.5, -0.5])
def test_cosine_embedding_margin(margin):
    arrays, g = _data("CosineEmbeddingLoss")
    _both("CosineEmbeddingLoss", dict(margin=margin, reduction="none"), arrays, g)


def test_batch_size_one_and_noncontiguous():
    r = np.random.default_rng(5)
    x = r.standard_normal((5, 1)).astype(np.float32)
    t = np.array([3], np.int64)
    # non-contiguous (1, 5) input made by transposing
    tx, cx = torch.tensor(x, requires_grad=True), cl.tensor(x, requires_grad=True)
    ref = torch.nn.CrossEntropyLoss()(tx.t(), torch.tensor(t))
    mine = nn.CrossEntropyLoss()(cx.t(), cl.tensor(t))
    np.testing.assert_allclose(mine.item(), ref.item(), rtol=1e-6)
    ref.backward()
    mine.backward()
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7)
    a = r.standard_normal((3, 4)).astype(np.float32)
    b = r.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(nn.MSELoss()(cl.tensor(a), cl.tensor(b).t()).item(),
                               torch.nn.MSELoss()(torch.tensor(a), torch.tensor(b).t()).item(), rtol=1e-6)


def test_empty_input_mean_is_nan():
    for name in ("MSELoss", "L1Loss", "SmoothL1Loss"):
        ref = getattr(torch.nn, name)()(torch.zeros(0), torch.zeros(0))
        mine = getattr(nn, name)()(cl.zeros(0), cl.zeros(0))
        assert math.isnan(ref.item()) and math.isnan(mine.item())
        assert getattr(nn, name)(reduction="sum")(cl.zeros(0), cl.zeros(0)).item() == 0.0


def test_unbatched_inputs():
    r = np.random.default_rng(2)
    x = r.standard_normal(5).astype(np.float32)
    _both("NLLLoss", {}, [x, np.array(1)], [True, False])
    _both("MultiMarginLoss", {}, [x, np.array(1)], [True, False])
    _both("MultiLabelMarginLoss", {}, [x, np.array([3, 0, -1, 1, 2])], [True, False])
    _both("CosineEmbeddingLoss", {}, [x, x[::-1].copy(), np.array(-1.0, np.float32)], [True, True, False])
    _both("TripletMarginLoss", {}, [x, x * 0.5, x[::-1].copy()], [True, True, True])


# ----------------------------------------------------------------------------------------------
# the notes' formulas, computed by hand

def test_notes_cross_entropy_formula_by_hand():
    # loss(x, class) = weight[class] * (-x[class] + log(sum_j exp(x[j])))
    x = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 3.0]], np.float32)
    y = np.array([0, 1, 1])
    per = [-x[i, y[i]] + np.log(np.exp(x[i]).sum()) for i in range(3)]
    out = nn.CrossEntropyLoss(reduction="none")(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), per, rtol=1e-6)
    np.testing.assert_allclose(nn.CrossEntropyLoss(reduction="sum")(cl.tensor(x), cl.tensor(y)).item(),
                               sum(per), rtol=1e-6)
    np.testing.assert_allclose(nn.CrossEntropyLoss()(cl.tensor(x), cl.tensor(y)).item(), np.mean(per), rtol=1e-6)
    # weighted mean: sum(w[y_n] * l_n) / sum(w[y_n])
    w = np.array([1.0, 2.0], np.float32)
    wl = [w[y[i]] * per[i] for i in range(3)]
    out = nn.CrossEntropyLoss(weight=cl.tensor(w))(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.item(), sum(wl) / w[y].sum(), rtol=1e-6)
    out = nn.CrossEntropyLoss(weight=cl.tensor(w), reduction="none")(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), wl, rtol=1e-6)


def test_notes_nll_is_minus_weighted_pick():
    x = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 3.0]], np.float32)
    y = np.array([0, 1, 1])
    out = nn.NLLLoss(reduction="none")(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), [-1.0, -3.0, -3.0])
    # CrossEntropyLoss == LogSoftmax + NLLLoss (the notes' 功能 line)
    ce = nn.CrossEntropyLoss()(cl.tensor(x), cl.tensor(y))
    nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(cl.tensor(x)), cl.tensor(y))
    np.testing.assert_allclose(ce.item(), nll.item(), rtol=1e-6)


def test_notes_bce_formulas_by_hand():
    x = np.array([[0.2, 0.7], [0.9, 0.4]], np.float32)
    y = np.array([[1.0, 0.0], [1.0, 1.0]], np.float32)
    hand = -(y * np.log(x) + (1 - y) * np.log(1 - x))
    np.testing.assert_allclose(nn.BCELoss(reduction="none")(cl.tensor(x), cl.tensor(y)).numpy(), hand, rtol=1e-6)
    logits = np.log(x / (1 - x))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(reduction="none")(cl.tensor(logits), cl.tensor(y)).numpy(), hand, rtol=1e-5)
    pw = np.array([3.0, 1.0], np.float32)
    hand_pw = -(pw * y * np.log(x) + (1 - y) * np.log(1 - x))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(reduction="none", pos_weight=cl.tensor(pw))(cl.tensor(logits), cl.tensor(y)).numpy(),
        hand_pw, rtol=1e-5)


def test_notes_l1_mse_smooth_l1_by_hand():
    x = cl.ones(2, 2)
    y = cl.full((2, 2), 3.0)
    assert nn.L1Loss(reduction="none")(x, y).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert nn.MSELoss(reduction="none")(x, y).tolist() == [[4.0, 4.0], [4.0, 4.0]]
    assert nn.MSELoss(reduction="sum")(x, y).item() == 16.0
    d = np.linspace(-3, 3, 13).astype(np.float32)
    z = np.where(np.abs(d) < 1, 0.5 * d ** 2, np.abs(d) - 0.5)
    out = nn.SmoothL1Loss(reduction="none")(cl.tensor(d), cl.zeros(13))
    np.testing.assert_allclose(out.numpy(), z, rtol=1e-6)
    np.testing.assert_allclose(nn.SmoothL1Loss()(cl.tensor(d), cl.zeros(13)).item(), z.mean(), rtol=1e-6)


def test_notes_poisson_formulas_by_hand():
    x = np.array([[0.5, 1.5], [2.0, 0.1]], np.float32)
    y = np.array([[1.0, 2.0], [0.0, 3.0]], np.float32)
    out = nn.PoissonNLLLoss(log_input=True, reduction="none")(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), np.exp(x) - y * x, rtol=1e-6)
    out = nn.PoissonNLLLoss(log_input=False, reduction="none")(cl.tensor(x), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), x - y * np.log(x + 1e-8), rtol=1e-6)


def test_notes_kl_formula_by_hand():
    x = np.log(np.array([[0.2, 0.3, 0.5]], np.float32))
    y = np.array([[0.1, 0.6, 0.3]], np.float32)
    hand = y * (np.log(y) - x)
    np.testing.assert_allclose(nn.KLDivLoss(reduction="none")(cl.tensor(x), cl.tensor(y)).numpy(), hand, rtol=1e-6)
    np.testing.assert_allclose(nn.KLDivLoss(reduction="batchmean")(cl.tensor(x), cl.tensor(y)).item(),
                               hand.sum() / 1, rtol=1e-6)
    np.testing.assert_allclose(nn.KLDivLoss(reduction="mean")(cl.tensor(x), cl.tensor(y)).item(),
                               hand.mean(), rtol=1e-6)


def test_notes_margin_ranking_by_hand():
    # loss = max(0, -y * (x1 - x2) + margin), elementwise over the batch
    x1, x2 = np.array([1.0, 2.0, 3.0], np.float32), np.array([2.0, 2.0, 2.0], np.float32)
    y = np.array([1.0, 1.0, -1.0], np.float32)
    out = nn.MarginRankingLoss(margin=0.0, reduction="none")(cl.tensor(x1), cl.tensor(x2), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), np.maximum(0, -y * (x1 - x2)))
    # the notes' "n x n loss matrix" came from broadcasting (n,1) against (n,); PyTorch 2.x
    # rejects inputs of different dimensions, and so does corelib
    _raises_like(lambda: nn.MarginRankingLoss(reduction="none")(cl.tensor(x1[:, None]), cl.tensor(x2), cl.tensor(y)),
                 lambda: torch.nn.MarginRankingLoss(reduction="none")(torch.tensor(x1[:, None]), torch.tensor(x2),
                                                                      torch.tensor(y)))


def test_notes_multilabel_margin_example():
    # 四分类任务，样本x属于0类和3类，标签：[0, 3, -1, -1]
    x = cl.tensor([[0.1, 0.2, 0.4, 0.8]])
    y = cl.tensor([[0, 3, -1, -1]], dtype=cl.int64)
    out = nn.MultiLabelMarginLoss(reduction="none")(x, y)
    xs = [0.1, 0.2, 0.4, 0.8]
    hand = 0.0
    for j in (0, 3):
        for i in (1, 2):
            hand += max(0.0, 1 - (xs[j] - xs[i]))
    hand /= 4
    np.testing.assert_allclose(out.numpy(), [hand], rtol=1e-6)
    np.testing.assert_allclose(out.item(), 0.85, rtol=1e-6)
    ref = torch.nn.MultiLabelMarginLoss(reduction="none")(torch.tensor([[0.1, 0.2, 0.4, 0.8]]),
                                                           torch.tensor([[0, 3, -1, -1]]))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_notes_soft_margin_and_multilabel_soft_margin_by_hand():
    x = np.array([[0.3, 0.7], [0.5, 0.5]], np.float32)
    y = np.array([[-1.0, 1.0], [1.0, -1.0]], np.float32)
    hand = np.log(1 + np.exp(-y * x))
    np.testing.assert_allclose(nn.SoftMarginLoss(reduction="none")(cl.tensor(x), cl.tensor(y)).numpy(), hand,
                               rtol=1e-6)
    x = np.array([[0.3, 0.7, 0.8]], np.float32)
    y = np.array([[0.0, 1.0, 1.0]], np.float32)
    sig = 1 / (1 + np.exp(-x))
    hand = -(y * np.log(sig) + (1 - y) * np.log(1 - sig)).mean(1)
    np.testing.assert_allclose(
        nn.MultiLabelSoftMarginLoss(reduction="none")(cl.tensor(x), cl.tensor(y)).numpy(), hand, rtol=1e-6)


def test_notes_multi_margin_by_hand():
    x = np.array([[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]], np.float32)
    y = np.array([1, 2])
    for p in (1, 2):
        hand = [sum(max(0.0, 1 - x[n, y[n]] + x[n, i]) ** p for i in range(3) if i != y[n]) / 3 for n in range(2)]
        out = nn.MultiMarginLoss(p=p, reduction="none")(cl.tensor(x), cl.tensor(y))
        np.testing.assert_allclose(out.numpy(), hand, rtol=1e-6)


def test_notes_triplet_by_hand():
    a, p, n = cl.tensor([[1.0]]), cl.tensor([[2.0]]), cl.tensor([[0.5]])
    out = nn.TripletMarginLoss(margin=1.0, p=1)(a, p, n)
    hand = max(abs(1.0 - 2.0) - abs(1.0 - 0.5) + 1.0, 0)
    np.testing.assert_allclose(out.item(), hand, rtol=1e-5)


def test_notes_hinge_embedding_by_hand():
    x = cl.tensor([[1.0, 0.8, 0.5]])
    y = cl.tensor([[1.0, 1.0, -1.0]])
    out = nn.HingeEmbeddingLoss(margin=1.0, reduction="none")(x, y)
    np.testing.assert_allclose(out.numpy(), [[1.0, 0.8, 0.5]], rtol=1e-6)


def test_notes_cosine_embedding_by_hand():
    x1 = np.array([[0.3, 0.5, 0.7], [0.3, 0.5, 0.7]], np.float32)
    x2 = np.array([[0.1, 0.3, 0.5], [0.1, 0.3, 0.5]], np.float32)
    y = np.array([1.0, -1.0], np.float32)
    cos = (x1 * x2).sum(1) / (np.linalg.norm(x1, axis=1) * np.linalg.norm(x2, axis=1))
    hand = [1 - cos[0], max(0.0, cos[1] - 0.0)]
    out = nn.CosineEmbeddingLoss(margin=0.0, reduction="none")(cl.tensor(x1), cl.tensor(x2), cl.tensor(y))
    np.testing.assert_allclose(out.numpy(), hand, rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# CTCLoss

@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_vs_torch(reduction, zero_infinity):
    T, C, N, S = 12, 6, 3, 5
    r = np.random.default_rng(11)
    lp = r.standard_normal((T, N, C)).astype(np.float32)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    targets = r.integers(1, C, (N, S)).astype(np.int64)
    il = np.array([12, 10, 3], np.int64)        # the last one is too short -> inf
    tl = np.array([5, 3, 4], np.int64)
    t_lp = torch.tensor(lp, requires_grad=True)
    c_lp = cl.tensor(lp, requires_grad=True)
    ref = torch.nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)(
        t_lp, torch.tensor(targets), torch.tensor(il), torch.tensor(tl))
    mine = nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)(
        c_lp, cl.tensor(targets), cl.tensor(il), cl.tensor(tl))
    np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(), rtol=1e-4)
    if zero_infinity or reduction == "none":
        g = np.ones(tuple(ref.shape), np.float32)
        if reduction == "none" and not zero_infinity:
            g[2] = 0.0
        ref.backward(torch.tensor(g))
        mine.backward(cl.tensor(g))
        np.testing.assert_allclose(c_lp.grad.numpy(), np.nan_to_num(t_lp.grad.numpy()), rtol=1e-4, atol=1e-5)


def test_ctc_blank_argument():
    T, C, N = 8, 4, 2
    r = np.random.default_rng(12)
    lp = r.standard_normal((T, N, C)).astype(np.float32)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    targets = r.integers(0, C - 1, (N, 3)).astype(np.int64)   # blank = C-1 is never a target
    args = (targets, np.array([8, 8]), np.array([3, 2]))
    ref = torch.nn.CTCLoss(blank=C - 1)(torch.tensor(lp), *map(torch.tensor, args))
    mine = nn.CTCLoss(blank=C - 1)(cl.tensor(lp), *map(cl.tensor, args))
    np.testing.assert_allclose(mine.item(), ref.item(), rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# errors for bad input

def _raises_like(call_mine, call_ref):
    with pytest.raises(Exception) as ref_e:
        call_ref()
    with pytest.raises(Exception) as mine_e:
        call_mine()
    assert isinstance(mine_e.value, type(ref_e.value)) or issubclass(type(ref_e.value), type(mine_e.value)), (
        mine_e.value, ref_e.value)
    return mine_e.value, ref_e.value


def test_bad_reduction():
    _raises_like(lambda: nn.MSELoss(reduction="avg")(cl.zeros(2), cl.zeros(2)),
                 lambda: torch.nn.MSELoss(reduction="avg")(torch.zeros(2), torch.zeros(2)))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")(cl.zeros(2, 3), cl.tensor([0, 1]))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.l1_loss(cl.zeros(2), cl.zeros(2), reduction="batchmean")


def test_cross_entropy_target_out_of_bounds():
    mine, ref = _raises_like(lambda: nn.CrossEntropyLoss()(cl.zeros(2, 3), cl.tensor([0, 3])),
                             lambda: torch.nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([0, 3])))
    assert "out of bounds" in str(mine)
    _raises_like(lambda: nn.NLLLoss()(cl.zeros(2, 3), cl.tensor([0, -2])),
                 lambda: torch.nn.NLLLoss()(torch.zeros(2, 3), torch.tensor([0, -2])))


def test_cross_entropy_bad_target_dtype_and_shape():
    _raises_like(lambda: nn.CrossEntropyLoss()(cl.zeros(2, 3), cl.tensor([0.0, 1.0])),
                 lambda: torch.nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([0.0, 1.0])))
    _raises_like(lambda: nn.CrossEntropyLoss()(cl.zeros(2, 3), cl.tensor([0, 1, 2])),
                 lambda: torch.nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([0, 1, 2])))
    _raises_like(lambda: nn.NLLLoss()(cl.zeros(2, 3), cl.tensor([0.0, 1.0])),
                 lambda: torch.nn.NLLLoss()(torch.zeros(2, 3), torch.tensor([0.0, 1.0])))
    _raises_like(lambda: nn.CrossEntropyLoss(weight=cl.ones(4))(cl.zeros(2, 3), cl.tensor([0, 1])),
                 lambda: torch.nn.CrossEntropyLoss(weight=torch.ones(4))(torch.zeros(2, 3), torch.tensor([0, 1])))


def test_bce_input_outside_0_1():
    mine, _ = _raises_like(lambda: nn.BCELoss()(cl.tensor([1.5, 0.2]), cl.tensor([1.0, 0.0])),
                           lambda: torch.nn.BCELoss()(torch.tensor([1.5, 0.2]), torch.tensor([1.0, 0.0])))
    assert "between 0 and 1" in str(mine)


def test_bce_target_size_mismatch():
    mine, _ = _raises_like(lambda: nn.BCELoss()(cl.full((2, 3), 0.5), cl.ones(3, 2)),
                           lambda: torch.nn.BCELoss()(torch.full((2, 3), 0.5), torch.ones(3, 2)))
    assert "target size" in str(mine)
    _raises_like(lambda: nn.BCEWithLogitsLoss()(cl.zeros(2, 3), cl.ones(2, 1)),
                 lambda: torch.nn.BCEWithLogitsLoss()(torch.zeros(2, 3), torch.ones(2, 1)))


def test_mse_broadcast_warns_like_torch():
    with pytest.warns(UserWarning, match="target size"):
        torch.nn.MSELoss()(torch.zeros(3, 1), torch.zeros(3))
    with pytest.warns(UserWarning, match="target size"):
        out = nn.MSELoss()(cl.zeros(3, 1), cl.zeros(3))
    assert out.item() == 0.0


def test_multilabel_margin_bad_target():
    _raises_like(lambda: nn.MultiLabelMarginLoss()(cl.zeros(2, 3), cl.zeros(2, 4, dtype=cl.int64)),
                 lambda: torch.nn.MultiLabelMarginLoss()(torch.zeros(2, 3), torch.zeros(2, 4, dtype=torch.int64)))


def test_multi_margin_bad_target():
    _raises_like(lambda: nn.MultiMarginLoss()(cl.zeros(2, 3), cl.tensor([0, 5])),
                 lambda: torch.nn.MultiMarginLoss()(torch.zeros(2, 3), torch.tensor([0, 5])))


def test_registry_names():
    from corelib import registry
    for name in NOTES_LOSSES:
        assert registry.get("loss", name) is getattr(nn, name)
    assert registry.get("loss", "cross_entropy") is nn.CrossEntropyLoss
    assert registry.get("loss", "bce_with_logits") is nn.BCEWithLogitsLoss
    assert registry.get("loss", "nll") is nn.NLLLoss
    assert registry.get("loss", "ctc") is nn.CTCLoss
    assert registry.get("loss", "triplet_margin") is nn.TripletMarginLoss
    assert registry.get("loss", "kl_div") is nn.KLDivLoss


def test_bad_dtypes_like_torch():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    p = 1 / (1 + np.exp(-x))
    t = (x > 0).astype(np.int64)
    # BCELoss wants the target in the input's dtype (no implicit cast)
    _raises_like(lambda: nn.BCELoss()(cl.tensor(p), cl.tensor(t)),
                 lambda: torch.nn.BCELoss()(torch.tensor(p), torch.tensor(t)))
    _raises_like(lambda: nn.BCELoss()(cl.tensor(p), cl.tensor(t.astype(np.float64))),
                 lambda: torch.nn.BCELoss()(torch.tensor(p), torch.tensor(t.astype(np.float64))))
    _raises_like(lambda: nn.BCEWithLogitsLoss()(cl.tensor(x), cl.tensor(t)),
                 lambda: torch.nn.BCEWithLogitsLoss()(torch.tensor(x), torch.tensor(t)))
    # integer scores
    _raises_like(lambda: nn.CrossEntropyLoss()(cl.tensor([[1, 2], [3, 4]]), cl.tensor([0, 1])),
                 lambda: torch.nn.CrossEntropyLoss()(torch.tensor([[1, 2], [3, 4]]), torch.tensor([0, 1])))
    _raises_like(lambda: nn.NLLLoss()(cl.tensor([[1, 2], [3, 4]]), cl.tensor([0, 1])),
                 lambda: torch.nn.NLLLoss()(torch.tensor([[1, 2], [3, 4]]), torch.tensor([0, 1])))
    # class indices: Long or Byte, as in torch
    _both("CrossEntropyLoss", {}, [x, np.array([0, 1, 2], np.uint8)], [True, False])
    mine, _ = _raises_like(lambda: nn.CrossEntropyLoss()(cl.tensor(x), cl.tensor([0, 1, 2], dtype=cl.int32)),
                           lambda: torch.nn.CrossEntropyLoss()(torch.tensor(x), torch.tensor([0, 1, 2], dtype=torch.int32)))
    assert "expected target dtype to be Long or Byte, but got Int" in str(mine)


def test_elementwise_mean_is_deprecated_mean():
    x = cl.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="elementwise_mean"):
        out = F.mse_loss(x, cl.zeros(2), reduction="elementwise_mean")
    assert out.item() == 2.5


def test_gradients_at_kinks_like_torch():
    x = np.array([[1.0, 2.0, 3.0, 0.5]], np.float32)
    _both("L1Loss", {}, [x, x.copy()], [True, True])                       # d = 0
    _both("SmoothL1Loss", {}, [x, x - 1.0], [True, True])                  # |d| == beta
    _both("HingeEmbeddingLoss", {}, [x, -np.ones_like(x)], [True, False])  # x == margin at 1.0
    _both("MarginRankingLoss", {}, [x[0], x[0].copy(), np.ones(4, np.float32)], [True, True, False])
    _both("TripletMarginLoss", {}, [x, x.copy(), x + 0.5], [True, True, True])   # d(a, p) = 0
    _both("CosineEmbeddingLoss", {}, [x, x.copy(), np.array([-1.0], np.float32)], [True, True, False])
    _both("MultiMarginLoss", {}, [np.array([[1.0, 0.0, 0.5]], np.float32), np.array([0])], [True, False])


def test_shape_mismatch_errors_are_runtime_errors_like_torch():
    mine, ref = _raises_like(
        lambda: nn.TripletMarginLoss()(cl.zeros(3, 4), cl.zeros(3, 4), cl.zeros(3, 2)),
        lambda: torch.nn.TripletMarginLoss()(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, 2)))
    assert isinstance(mine, RuntimeError) and str(mine) == str(ref)
    _raises_like(lambda: nn.CosineEmbeddingLoss()(cl.zeros(3, 4), cl.zeros(3, 4), cl.ones(2)),
                 lambda: torch.nn.CosineEmbeddingLoss()(torch.zeros(3, 4), torch.zeros(3, 4), torch.ones(2)))
    _raises_like(lambda: nn.MultiLabelSoftMarginLoss()(cl.zeros(3, 4), cl.zeros(3, 3)),
                 lambda: torch.nn.MultiLabelSoftMarginLoss()(torch.zeros(3, 4), torch.zeros(3, 3)))
    _raises_like(lambda: nn.MSELoss()(cl.zeros(3), cl.zeros(4)),
                 lambda: torch.nn.MSELoss()(torch.zeros(3), torch.zeros(4)))


def test_zero_dim_input_errors():
    _raises_like(lambda: nn.CrossEntropyLoss()(cl.tensor(1.0), cl.tensor(0)),
                 lambda: torch.nn.CrossEntropyLoss()(torch.tensor(1.0), torch.tensor(0)))
    _raises_like(lambda: nn.NLLLoss()(cl.tensor(1.0), cl.tensor(0)),
                 lambda: torch.nn.NLLLoss()(torch.tensor(1.0), torch.tensor(0)))
