"""Core ops on "cpu" and "cuda" (Numba CUDA simulator in CI): each result is compared with the
same op on cpu. Shapes stay tiny (<= ~100 elements): every simulated thread is a Python thread."""
import numpy as np
import pytest

import corelib as cl

RNG = np.random.default_rng(0)


def arr(*shape, lo=-2.0, hi=2.0, dtype=np.float32):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def on(a, device, rg=False):
    t = cl.tensor(a, device=device)
    return t.requires_grad_() if rg else t


def host(t):
    return t.detach().cpu().numpy()


def close(a, b, tol=1e-5):
    a = host(a) if isinstance(a, cl.Tensor) else np.asarray(a)
    b = host(b) if isinstance(b, cl.Tensor) else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=tol, atol=tol)


def check(fn, *arrays, device, tol=1e-5, grad=False):
    """fn on cpu tensors vs on device tensors (values, and input grads when grad=True)."""
    ref_in = [on(a, "cpu", grad and a.dtype.kind == "f") for a in arrays]
    dev_in = [on(a, device, grad and a.dtype.kind == "f") for a in arrays]
    r, d = fn(*ref_in), fn(*dev_in)
    assert d.device.type == device
    close(d, r, tol)
    if grad:
        r.float().sum().backward()
        d.float().sum().backward()
        for x, y in zip(ref_in, dev_in):
            if x.requires_grad and x.grad is None:
                assert y.grad is None
            elif x.requires_grad:
                assert y.grad.device.type == device
                close(y.grad, x.grad, tol)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "neg",
                                  "sin", "floor", "erf", "square", "sign", "rsqrt"])
def test_unary(name, device):
    lo = 0.1 if name in ("log", "sqrt", "rsqrt") else -2.0
    check(lambda x: getattr(cl, name)(x), arr(3, 4, lo=lo), device=device, grad=name not in ("floor", "sign"))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2"])
def test_binary_broadcast(op, device):
    a, b = arr(2, 3, 4, lo=0.5), arr(3, 1, lo=0.5)
    check(lambda x, y: getattr(cl, op)(x, y), a, b, device=device, grad=True, tol=1e-4)


