"""Optimizers (corelib-optim), losses (corelib-losses) and a LeNet-ish training step on "cuda"
(Numba CUDA simulator in CI) vs cpu. The plugin test folders run in the main pytest session,
where the simulator cannot be switched on, so these device checks live here."""
from pathlib import Path

import numpy as np
import pytest

import corelib as cl
from cuda_compare import load_module

pytest.importorskip("corelib_optim")
pytest.importorskip("corelib_losses")
pytest.importorskip("corelib_layers")
nn, optim = cl.nn, cl.optim
RNG = np.random.default_rng(0)


def host(t):
    return t.detach().cpu().numpy()


OPTS = [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
        ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
        ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
        ("AdamW", dict(lr=0.01)),
        ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
        ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
        ("Adadelta", dict()), ("Adamax", dict()), ("NAdam", dict()), ("RAdam", dict()),
        ("ASGD", dict(t0=1)), ("Rprop", dict())]


@pytest.mark.parametrize("name,kw", OPTS, ids=[f"{n}{i}" for i, (n, _) in enumerate(OPTS)])
def test_optimizer_matches_cpu(name, kw):
    p0 = RNG.normal(size=(3, 4)).astype(np.float32)
    gs = [RNG.normal(size=(3, 4)).astype(np.float32) for _ in range(3)]
    res = {}
    for dev in ("cpu", "cuda"):
        p = cl.tensor(p0, device=dev, requires_grad=True)
        opt = getattr(optim, name)([p], **kw)
        for g in gs:
            p.grad = cl.tensor(g, device=dev)
            opt.step()
        assert p.device.type == dev
        res[dev] = host(p)
        for v in opt.state[p].values():
            if isinstance(v, cl.Tensor) and v.dim():
                assert v.device.type == dev
    np.testing.assert_allclose(res["cuda"], res["cpu"], rtol=1e-6, atol=1e-6)


