"""corelib.utils.cam: Grad-CAM against a PyTorch reference, CAM, overlays."""
import numpy as np
import pytest

import corelib
from corelib import registry
from corelib.utils import cam

needs_layers = pytest.mark.skipif(
    not {"conv2d", "linear", "max_pool2d", "relu"} <= set(registry.list("layer")),
    reason="needs the layers bundle: pip install -e plugins/layers")


@needs_layers
def test_grad_cam_matches_torch():
    torch = pytest.importorskip("torch")
    from corelib.models import create_model
    corelib.manual_seed(0)
    net = create_model("lenet", in_channels=1)
    x = corelib.randn(3, 1, 32, 32)
    heat, logits = cam.grad_cam(net, "features.relu2", x, return_logits=True)

    tnet = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU())
    head = torch.nn.Sequential(torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(400, 120),
                               torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
                               torch.nn.Linear(84, 10))
    sd = {k: torch.from_numpy(v.numpy().copy()) for k, v in net.state_dict().items()}
    with torch.no_grad():
        for t, name in ((tnet[0], "features.conv1"), (tnet[3], "features.conv2"),
                        (head[2], "classifier.fc1"), (head[4], "classifier.fc2"),
                        (head[6], "classifier.fc3")):
            t.weight.copy_(sd[name + ".weight"])
            t.bias.copy_(sd[name + ".bias"])
    a = tnet(torch.from_numpy(x.numpy().copy()))
    a.retain_grad()
    out = head(a)
    np.testing.assert_allclose(out.detach().numpy(), logits, rtol=1e-4, atol=1e-5)
    out.gather(1, out.argmax(1, keepdim=True)).sum().backward()
    w = a.grad.mean(dim=(2, 3), keepdim=True)
    maps = torch.relu((w * a).sum(1)).detach().numpy()
    ref = cam._normalize_maps(cam._resize_maps(cam._normalize_maps(maps), (32, 32)))
    assert heat.shape == (3, 32, 32) and heat.dtype == np.float32
    np.testing.assert_allclose(heat, ref, atol=1e-4)
    assert all(p.grad is None for p in net.parameters())      # grads left as they were
    assert net.training


@needs_layers
def test_grad_cam_targets_and_errors():
    from corelib.models import create_model
    corelib.manual_seed(1)
    net = create_model("lenet", in_channels=1)
    x = corelib.randn(2, 1, 32, 32)
    h = cam.grad_cam(net, net.features.relu2, x, target=[3, 4])
    assert h.shape == (2, 32, 32) and 0 <= h.min() and h.max() <= 1
    assert cam.grad_cam(net, None, x, target=2).shape == (2, 32, 32)
    with pytest.raises(ValueError, match="target classes"):
        cam.grad_cam(net, "features.relu2", x, target=10)
    with pytest.raises(ValueError, match="no submodule 'nope'"):
        cam.grad_cam(net, "nope", x)
    assert not net.features.relu2._forward_hooks             # the hook was removed


def test_class_activation_map():
    f = np.zeros((2, 3, 4, 4), np.float32)
    f[0, 1, 0, 0] = 2.0
    f[1, 2, 3, 3] = 1.0
    w = np.eye(3, dtype=np.float32)
    m = cam.class_activation_map(f, w, [1, 2])
    assert m[0, 0, 0] == 1.0 and m[0].sum() == 1.0 and m[1, 3, 3] == 1.0
    assert cam.class_activation_map(corelib.from_numpy(f), w, 0, size=(8, 8)).shape == (2, 8, 8)
    with pytest.raises(ValueError, match="fc_weight"):
        cam.class_activation_map(f, np.eye(4), [0, 0])


def test_overlay_and_png(tmp_path):
    img = np.linspace(0, 1, 64, dtype=np.float32).reshape(1, 8, 8)
    heat = np.zeros((4, 4), np.float32)
    heat[0, 0] = 1.0
    o = cam.overlay(img, heat, alpha=0.5, size=32)
    assert o.shape == (32, 32, 3) and o.dtype == np.uint8
    assert o[0, 0, 0] > o[0, 0, 2]                 # hot corner is red
    assert np.array_equal(cam.overlay(img, heat, alpha=0.0, size=32)[..., 0],
                          cam.overlay(img, heat, alpha=0.0, size=32)[..., 2])   # grey image
    assert cam.jet([0.0])[0].tolist() == [0, 0, 128] and cam.jet([1.0])[0].tolist() == [128, 0, 0]
    p = cam.save_overlays(tmp_path / "o.png", [img, img], [heat, heat], size=16)
    from PIL import Image
    with Image.open(p) as im:
        assert im.size == (2 * 16 + 3 * 4, 2 * 16 + 3 * 4)
    with pytest.raises(ValueError, match="alpha"):
        cam.overlay(img, heat, alpha=2)
