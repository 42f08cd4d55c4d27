"""The examples (LeNet, the containers of the notes, AlexNet) run forward and backward.
They need the layers bundle (corelib-layers); without it these tests are skipped."""
import importlib.util
import os
import time

import numpy as np
import pytest

from corelib import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEEDED = ("Conv2d", "ReLU", "MaxPool2d", "Linear", "PReLU", "LocalResponseNorm", "Dropout",
          "AdaptiveAvgPool2d")
_missing = [n for n in NEEDED if not hasattr(nn, n)]
pytestmark = pytest.mark.skipif(
    bool(_missing), reason=f"layers bundle not installed (corelib.nn lacks {', '.join(_missing)}); "
                           f"pip install -e plugins/layers")


def _load(name):
    path = os.path.join(ROOT, "examples", name + ".py")
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_lenet():
    mod = _load("lenet")
    net, out = mod.main(batch_size=2, classes=3, verbose=False)
    assert out.shape == (2, 3)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["features.conv1.weight", "features.conv1.bias", "features.conv2.weight",
                     "features.conv2.bias", "classifier.fc1.weight", "classifier.fc1.bias",
                     "classifier.fc2.weight", "classifier.fc2.bias", "classifier.fc3.weight",
                     "classifier.fc3.bias"]
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())
    assert "(conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))" in repr(net)
    # the state dict round-trips into a fresh model
    net2 = mod.LeNetSequentialOrderDict(classes=3)
    assert repr(net2.load_state_dict(net.state_dict())) == "<All keys matched successfully>"


def test_lenet_matches_torch():
    torch = pytest.importorskip("torch")
    mod = _load("lenet")
    net, _ = mod.main(batch_size=1, classes=2, verbose=False)
    import corelib
    x = corelib.randn(2, 3, 32, 32)
    out = net(x)

    from collections import OrderedDict
    tn = torch.nn
    tnet = tn.Sequential(OrderedDict(
        features=tn.Sequential(OrderedDict(conv1=tn.Conv2d(3, 6, 5), relu1=tn.ReLU(), pool1=tn.MaxPool2d(2, 2),
                                           conv2=tn.Conv2d(6, 16, 5), relu2=tn.ReLU(), pool2=tn.MaxPool2d(2, 2))),
        flat=tn.Flatten(),
        classifier=tn.Sequential(OrderedDict(fc1=tn.Linear(400, 120), relu3=tn.ReLU(), fc2=tn.Linear(120, 84),
                                             relu4=tn.ReLU(), fc3=tn.Linear(84, 2)))))
    tnet.load_state_dict({k: torch.tensor(np.array(v.numpy())) for k, v in net.state_dict().items()})
    tout = tnet(torch.tensor(np.array(x.numpy())))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_module_containers():
    mod = _load("module_containers")
    out_list, out_conv, out_pool = mod.main(verbose=False)
    assert out_list.shape == (10, 10)
    assert out_conv.shape == (4, 10, 30, 30)
    assert out_pool.shape == (4, 10, 10, 10)
    net = mod.ModuleList()
    assert len(list(net.parameters())) == 40
    assert "(0-19): 20 x Linear(in_features=10, out_features=10, bias=True)" in repr(net)


def test_alexnet_224():
    mod = _load("alexnet")
    t0 = time.perf_counter()
    net, out = mod.main(size=224, batch_size=1, num_classes=1000, verbose=False)
    elapsed = time.perf_counter() - t0          # ~1.5 s here (init + forward + backward)
    assert out.shape == (1, 1000)
    assert sum(p.numel() for p in net.parameters()) == 61100840       # torchvision's AlexNet
    assert all(p.grad is not None for p in net.parameters())
    assert elapsed < 60


def test_alexnet_small_input():
    mod = _load("alexnet")
    t0 = time.perf_counter()
    # 63x63 is the smallest valid input; AdaptiveAvgPool2d((6, 6)) takes the 1x1 map to 6x6
    net, out = mod.main(size=64, batch_size=2, num_classes=10, verbose=False)
    elapsed = time.perf_counter() - t0
    assert out.shape == (2, 10)
    assert sum(p.numel() for p in net.parameters()) == 57044810
    assert all(p.grad is not None for p in net.parameters())
    types = [type(m).__name__ for m in net.features]
    assert types.count("LocalResponseNorm") == 2 and types.count("Conv2d") == 5
    assert [type(m).__name__ for m in net.classifier].count("Dropout") == 2
    net.eval()
    import corelib
    x = corelib.randn(1, 3, 64, 64)
    with corelib.no_grad():
        a, b = net(x), net(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())          # Dropout is identity in eval
    assert elapsed < 60