def test_lbfgs_matches_cpu():
    res = {}
    for dev in ("cpu", "cuda"):
        p = cl.tensor([1.5, -0.5], device=dev, requires_grad=True)
        opt = optim.LBFGS([p], lr=0.5, max_iter=5, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((p - 1) ** 2).sum() + (p[0] * p[1]) ** 2
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        assert p.device.type == dev
        res[dev] = host(p)
    np.testing.assert_allclose(res["cuda"], res["cpu"], rtol=1e-5)


def test_clip_grad_norm_on_cuda():
    g = RNG.normal(size=(5,)).astype(np.float32)
    out = {}
    for dev in ("cpu", "cuda"):
        p = cl.zeros(5, device=dev, requires_grad=True)
        p.grad = cl.tensor(g, device=dev)
        n = nn.utils.clip_grad_norm_([p], 0.5)
        out[dev] = (n.item(), host(p.grad), n.device.type)
    assert out["cuda"][2] == "cuda"
    np.testing.assert_allclose(out["cuda"][0], out["cpu"][0], rtol=1e-6)
    np.testing.assert_allclose(out["cuda"][1], out["cpu"][1], rtol=1e-6)


LOSSES = {
    "cross_entropy": lambda F, x, y, t: F.cross_entropy(x, y),
    "cross_entropy_w_ls": lambda F, x, y, t: F.cross_entropy(x, y, weight=t[0].abs(), label_smoothing=0.1),
    "cross_entropy_probs": lambda F, x, y, t: F.cross_entropy(x, t.softmax(1)),
    "nll": lambda F, x, y, t: F.nll_loss(x.log_softmax(1), y, reduction="sum"),
    "nll_ignore": lambda F, x, y, t: F.nll_loss(x.log_softmax(1), y, ignore_index=2),
    "cross_entropy_ignore": lambda F, x, y, t: F.cross_entropy(x, y, ignore_index=2),
    "mse": lambda F, x, y, t: F.mse_loss(x, t),
    "bce_with_logits": lambda F, x, y, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()),
    "bce": lambda F, x, y, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid()),
    "smooth_l1": lambda F, x, y, t: F.smooth_l1_loss(x, t),
    "kl_div": lambda F, x, y, t: F.kl_div(x.log_softmax(1), t.softmax(1), reduction="batchmean"),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_match_cpu(name):
    import corelib_losses.functional as F
    x0 = RNG.normal(size=(4, 3)).astype(np.float32)
    t0 = RNG.normal(size=(4, 3)).astype(np.float32)
    y0 = np.array([0, 2, 1, 2])
    res = {}
    for dev in ("cpu", "cuda"):
        x = cl.tensor(x0, device=dev, requires_grad=True)
        loss = LOSSES[name](F, x, cl.tensor(y0, device=dev), cl.tensor(t0, device=dev))
        assert loss.device.type == dev
        loss.backward()
        res[dev] = (loss.item(), host(x.grad))
    np.testing.assert_allclose(res["cuda"][0], res["cpu"][0], rtol=1e-5)
    np.testing.assert_allclose(res["cuda"][1], res["cpu"][1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_fused_rows_match_cpu(dtype):
    """2-d float logits take the fused row kernel on cuda: values and gradients as cpu, with
    inf/NaN rows (NaN, as PyTorch), 'sum'/'none' reductions, ignore_index, a retained graph
    backpropagated twice, and create_graph (the composed form) for the double backward."""
    import corelib_losses.functional as F
    x0 = RNG.normal(size=(5, 4)).astype(dtype) * 3
    x0[3, 1] = np.inf
    x0[4, 2] = np.nan
    y0 = np.array([0, 3, 1, 2, 0])
    res = {}
    for dev in ("cpu", "cuda"):
        x = cl.tensor(x0, device=dev, requires_grad=True)
        y = cl.tensor(y0, device=dev)
        none = F.cross_entropy(x, y, reduction="none")
        w = cl.tensor(np.arange(1, 6, dtype=dtype), device=dev)
        (none * w).sum().backward(retain_graph=True)
        g1 = host(x.grad)
        x.grad = None
        (none * w).sum().backward()                       # the second backward recomputes e
        g2 = host(x.grad)
        xs = cl.tensor(x0[:3], device=dev, requires_grad=True)
        loss = F.cross_entropy(xs, cl.tensor(np.array([1, -100, 2]), device=dev), reduction="sum")
        gx, = cl.autograd.grad(loss, xs, create_graph=True)
        gg, = cl.autograd.grad((gx * gx).sum(), xs)
        res[dev] = (host(none), g1, g2, loss.item(), host(gx), host(gg))
    for a, b in zip(res["cuda"], res["cpu"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.isnan(res["cuda"][0][3:]).all() and np.isfinite(res["cuda"][0][:3]).all()


def test_ctc_loss_matches_cpu():
    import corelib_losses.functional as F
    T, N, C = 6, 2, 4
    x0 = RNG.normal(size=(T, N, C)).astype(np.float32)
    tg = np.array([[1, 2, 2], [3, 1, 0]])
    res = {}
    for dev in ("cpu", "cuda"):
        x = cl.tensor(x0, device=dev, requires_grad=True)
        loss = F.ctc_loss(x.log_softmax(2), cl.tensor(tg, device=dev), (6, 5), (3, 2))
        # concatenated targets, an impossible alignment (sample 1: 3 labels in 1 frame), zero_infinity
        loss = loss + F.ctc_loss(x.log_softmax(2), cl.tensor([1, 1, 2, 3, 1, 2], device=dev), (6, 1),
                                 (3, 3), reduction="sum", zero_infinity=True)
        loss.backward()
        res[dev] = (loss.item(), host(x.grad))
    np.testing.assert_allclose(res["cuda"][0], res["cpu"][0], rtol=1e-5)
    np.testing.assert_allclose(res["cuda"][1], res["cpu"][1], rtol=1e-5, atol=1e-6)


def _net():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(2 * 5 * 5, 3))


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_lenet_training_steps_match_cpu(opt):
    cl.manual_seed(0)
    ref = _net()
    state = ref.state_dict()
    X = RNG.normal(size=(2, 1, 12, 12)).astype(np.float32)
    Y = np.array([0, 2])
    res = {}
    for dev in ("cpu", "cuda"):
        net = _net()
        net.load_state_dict(state)
        net.to(dev)
        o = (optim.SGD(net.parameters(), lr=0.1, momentum=0.9) if opt == "sgd"
             else optim.Adam(net.parameters(), lr=0.01))
        lossf = nn.CrossEntropyLoss()
        x, y = cl.tensor(X, device=dev), cl.tensor(Y, device=dev)
        losses = []
        for _ in range(3):
            o.zero_grad()
            loss = lossf(net(x), y)
            loss.backward()
            o.step()
            losses.append(loss.item())
        res[dev] = (losses, [host(p) for p in net.parameters()])
    np.testing.assert_allclose(res["cuda"][0], res["cpu"][0], rtol=1e-5, atol=1e-5)
    for a, b in zip(res["cuda"][1], res["cpu"][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _optim_cases():
    """The random option sets of plugins/optim's torch audit (needs torch to load)."""
    mod = load_module(Path(__file__).resolve().parents[2] / "plugins" / "optim" / "tests" /
                      "test_optim_fuzz_vs_torch.py")
    return mod.CASES if mod is not None else []


OPTIM_CASES = _optim_cases()


@pytest.mark.skipif(not OPTIM_CASES, reason="the option sets need torch")
@pytest.mark.parametrize("name,kw", OPTIM_CASES, ids=[f"{n}-{i % 4}" for i, (n, _) in enumerate(OPTIM_CASES)])
def test_random_optimizer_options_match_cpu(name, kw):
    """Five steps of a quadratic's gradients: parameters and state on cuda as on cpu."""
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 5))
    A = A.T @ A / 5 + 0.1 * np.eye(5)
    w0, b0 = rng.standard_normal((3, 5)), rng.standard_normal(4)
    res = {}
    for dev in ("cpu", "cuda"):
        ps = [cl.tensor(w0, device=dev, requires_grad=True), cl.tensor(b0, device=dev, requires_grad=True)]
        opt = getattr(optim, name)(ps, **kw)
        for step in range(5):
            w, b = (host(p).astype(np.float64) for p in ps)
            ps[0].grad = cl.tensor(w @ A * (-1) ** step, device=dev)
            ps[1].grad = cl.tensor(b ** 3 + b, device=dev)
            opt.step()
        res[dev] = ([host(p) for p in ps], opt.state_dict()["state"])
    for a, b in zip(res["cuda"][0], res["cpu"][0]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for i, st in res["cpu"][1].items():
        for k, v in st.items():
            g = res["cuda"][1][i][k]
            if isinstance(v, cl.Tensor):
                np.testing.assert_allclose(host(g), host(v), rtol=1e-10, atol=1e-12, err_msg=k)
            else:
                assert g == v, k
