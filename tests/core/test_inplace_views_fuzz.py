"""Random programs of in-place ops through views of a non-leaf, against PyTorch: values and
gradients must match (corelib may accept a program torch refuses, never the reverse)."""
import random

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")


def program(x, rnd):
    y = x * 1.5
    for _ in range(5):
        k = rnd.randrange(11)
        if k == 0 and y.dim() == 2:
            y = y.t()
        elif k == 1:
            y[rnd.randrange(y.shape[0])].mul_(2.0)
        elif k == 2 and y.dim() == 2:
            y[:, 1:3].add_(1.0)
        elif k == 3:
            y = y.exp()
        elif k == 4:
            y[0] = y[1] * 0.5
        elif k == 5:
            y.relu_()
        elif k == 6:
            z = y.view(-1) if y.is_contiguous() else y.reshape(-1)
            z[2] = z[3] + 1
        elif k == 7:
            y = y * y
        elif k == 8:
            y.sigmoid_()
        elif k == 9:
            y.unsqueeze(0)[0, 1:].clamp_(min=0.5)
        elif k == 10:
            y[y > 1.0] = 0.0
    return (y * y).sum()


def run_program(x, seed):
    """(loss, x's gradient) of the program of this seed on leaf x, or ("refused", message)."""
    try:
        loss = program(x, random.Random(seed))
        loss.backward()
        return loss.item(), np.array(x.grad.tolist())
    except RuntimeError as e:
        return "refused", str(e)


@pytest.mark.parametrize("block", range(4))
def test_random_inplace_view_programs_match_torch(block):
    for seed in range(block * 100, block * 100 + 100):
        a = np.random.default_rng(seed).standard_normal((4, 5))
        (lc, gc), (lt, gt) = (run_program(lib.tensor(a, requires_grad=True), seed)
                              for lib in (cl, torch))
        if lt == "refused":
            continue
        assert lc != "refused", (seed, gc)
        assert np.isclose(lc, lt, rtol=1e-6), seed
        np.testing.assert_allclose(gc, gt, rtol=1e-6, atol=1e-9, err_msg=f"seed {seed}")
