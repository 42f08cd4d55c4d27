"""The core op case tables of tests/core (indexing, scatter/gather, sorting, arithmetic corner
cases, reshaping, reductions, the extra ops, linalg gradients, special functions) run on "cuda"
and on "cpu": the same values, dtypes, shapes and output devices, the same gradients, and the
same exception kinds; so do tests/core's random programs (in-place views, op chains, reductions,
indexing). The inputs are tiny, so the sweep takes a few minutes in the simulator."""
import random
from pathlib import Path

import numpy as np
import pytest

import corelib as cl
from cuda_compare import CUDA_L, load_module, matches_cpu

CORE = Path(__file__).resolve().parents[1] / "core"
BREADTH, EXTRA, MORE, LINALG, INPLACE, CHAINS, REDUCTIONS, INDEXING = (
    load_module(CORE / f"{n}.py") for n in (
        "test_ops_breadth_vs_torch", "test_extra_ops_vs_torch", "test_more_ops_vs_torch",
        "test_linalg_special_vs_torch", "test_inplace_views_fuzz", "test_op_chains_fuzz",
        "test_reduction_fuzz_vs_torch", "test_indexing_fuzz_vs_torch"))
NEEDS_TORCH = "tests/core's modules need torch to load"


def _cases():
    out = []
    breadth, extra, more, lin = BREADTH, EXTRA, MORE, LINALG
    if None in (breadth, extra, more, lin):
        return out
    for name, f, arrays, *rest in breadth.CASES:
        out.append((name, f, arrays, (rest + [True])[0]))
    for name, f, arrays, *rest in extra.CASES:
        out.append(("extra: " + name, f, arrays, (rest + [True])[0]))
    out += [("more: " + name, f, [more.A], False) for name, f in more.cases]
    mats = {"a": lin.well_conditioned(2, 4, 4), "p": lin.spd(2, 4, 4),
            "b": lin.RNG.standard_normal((2, 4, 3))}
    for name, (f, kinds) in sorted(lin.GRAD_CASES.items()):
        out.append(("linalg: " + name, f, [lin.W] + [mats[k] for k in kinds], True))
    for name, xs in sorted(lin.XS.items()):
        for dt in (np.float32, np.float64):
            out.append((f"special: {name} {dt.__name__}", (lambda name: lambda L, x: getattr(
                L.special if hasattr(L.special, name) else L, name)(x))(name),
                [np.array(xs, dt)], True))
    # creation with no tensor argument has no device to follow
    return [c for c in out if c[2]]


CASES = _cases()


@pytest.mark.skipif(not CASES, reason="the core case tables need torch to load")
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_case_on_cuda_matches_cpu(case):
    name, f, arrays, grad = case
    matches_cpu(f, arrays, grad)


@pytest.mark.skipif(INPLACE is None, reason=NEEDS_TORCH)
@pytest.mark.parametrize("block", range(2))
def test_random_inplace_view_programs_on_cuda_match_cpu(block):
    """tests/core's random programs of in-place ops through views of a non-leaf."""
    for seed in range(block * 40, block * 40 + 40):
        a = np.random.default_rng(seed).standard_normal((4, 5))
        (lc, gc), (lg, gg) = (
            INPLACE.run_program(cl.tensor(a, device=dev, requires_grad=True), seed)
            for dev in ("cpu", "cuda"))
        assert (lc == "refused") == (lg == "refused"), (seed, gc, gg)
        if lc != "refused":
            np.testing.assert_allclose(lg, lc, rtol=1e-9, err_msg=f"seed {seed}")
            np.testing.assert_allclose(gg, gc, rtol=1e-9, atol=1e-12, err_msg=f"seed {seed}")


@pytest.mark.skipif(CHAINS is None, reason=NEEDS_TORCH)
@pytest.mark.parametrize("block", range(2))
def test_random_op_chains_on_cuda_match_cpu(block):
    """tests/core's random chains of four ops: value, gradient and second-order gradient."""
    for seed in range(block * 40, block * 40 + 40):
        ops = CHAINS.chain_ops(seed)
        a = np.random.default_rng(seed).standard_normal((3, 4))
        (o1, g1, h1), (o2, g2, h2) = (
            CHAINS.run_chain(L, cl.tensor(a, device=dev, requires_grad=True), ops)
            for L, dev in ((cl, "cpu"), (CUDA_L, "cuda")))
        assert np.isclose(o2, o1, rtol=1e-9), (seed, ops)
        np.testing.assert_allclose(g2, g1, rtol=1e-9, atol=1e-12, err_msg=f"seed {seed} ops {ops}")
        assert (h1 is None) == (h2 is None), (seed, ops)
        if h1 is not None:
            np.testing.assert_allclose(h2, h1, rtol=1e-8, atol=1e-11, err_msg=f"seed {seed} ops {ops}")


@pytest.mark.skipif(REDUCTIONS is None, reason=NEEDS_TORCH)
def test_random_reductions_on_cuda_match_cpu():
    """tests/core's random reductions, scans and selections (400 of them)."""
    for seed in range(400):
        op, a, args, kw = REDUCTIONS._case(seed)

        def f(L, x, op=op, args=args, kw=kw):
            k2 = dict(kw)
            if "dtype" in k2:
                k2["dtype"] = getattr(L, k2["dtype"])
            return getattr(L, op)(x, *args, **k2)
        try:
            matches_cpu(f, [a], False, tol=1e-5)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}: {op} {a.shape} {a.dtype} {args} {kw}") from e


@pytest.mark.skipif(INDEXING is None, reason=NEEDS_TORCH)
@pytest.mark.parametrize("block", range(2))
def test_random_indexing_on_cuda_matches_cpu(block):
    """tests/core's random indexing programs, index tensors on the device (2 x 200)."""
    for seed in range(block * 200, block * 200 + 200):
        rnd = random.Random(seed)
        shape = tuple(rnd.randint(1, 4) for _ in range(rnd.randint(1, 3)))
        a = np.random.default_rng(seed).standard_normal(shape)
        items = INDEXING.rand_index(rnd, shape)
        mode = rnd.choice(["get", "set"])
        val = rnd.choice([2.5, np.array(7.0)])
        c, g = (INDEXING.run(L, a, items, mode, val) for L in (cl, CUDA_L))
        what = (seed, mode, shape, items)
        assert (c[0] == "ERR") == (g[0] == "ERR"), (what, c[:2], g[:2])
        if c[0] == "ERR":
            assert c[1] == g[1], (what, c, g)
            continue
        assert c[0] == g[0], what
        np.testing.assert_allclose(g[1], c[1], rtol=1e-12, err_msg=str(what))
        np.testing.assert_allclose(g[2], c[2], rtol=1e-12, err_msg=str(what))
