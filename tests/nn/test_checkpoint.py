"""corelib.utils.checkpoint against torch.utils.checkpoint: values and gradients (of the inputs
and of parameters the function uses), random draws replayed in the recomputation."""
import numpy as np
import pytest

import corelib as cl
from corelib.utils.checkpoint import checkpoint, checkpoint_sequential

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("input_grad", [True, False])
def test_checkpoint_gradients_match_torch(input_grad):
    import torch.utils.checkpoint as tc
    r = np.random.default_rng(0)
    W, X = r.standard_normal((4, 4)), r.standard_normal((3, 4))
    res = []
    for L, ck in ((cl, checkpoint), (torch, tc.checkpoint)):
        w = L.tensor(W, requires_grad=True)
        x = L.tensor(X, requires_grad=input_grad)
        y = ck(lambda a, s: (a @ w).tanh() * s, x, 2.0, use_reentrant=False)
        (y ** 2).sum().backward()
        res.append((y.detach().numpy(), w.grad.numpy(), None if x.grad is None else x.grad.numpy()))
    (yc, wc, xc), (yt, wt, xt) = res
    np.testing.assert_allclose(yc, yt, rtol=1e-12)
    np.testing.assert_allclose(wc, wt, rtol=1e-12)
    assert (xc is None) == (xt is None)
    if xc is not None:
        np.testing.assert_allclose(xc, xt, rtol=1e-12)


def test_checkpoint_replays_dropout_and_sequential_segments():
    def run(apply):
        cl.manual_seed(0)
        m = cl.nn.Sequential(cl.nn.Linear(4, 8), cl.nn.ReLU(), cl.nn.Dropout(0.5), cl.nn.Linear(8, 3),
                             cl.nn.Dropout(0.3), cl.nn.Linear(3, 2))
        x = cl.tensor(np.random.default_rng(0).standard_normal((5, 4)), dtype=cl.float32,
                      requires_grad=True)
        cl.manual_seed(1)
        y = apply(m, x)
        (y ** 2).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), m[0].weight.grad.numpy()
    plain = run(lambda m, x: m(x))
    for apply in (lambda m, x: checkpoint(m, x, use_reentrant=False),
                  lambda m, x: checkpoint_sequential(m, 3, x, use_reentrant=False)):
        for a, b in zip(run(apply), plain):
            np.testing.assert_array_equal(a, b)
    with cl.no_grad():                           # no graph: just the function
        assert checkpoint(lambda a: a * 2, cl.ones(2)).tolist() == [2.0, 2.0]
