"""The core op case tables of tests/core (indexing, scatter/gather, sorting, arithmetic corner
cases, reshaping, reductions, the extra ops, linalg gradients, special functions) run on "cuda"
and on "cpu": the same values, dtypes,
shapes and output devices, the same gradients, and the same exception kinds. The tables' inputs
are tiny, so the whole sweep takes well under a minute in the simulator."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from cuda_compare import matches_cpu

CORE = Path(__file__).resolve().parents[1] / "core"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_tables_{name}", CORE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)          # the tables' modules skip themselves without torch
    return mod


def _cases():
    out = []
    try:
        breadth, extra, more, lin = (_load(n) for n in (
            "test_ops_breadth_vs_torch", "test_extra_ops_vs_torch", "test_more_ops_vs_torch",
            "test_linalg_special_vs_torch"))
    except BaseException:                 # pytest's Skipped (no torch) is a BaseException
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


def _inplace_program():
    try:
        return _load("test_inplace_views_fuzz").program
    except BaseException:                 # pytest's Skipped (no torch)
        return None


@pytest.mark.skipif(_inplace_program() is None, reason="the fuzz programs' module needs torch")
@pytest.mark.parametrize("block", range(2))
def test_random_inplace_view_programs_on_cuda_match_cpu(block):
    """tests/core's random programs of in-place ops through views of a non-leaf."""
    import random
    import corelib as cl
    program = _inplace_program()
    for seed in range(block * 40, block * 40 + 40):
        a = np.random.default_rng(seed).standard_normal((4, 5))
        out = []
        for dev in ("cpu", "cuda"):
            x = cl.tensor(a, device=dev, requires_grad=True)
            try:
                loss = program(x, random.Random(seed))
                loss.backward()
                out.append((loss.item(), x.grad.cpu().numpy()))
            except RuntimeError as e:
                out.append(("refused", str(e)))
        (lc, gc), (lg, gg) = out
        assert (lc == "refused") == (lg == "refused"), (seed, gc, gg)
        if lc != "refused":
            np.testing.assert_allclose(lg, lc, rtol=1e-9, err_msg=f"seed {seed}")
            np.testing.assert_allclose(gg, gc, rtol=1e-9, atol=1e-12, err_msg=f"seed {seed}")


def _chain_ops():
    try:
        return _load("test_op_chains_fuzz").UN
    except BaseException:                 # pytest's Skipped (no torch)
        return None


@pytest.mark.skipif(_chain_ops() is None, reason="the fuzz chains' module needs torch")
@pytest.mark.parametrize("block", range(2))
def test_random_op_chains_on_cuda_match_cpu(block):
    """tests/core's random chains of four ops: value, gradient and second-order gradient."""
    import random
    import corelib as cl
    from cuda_compare import CUDA_L
    UN = _chain_ops()
    for seed in range(block * 40, block * 40 + 40):
        rnd = random.Random(seed)
        ops = [rnd.randrange(len(UN)) for _ in range(4)]
        a = np.random.default_rng(seed).standard_normal((3, 4))
        res = []
        for L, dev in ((cl, "cpu"), (CUDA_L, "cuda")):
            x = cl.tensor(a, device=dev, requires_grad=True)
            y = x
            for k in ops:
                y = UN[k](L, y)
            out = (y * y).sum()
            (g,) = cl.autograd.grad(out, x, create_graph=True)
            (gg,) = cl.autograd.grad(g.sum(), x, allow_unused=True) if g.requires_grad else (None,)
            res.append((out.item(), g.detach().cpu().numpy(), None if gg is None else gg.cpu().numpy()))
        (o1, g1, h1), (o2, g2, h2) = res
        assert np.isclose(o2, o1, rtol=1e-9), (seed, ops)
        np.testing.assert_allclose(g2, g1, rtol=1e-9, atol=1e-12, err_msg=f"seed {seed} ops {ops}")
        assert (h1 is None) == (h2 is None), (seed, ops)
        if h1 is not None:
            np.testing.assert_allclose(h2, h1, rtol=1e-8, atol=1e-11, err_msg=f"seed {seed} ops {ops}")


def _reduction_cases():
    try:
        return _load("test_reduction_fuzz_vs_torch")._case
    except BaseException:                 # pytest's Skipped (no torch)
        return None


@pytest.mark.skipif(_reduction_cases() is None, reason="the reduction fuzz module needs torch")
def test_random_reductions_on_cuda_match_cpu():
    """tests/core's random reductions, scans and selections (400 of them)."""
    case = _reduction_cases()
    for seed in range(400):
        op, a, args, kw = case(seed)

        def f(L, x, op=op, args=args, kw=kw):
            k2 = dict(kw)
            if "dtype" in k2:
                k2["dtype"] = getattr(L, k2["dtype"])
            return getattr(L, op)(x, *args, **k2)
        try:
            matches_cpu(f, [a], False, tol=1e-5)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}: {op} {a.shape} {a.dtype} {args} {kw}") from e


def _indexing_fuzz():
    try:
        return _load("test_indexing_fuzz_vs_torch")
    except BaseException:                 # pytest's Skipped (no torch)
        return None


@pytest.mark.skipif(_indexing_fuzz() is None, reason="the indexing fuzz module needs torch")
@pytest.mark.parametrize("block", range(2))
def test_random_indexing_on_cuda_matches_cpu(block):
    """tests/core's random indexing programs, index tensors on the device (2 x 200)."""
    import random
    import corelib as cl
    from cuda_compare import CUDA_L
    m = _indexing_fuzz()
    for seed in range(block * 200, block * 200 + 200):
        rnd = random.Random(seed)
        shape = tuple(rnd.randint(1, 4) for _ in range(rnd.randint(1, 3)))
        a = np.random.default_rng(seed).standard_normal(shape)
        items = m.rand_index(rnd, shape)
        mode = rnd.choice(["get", "set"])
        val = rnd.choice([2.5, np.array(7.0)])
        res = []
        for L, dev in ((cl, "cpu"), (CUDA_L, "cuda")):
            x = cl.tensor(a, device=dev, requires_grad=True)
            y = x * 1.0
            try:
                key = m.build(L, items)
                if mode == "get":
                    r = y[key]
                else:
                    y[key] = val if not isinstance(val, np.ndarray) else L.tensor(val)
                    r = y
                (r * r).sum().backward()
                res.append((tuple(r.shape), r.detach().cpu().numpy(), x.grad.cpu().numpy()))
            except Exception as e:              # noqa: BLE001 (compared with cpu's)
                res.append(("ERR", type(e).__name__))
        c, g = res
        what = (seed, mode, shape, items)
        assert (c[0] == "ERR") == (g[0] == "ERR"), (what, c[:2], g[:2])
        if c[0] == "ERR":
            assert c[1] == g[1], (what, c, g)
            continue
        assert c[0] == g[0], what
        np.testing.assert_allclose(g[1], c[1], rtol=1e-12, err_msg=str(what))
        np.testing.assert_allclose(g[2], c[2], rtol=1e-12, err_msg=str(what))
