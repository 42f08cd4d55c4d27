"""examples/finetune.py runs (quickly) and does what notes chapter 15 says."""
import importlib.util
import pathlib

import pytest

import corelib.nn as nn


def test_finetune_example():
    if not all(hasattr(nn, n) for n in ("Linear", "ReLU", "CrossEntropyLoss")):
        pytest.skip("needs the layers and losses bundles")
    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "finetune.py"
    spec = importlib.util.spec_from_file_location("finetune_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    r = mod.main(steps=60)
    assert r["features_unchanged"]
    assert r["group_lrs"] == [0.01, 0.1]
    assert r["frozen_acc"] > 0.3 and r["groups_acc"] > 0.3
