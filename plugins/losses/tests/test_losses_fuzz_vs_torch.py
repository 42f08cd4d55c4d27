"""Differential fuzz of every loss (functional form and class) against PyTorch: random shapes
(0-d / unbatched, batch 1, empty batches, spatial dims), every reduction and option, float32 and
float64, values and the gradients of every floating-point input; error cases torch rejects."""
import warnings

import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as CF
from corelib_losses import functional as F
from corelib_losses import modules as M

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TN = torch.nn
REDS = ("none", "sum", "mean")
DTYPES = ("float32", "float64")
TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-7, atol=1e-7)}


def _to(a, lib, rg):
    if a is None:
        return None
    a = np.asarray(a)
    if lib == "cl":
        return cl.tensor(a, requires_grad=rg)
    t = torch.from_numpy(a.copy())
    return t.requires_grad_(rg) if rg else t


def check(name, arrs, kw=None, grad=(0,), dtype="float64", module=None, tol=None, seed=0,
          cast=(0,)):
    """Compare F.<name>(*arrs, **kw) with torch's, values and the input gradients; then the
    class ``module = (cls_name, ctor_kw)`` on the same inputs (ctor_kw may hold arrays)."""
    kw = dict(kw or {})
    tol = tol or TOL[dtype]
    arrs = [None if a is None else
            (np.asarray(a).astype(dtype) if i in cast or np.asarray(a).dtype.kind == "f"
             else np.asarray(a)) for i, a in enumerate(arrs)]
    kw = {k: (np.asarray(v) if isinstance(v, (np.ndarray, np.generic)) else v)
          for k, v in kw.items()}
    kwa = {k: (v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v)
           for k, v in kw.items()}
    rng = np.random.default_rng(seed)
    calls = [(getattr(F, name), getattr(TF, name), kwa, False)]
    if module is not None:
        cname, ckw = module
        ckw = {k: (np.asarray(v).astype(dtype) if isinstance(v, np.generic) else v)
               for k, v in ckw.items()}
        ckw = {k: (v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v)
               for k, v in ckw.items()}
        calls.append((getattr(M, cname), getattr(TN, cname), ckw, True))
    for fc, ft, kk, is_mod in calls:
        cs = [_to(a, "cl", i in grad) for i, a in enumerate(arrs)]
        ts = [_to(a, "t", i in grad) for i, a in enumerate(arrs)]
        kc = {k: (_to(v, "cl", False) if isinstance(v, np.ndarray) else v) for k, v in kk.items()}
        kt = {k: (_to(v, "t", False) if isinstance(v, np.ndarray) else v) for k, v in kk.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if is_mod:
                oc, ot = fc(**kc)(*cs), ft(**kt)(*ts)
            else:
                oc, ot = fc(*cs, **kc), ft(*ts, **kt)
        assert tuple(oc.shape) == tuple(ot.shape), (name, oc.shape, ot.shape)
        assert str(oc.dtype).split(".")[-1] == str(ot.dtype).split(".")[-1], (oc.dtype, ot.dtype)
        np.testing.assert_allclose(oc.detach().numpy(), ot.detach().numpy(), **tol,
                                   err_msg=f"{name} value {kk}")
        if not any(t is not None and t.requires_grad for t in ts) or ot.numel() == 0:
            continue
        go = rng.standard_normal(tuple(ot.shape)).astype(dtype)
        oc.backward(cl.tensor(go))
        ot.backward(torch.from_numpy(go))
        for i, (c, t) in enumerate(zip(cs, ts)):
            if t is not None and t.requires_grad:
                assert c.grad is not None, f"{name}: no gradient for input {i}"
                np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), **tol,
                                           err_msg=f"{name} grad {i} {kk}")


def _shape(rng, batch):
    """A random (N, *) shape: batch in {0, 1, random}, 0-2 extra dims."""
    extra = tuple(int(d) for d in rng.integers(1, 4, rng.integers(0, 3)))
    return (batch,) + extra


SHAPES = [(), (0,), (1,), (5,), (1, 3), (4, 3, 2), (0, 3)]


