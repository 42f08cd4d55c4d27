"""The fused float32 softmax kernel (corelib/ops/_softmax_kernels.py) and the paths that use it:
softmax / log_softmax over the last dim and cross_entropy with class indices."""
import numpy as np
import pytest

import corelib as cl
from corelib.ops import _softmax_kernels as sk


def _exp64(x, m):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(x.astype(np.float64) - m.astype(np.float64)[:, None])


def test_rows_exp_accuracy_over_the_whole_range():
    v = np.linspace(-110.0, 0.0, 200_001, dtype=np.float32)
    x = np.concatenate([v, [0.0]]).astype(np.float32)[None, :]
    m, e, s = sk.rows_exp(x)
    ref = _exp64(x, m)[0]
    normal = ref >= np.finfo(np.float32).tiny
    rel = np.abs(e[0][normal] - ref[normal]) / ref[normal]
    assert rel.max() < 2.5e-7                                   # about 2 ulp
    assert np.all(e[0][~normal] == 0)                           # flushed below the normal range
    assert abs(s[0] - ref.sum()) / ref.sum() < 1e-5


def test_rows_exp_minus_inf_gives_exact_zero_and_nonfinite_rows_are_refused():
    x = np.array([[-np.inf, 0.0, -1.0, -np.inf]], np.float32)
    m, e, s = sk.rows_exp(x)
    assert e[0, 0] == 0 and e[0, 3] == 0 and e[0, 1] == 1
    for bad in (np.inf, np.nan):
        y = x.copy()
        y[0, 2] = bad
        assert sk.rows_exp(y) is None
    assert sk.rows_exp(np.full((1, 3), -np.inf, np.float32)) is None


@pytest.mark.parametrize("shape", [(1, 1), (3, 17), (64, 1000), (2, 3, 33)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_fast_path_against_float64(shape, fn, rng):
    x = (rng.standard_normal(shape) * 20).astype(np.float32)
    x.reshape(-1)[::7] = -np.inf
    x.reshape(-1, shape[-1])[:, 0] = 5.0                        # every row has a finite max
    got = getattr(cl.tensor(x), fn)(-1).numpy()
    x64 = x.astype(np.float64)
    z = x64 - x64.max(-1, keepdims=True)
    lse = np.log(np.exp(z).sum(-1, keepdims=True))
    ref = np.exp(z - lse) if fn == "softmax" else z - lse
    fin = np.isfinite(ref)
    assert np.array_equal(np.isfinite(got), fin)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=2e-6, atol=1e-6)


def test_softmax_with_inf_or_nan_rows_matches_the_reference_semantics():
    x = np.array([[1, np.nan, 2], [np.inf, 0, 1], [1, 2, 3], [-np.inf] * 3], np.float32)
    sm = cl.tensor(x).softmax(-1).numpy()
    ls = cl.tensor(x).log_softmax(-1).numpy()
    for out in (sm, ls):
        assert np.isnan(out[[0, 1, 3]]).all()
        assert np.isfinite(out[2]).all()


def test_cross_entropy_fast_path_values_and_grads(rng):
    import corelib.nn.functional as F
    if not hasattr(F, "cross_entropy"):
        pytest.skip("the losses bundle is not installed")
    x = (rng.standard_normal((40, 300)) * 10).astype(np.float32)
    x[3, 5] = -np.inf
    t = rng.integers(0, 300, 40)
    t[3] = 6
    xt = cl.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, cl.tensor(t))
    loss.backward()
    x64 = x.astype(np.float64)
    z = x64 - x64.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    ref = -np.log(p[np.arange(40), t]).mean()
    g = p.copy()
    g[np.arange(40), t] -= 1
    g /= 40
    np.testing.assert_allclose(float(loss), ref, rtol=1e-6)
    np.testing.assert_allclose(xt.grad.numpy(), g, rtol=1e-5, atol=1e-8)
    assert xt.grad.numpy()[3, 5] == 0


def test_rows_exp_max_on_int_bits_equals_numpy_max(rng):
    x = (rng.standard_normal((200, 37)) * 10.0 ** rng.integers(-40, 30, (200, 1))).astype(np.float32)
    x[0] = -1e-40                                               # denormals
    x[1, :5] = -0.0
    x[1, 5:] = -3.0
    x[2] = -np.inf
    x[2, 4] = -1e30
    x[3] = np.float32(3.4e38)
    x[4, ::2] = -np.inf
    m, e, s = sk.rows_exp(x)
    np.testing.assert_array_equal(m, x.max(axis=1))