def test_scalars_ints_and_comparisons(device):
    a = RNG.integers(-5, 5, size=(3, 4))
    b = RNG.integers(1, 5, size=(4,))
    check(lambda x, y: x * 2 + y - 1, a, b, device=device)
    check(lambda x, y: x // y, a, b, device=device)
    check(lambda x, y: x % y, a, b, device=device)
    check(lambda x, y: (x > y) & (x != 0), a, b, device=device)
    check(lambda x, y: x / y, a, b, device=device)
    check(lambda x: (x.float() * 0.5).long(), a, device=device)
    check(lambda x: x.to(cl.float64) / 3, a, device=device)


def test_where_clamp(device):
    a, b = arr(3, 4), arr(4)
    check(lambda x, y: cl.where(x > 0, x, y), a, b, device=device, grad=True)
    check(lambda x: x.clamp(-0.5, 0.5), a, device=device, grad=True)
    check(lambda x: cl.where(x > 0, x, 0.0), a, device=device, grad=True)


@pytest.mark.parametrize("dims", [None, 0, 1, (0, 2), -1])
def test_reductions(dims, device):
    a = arr(2, 3, 4)
    kw = {} if dims is None else {"dim": dims}
    check(lambda x: x.sum(**kw), a, device=device, grad=True, tol=1e-4)
    check(lambda x: x.mean(**kw), a, device=device, grad=True, tol=1e-4)
    check(lambda x: x.amax(**kw), a, device=device, grad=True)
    if dims is not None:
        check(lambda x: x.sum(keepdim=True, **kw), a, device=device)
        check(lambda x: x.var(**kw), a, device=device, grad=True, tol=1e-4)
        check(lambda x: x.logsumexp(dims), a, device=device, grad=True, tol=1e-4)
    if isinstance(dims, int):
        check(lambda x: x.max(dims).values, a, device=device, grad=True)
        check(lambda x: x.min(dims).indices, a, device=device)
        check(lambda x: x.argmax(dims), a, device=device)
        check(lambda x: x.prod(dims), a, device=device, grad=True, tol=1e-4)


def test_long_row_scans_in_chunks(monkeypatch):
    from corelib.backends.cuda import xp
    monkeypatch.setattr(xp, "SCAN_CHUNK", 4)                # rows longer than 4: three passes
    for shape, dim in [((3, 10), 1), ((10,), 0), ((2, 9, 3), 1), ((4, 3), 0)]:
        a = arr(*shape, dtype=np.float64)
        check(lambda x: x.cumsum(dim), a, device="cuda", tol=1e-12, grad=True)
        check(lambda x: x.cumprod(dim), a, device="cuda", tol=1e-12, grad=True)
        check(lambda x: (x > 0).cumsum(dim), a, device="cuda")


def test_reduction_two_pass_and_bool(device, monkeypatch):
    if device == "cuda":
        from corelib.backends.cuda import xp
        monkeypatch.setattr(xp, "REDUCE_SPLIT_K", 8)
    a = arr(2, 40)
    check(lambda x: x.sum(1), a, device=device, tol=1e-4)
    check(lambda x: x.sum(), a, device=device, tol=1e-4)
    check(lambda x: x.amax(), a, device=device)
    check(lambda x: (x > 0).sum(), a, device=device)
    check(lambda x: (x > 0).any(1), a, device=device)
    check(lambda x: (x > -5).all(), a, device=device)
    check(lambda x: x.argmax(), a, device=device)
    check(lambda x: cl.count_nonzero(x > 0, 1), a, device=device)


@pytest.mark.parametrize("sa,sb", [((5, 7), (7, 6)), ((2, 3, 5), (2, 5, 4)), ((2, 3, 5), (5, 4)),
                                   ((6,), (6, 3)), ((4, 6), (6,)), ((6,), (6,)), ((16, 16), (16, 16))])
def test_matmul(sa, sb, device):
    check(lambda x, y: x @ y, arr(*sa), arr(*sb), device=device, grad=True, tol=1e-4)


def test_matmul_transposed_and_float64(device):
    check(lambda x, y: x.t() @ y.t(), arr(5, 4), arr(3, 5), device=device, grad=True, tol=1e-4)
    check(lambda x, y: cl.bmm(x, y), arr(2, 3, 4, dtype=np.float64), arr(2, 4, 2, dtype=np.float64),
          device=device, grad=True)


@pytest.mark.parametrize("cfg", [None, (8, 8, 4, 2, 2)])
@pytest.mark.parametrize("splits", [1, 3])
def test_matmul_kernels_and_split_k(cfg, splits, monkeypatch):
    """Both matmul kernels (16x16-style tiles; register tiles), with k split into partial sums
    (what a real GPU does for few output tiles and a long k), on batched, strided, ragged shapes."""
    from corelib.backends.cuda import _kernels as K, xp
    monkeypatch.setattr(K, "RT_CONFIG", cfg)
    for (B, M, N, Kd) in [(1, 5, 3, 70), (2, 9, 10, 13)]:
        a = arr(B, Kd, M)                        # used transposed: strided operand
        b = arr(B, Kd, N)
        av, bv = xp.from_host(a), xp.from_host(b)
        out = xp.empty((B, M, N), np.float32)
        K.launch_matmul(av, bv, out, B, M, N, Kd, (Kd * M, 1, M), (Kd * N, N, 1), splits=splits)
        ref = np.einsum("bkm,bkn->bmn", a.astype(np.float64), b.astype(np.float64))
        np.testing.assert_allclose(xp.to_host(out), ref, rtol=1e-5, atol=1e-5)


def test_contiguous_elementwise_kernel_covers_every_element():
    """Contiguous operands take the unrolled kernel: every element is written once, for sizes
    around multiples of the unroll x grid stride, with scalars and in place."""
    from corelib.backends.cuda import _kernels as K, _rt
    stride = _rt.grid(10 ** 6)[0] * _rt.THREADS
    for n in (1, 7, stride - 1, stride * K.UNROLL + 3):
        x = arr(n)
        t = cl.tensor(x, device="cuda")
        np.testing.assert_array_equal(host(t * 2.0 + t), x * 2 + x)
        t.add_(1.0)
        np.testing.assert_array_equal(host(t), x + 1)
    assert any(k[2] == "c" for k in K._ew_cache)


def test_getitem(device):
    a = arr(4, 5, 3)
    check(lambda x: x[1], a, device=device, grad=True)
    check(lambda x: x[:, 1:4:2], a, device=device, grad=True)
    check(lambda x: x[..., None, -1], a, device=device, grad=True)
    check(lambda x: x[[0, 2, 2]], a, device=device, grad=True)
    check(lambda x: x[:, [1, 3], 0], a, device=device, grad=True)
    check(lambda x: x[[0, 1], :, [2, 0]], a, device=device, grad=True)
    check(lambda x: x[x > 0.5], a, device=device, grad=True)
    idx = cl.tensor([3, 0], device=device)
    check(lambda x: x[idx], a, device=device, grad=True)
    check(lambda x: x.flip(1), a, device=device, grad=True)
    check(lambda x: x.permute(2, 0, 1).reshape(3, -1), a, device=device, grad=True)


def test_setitem_and_inplace(device):
    a = arr(4, 5)

    def f(x):
        y = x * 1
        y[1] = 0.5
        y[:, 2:4] = cl.tensor([1.0, 2.0], device=x.device)
        y[[0, 3], [4, 1]] = -1.0
        y[y > 1.5] = 9.0
        y.add_(1).mul_(2)
        y[0, 0] += 3
        return y
    check(f, a, device=device, grad=True)

    def g(x):
        z = cl.zeros(3, 4, device=x.device)
        z.copy_(x[:3, :4])
        z.clamp_(-1, 1)
        z.fill_(2.0) if False else z.sub_(x[1:4, 1:5])
        return z
    check(g, a, device=device, grad=True)
    t = cl.ones(2, 3, device=device)
    t.zero_()
    close(t, cl.zeros(2, 3))


def test_cat_stack_split(device):
    a, b = arr(2, 3), arr(4, 3)
    check(lambda x, y: cl.cat([x, y, x], 0), a, b, device=device, grad=True)
    check(lambda x, y: cl.stack([x, y[:2]], 1), a, b, device=device, grad=True)
    check(lambda x, y: cl.cat(y.split(1, 0)[::-1], 1), a, b, device=device, grad=True)
    check(lambda x: x.expand(3, 2, 3).contiguous() + x.repeat(1, 2)[:, :3], a, device=device, grad=True)
    check(lambda x: x.roll(1, 1) * x.t().t(), a, device=device, grad=True)
    check(lambda x: cl.tril(x) + cl.triu(x, 1) * 2, a, device=device, grad=True)


def test_gather_scatter_index(device):
    a = arr(3, 4)
    idx = np.array([[0, 3], [1, 1], [2, 0]])
    check(lambda x, i: x.gather(1, i), a, idx, device=device, grad=True)
    check(lambda x, i: cl.zeros(3, 5, device=x.device).scatter_add(1, i, x[:, :2]), a, idx,
          device=device, grad=True)
    check(lambda x, i: x.scatter(1, i, 7.0), a, idx, device=device)
    check(lambda x, i: x.index_select(0, i[:, 0]), a, idx, device=device, grad=True)
    check(lambda x, i: x.index_add(0, i[:2, 0], x[:2] * 2), a, idx, device=device, grad=True)
    check(lambda x: x.masked_fill(x > 0, -1.0), a, device=device, grad=True)


def test_softmax_family(device):
    a = arr(3, 5)
    check(lambda x: x.softmax(1), a, device=device, grad=True)
    check(lambda x: x.log_softmax(0), a, device=device, grad=True)
    check(lambda x: (x.log_softmax(-1) * x.softmax(-1)).sum(-1), a, device=device, grad=True)


def test_host_only_ops_round_trip(device):
    a = arr(3, 5)
    check(lambda x: x.sort(1).values, a, device=device, grad=True)
    check(lambda x: x.topk(2, 1).values, a, device=device, grad=True)
    check(lambda x: cl.nonzero(x > 0), a, device=device)
    check(lambda x: x.cumsum(1), a, device=device, grad=True, tol=1e-4)


def test_devices_and_transfers():
    x = cl.arange(6.0).reshape(2, 3)
    c = x.to("cuda")
    assert c.device == cl.device("cuda", 0) and c.is_cuda and str(c.device) == "cuda:0"
    assert x.cuda().device == c.device and c.cpu().device.type == "cpu"
    np.testing.assert_array_equal(c.cpu().numpy(), x.numpy())
    np.testing.assert_array_equal(c.to(cl.int64).cpu().numpy(), x.long().numpy())
    assert c.tolist() == x.tolist() and c.sum().item() == 15.0
    with pytest.raises(TypeError, match="cpu"):
        c.numpy()
    with pytest.raises(RuntimeError, match="cpu.*cuda|cuda.*cpu"):
        c + x
    z = cl.zeros(2, 2, device="cuda")
    assert z.device.type == "cuda" and z.sum().item() == 0
    assert "cuda" in repr(c)
    # gradient flows back across the device copy
    w = cl.ones(3, requires_grad=True)
    (w.cuda() * 2).sum().backward()
    assert w.grad.device.type == "cpu" and w.grad.tolist() == [2.0, 2.0, 2.0]
    assert (c.get_device(), x.get_device()) == (0, -1)
    assert c.type() == "corelib.cuda.FloatTensor" and x.type(cl.cuda.LongTensor).device.type == "cuda"
    assert c.type(cl.DoubleTensor).device.type == "cpu" and c.type("torch.cuda.IntTensor").is_cuda
    assert cl.cuda.FloatTensor([1, 2]).device.type == "cuda"
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        c.pin_memory()
    assert c[1, 1:].storage_offset() == 4 and c[1, 1:].data_ptr() - c.data_ptr() == 16
    assert cl.tensor(3.0, device="cuda").shape == () and c[1, 2].shape == ()


def test_zero_dim_cpu_tensor_joins_a_cuda_op():
    # as in torch, a 0-dim cpu tensor acts as a scalar on the other device (gradient included);
    # a 0-dim cuda tensor with a cpu tensor, or two real devices, still raise
    s = cl.tensor(2.0, requires_grad=True)
    x = cl.ones(3, device="cuda", requires_grad=True)
    y = (x * s).sum()
    assert y.device.type == "cuda" and y.item() == 6.0
    y.backward()
    assert s.grad.device.type == "cpu" and s.grad.item() == 3.0 and host(x.grad).tolist() == [2.0] * 3
    z = cl.zeros(2, device="cuda")
    z.add_(cl.tensor(1.5))
    assert host(cl.where(z > 1, cl.tensor(0.5), z)).tolist() == [0.5, 0.5]
    with pytest.raises(RuntimeError, match="cpu and cuda:0"):
        cl.ones(2) + cl.tensor(1.0, device="cuda")
    with pytest.raises(RuntimeError, match="cuda:0 and cpu"):
        z + cl.ones(2)
    # an in-place op cannot write a cuda result into a cpu tensor (a cpu scalar included)
    for inplace in (lambda: cl.tensor(1.0).add_(cl.ones((), device="cuda")),
                    lambda: cl.ones(2).mul_(cl.ones(2, device="cuda")),
                    lambda: cl.tensor(1.0).clamp_(min=cl.ones((), device="cuda"))):
        with pytest.raises(RuntimeError, match="cuda:0 and cpu.*in-place"):
            inplace()


def test_random_on_device_reproducible():
    cl.manual_seed(3)
    a = cl.rand(4, 5, device="cuda")
    b = cl.randn(4, 5, device="cuda")
    cl.manual_seed(3)
    a2 = cl.rand(4, 5, device="cuda")
    b2 = cl.randn(4, 5, device="cuda")
    assert a.device.type == "cuda"
    np.testing.assert_array_equal(host(a), host(a2))
    np.testing.assert_array_equal(host(b), host(b2))
    assert not np.array_equal(host(a), host(cl.rand(4, 5, device="cuda")))
    u = host(cl.rand(200, device="cuda"))
    assert 0 <= u.min() and u.max() < 1 and 0.35 < u.mean() < 0.65
    n = host(cl.randn(200, device="cuda", dtype=cl.float64))
    assert n.dtype == np.float64 and abs(n.mean()) < 0.3 and 0.7 < n.std() < 1.3
    t = cl.empty(50, device="cuda").uniform_(2, 3)
    assert 2 <= host(t).min() and host(t).max() < 3
    m = host(cl.empty(100, device="cuda").bernoulli_(0.3))
    assert set(np.unique(m)) <= {0.0, 1.0} and 0.1 < m.mean() < 0.5
    # drawn on the host from device inputs
    k = cl.multinomial(cl.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], device="cuda"), 2, replacement=True)
    assert k.device.type == "cuda" and host(k).tolist() == [[1, 1], [0, 0]]
    po = cl.poisson(cl.full((50,), 3.0, device="cuda"))
    assert po.device.type == "cuda" and po.dtype == cl.float32 and 1 < host(po).mean() < 5


