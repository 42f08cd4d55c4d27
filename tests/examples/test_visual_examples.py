"""examples/feature_maps.py, cam.py, grad_cam.py and checkpoint_resume.py run at tiny sizes."""
import importlib.util
from pathlib import Path

import pytest

from corelib import registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEEDS = {
    "feature_maps": [("layer", "conv2d"), ("transform", "resize"), ("dataset", "digits"),
                     ("logger", "summary_writer")],
    "cam": [("layer", "adaptive_avg_pool2d"), ("layer", "batch_norm2d"), ("loss", "cross_entropy"),
            ("optimizer", "adam"), ("transform", "resize"), ("dataset", "digits")],
    "grad_cam": [("layer", "conv2d"), ("loss", "cross_entropy"), ("optimizer", "sgd"),
                 ("scheduler", "cosine_annealing_lr"), ("transform", "random_affine"),
                 ("dataset", "digits"), ("logger", "summary_writer")],
    "checkpoint_resume": [("layer", "linear"), ("layer", "dropout"), ("loss", "cross_entropy"),
                          ("optimizer", "sgd"), ("scheduler", "step_lr")],
}


def load(name):
    missing = [f"{k} {n!r}" for k, n in NEEDS[name] if n not in registry.list(k)]
    if missing:
        pytest.skip(f"examples/{name}.py needs bundles that are not installed "
                    f"(missing {', '.join(missing)}); run bash scripts/setup.sh")
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _png(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.format, im.size


def test_feature_maps(tmp_path):
    shapes = load("feature_maps").main(logdir=str(tmp_path), verbose=False)
    assert shapes == {"features.conv1": (1, 6, 28, 28), "features.conv2": (1, 16, 10, 10)}
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    ea = ea_mod.EventAccumulator(str(tmp_path), size_guidance={"images": 0})
    ea.Reload()
    assert {"input", "features.conv1/kernels", "features.conv1/feature_maps",
            "features.conv2/kernels", "features.conv2/feature_maps"} <= set(ea.Tags()["images"])
    assert ea.Tags()["graph"]


def test_cam(tmp_path):
    out = tmp_path / "cam.png"
    acc, path = load("cam").main(epochs=1, out=str(out), size=16, limit=64, verbose=False)
    assert 0.0 <= acc <= 1.0 and path == str(out)
    assert _png(out)[0] == "PNG"


def test_grad_cam(tmp_path):
    out = tmp_path / "gc.png"
    heat = load("grad_cam").main(out=str(out), epochs=1, limit_batches=2, verbose=False)
    assert heat.shape == (10, 32, 32)
    assert _png(out)[0] == "PNG"
    assert (tmp_path / "gc_run" / "checkpoints" / "epoch_001.pt").is_file()


def test_checkpoint_resume():
    assert load("checkpoint_resume").main(epochs=4, stop_at=2, verbose=False) is True
