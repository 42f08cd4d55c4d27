"""Random chains of four ops against PyTorch in float64: value, gradient and second-order
gradient (autograd.grad with create_graph) must all match."""
import random

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")

UN = [lambda L,x: x.exp()*0.1, lambda L,x: x.tanh(), lambda L,x: x.sigmoid(), lambda L,x: (x*x+1).log(),
      lambda L,x: x.abs()+1e-3, lambda L,x: x.sin(), lambda L,x: x.clamp(-0.5,0.5), lambda L,x: x.relu(),
      lambda L,x: x.softmax(-1), lambda L,x: x.log_softmax(0), lambda L,x: x.cumsum(-1),
      lambda L,x: x.flip(0), lambda L,x: x.roll(1, -1), lambda L,x: x*x, lambda L,x: (x*x+1).sqrt(),
      lambda L,x: x.t() if x.dim()==2 else x, lambda L,x: x[..., ::2] if x.shape[-1]>1 else x,
      lambda L,x: x.unsqueeze(0).expand(2, *x.shape).sum(0), lambda L,x: x - x.mean(-1, keepdim=True),
      lambda L,x: x / (x.norm() + 1), lambda L,x: x.max(-1, keepdim=True).values + x,
      lambda L,x: L.where(x > 0, x, x * 0.1), lambda L,x: x.sort(-1).values, lambda L,x: x @ x.t() if x.dim()==2 else x*2,
      lambda L,x: x.var(-1, keepdim=True) + x, lambda L,x: L.cat([x, x*2], -1)[..., :x.shape[-1]],
      lambda L,x: L.stack([x, -x], 0).sum(0) + x, lambda L,x: x.amax(0, keepdim=True) * x,
      lambda L,x: x.prod(-1, keepdim=True) + x, lambda L,x: x.logsumexp(-1, keepdim=True) - x,
      lambda L,x: x.pow(3) * 0.1, lambda L,x: x.reshape(-1).reshape(x.shape), lambda L,x: x.atan(),
      lambda L,x: x.gather(-1, L.zeros(x.shape, dtype=L.long)) + x, lambda L,x: x.masked_fill(x > 1, 0.)]


def chain_ops(seed):
    rnd = random.Random(seed)
    return [rnd.randrange(len(UN)) for _ in range(4)]


def run_chain(L, x, ops):
    """(value, gradient, second-order gradient or None) of the chain ``ops`` on leaf x."""
    y = x
    for k in ops:
        y = UN[k](L, y)
    out = (y * y).sum()
    (g,) = L.autograd.grad(out, x, create_graph=True)
    (gg,) = L.autograd.grad(g.sum(), x, allow_unused=True) if g.requires_grad else (None,)
    return (out.item(), g.detach().cpu().numpy().copy(),
            None if gg is None else gg.detach().cpu().numpy().copy())


@pytest.mark.parametrize("block", range(4))
def test_random_op_chains_first_and_second_order_match_torch(block):
    for seed in range(block * 100, block * 100 + 100):
        ops = chain_ops(seed)
        a = np.random.default_rng(seed).standard_normal((3, 4))
        (o1, g1, h1), (o2, g2, h2) = (run_chain(L, L.tensor(a, requires_grad=True), ops)
                                      for L in (cl, torch))
        assert np.isclose(o1, o2, rtol=1e-7), (seed, ops)
        np.testing.assert_allclose(g1, g2, rtol=1e-6, atol=1e-9, err_msg=f"seed {seed} ops {ops}")
        assert (h1 is None) == (h2 is None), (seed, ops)
        if h1 is not None:
            np.testing.assert_allclose(h1, h2, rtol=1e-5, atol=1e-8, err_msg=f"seed {seed} ops {ops}")
