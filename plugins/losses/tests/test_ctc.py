"""CTC loss against PyTorch: padded / concatenated targets, reductions, zero_infinity, extremes."""
import numpy as np
import pytest

import corelib as cl
from corelib_losses import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
rng = np.random.default_rng(1)


def run(il, tl, tg, red, zi, dtype=np.float64, concat=False, blank=0, T=12, C=5, lengths_as="tuple"):
    N = len(il)
    x = rng.standard_normal((T, N, C)).astype(dtype)
    lpt = torch.tensor(x).log_softmax(2).detach().requires_grad_()
    lpc = cl.tensor(lpt.detach().numpy().copy(), requires_grad=True)
    tgt = np.concatenate([tg[n, :tl[n]] for n in range(N)]) if concat else tg
    ilt, tlt = tuple(int(v) for v in il), tuple(int(v) for v in tl)
    ilc, tlc = (ilt, tlt) if lengths_as == "tuple" else (cl.tensor(np.array(il)), cl.tensor(np.array(tl)))
    lt = TF.ctc_loss(lpt, torch.tensor(tgt), ilt, tlt, blank=blank, reduction=red, zero_infinity=zi)
    lc = F.ctc_loss(lpc, cl.tensor(tgt), ilc, tlc, blank=blank, reduction=red, zero_infinity=zi)
    np.testing.assert_allclose(lc.detach().numpy(), lt.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(tuple(lt.shape)).astype(dtype)
    lt.backward(torch.tensor(g))
    lc.backward(cl.tensor(g))
    gt, gc = lpt.grad.numpy(), lpc.grad.numpy()
    assert not np.isnan(gc).any()
    fin = np.isfinite(gt)
    np.testing.assert_allclose(gc[fin], gt[fin], rtol=1e-4, atol=1e-5)
    return lc, gc


TG = rng.integers(1, 5, (4, 5))
TG[0, :3] = [2, 2, 2]          # repeated labels need a blank in between
IL = np.array([12, 10, 7, 12])
TL = np.array([5, 3, 4, 0])


@pytest.mark.parametrize("red", ["none", "sum", "mean"])
@pytest.mark.parametrize("zi", [False, True])
@pytest.mark.parametrize("concat", [False, True])
def test_ctc_matches_torch(red, zi, concat):
    run(IL, TL, TG, red, zi, concat=concat, lengths_as="tensor" if concat else "tuple")


def test_ctc_float32_blank_and_unbatched():
    run(IL, TL, TG, "mean", False, dtype=np.float32)
    run(IL, TL, rng.integers(0, 4, (4, 5)), "none", False, blank=4)
    x = rng.standard_normal((9, 4))
    lpt = torch.tensor(x).log_softmax(1).requires_grad_()
    lpc = cl.tensor(lpt.detach().numpy().copy(), requires_grad=True)
    lt = TF.ctc_loss(lpt, torch.tensor([1, 2, 2]), torch.tensor(9), torch.tensor(3))
    lc = F.ctc_loss(lpc, cl.tensor([1, 2, 2]), cl.tensor(9), cl.tensor(3))
    assert lc.shape == ()
    np.testing.assert_allclose(lc.item(), lt.item(), rtol=1e-6)
    lt.backward()
    lc.backward()
    np.testing.assert_allclose(lpc.grad.numpy(), lpt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_ctc_impossible_alignment():
    il = np.array([3, 10, 7, 12])          # 3 frames cannot emit 5 labels
    lc, gc = run(il, TL, TG, "none", False)
    assert np.isinf(lc.detach().numpy()[0])
    assert not gc[:, 0].any()              # zero gradient (PyTorch: NaN) for the impossible sample
    lc, gc = run(il, TL, TG, "mean", True)
    assert np.isfinite(lc.item())


def test_ctc_composes_with_log_softmax():
    logits = cl.tensor(rng.standard_normal((12, 4, 5)), requires_grad=True)
    lt_ = torch.tensor(logits.detach().numpy(), requires_grad=True)
    F.ctc_loss(logits.log_softmax(2), cl.tensor(TG), tuple(IL), tuple(TL)).backward()
    TF.ctc_loss(lt_.log_softmax(2), torch.tensor(TG), tuple(int(v) for v in IL), tuple(int(v) for v in TL)).backward()
    np.testing.assert_allclose(logits.grad.numpy(), lt_.grad.numpy(), rtol=1e-5, atol=1e-7)