# ---- hooks on real layers (notes 11.1) -------------------------------------------------------
def _shapes(gs):
    return [None if g is None else tuple(g.shape) for g in gs]


def test_legacy_and_full_backward_hooks_on_layers_match_torch():
    torch = pytest.importorskip("torch")
    import corelib
    res = {}
    for name, lib, mod in (("cl", corelib, nn), ("torch", torch, torch.nn)):
        lib.manual_seed(0)
        log = res.setdefault(name, [])
        conv = mod.Conv2d(2, 3, 3)
        conv.register_backward_hook(lambda m, gi, go, log=log: log.append(("legacy", _shapes(gi), _shapes(go))))
        # (torch refuses an in-place op on the output of a module with full backward hooks;
        # corelib allows it and routes the gradient correctly, so both use ReLU() here)
        block = mod.Sequential(mod.Conv2d(2, 3, 3), mod.ReLU(), mod.MaxPool2d(2))
        block.register_full_backward_hook(lambda m, gi, go, log=log: log.append(("full", _shapes(gi), _shapes(go))))
        block[0].register_full_backward_hook(lambda m, gi, go, log=log: log.append(("conv", _shapes(gi), _shapes(go))))
        x = lib.ones(1, 2, 6, 6, requires_grad=True)
        with pytest.warns(FutureWarning) if name == "torch" else _nullcontext():
            conv(x).sum().backward()
        block(x).sum().backward()
    assert res["cl"] == res["torch"]


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_full_backward_hook_values_on_lenet_match_torch():
    torch = pytest.importorskip("torch")
    import corelib
    mod = _load("lenet")
    net = mod.LeNetSequentialOrderDict(classes=2)
    from collections import OrderedDict
    tn = torch.nn
    tnet = tn.Module()
    # torch refuses in-place ReLU on the output of a module with full backward hooks (conv2);
    # corelib's LeNet keeps inplace=True and must still give torch's gradients
    tnet.features = tn.Sequential(OrderedDict(conv1=tn.Conv2d(3, 6, 5), relu1=tn.ReLU(inplace=True),
                                              pool1=tn.MaxPool2d(2, 2), conv2=tn.Conv2d(6, 16, 5),
                                              relu2=tn.ReLU(), pool2=tn.MaxPool2d(2, 2)))
    tnet.classifier = tn.Sequential(OrderedDict(fc1=tn.Linear(400, 120), relu3=tn.ReLU(), fc2=tn.Linear(120, 84),
                                                relu4=tn.ReLU(inplace=True), fc3=tn.Linear(84, 2)))
    tnet.load_state_dict({k: torch.tensor(np.array(v.numpy())) for k, v in net.state_dict().items()})
    logs = ([], [])
    for m, log in ((net, logs[0]), (tnet, logs[1])):
        for name in ("features", "features.conv2", "classifier.fc1"):
            m.get_submodule(name).register_full_backward_hook(
                lambda mm, gi, go, log=log, name=name: log.append((name, gi, go)))
    x = corelib.randn(2, 3, 32, 32)
    xc = x.clone().requires_grad_()
    xt = torch.tensor(np.array(x.numpy()), requires_grad=True)
    out = net.classifier(net.features(xc).view(2, -1))
    tout = tnet.classifier(tnet.features(xt).view(2, -1))
    out.pow(2).sum().backward()
    tout.pow(2).sum().backward()
    assert [n for n, _, _ in logs[0]] == [n for n, _, _ in logs[1]] == ["classifier.fc1", "features.conv2", "features"]
    for (_, gi, go), (_, tgi, tgo) in zip(*logs):
        for a, b in zip(gi + go, tgi + tgo):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_notes_forward_hook_feature_maps():
    import corelib
    mod = _load("lenet")
    net = mod.LeNetSequentialOrderDict(classes=2)
    fmap_block, input_block = [], []

    def forward_hook(module, data_input, data_output):
        fmap_block.append(data_output.clone())   # relu1 is in place
        input_block.append(data_input)

    def forward_pre_hook(module, data_input):
        return (data_input[0] * 0,)

    net.features.conv1.register_forward_hook(forward_hook)
    h = net.features.conv1.register_forward_pre_hook(forward_pre_hook)
    net(corelib.randn(1, 3, 32, 32))
    assert fmap_block[0].shape == (1, 6, 28, 28) and input_block[0][0].shape == (1, 3, 32, 32)
    # the pre-hook zeroed the input, so conv1's output is its bias everywhere
    np.testing.assert_allclose(fmap_block[0].detach().numpy()[0, :, 0, 0],
                               net.features.conv1.bias.detach().numpy(), rtol=1e-6)
    h.remove()
