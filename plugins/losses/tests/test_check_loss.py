"""corelib.testing.check_loss passes for every loss of the bundle."""
import numpy as np
import pytest

import corelib as cl
from corelib.testing.losses import check_loss
from corelib_losses import modules as M


def rng(n, k=0):
    return np.random.default_rng(100 * n + k)


def normal(*shape):
    def fn(n, dtype):
        return cl.tensor(rng(n).standard_normal((n,) + shape), dtype=dtype)
    return fn


def several(count, *shape, positive=False):
    def fn(n, dtype):
        g = rng(n)
        out = tuple(cl.tensor(g.standard_normal((n,) + shape), dtype=dtype) for _ in range(count))
        return tuple(o.abs() + 0.1 for o in out) if positive else out
    return fn


def signs(*shape, dtype=None):
    def fn(n):
        s = np.sign(rng(n, 1).standard_normal((n,) + shape))
        s[s == 0] = 1
        return cl.tensor(s, dtype=dtype or cl.float64)
    return fn


def classes(c=5):
    return lambda n: cl.tensor(rng(n, 2).integers(0, c, n))


def floats(*shape, lo=0.0, hi=1.0):
    return lambda n: cl.tensor(rng(n, 3).uniform(lo, hi, (n,) + shape))


def _probs(n, dtype):
    return cl.tensor(rng(n).uniform(0.05, 0.95, (n, 4)), dtype=dtype)


def _mlm_target(n):
    t = np.full((n, 5), -1)
    for i in range(n):
        t[i, : 1 + i % 3] = rng(n, i).permutation(5)[: 1 + i % 3]
    return cl.tensor(t)


def _ctc_input(n, dtype):
    return cl.tensor(rng(n).standard_normal((8, n, 5)), dtype=dtype).log_softmax(2)


def _ctc_target(n):
    g = rng(n, 5)
    tl = g.integers(1, 4, n)
    return cl.tensor(g.integers(1, 5, (n, 3))), tuple(int(v) for v in g.integers(6, 9, n)), cl.tensor(tl)


def _ctc_mean(none, args):
    return (none / args[3].to(none.dtype).clamp_min(1)).mean()


def _weighted_mean(weight):
    def fn(none, args):
        return none.sum() / weight[args[1]].sum()
    return fn


W = cl.tensor([0.2, 1.0, 0.5, 2.0, 1.5])

CASES = {
    "cross_entropy": dict(),
    "cross_entropy_weighted": dict(cls=M.CrossEntropyLoss, weight=W, mean_fn=_weighted_mean(W)),
    "cross_entropy_smoothing": dict(cls=M.CrossEntropyLoss, label_smoothing=0.2),
    "cross_entropy_probs": dict(cls=M.CrossEntropyLoss, target_fn=lambda n: cl.tensor(
        rng(n, 9).dirichlet(np.ones(5), n))),
    "nll": dict(input_fn=lambda n, d: normal(5)(n, d).log_softmax(1)),
    "bce": dict(input_fn=_probs, target_fn=floats(4)),
    "bce_with_logits": dict(input_fn=normal(4), target_fn=floats(4), pos_weight=cl.tensor([1.0, 2.0, 0.5, 3.0])),
    "l1": dict(input_fn=normal(3), target_fn=floats(3, lo=-1)),
    "mse": dict(input_fn=normal(3), target_fn=floats(3, lo=-1)),
    "smooth_l1": dict(input_fn=normal(3), target_fn=floats(3, lo=-1), beta=0.5),
    "huber": dict(input_fn=normal(3), target_fn=floats(3, lo=-1), delta=0.5),
    "poisson_nll": dict(input_fn=normal(3), target_fn=lambda n: cl.tensor(rng(n, 4).integers(0, 5, (n, 3)).astype(float)), full=True),
    "gaussian_nll": dict(input_fn=normal(3), target_fn=lambda n: (cl.tensor(rng(n, 4).standard_normal((n, 3))), cl.tensor(rng(n, 5).uniform(0.5, 2, (n, 3)))), full=True),
    "kl_div": dict(input_fn=lambda n, d: normal(4)(n, d).log_softmax(1), target_fn=lambda n: cl.tensor(rng(n, 6).dirichlet(np.ones(4), n)), log_target=False),
    "margin_ranking": dict(input_fn=several(2), target_fn=signs(), margin=0.1),
    "multi_label_margin": dict(target_fn=_mlm_target),
    "soft_margin": dict(input_fn=normal(3), target_fn=signs(3)),
    "multi_label_soft_margin": dict(input_fn=normal(5), target_fn=lambda n: cl.tensor(rng(n, 7).integers(0, 2, (n, 5)).astype(float)), weight=W),
    "multi_margin": dict(p=2, margin=0.7, weight=W),
    "triplet_margin": dict(input_fn=several(3, 4), target_fn=lambda n: (), swap=True, margin=0.5),
    "triplet_margin_with_distance": dict(input_fn=several(3, 4), target_fn=lambda n: ()),
    "hinge_embedding": dict(input_fn=lambda n, d: normal(3)(n, d).abs(), target_fn=signs(3), margin=1.5),
    "cosine_embedding": dict(input_fn=several(2, 4), target_fn=signs(), margin=0.1),
    "ctc": dict(input_fn=_ctc_input, target_fn=_ctc_target, batch_dims=(1, 0, 0, 0),
                mean_fn=_ctc_mean, transform=lambda x: x.log_softmax(2)),
}

CLASS_OF = {
    "cross_entropy": M.CrossEntropyLoss, "nll": M.NLLLoss, "bce": M.BCELoss,
    "bce_with_logits": M.BCEWithLogitsLoss, "l1": M.L1Loss, "mse": M.MSELoss,
    "smooth_l1": M.SmoothL1Loss, "huber": M.HuberLoss, "poisson_nll": M.PoissonNLLLoss,
    "gaussian_nll": M.GaussianNLLLoss, "kl_div": M.KLDivLoss,
    "margin_ranking": M.MarginRankingLoss, "multi_label_margin": M.MultiLabelMarginLoss,
    "soft_margin": M.SoftMarginLoss, "multi_label_soft_margin": M.MultiLabelSoftMarginLoss,
    "multi_margin": M.MultiMarginLoss, "triplet_margin": M.TripletMarginLoss,
    "triplet_margin_with_distance": M.TripletMarginWithDistanceLoss,
    "hinge_embedding": M.HingeEmbeddingLoss, "cosine_embedding": M.CosineEmbeddingLoss,
    "ctc": M.CTCLoss,
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_check_loss(case):
    kw = dict(CASES[case])
    cls = kw.pop("cls", None) or CLASS_OF[case]
    report = check_loss(cls, registered=True, **kw)
    assert report.ok
    assert report.registry_name is not None


def test_every_registered_loss_has_a_case():
    from corelib import registry
    assert set(registry.list("loss")) >= set(CLASS_OF)
    assert {registry.get("loss", n) for n in CLASS_OF} == set(CLASS_OF.values())


def test_check_loss_reports_problems():
    from corelib.nn.modules.loss import _Loss

    class BrokenLoss(_Loss):
        def forward(self, input, target):
            out = (input.double() - 1).abs().sum(1) * input.shape[0]   # batch-dependent, float64
            return out if self.reduction == "none" else out.sum()

    report = check_loss(BrokenLoss, raise_on_error=False, gradcheck=False)
    text = str(report)
    assert not report.ok
    assert "docstring" in text and "dtype" in text and "batch splitting" in text and "'mean'" in text
    with pytest.raises(AssertionError, match="BrokenLoss"):
        check_loss(BrokenLoss, gradcheck=False)
