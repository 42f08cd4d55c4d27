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


def test_alexnet():
    mod = _load("alexnet")
    t0 = time.perf_counter()
    # 64x64 is the smallest size class of valid inputs (>= 63) and keeps the test fast;
    # main() defaults to 224x224 when run as a script
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
