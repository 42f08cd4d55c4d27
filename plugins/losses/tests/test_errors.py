"""Bad input gets PyTorch's exception type and a message that names the problem."""
import pytest

import corelib as cl
from corelib_losses import functional as F


def lp(*s):
    return cl.randn(*s).log_softmax(-1)


@pytest.mark.parametrize("fn, exc, match", [
    (lambda: F.cross_entropy(cl.randn(2, 3, 5), cl.zeros(2, 4, dtype=cl.int64)), RuntimeError, r"Expected target size \[2, 5\], got \[2, 4\]"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.zeros(4, dtype=cl.int64)), ValueError, r"Expected input batch_size \(3\) to match target batch_size \(4\)"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.zeros(3)), RuntimeError, "expected target dtype to be Long or Byte, but got Float"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.tensor([1, 7, 2])), IndexError, r"Target 7 is out of bounds.*5 classes"),
    (lambda: F.nll_loss(lp(3, 5), cl.tensor([1, -3, 2])), IndexError, "Target -3 is out of bounds"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.rand(3, 5), ignore_index=1), RuntimeError, "ignore_index is not supported"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.ones(3, 5, dtype=cl.int64)), RuntimeError, "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.cross_entropy(cl.randn(3, 5), cl.zeros(3, dtype=cl.int64), label_smoothing=1.5), RuntimeError, "label_smoothing must be between 0.0 and 1.0"),
    (lambda: F.nll_loss(lp(3, 5), cl.zeros(3, dtype=cl.int64), weight=cl.ones(4)), RuntimeError, "weight tensor should be defined either for all 5 classes"),
    (lambda: F.binary_cross_entropy(cl.tensor([1.5]), cl.tensor([1.0])), RuntimeError, "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy(cl.rand(3), cl.rand(4)), ValueError, "target size"),
    (lambda: F.binary_cross_entropy_with_logits(cl.rand(3), cl.rand(4)), ValueError, "must be the same as input size"),
    (lambda: F.mse_loss(cl.rand(3), cl.rand(3), reduction="foo"), ValueError, "foo is not a valid value for reduction"),
    (lambda: F.smooth_l1_loss(cl.rand(3), cl.rand(3), beta=-1), RuntimeError, "negative values for beta"),
    (lambda: F.huber_loss(cl.rand(3), cl.rand(3), delta=0), RuntimeError, "non-positive values for delta"),
    (lambda: F.gaussian_nll_loss(cl.rand(3, 4), cl.rand(3, 4), -cl.ones(3, 4)), ValueError, "var has negative entry"),
    (lambda: F.gaussian_nll_loss(cl.rand(3, 4), cl.rand(3, 4), cl.ones(3, 2)), ValueError, "var is of incorrect size"),
    (lambda: F.multi_margin_loss(cl.rand(3, 4), cl.tensor([0, 3, 1]), p=3), ValueError, "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(cl.rand(3, 4), cl.tensor([0, 4, 1])), RuntimeError, "target out of range"),
    (lambda: F.multilabel_margin_loss(cl.rand(3, 4), cl.tensor([[0, 5, -1, -1]] * 3)), RuntimeError, "'target' is out of range"),
    (lambda: F.ctc_loss(lp(5, 2, 4), cl.ones(2, 3, dtype=cl.int64), (5, 5), (3, -1)), RuntimeError, "Expected target_lengths to have value at least 0, but got value -1"),
    (lambda: F.ctc_loss(lp(5, 2, 4), cl.ones(2, 3, dtype=cl.int64), (-2, 5), (3, 1)), RuntimeError, "Expected input_lengths to have value at least 0"),
    (lambda: F.ctc_loss(lp(5, 2, 4), cl.ones(2, 3, dtype=cl.int64), (6, 5), (3, 1)), RuntimeError, "Expected input_lengths to have value at most 5, but got value 6"),
    (lambda: F.ctc_loss(lp(5, 2, 4), cl.ones(2, 3, dtype=cl.int64), (5, 5), (4, 1)), RuntimeError, "size at least 4 at dimension 1"),
    (lambda: F.ctc_loss(lp(5, 2, 4), cl.ones(2, 3, dtype=cl.int64), (5,), (3, 1)), RuntimeError, "input_lengths must be of size batch_size"),
    (lambda: F.triplet_margin_loss(cl.rand(3, 4), cl.rand(3, 4), cl.rand(4)), RuntimeError, "same number of dimensions"),
    (lambda: F.cosine_embedding_loss(cl.rand(3, 4), cl.rand(3, 4), cl.ones(3, 1)), RuntimeError, "0D or 1D target tensor expected"),
])
def test_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


def test_class_argument_errors():
    from corelib_losses import modules as M
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        M.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        M.TripletMarginLoss(margin=0)


def test_facades():
    import corelib.nn.functional as NF
    from corelib import registry
    assert cl.nn.CrossEntropyLoss is registry.get("loss", "cross_entropy")
    assert registry.get("loss", "CTCLoss") is cl.nn.CTCLoss
    assert NF.cross_entropy is F.cross_entropy and NF.ctc_loss is F.ctc_loss
