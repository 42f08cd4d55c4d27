"""Notes chapter 11: Tensor.register_hook, Module forward / forward-pre / backward hooks, CAM and
Grad-CAM, each compared with PyTorch on the same weights and inputs."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import corelib  # noqa: E402
import corelib.nn as nn  # noqa: E402
import corelib.nn.functional as F  # noqa: E402


def T(x):
    return x.detach().numpy() if hasattr(x, "detach") else x


def copy_params(src, dst):
    """corelib module -> torch module with the same structure (same parameter names)."""
    sp = dict(src.named_parameters())
    with torch.no_grad():
        for name, p in dst.named_parameters():
            p.copy_(torch.from_numpy(sp[name].detach().numpy().copy()))


# ---- Tensor.register_hook --------------------------------------------------------------------

def _graph(lib):
    w = lib.tensor([1.], requires_grad=True)
    x = lib.tensor([2.], requires_grad=True)
    a = lib.add(w, x)
    b = lib.add(w, 1)
    y = lib.mul(a, b)
    return w, x, a, b, y


@pytest.mark.parametrize("lib", ["corelib", "torch"])
def test_tensor_hook_captures_nonleaf_grad(lib):
    lib = corelib if lib == "corelib" else torch
    w, x, a, b, y = _graph(lib)
    a_grad = []
    handle = a.register_hook(lambda grad: a_grad.append(grad))
    y.backward()
    with pytest.warns(UserWarning, match="not a leaf"):
        assert a.grad is None and b.grad is None  # non-leaf grads are not kept (torch warns)
    a2 = lib.mul(w, 2)
    a2.retain_grad()
    lib.mul(a2, 1).sum().backward()
    assert a2.grad.tolist() == [1.0]
    w.grad = None
    x.grad = None
    w, x, a, b, y = _graph(lib)
    a_grad = []
    handle = a.register_hook(lambda grad: a_grad.append(grad))
    y.backward()
    assert w.grad.tolist() == [5.0] and x.grad.tolist() == [2.0]
    assert a_grad[0].tolist() == [2.0]
    handle.remove()
    w.grad = None
    y2 = lib.mul(lib.add(w, x), lib.add(w, 1))
    y2.backward()
    assert len(a_grad) == 1


@pytest.mark.parametrize("lib", ["corelib", "torch"])
def test_tensor_hook_return_replaces_grad(lib):
    lib = corelib if lib == "corelib" else torch
    w, x, a, b, y = _graph(lib)

    def grad_hook(grad):
        grad = grad * 2
        return grad * 3
    w.register_hook(grad_hook)
    y.backward()
    assert w.grad.tolist() == [30.0]


def test_tensor_hooks_order_chain_and_inplace_vs_torch():
    res = {}
    for name, lib in (("corelib", corelib), ("torch", torch)):
        calls = []
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x * 2
        h.register_hook(lambda g: calls.append(("h1", g.tolist())) or g + 1)
        h.register_hook(lambda g: calls.append(("h2", g.tolist())))        # None: unchanged
        h.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: calls.append(("x", g.tolist())))
        (h ** 2).sum().backward()
        res[name] = (calls, x.grad.tolist())
    assert res["corelib"] == res["torch"]


def test_tensor_hook_errors_and_handle():
    x = corelib.tensor([1.0])
    with pytest.raises(RuntimeError):
        x.register_hook(lambda g: g)
    y = corelib.tensor([1.0], requires_grad=True)
    h = y.register_hook(lambda g: g * 0)
    assert hasattr(h, "remove") and hasattr(h, "id")
    with h:                                                 # also a context manager
        pass
    (y * 3).sum().backward()
    assert y.grad.tolist() == [3.0]


def test_tensor_hook_wrong_shape_errors():
    x = corelib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match="size"):
        h.sum().backward()
    x = corelib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="type"):
        h.sum().backward()
    x = corelib.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: 3)
    with pytest.raises(TypeError):
        (x * 2).sum().backward()


# ---- Module hooks: the notes' feature-map extraction example ----------------------------------

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.pool1 = nn.MaxPool2d(2, 2)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(x)
        return x


class TNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 2, 3)
        self.pool1 = torch.nn.MaxPool2d(2, 2)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool1(x)
        return x


def _run_feature_map_example(lib, net, legacy):
    fmap_block, input_block, pre_inputs, grads = [], [], [], []
    log = []

    def forward_hook(module, data_input, data_output):
        log.append("forward_hook")
        fmap_block.append(data_output)
        input_block.append(data_input)

    def forward_pre_hook(module, data_input):
        log.append("forward_pre_hook")
        pre_inputs.append(data_input)

    def backward_hook(module, grad_input, grad_output):
        log.append("backward_hook")
        grads.append((grad_input, grad_output))

    net.conv1.weight[0].detach().fill_(1)
    net.conv1.weight[1].detach().fill_(2)
    net.conv1.bias.data.detach().zero_()
    net.conv1.register_forward_hook(forward_hook)
    net.conv1.register_forward_pre_hook(forward_pre_hook)
    if legacy:
        net.conv1.register_backward_hook(backward_hook)
    else:
        net.conv1.register_full_backward_hook(backward_hook)
    fake_img = lib.ones((1, 1, 4, 4))
    output = net(fake_img)
    target = lib.from_numpy(np.array([[[[0.5]], [[-0.25]]]], dtype=np.float32))
    loss = nn.L1Loss()(target, output) if lib is corelib else torch.nn.L1Loss()(target, output)
    loss.backward()
    return dict(output=output, fmap=fmap_block, inp=input_block, pre=pre_inputs, grads=grads,
                log=log)


@pytest.mark.parametrize("legacy", [True, False], ids=["register_backward_hook", "full"])
def test_feature_map_extraction_hooks_match_torch(legacy):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _run_feature_map_example(corelib, Net(), legacy)
        ref = _run_feature_map_example(torch, TNet(), legacy)
    assert ours["log"] == ref["log"] == ["forward_pre_hook", "forward_hook", "backward_hook"]
    np.testing.assert_allclose(T(ours["output"]), T(ref["output"]))
    assert ours["output"].tolist() == [[[[9.0]], [[18.0]]]]
    # fmap: the conv output; input: a tuple holding the input tensor
    assert len(ours["fmap"]) == 1 and isinstance(ours["inp"][0], tuple)
    assert isinstance(ours["pre"][0], tuple) and len(ours["pre"][0]) == 1
    np.testing.assert_allclose(T(ours["fmap"][0]), T(ref["fmap"][0]))
    assert tuple(ours["fmap"][0].shape) == (1, 2, 2, 2)
    np.testing.assert_allclose(T(ours["inp"][0][0]), T(ref["inp"][0][0]))
    (gi, go), (rgi, rgo) = ours["grads"][0], ref["grads"][0]
    assert isinstance(gi, tuple) and isinstance(go, tuple)
    assert len(go) == len(rgo) == 1
    np.testing.assert_allclose(T(go[0]), T(rgo[0]))
    assert len(gi) == len(rgi), ([None if g is None else tuple(g.shape) for g in gi],
                                 [None if g is None else tuple(g.shape) for g in rgi])
    for a, b in zip(gi, rgi):
        assert (a is None) == (b is None)
        if a is not None:
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(T(a), T(b), rtol=1e-6)


def _model(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(2, 3, 3, padding=1), n.ReLU(), n.Flatten(), n.Linear(3 * 4 * 4, 5))


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_hook_order_nested_sequential_vs_torch():
    res = {}
    m = _model(corelib)
    tm = _model(torch)
    copy_params(m, tm)
    x = np.random.default_rng(0).normal(size=(2, 2, 4, 4)).astype(np.float32)
    for name, lib, model in (("corelib", corelib, m), ("torch", torch, tm)):
        log = []
        for mod_name, mod in [("seq", model)] + [(str(i), c) for i, c in enumerate(model)]:
            mod.register_forward_pre_hook(
                lambda mod, inp, n=mod_name: log.append(("pre", n, tuple(inp[0].shape))))
            mod.register_forward_hook(
                lambda mod, inp, out, n=mod_name: log.append(("fwd", n, tuple(out.shape))))
            mod.register_full_backward_hook(
                lambda mod, gi, go, n=mod_name: log.append(
                    ("bwd", n, tuple(None if g is None else tuple(g.shape) for g in gi),
                     tuple(tuple(g.shape) for g in go))))
        xin = lib.from_numpy(x.copy())
        out = model(xin)
        out.sum().backward()
        res[name] = (log, out.detach().numpy().copy(),
                     [p.grad.numpy().copy() for p in model.parameters()])
    assert res["corelib"][0] == res["torch"][0]
    np.testing.assert_allclose(res["corelib"][1], res["torch"][1], rtol=1e-5, atol=1e-6)
    for a, b in zip(res["corelib"][2], res["torch"][2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lib", ["corelib", "torch"])
def test_forward_hook_return_replaces_output_and_pre_hook_replaces_input(lib):
    lib = corelib if lib == "corelib" else torch
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.fill_(1.0)
        lin.bias.fill_(0.0)
    x = lib.ones(1, 3)
    h1 = lin.register_forward_pre_hook(lambda m, inp: inp[0] * 2)      # non-tuple: wrapped
    assert lin(x).tolist() == [[6.0, 6.0]]
    h2 = lin.register_forward_hook(lambda m, inp, out: out + 100)
    assert lin(x).tolist() == [[106.0, 106.0]]
    # the forward hook sees the replaced input
    seen = []
    h3 = lin.register_forward_hook(lambda m, inp, out: seen.append((inp[0].tolist(), out.tolist())))
    lin(x)
    assert seen == [([[2.0, 2.0, 2.0]], [[106.0, 106.0]])]
    for h in (h1, h2, h3):
        h.remove()
    assert lin(x).tolist() == [[3.0, 3.0]]
    # prepend puts a hook first
    order = []
    lin.register_forward_hook(lambda m, i, o: order.append("a"))
    lin.register_forward_hook(lambda m, i, o: order.append("b"), prepend=True)
    lin(x)
    assert order == ["b", "a"]


def test_full_backward_hook_return_replaces_grad_input_vs_torch():
    res = {}
    for name, lib in (("corelib", corelib), ("torch", torch)):
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3)))
            lin.bias.zero_()
        seen = []

        def hook(m, gi, go):
            seen.append(([None if g is None else g.tolist() for g in gi], [g.tolist() for g in go]))
            return (gi[0] * 10,)
        lin.register_full_backward_hook(hook)
        x = lib.ones(2, 3, requires_grad=True)
        lin(x).sum().backward()
        res[name] = (seen, x.grad.tolist(), lin.weight.grad.tolist())
    assert res["corelib"] == res["torch"]


def test_full_backward_hook_input_without_grad_vs_torch():
    res = {}
    for name, lib in (("corelib", corelib), ("torch", torch)):
        lin = lib.nn.Linear(3, 2)
        seen = []
        lin.register_full_backward_hook(
            lambda m, gi, go: seen.append((gi, tuple(g.shape for g in go))))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            lin(lib.ones(4, 3)).sum().backward()
        res[name] = [(gi, tuple(tuple(s) for s in go)) for gi, go in seen]
    assert res["corelib"] == res["torch"] == [((None,), ((4, 2),))]


def test_mixing_backward_hook_kinds_raises():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(RuntimeError):
        lin.register_backward_hook(lambda m, gi, go: None)
    lin2 = nn.Linear(2, 2)
    lin2.register_backward_hook(lambda m, gi, go: None)
    with pytest.raises(RuntimeError):
        lin2.register_full_backward_hook(lambda m, gi, go: None)


def test_hook_dicts_and_handles():
    lin = nn.Linear(2, 2)
    h = lin.register_forward_hook(lambda *a: None)
    hp = lin.register_forward_pre_hook(lambda *a: None)
    hb = lin.register_full_backward_hook(lambda *a: None)
    assert len(lin._forward_hooks) == 1 and len(lin._forward_pre_hooks) == 1
    assert len(lin._backward_hooks) == 1
    for handle in (h, hp, hb):
        handle.remove()
        handle.remove()                                     # removing twice is harmless
    assert not lin._forward_hooks and not lin._forward_pre_hooks and not lin._backward_hooks


def test_forward_hook_on_batchnorm_eval_and_kwargs():
    res = {}
    x = np.random.default_rng(1).normal(size=(4, 3, 2, 2)).astype(np.float32)
    for name, lib in (("corelib", corelib), ("torch", torch)):
        bn = lib.nn.BatchNorm2d(3)
        outs = []
        bn.register_forward_hook(lambda m, i, o: outs.append((m.training, o.detach().numpy().copy())))
        bn(lib.from_numpy(x.copy()))
        bn.eval()
        bn(lib.from_numpy(x.copy()))
        kw = []
        bn.register_forward_hook(lambda m, a, k, o: kw.append(sorted(k)), with_kwargs=True)
        bn(input=lib.from_numpy(x.copy()))
        res[name] = (outs, kw)
    assert [t for t, _ in res["corelib"][0]] == [t for t, _ in res["torch"][0]] == [True, False, False]
    for (_, a), (_, b) in zip(res["corelib"][0], res["torch"][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert res["corelib"][1] == res["torch"][1] == [["input"]]


# ---- CAM and Grad-CAM -------------------------------------------------------------------------

def _gap_net(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(3, 4, 3, padding=1), n.ReLU(), n.Conv2d(4, 6, 3, padding=1),
                        n.ReLU(), n.AdaptiveAvgPool2d(1), n.Flatten(), n.Linear(6, 5))


def _grad_cam_manual(lib, model, layer, x, cls):
    """Grad-CAM with a forward hook and Tensor.register_hook (the notes' recipe)."""
    fmap, grads = [], []

    def fwd(m, i, o):
        fmap.append(o)
        o.register_hook(lambda g: grads.append(g))
    h = layer.register_forward_hook(fwd)
    out = model(x)
    model.zero_grad()
    out[0, cls].backward()
    h.remove()
    a = fmap[0].detach().numpy()[0]
    g = grads[0].numpy()[0]
    w = g.mean(axis=(1, 2))
    cam = np.maximum((w[:, None, None] * a).sum(0), 0)
    return out.detach().numpy(), cam, w


def test_grad_cam_via_hooks_matches_torch():
    m = _gap_net(corelib)
    tm = _gap_net(torch)
    copy_params(m, tm)
    x = np.random.default_rng(2).normal(size=(1, 3, 8, 8)).astype(np.float32)
    for cls in (0, 3):
        o1, cam1, w1 = _grad_cam_manual(corelib, m, m[2], corelib.from_numpy(x.copy()), cls)
        o2, cam2, w2 = _grad_cam_manual(torch, tm, tm[2], torch.from_numpy(x.copy()), cls)
        np.testing.assert_allclose(o1, o2, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(w1, w2, rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(cam1, cam2, rtol=1e-4, atol=1e-6)


def test_cam_on_gap_net_equals_linear_weights_dot_fmap_and_utils():
    m = _gap_net(corelib)
    x = corelib.randn(2, 3, 8, 8)
    fmap = []
    m[3].register_forward_hook(lambda mod, i, o: fmap.append(o.detach()))
    logits = m(x)
    W = m[6].weight.detach().numpy()
    f = fmap[0].numpy()
    cam = np.einsum("k,nkhw->nhw", W[1], f)
    # GAP of the CAM plus the bias is the class score (Zhou et al.)
    np.testing.assert_allclose(cam.mean(axis=(1, 2)) + m[6].bias.detach().numpy()[1],
                               logits.detach().numpy()[:, 1], rtol=1e-5, atol=1e-6)
    from corelib.utils import cam as cam_utils
    heat = cam_utils.class_activation_map(fmap[0], m[6].weight, 1, size=(8, 8))
    assert np.asarray(heat).shape[-2:] == (8, 8)
    g = cam_utils.grad_cam(m, m[2], x, target=1)
    assert g.shape == (2, 8, 8) and g.min() >= 0 and g.max() <= 1
    assert m[0].weight.grad is None                    # grads left as they were


def test_grad_cam_utility_vs_torch_reference():
    m = _gap_net(corelib)
    tm = _gap_net(torch)
    copy_params(m, tm)
    x = np.random.default_rng(3).normal(size=(1, 3, 8, 8)).astype(np.float32)
    from corelib.utils.cam import grad_cam
    heat = grad_cam(m, m[2], corelib.from_numpy(x.copy()), target=2)
    _, cam, _ = _grad_cam_manual(torch, tm, tm[2], torch.from_numpy(x.copy()), 2)
    # same layer resolution as the input here: after min-max normalisation they agree
    ref = (cam - cam.min()) / max(cam.max() - cam.min(), 1e-12)
    np.testing.assert_allclose(heat[0], ref, atol=2e-3)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_grad", [True, False])
def test_legacy_backward_hook_on_linear_vs_torch(bias, x_grad):
    # torch: grad_input of the last node, addmm(bias, x, W.t()) -> (g_bias, g_x, g_W.t())
    res = {}
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    for name, lib in (("corelib", corelib), ("torch", torch)):
        lin = lib.nn.Linear(3, 2, bias=bias)
        with lib.no_grad():
            lin.weight.copy_(lib.from_numpy(w.copy()))
        seen = []

        def hook(m, gi, go):
            seen.append(([None if g is None else g.tolist() for g in gi], [g.tolist() for g in go]))
            return tuple(None if g is None else g * 2 for g in gi)
        lin.register_backward_hook(hook)
        x = lib.from_numpy(np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype=np.float32))
        x.requires_grad_(x_grad)
        (lin(x) * lib.tensor([1.0, -2.0])).sum().backward()
        res[name] = (seen, None if x.grad is None else x.grad.tolist(), lin.weight.grad.tolist(),
                     lin.bias.grad.tolist() if bias else None)
    assert res["corelib"] == res["torch"]
