"""Transforms are nn.Modules (as torchvision's): they compose in nn.Sequential, pickle, and
keep their own __call__ (several images, one random draw) and repr."""
import pickle

import numpy as np
from PIL import Image

import corelib as cl
import corelib.nn as nn
from corelib import transforms as T


def test_transforms_are_modules_and_compose_in_sequential():
    seq = nn.Sequential(T.CenterCrop(8), T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]))
    x = cl.rand(3, 12, 12)
    y = seq(x)
    want = (x.numpy()[:, 2:10, 2:10] - 0.5) / 0.25
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6, atol=1e-6)
    assert all(isinstance(m, nn.Module) for m in seq)
    assert "(1): Normalize(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25])" in repr(seq)
    assert list(seq.parameters()) == [] and seq.state_dict() == {}


def test_transform_modules_pickle_and_keep_joint_calls():
    t = pickle.loads(pickle.dumps(T.RandomResizedCrop(16, scale=(0.5, 1.0))))
    assert t(Image.new("RGB", (20, 20))).size == (16, 16)
    img = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8))
    a, b = T.RandomCrop(4)(img, img)                   # one draw for both images
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert T.RandomApply([T.RandomHorizontalFlip(1.0)], p=1.0).training