# ---- pointwise regression losses ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("red", REDS)
def test_pointwise(dtype, shape, red):
    rng = np.random.default_rng(len(shape) + 10 * REDS.index(red))
    x, y = rng.standard_normal(shape) * 2, rng.standard_normal(shape) * 2
    w = rng.random(shape)
    for name, cls, extra in [("l1_loss", "L1Loss", {}), ("mse_loss", "MSELoss", {}),
                             ("smooth_l1_loss", "SmoothL1Loss", {"beta": 0.0}),
                             ("smooth_l1_loss", "SmoothL1Loss", {"beta": 0.7}),
                             ("huber_loss", "HuberLoss", {"delta": 0.5}),
                             ("huber_loss", "HuberLoss", {"delta": 2.0})]:
        kw = dict(reduction=red, **extra)
        check(name, [x, y], kw, grad=(0, 1), dtype=dtype, module=(cls, kw))
        if name in ("l1_loss", "mse_loss", "huber_loss"):
            check(name, [x, y], dict(kw, weight=w), grad=(0, 1), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_soft_margin_hinge_ranking(dtype, red):
    rng = np.random.default_rng(1)
    for shape in [(), (1,), (6,), (3, 4), (0,)]:
        x = rng.standard_normal(shape) * 2
        y = np.where(np.asarray(rng.standard_normal(shape)) >= 0, 1.0, -1.0)
        check("soft_margin_loss", [x, y], dict(reduction=red), dtype=dtype,
              module=("SoftMarginLoss", dict(reduction=red)))
        for m in (0.0, 1.0, 2.5):
            check("hinge_embedding_loss", [np.abs(x), y], dict(margin=m, reduction=red), dtype=dtype,
                  module=("HingeEmbeddingLoss", dict(margin=m, reduction=red)))
        x2 = rng.standard_normal(shape)
        for m in (0.0, 0.5):
            check("margin_ranking_loss", [x, x2, y], dict(margin=m, reduction=red), grad=(0, 1),
                  dtype=dtype, module=("MarginRankingLoss", dict(margin=m, reduction=red)))


# ---- probabilistic losses -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_bce(dtype, red):
    rng = np.random.default_rng(2)
    for shape in [(), (1,), (5,), (3, 4), (2, 3, 4), (0, 4)]:
        x = rng.uniform(0.02, 0.98, shape)
        y = rng.random(shape)
        w = rng.random(shape[-1:]) if shape else None
        check("binary_cross_entropy", [x, y], dict(reduction=red), grad=(0, 1), dtype=dtype,
              module=("BCELoss", dict(reduction=red)))
        if w is not None:
            check("binary_cross_entropy", [x, y], dict(weight=w, reduction=red), grad=(0, 1),
                  dtype=dtype, module=("BCELoss", dict(weight=w, reduction=red)))
    # probabilities 0 and 1: log clamped at -100, gradient finite
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3])
    check("binary_cross_entropy", [x, y], dict(reduction=red), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_bce_with_logits(dtype, red):
    rng = np.random.default_rng(3)
    for shape in [(), (1,), (5,), (3, 4), (2, 3, 4), (0, 4)]:
        x = rng.standard_normal(shape) * 3
        y = rng.random(shape)
        c = shape[-1:] if shape else ()
        for w, pw in [(None, None), (rng.random(c), None), (None, rng.random(c) * 3),
                      (rng.random(shape), rng.random(c) * 3)]:
            kw = dict(reduction=red)
            if w is not None:
                kw["weight"] = w
            if pw is not None:
                kw["pos_weight"] = pw
            check("binary_cross_entropy_with_logits", [x, y], kw, grad=(0, 1), dtype=dtype,
                  module=("BCEWithLogitsLoss", kw))
    # extreme logits: finite values and exact gradients
    x = np.array([1e4, -1e4, 1e4, -1e4, 3e3, -80.0, 80.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.2, 0.7])
    check("binary_cross_entropy_with_logits", [x, y], dict(reduction=red), grad=(0, 1), dtype=dtype)
    check("binary_cross_entropy_with_logits", [x, y], dict(reduction=red, pos_weight=np.array(2.5)),
          grad=(0, 1), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_poisson_nll(dtype, red):
    rng = np.random.default_rng(4)
    for shape in [(), (1,), (6,), (3, 4), (0,)]:
        y = rng.poisson(3.0, shape).astype(float)
        for log_input in (True, False):
            x = rng.standard_normal(shape) if log_input else rng.uniform(0.0, 4.0, shape)
            for full in (False, True):
                for eps in (1e-8, 0.5):
                    kw = dict(log_input=log_input, full=full, eps=eps, reduction=red)
                    check("poisson_nll_loss", [x, y], kw, grad=(0, 1), dtype=dtype,
                          module=("PoissonNLLLoss", kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_gaussian_nll(dtype, red):
    rng = np.random.default_rng(5)
    for shape, vshape in [((4, 3), (4, 3)), ((4, 3), (4,)), ((4, 3), (4, 1)), ((1, 2), (1, 2)),
                          ((5,), (5,)), ((2, 3, 4), (2, 3, 1)), ((2, 3, 4), (2, 3))]:
        x, y = rng.standard_normal(shape), rng.standard_normal(shape)
        v = rng.uniform(0.0, 2.0, vshape)
        v.flat[0] = 1e-9                                    # below eps: clamped
        for full in (False, True):
            for eps in (1e-6, 0.1):
                kw = dict(full=full, eps=eps, reduction=red)
                check("gaussian_nll_loss", [x, y, v], kw, grad=(0, 1, 2), dtype=dtype,
                      module=("GaussianNLLLoss", kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS + ("batchmean",))
def test_kl_div(dtype, red):
    rng = np.random.default_rng(6)
    for shape in [(), (1,), (5,), (3, 4), (2, 3, 4)]:
        x = np.log(rng.dirichlet(np.ones(shape[-1]), shape[:-1])) if shape else np.array(-0.3)
        p = rng.random(shape)
        p.flat[0] = 0.0                                      # 0 log 0 = 0
        for log_target in (False, True):
            y = np.log(p + 0.1) if log_target else p
            kw = dict(reduction=red, log_target=log_target)
            check("kl_div", [x, y], kw, grad=(0, 1), dtype=dtype, module=("KLDivLoss", kw))


# ---- classification: cross_entropy / nll_loss ------------------------------------------------
def _ce_cases(rng):
    """(input shape, class dim) cases: unbatched, batch 1, batched, spatial, empty."""
    return [((7,), 0), ((1, 4), 1), ((6, 5), 1), ((3, 4, 2), 1), ((2, 3, 2, 3), 1), ((0, 4), 1),
            ((0, 3, 2), 1), ((5, 1), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_cross_entropy_indices_fuzz(dtype, red, ls):
    rng = np.random.default_rng(7)
    for shape, cd in _ce_cases(rng):
        C = shape[cd]
        tshape = shape[:cd] + shape[cd + 1:]
        x = rng.standard_normal(shape) * 3
        for weighted in (False, True):
            for ignore in (-100, 0, "all"):
                y = rng.integers(0, C, tshape)
                ii = ignore
                if ignore == "all":
                    ii = 1
                    y = np.full(tshape, 1)
                elif ignore == 0 and y.size:
                    y.flat[0] = 0
                kw = dict(reduction=red, label_smoothing=ls, ignore_index=ii)
                if weighted:
                    kw["weight"] = rng.random(C) + 0.1
                check("cross_entropy", [x, y], kw, dtype=dtype, module=("CrossEntropyLoss", kw))
                if ls == 0.0:
                    xl = np.log(rng.dirichlet(np.ones(C), tshape)) if tshape else \
                        np.log(rng.dirichlet(np.ones(C)))
                    xl = np.moveaxis(xl, -1, cd)
                    kn = {k: v for k, v in kw.items() if k != "label_smoothing"}
                    check("nll_loss", [xl, y], kn, dtype=dtype, module=("NLLLoss", kn))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_cross_entropy_probabilities_fuzz(dtype, red):
    rng = np.random.default_rng(8)
    for shape, cd in _ce_cases(rng):
        C = shape[cd]
        x = rng.standard_normal(shape) * 2
        p = rng.random(shape)
        for ls in (0.0, 0.3):
            for w in (None, rng.random(C) + 0.1):
                kw = dict(reduction=red, label_smoothing=ls)
                if w is not None:
                    kw["weight"] = w
                check("cross_entropy", [x, p], kw, grad=(0, 1), dtype=dtype,
                      module=("CrossEntropyLoss", kw))


def test_cross_entropy_target_scalar_batch_one():
    rng = np.random.default_rng(9)
    for dtype in DTYPES:
        x = rng.standard_normal(5)
        for ls in (0.0, 0.1):
            check("cross_entropy", [x, np.array(3)], dict(label_smoothing=ls), dtype=dtype)
            check("cross_entropy", [x, np.array(3)], dict(label_smoothing=ls, reduction="none"),
                  dtype=dtype)
            check("cross_entropy", [x, np.array(3)], dict(label_smoothing=ls, ignore_index=3),
                  dtype=dtype)
        check("nll_loss", [x, np.array(2)], dict(weight=rng.random(5)), dtype=dtype)


def test_cross_entropy_fused_float32_path():
    """The fused float32 2-d path: large C, -inf logits, rows with an inf / NaN max."""
    rng = np.random.default_rng(10)
    tol = dict(rtol=1e-5, atol=1e-6)
    for n, c in [(1, 1), (3, 1000), (64, 37), (2, 4099)]:
        x = (rng.standard_normal((n, c)) * 5).astype(np.float32)
        y = rng.integers(0, c, n)
        for red in REDS:
            check("cross_entropy", [x, y], dict(reduction=red), dtype="float32", tol=tol)
        check("cross_entropy", [x, y], dict(weight=rng.random(c)), dtype="float32", tol=tol)
    # -inf logits away from the target: exact zero probability and gradient
    x = rng.standard_normal((4, 9)).astype(np.float32)
    x[:, ::2] = -np.inf
    y = np.array([1, 3, 5, 7])
    check("cross_entropy", [x, y], dict(reduction="none"), dtype="float32", tol=tol)
    check("cross_entropy", [x, y], dict(reduction="sum"), dtype="float32", tol=tol)
    # extreme logits
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]], np.float32)
    check("cross_entropy", [x, np.array([1, 2, 0])], dict(reduction="none"), dtype="float32", tol=tol)
    check("cross_entropy", [x, np.array([1, 2, 0])], {}, dtype="float64")
    # a row whose max is +inf or NaN, and a row at the target -inf: values as torch (nan / inf)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    x[0, 2] = np.inf
    x[1, 4] = np.nan
    x[2, 0] = -np.inf
    y = np.array([1, 1, 0, 3])
    for fn in (lambda a: a, lambda a: a.astype(np.float64)):
        xc = cl.tensor(fn(x), requires_grad=True)
        xt = torch.tensor(fn(x), requires_grad=True)
        oc = F.cross_entropy(xc, cl.tensor(y), reduction="none")
        ot = TF.cross_entropy(xt, torch.tensor(y), reduction="none")
        np.testing.assert_array_equal(oc.detach().numpy(), ot.detach().numpy())
        oc[3].backward()
        ot[3].backward()
        np.testing.assert_allclose(xc.grad.numpy()[3], xt.grad.numpy()[3], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(np.isnan(xc.grad.numpy()), np.isnan(xt.grad.numpy()))


def test_cross_entropy_retain_graph_and_double_backward_float32():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 6)).astype(np.float32)
    y = rng.integers(0, 6, 5)
    xc, xt = cl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oc, ot = F.cross_entropy(xc, cl.tensor(y)), TF.cross_entropy(xt, torch.tensor(y))
    oc.backward(retain_graph=True)
    oc.backward()
    ot.backward(retain_graph=True)
    ot.backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    xc, xt = cl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (gc,) = cl.autograd.grad(F.cross_entropy(xc, cl.tensor(y)), xc, create_graph=True)
    (gt,) = torch.autograd.grad(TF.cross_entropy(xt, torch.tensor(y)), xt, create_graph=True)
    (gc * gc).sum().backward()
    (gt * gt).sum().backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


# ---- margins, embeddings ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_multi_margin_and_multilabel(dtype, red):
    rng = np.random.default_rng(12)
    for shape in [(5,), (1, 4), (6, 3)]:         # (torch sums an empty batch to garbage)
        C = shape[-1]
        x = rng.standard_normal(shape)
        y = rng.integers(0, C, shape[:-1]) if len(shape) == 2 else np.array(rng.integers(0, C))
        for p in (1, 2):
            for m in (1.0, 0.3):
                for w in (None, rng.random(C)):
                    kw = dict(p=p, margin=m, reduction=red)
                    if w is not None:
                        kw["weight"] = w
                    check("multi_margin_loss", [x, y], kw, dtype=dtype, module=("MultiMarginLoss", kw))
        # multilabel: label indices padded with -1
        yl = np.full(shape, -1)
        for idx in np.ndindex(shape[:-1]):
            k = rng.integers(0, C + 1)
            yl[idx][:k] = rng.permutation(C)[:k]
        check("multilabel_margin_loss", [x, yl], dict(reduction=red), dtype=dtype,
              module=("MultiLabelMarginLoss", dict(reduction=red)))
        yb = (rng.random(shape) > 0.5).astype(float)
        for w in (None, rng.random(C)):
            kw = dict(reduction=red)
            if w is not None:
                kw["weight"] = w
            check("multilabel_soft_margin_loss", [x, yb], kw, grad=(0, 1), dtype=dtype,
                  module=("MultiLabelSoftMarginLoss", kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("red", REDS)
def test_triplet_and_cosine(dtype, red):
    rng = np.random.default_rng(13)
    for shape in [(6,), (1, 4), (5, 3), (0, 3)]:
        a, p, n = (rng.standard_normal(shape) for _ in range(3))
        for pn in (1.0, 2.0, 3.0):
            for swap in (False, True):
                for eps in (1e-6, 0.1):
                    kw = dict(margin=0.7, p=pn, eps=eps, swap=swap, reduction=red)
                    check("triplet_margin_loss", [a, p, n], kw, grad=(0, 1, 2), dtype=dtype,
                          module=("TripletMarginLoss", kw))
        for swap in (False, True):
            kw = dict(margin=1.3, swap=swap, reduction=red)
            check("triplet_margin_with_distance_loss", [a, p, n], kw, grad=(0, 1, 2), dtype=dtype,
                  module=("TripletMarginWithDistanceLoss", kw))
        y = np.where(rng.random(shape[:-1]) > 0.5, 1.0, -1.0)
        for m in (0.0, 0.4, -0.2):
            kw = dict(margin=m, reduction=red)
            check("cosine_embedding_loss", [a, p, y], kw, grad=(0, 1), dtype=dtype,
                  module=("CosineEmbeddingLoss", kw))


def test_triplet_with_custom_distance():
    rng = np.random.default_rng(14)
    a, p, n = (rng.standard_normal((4, 3)) for _ in range(3))
    cs = [cl.tensor(v, requires_grad=True) for v in (a, p, n)]
    ts = [torch.tensor(v, requires_grad=True) for v in (a, p, n)]
    oc = F.triplet_margin_with_distance_loss(
        *cs, distance_function=lambda u, v: 1 - CF.cosine_similarity(u, v), swap=True)
    ot = TF.triplet_margin_with_distance_loss(
        *ts, distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v), swap=True)
    np.testing.assert_allclose(oc.item(), ot.item(), rtol=1e-7)
    oc.backward()
    ot.backward()
    for c, t in zip(cs, ts):
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_facade_exposes_every_functional_loss():
    from corelib_losses.plugin import FUNCTIONS
    for name in FUNCTIONS:
        assert getattr(CF, name) is getattr(F, name), name


# ---- errors torch raises must raise here too, naming the problem ------------------------------
def _errs():
    r = np.random.default_rng(15)
    x45 = r.standard_normal((4, 5))
    return [
        ("cross_entropy", [x45, np.array([0, 1, 2, 5])], {}, "out of bounds"),
        ("cross_entropy", [x45, np.array([0, 1, 2])], {}, "batch_size"),
        ("cross_entropy", [x45, np.array([0, 1, 2, 3])], dict(weight=np.ones(4)), "weight"),
        ("cross_entropy", [x45, np.array([0, 1, 2, 3])], dict(label_smoothing=1.5), "label_smoothing"),
        ("cross_entropy", [x45, np.array([0, 1, 2, 3])], dict(reduction="avg"), "reduction"),
        ("cross_entropy", [x45, np.zeros((4, 5), np.int64)], {}, None),
        ("cross_entropy", [x45, r.random((4, 5))], dict(ignore_index=1), "ignore_index"),
        ("cross_entropy", [r.standard_normal((2, 3, 4)), np.zeros((2, 3), np.int64)], {}, "size"),
        ("cross_entropy", [np.array(1.0), np.array(0)], {}, None),
        ("nll_loss", [x45, np.array([0, 1, -1, 2])], {}, "out of bounds"),
        ("nll_loss", [x45, np.zeros((4, 2), np.int64)], {}, None),
        ("nll_loss", [np.array(1.0), np.array(0)], {}, "dimensions"),
        ("binary_cross_entropy", [np.array([0.5, 1.5]), np.array([0.0, 1.0])], {}, "between 0 and 1"),
        ("binary_cross_entropy", [np.array([0.5, 0.5]), np.array([0.0, 1.0, 1.0])], {}, "size"),
        ("binary_cross_entropy_with_logits", [np.zeros(3), np.zeros(4)], {}, "size"),
        ("smooth_l1_loss", [np.zeros(3), np.zeros(3)], dict(beta=-1.0), "beta"),
        ("huber_loss", [np.zeros(3), np.zeros(3)], dict(delta=0.0), "delta"),
        ("huber_loss", [np.zeros(3), np.zeros(3)], dict(delta=-1.0), "delta"),
        ("l1_loss", [np.zeros(3), np.zeros(3)], dict(weight=np.ones(2)), "size"),
        ("mse_loss", [np.zeros(3), np.zeros(3)], dict(reduction="batchmean"), "reduction"),
        ("kl_div", [np.zeros(3), np.zeros(3)], dict(reduction="avg"), "reduction"),
        ("gaussian_nll_loss", [np.zeros((3, 2)), np.zeros((3, 2)), np.ones((3, 3))], {}, "size"),
        ("gaussian_nll_loss", [np.zeros(3), np.zeros(3), -np.ones(3)], {}, "negative"),
        ("gaussian_nll_loss", [np.zeros(3), np.zeros(3), np.ones(3)], dict(reduction="x"), "valid"),
        ("multi_margin_loss", [x45, np.array([0, 1, 2, 3])], dict(p=3), "p"),
        ("multi_margin_loss", [x45, np.array([0, 1, 2, 7])], {}, "target"),
        ("multi_margin_loss", [x45, np.array([0, 1, 2])], {}, "target"),
        ("multi_margin_loss", [x45, np.array([0, 1, 2, 3])], dict(weight=np.ones(3)), "weight"),
        ("multilabel_margin_loss", [x45, np.zeros((4, 4), np.int64)], {}, "size"),
        ("multilabel_margin_loss", [x45, np.full((4, 5), 7)], {}, "range"),
        ("triplet_margin_with_distance_loss", [np.zeros((2, 3))] * 3, dict(margin=-1.0), "margin"),
        ("triplet_margin_loss", [np.zeros((2, 3)), np.zeros((2, 3)), np.zeros(3)], {}, "dimensions"),
        ("cosine_embedding_loss", [np.zeros((2, 3)), np.zeros((2, 3)), np.ones((2, 1))], {}, "target"),
        ("cosine_embedding_loss", [np.zeros(3), np.zeros(3), np.ones(2)], {}, "1D target"),
        ("margin_ranking_loss", [np.zeros(3), np.zeros(3), np.ones((3, 1))], {}, "dimension"),
    ]


@pytest.mark.parametrize("case", _errs(), ids=lambda c: f"{c[0]}-{c[3]}")
def test_errors_match_torch(case):
    name, arrs, kw, word = case
    ts = [torch.from_numpy(np.asarray(a)) for a in arrs]
    cs = [cl.tensor(np.asarray(a)) for a in arrs]
    kt = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    kc = {k: (cl.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):
            getattr(TF, name)(*ts, **kt)
        with pytest.raises(Exception) as ei:
            getattr(F, name)(*cs, **kc)
    msg = str(ei.value)
    assert msg
    if word is not None:
        assert word.lower() in msg.lower(), msg


@pytest.mark.parametrize("build", [
    lambda m: m.TripletMarginLoss(margin=0.0), lambda m: m.MultiMarginLoss(p=3),
    lambda m: m.TripletMarginWithDistanceLoss(margin=0.0),
    lambda m: m.MultiMarginLoss(weight=m.__name__ == "torch.nn" and torch.ones(2, 2)
                                or cl.ones(2, 2)),
])
def test_module_constructor_errors(build):
    """Where torch's class rejects its arguments at construction, so does corelib's."""
    with pytest.raises(Exception):
        build(TN)
    with pytest.raises(Exception) as ei:
        build(M)
    assert str(ei.value)
