"""``corelib train``: options, a tiny run's artifacts, bit-identical resume, missing bundles."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import corelib
from corelib import registry
from corelib.__main__ import main as cli

ROOT = Path(__file__).resolve().parents[2]
NEEDED = [("layer", "conv2d"), ("layer", "linear"), ("loss", "cross_entropy"),
          ("optimizer", "sgd"), ("scheduler", "cosine_annealing_lr"), ("transform", "random_affine"),
          ("dataset", "digits"), ("logger", "summary_writer")]


def _missing():
    return [f"{kind} {name!r}" for kind, name in NEEDED if name not in registry.list(kind)]


needs_bundles = pytest.mark.skipif(bool(_missing()), reason="corelib train needs the bundles: "
                                   "bash scripts/setup.sh (missing: %s)" % ", ".join(_missing()))
TINY = ["--epochs", "1", "--limit-batches", "2", "--batch-size", "16", "--workers", "0",
        "--progress", "never"]


def _run(args, **env):
    e = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-m", "corelib", *args], cwd=ROOT, env=e,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_the_options():
    r = _run(["train", "--help"])
    assert r.returncode == 0, r.stderr
    for opt in ("--model", "--dataset", "--epochs", "--batch-size", "--lr", "--device",
                "--plugins", "--workers", "--scheduler", "--resume", "--seed", "--logdir",
                "--out", "--limit-batches"):
        assert opt in r.stdout
    top = _run(["--help"])
    assert top.returncode == 0 and "train" in top.stdout


@needs_bundles
def test_tiny_run_writes_checkpoint_events_and_png(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(["train", *TINY, "--out", str(out), "--plugins"]) == 0
    text = capsys.readouterr().out
    assert "plugins in use:" in text and "corelib-layers" in text
    for key in ("test accuracy:", "time:", "logs:", "checkpoint:", "grad-cam:"):
        assert key in text
    ck = out / "checkpoints" / "epoch_001.pt"
    assert ck.is_file() and str(ck) in text
    state = corelib.load(str(ck))
    assert state["epoch"] == 1 and state["global_step"] == 2
    assert {"model_state_dict", "optimizer_state_dict", "scheduler_state_dict",
            "rng_state"} <= set(state)
    assert "features.conv1.weight" in state["model_state_dict"]
    events = list(out.glob("events.out.tfevents.*"))
    assert len(events) == 1
    png = out / "grad_cam.png"
    from PIL import Image
    with Image.open(png) as im:
        assert im.format == "PNG" and im.mode == "RGB" and im.width > im.height > 96
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    ea = ea_mod.EventAccumulator(str(out), size_guidance={"images": 0, "scalars": 0})
    ea.Reload()
    tags = ea.Tags()
    assert {"train/loss", "epoch/test_accuracy", "epoch/lr"} <= set(tags["scalars"])
    assert [e.step for e in ea.Scalars("train/loss")] == [1, 2]
    assert {"train/augmented_batch", "grad_cam"} <= set(tags["images"])
    assert any(t.startswith("params/") for t in tags["histograms"])
    assert tags["graph"]


@needs_bundles
def test_mlp_on_shapes_with_workers(tmp_path, capsys):
    out = tmp_path / "shapes"
    assert cli(["train", "--model", "mlp", "--dataset", "shapes", "--epochs", "1",
                "--limit-batches", "2", "--batch-size", "8", "--workers", "2",
                "--scheduler", "step", "--optimizer", "adam", "--lr", "1e-3",
                "--progress", "always", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "\r" in captured.err and "img/s" in captured.err
    assert (out / "grad_cam.png").is_file() and (out / "checkpoints" / "epoch_001.pt").is_file()


def _params(path):
    return {k: v.numpy().copy() for k, v in corelib.load(str(path))["model_state_dict"].items()}


def _assert_identical(a, b):
    pa, pb = _params(a), _params(b)
    assert pa.keys() == pb.keys()
    for k in pa:
        assert np.array_equal(pa[k], pb[k]), k      # bit-identical, not just close
    sa, sb = corelib.load(str(a)), corelib.load(str(b))
    assert sa["global_step"] == sb["global_step"]
    assert np.array_equal(sa["rng_state"]["corelib"].numpy(), sb["rng_state"]["corelib"].numpy())


@needs_bundles
def test_resume_is_bit_identical(tmp_path, capsys):
    base = ["--limit-batches", "3", "--batch-size", "16", "--workers", "0", "--progress", "never",
            "--seed", "3"]
    full, part = tmp_path / "full", tmp_path / "part"
    assert cli(["train", *base, "--epochs", "4", "--out", str(full)]) == 0
    # interrupted after 2 of 4 epochs, then resumed (from the run folder: the latest checkpoint)
    assert cli(["train", *base, "--epochs", "4", "--stop-after", "2", "--out", str(part)]) == 0
    assert not (part / "checkpoints" / "epoch_003.pt").exists()
    assert cli(["train", *base, "--resume", str(part)]) == 0
    assert "resumed from" in capsys.readouterr().out
    _assert_identical(full / "checkpoints" / "epoch_004.pt", part / "checkpoints" / "epoch_004.pt")
    # different parameters after epoch 2 and 4: the comparison is not vacuous
    assert not np.array_equal(_params(full / "checkpoints" / "epoch_002.pt")["features.conv1.weight"],
                              _params(full / "checkpoints" / "epoch_004.pt")["features.conv1.weight"])


@needs_bundles
def test_two_plus_two_epochs_equal_four(tmp_path):
    base = ["--limit-batches", "3", "--batch-size", "16", "--workers", "0", "--progress", "never",
            "--scheduler", "none"]
    four, two = tmp_path / "four", tmp_path / "two"
    assert cli(["train", *base, "--epochs", "4", "--out", str(four)]) == 0
    assert cli(["train", *base, "--epochs", "2", "--out", str(two)]) == 0
    ck = two / "checkpoints" / "epoch_002.pt"
    assert cli(["train", *base, "--epochs", "4", "--resume", str(ck)]) == 0
    _assert_identical(four / "checkpoints" / "epoch_004.pt", two / "checkpoints" / "epoch_004.pt")


@needs_bundles
def test_resume_checks_the_configuration(tmp_path, capsys):
    out = tmp_path / "r"
    assert cli(["train", *TINY, "--out", str(out)]) == 0
    assert cli(["train", *TINY, "--model", "mlp", "--resume", str(out)]) == 2
    assert "--model lenet" in capsys.readouterr().err
    assert cli(["train", *TINY, "--resume", str(tmp_path / "nothing")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_missing_bundle_gives_the_install_hint(tmp_path):
    r = _run(["train", *TINY, "--out", str(tmp_path / "x")], CORELIB_DISABLE_PLUGINS="layers")
    assert r.returncode == 2
    assert "corelib-layers" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x" / "checkpoints" / "epoch_001.pt").exists()


def test_bad_options_are_clear(capsys):
    assert cli(["train", "--epochs", "0"]) == 2
    assert "--epochs must be >= 1" in capsys.readouterr().err
    assert cli(["train", "--device", "tpu"]) == 2
    assert "--device" in capsys.readouterr().err


@needs_bundles
def test_resume_with_worker_processes_is_bit_identical(tmp_path):
    # workers are re-seeded from corelib's RNG at every epoch, which the checkpoint restores
    base = ["--limit-batches", "2", "--batch-size", "16", "--workers", "2", "--progress", "never"]
    full, part = tmp_path / "full", tmp_path / "part"
    assert cli(["train", *base, "--epochs", "2", "--out", str(full)]) == 0
    assert cli(["train", *base, "--epochs", "2", "--stop-after", "1", "--out", str(part)]) == 0
    assert cli(["train", *base, "--resume", str(part / "checkpoints" / "epoch_001.pt")]) == 0
    _assert_identical(full / "checkpoints" / "epoch_002.pt", part / "checkpoints" / "epoch_002.pt")