def test_mlp_training_step_matches_cpu():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 5)).astype(np.float32)
    Y = rng.integers(0, 3, size=8)
    W1, b1 = rng.normal(size=(5, 6)).astype(np.float32) * 0.5, np.zeros(6, np.float32)
    W2, b2 = rng.normal(size=(6, 3)).astype(np.float32) * 0.5, np.zeros(3, np.float32)
    res = {}
    for dev in ("cpu", "cuda"):
        ps = [cl.tensor(p, device=dev, requires_grad=True) for p in (W1, b1, W2, b2)]
        x, y = cl.tensor(X, device=dev), cl.tensor(Y, device=dev)
        losses = []
        for _ in range(2):
            h = (x @ ps[0] + ps[1]).tanh()
            logp = (h @ ps[2] + ps[3]).log_softmax(1)
            loss = -logp.gather(1, y[:, None]).mean()
            for p in ps:
                p.grad = None
            loss.backward()
            with cl.no_grad():
                for p in ps:
                    p.sub_(0.1 * p.grad)
            losses.append(loss.item())
        res[dev] = (losses, [host(p) for p in ps])
    np.testing.assert_allclose(res["cuda"][0], res["cpu"][0], rtol=1e-5)
    for a, b in zip(res["cuda"][1], res["cpu"][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_caching_allocator_reuses_buffers():
    from corelib.backends.cuda import _rt

    def step():
        x = cl.ones(4, 4, device="cuda", requires_grad=True)
        ((x @ x).relu().sum()).backward()
    step()
    before = _rt.stats["raw_allocs"]
    step()
    assert _rt.stats["raw_allocs"] == before       # second step: every buffer from the pool
    assert cl.cuda.memory_reserved() >= cl.cuda.memory_allocated() >= 0
    assert cl.cuda.max_memory_allocated() >= cl.cuda.memory_allocated()
    cl.cuda.empty_cache()
    assert cl.cuda.memory_reserved() >= cl.cuda.memory_allocated()


def test_public_cuda_module():
    assert cl.cuda.is_available() is True
    assert cl.cuda.device_count() == 1 and cl.cuda.current_device() == 0
    cl.cuda.set_device(0)
    cl.cuda.synchronize()
    assert isinstance(cl.cuda.get_device_name(), str)
    cl.cuda.manual_seed_all(1)
    a = host(cl.rand(3, device="cuda"))
    cl.cuda.manual_seed(1)
    np.testing.assert_array_equal(a, host(cl.rand(3, device="cuda")))
    with pytest.raises(RuntimeError, match="device"):
        cl.zeros(2, device="cuda:3")
    # corelib.manual_seed seeds the device generator too; state round trip
    cl.manual_seed(5)
    a = host(cl.rand(3, device="cuda"))
    state = cl.cuda.get_rng_state()
    b = host(cl.rand(3, device="cuda"))
    cl.cuda.set_rng_state(state)
    np.testing.assert_array_equal(b, host(cl.rand(3, device="cuda")))
    cl.manual_seed(5)
    np.testing.assert_array_equal(a, host(cl.rand(3, device="cuda")))
    assert cl.cuda.initial_seed() == 5
    props = cl.cuda.get_device_properties(0)
    assert isinstance(props.name, str) and props.total_memory >= 0 and "name=" in repr(props)
    with cl.cuda.device(0):
        assert cl.cuda.current_device() == 0
    stats = cl.cuda.memory_stats()
    assert stats["reserved_bytes.all.peak"] >= stats["reserved_bytes.all.current"] > 0
    assert cl.cuda.max_memory_reserved() >= cl.cuda.memory_reserved()
    start, end = cl.cuda.Event(enable_timing=True), cl.cuda.Event(enable_timing=True)
    s = cl.cuda.Stream()
    with cl.cuda.stream(s):
        start.record()
        cl.ones(8, device="cuda").sum()
        end.record()
    s.synchronize()
    assert end.query() and start.elapsed_time(end) >= 0.0
    assert cl.cuda.current_stream() is cl.cuda.default_stream()
    with pytest.raises(RuntimeError, match="enable_timing"):
        cl.cuda.Event().elapsed_time(end)


def test_leaf_grads_taken_without_copy_stay_independent():
    """On cuda the engine takes a fresh, unshared gradient buffer as a leaf's .grad (no copy),
    as on cpu: two leaves fed the same gradient, views and accumulation must still give
    independent, correct .grad tensors."""
    a = cl.tensor(np.ones((2, 3), np.float32), device="cuda", requires_grad=True)
    b = cl.tensor(np.ones((2, 3), np.float32), device="cuda", requires_grad=True)
    w = cl.tensor(np.full((3, 2), 2.0, np.float32), device="cuda", requires_grad=True)
    ((a + b) @ w).sum().backward()
    a.grad.add_(100.0)                                    # must not leak into b.grad
    np.testing.assert_array_equal(host(b.grad), np.full((2, 3), 4.0, np.float32))
    np.testing.assert_array_equal(host(w.grad), np.full((3, 2), 4.0, np.float32))
    g_before = host(w.grad)
    ((a + b) @ w).sum().backward()                        # accumulates into the taken buffers
    np.testing.assert_array_equal(host(w.grad), g_before + 4)
    np.testing.assert_array_equal(host(a.grad), np.full((2, 3), 108.0, np.float32))
    np.testing.assert_array_equal(host(b.grad), np.full((2, 3), 8.0, np.float32))
    x = cl.tensor(np.arange(6, dtype=np.float32), device="cuda", requires_grad=True)
    (x.reshape(2, 3).t() * 3).sum().backward()           # a view's gradient is copied
    np.testing.assert_array_equal(host(x.grad), np.full(6, 3.0, np.float32))


def test_deterministic_scatter_add_adds_in_index_order():
    from corelib.backends.cuda import _rt
    rng = np.random.default_rng(5)
    vals = (rng.standard_normal(300) * 10 ** rng.uniform(-4, 4, 300)).astype(np.float32)
    idx = rng.integers(0, 3, 300)
    ref = cl.zeros(3).index_add(0, cl.tensor(idx), cl.tensor(vals))
    cl.use_deterministic_algorithms(True)
    try:
        assert _rt.scatter_grid(300) == (1, 1)
        got = cl.zeros(3, device="cuda").index_add(0, cl.tensor(idx, device="cuda"), cl.tensor(vals, device="cuda"))
        acc = cl.zeros(3, device="cuda").index_put_((cl.tensor(idx, device="cuda"),), cl.tensor(vals, device="cuda"),
                                                    accumulate=True)
    finally:
        cl.use_deterministic_algorithms(False)
    assert _rt.scatter_grid(300) != (1, 1)
    np.testing.assert_array_equal(host(got), host(ref))     # the same float adds, in the same order
    np.testing.assert_array_equal(host(acc), host(ref))


def test_gradcheck_and_checkpoint_on_cuda():
    from corelib.testing import gradcheck, gradgradcheck, GradcheckError
    from corelib.utils.checkpoint import checkpoint
    x = cl.tensor([0.3, 0.5, 0.7], dtype=cl.float64, device="cuda", requires_grad=True)
    assert gradcheck(lambda a: (a.sin() * a).cumsum(0), (x,))
    assert gradgradcheck(lambda a: (a.sin() * a).cumprod(0), (x,))

    class Wrong(cl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g                                         # should be 2 a g
    with pytest.raises(GradcheckError):
        gradcheck(Wrong.apply, (x,))
    w = cl.tensor(np.eye(3) * 2, device="cuda", requires_grad=True)
    y = checkpoint(lambda a: (a @ w).tanh(), x.detach(), use_reentrant=False)
    y.sum().backward()
    a = np.array([0.3, 0.5, 0.7])
    np.testing.assert_allclose(host(w.grad), np.outer(a, 1 - np.tanh(2 * a) ** 2), rtol=1e-12)
