"""corelib-datasets: bundled Digits, procedural Shapes, and file-backed datasets read from
files the tests create (IDX, CIFAR pickles, an image folder)."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

import corelib
from corelib import datasets
from corelib.utils.data import DataLoader


def test_facade_and_registry():
    from corelib_datasets.digits import Digits
    from corelib_datasets.mnist import FashionMNIST, MNIST
    assert datasets.Digits is Digits
    assert datasets.MNIST is MNIST and datasets.FashionMNIST is FashionMNIST
    for name in ("Shapes", "ImageFolder", "DatasetFolder", "CIFAR10"):
        assert getattr(datasets, name).__name__ == name
    from corelib import registry
    assert registry.get("dataset", "image_folder") is datasets.ImageFolder
    assert registry.get("dataset", "fashion_mnist") is datasets.FashionMNIST
    assert registry.get("dataset", "cifar10") is datasets.CIFAR10


# ---------------------------------------------------------------- Digits
def test_digits_shape_len_labels():
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) + len(test) == 1797 and len(test) == 359
    img, label = train[0]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (8, 8)
    assert isinstance(label, int) and label == 0
    arr = np.asarray(img)
    assert arr.dtype == np.uint8 and arr.max() <= 255
    assert tuple(train.data.shape) == (1438, 8, 8) and train.data.dtype == corelib.uint8
    assert int(train.data.numpy().max()) == 255
    assert sorted(set(train.targets.tolist())) == list(range(10))
    counts = np.bincount(np.concatenate([train.targets.numpy(), test.targets.numpy()]))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # deterministic split
    assert datasets.Digits(train=False).targets.tolist() == test.targets.tolist()
    assert train.classes == [str(i) for i in range(10)]


def test_digits_transforms_and_loader():
    def to_arr(img):
        return np.asarray(img, dtype=np.float32)[None] / 255.0

    ds = datasets.Digits(transform=to_arr, target_transform=lambda t: t + 100)
    x, y = ds[1]
    assert x.shape == (1, 8, 8) and y >= 100
    xb, yb = next(iter(DataLoader(ds, batch_size=16, shuffle=True)))
    assert tuple(xb.shape) == (16, 1, 8, 8) and xb.dtype == corelib.float32
    assert yb.dtype == corelib.int64


def test_digits_license_shipped():
    import corelib_datasets
    here = os.path.dirname(corelib_datasets.__file__)
    text = open(os.path.join(here, "data", "DIGITS_LICENSE.md")).read()
    assert "CC BY 4.0" in text and "Alpaydin" in text


# ---------------------------------------------------------------- Shapes
def test_shapes_deterministic_any_size():
    ds = datasets.Shapes(size=48, n=12, seed=3)
    assert len(ds) == 12 and ds.classes[:3] == ["circle", "square", "triangle"]
    img, label = ds[4]
    assert img.size == (48, 48) and img.mode == "RGB" and label == 4 % len(ds.classes)
    again = datasets.Shapes(size=48, n=12, seed=3)[4][0]
    assert np.array_equal(np.asarray(img), np.asarray(again))
    other = datasets.Shapes(size=48, n=12, seed=4)[4][0]
    assert not np.array_equal(np.asarray(img), np.asarray(other))
    test = datasets.Shapes(size=48, n=12, seed=3, train=False)[4][0]
    assert not np.array_equal(np.asarray(img), np.asarray(test))
    assert len(datasets.Shapes()) == 6000 and len(datasets.Shapes(train=False)) == 1200
    small = datasets.Shapes(size=16, n=6, classes=["circle", "star"])
    assert small.classes == ["circle", "star"] and [small[i][1] for i in range(4)] == [0, 1, 0, 1]
    # the shape covers a real area of foreground pixels
    arr = np.asarray(img).astype(int)
    assert (np.abs(arr - arr[0, 0]).sum(-1) > 60).mean() > 0.05
    with pytest.raises(ValueError, match="unknown classes"):
        datasets.Shapes(classes=["blob"])
    with pytest.raises(IndexError):
        ds[12]


def test_shapes_with_workers_same_as_main():
    to_arr = _ToArray()
    ds = datasets.Shapes(size=16, n=8, seed=1, transform=to_arr)
    a = [b[0].numpy().copy() for b in DataLoader(ds, batch_size=4)]
    b = [b[0].numpy().copy() for b in DataLoader(ds, batch_size=4, num_workers=2)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


class _ToArray:
    def __call__(self, img):
        return np.asarray(img, dtype=np.uint8).copy()


# ---------------------------------------------------------------- ImageFolder
def _make_folder(root):
    rng = np.random.default_rng(0)
    for cls, n in (("dog", 2), ("cat", 3)):
        os.makedirs(root / cls)
        for i in range(n):
            Image.fromarray(rng.integers(0, 255, (5, 6, 3), dtype=np.uint8)).save(root / cls / f"{i}.png")
    (root / "cat" / "notes.txt").write_text("not an image")


def test_image_folder(tmp_path):
    _make_folder(tmp_path)
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert len(ds) == 5 and ds.targets == [0, 0, 0, 1, 1] and ds.imgs == ds.samples
    assert ds.samples[0] == (os.path.join(str(tmp_path), "cat", "0.png"), 0)
    img, target = ds[3]
    assert img.mode == "RGB" and img.size == (6, 5) and target == 1
    only_zero = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith("0.png"))
    assert len(only_zero) == 2 and only_zero.extensions is None
    ds2 = datasets.ImageFolder(tmp_path, loader=lambda p: p, transform=os.path.basename,
                               target_transform=lambda t: -t)
    assert ds2[4] == ("1.png", -1)
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True).classes) == 3
    with pytest.raises(FileNotFoundError):
        datasets.ImageFolder(tmp_path / "missing")
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(tmp_path, loader=open)


def test_image_folder_corrupt_image(tmp_path):
    os.makedirs(tmp_path / "a")
    (tmp_path / "a" / "bad.png").write_bytes(b"definitely not a png")
    ds = datasets.ImageFolder(tmp_path)
    with pytest.raises(RuntimeError, match="bad.png"):
        ds[0]


# ---------------------------------------------------------------- MNIST
def _idx(arr):
    codes = {np.uint8: 0x08, np.int32: 0x0C}
    arr = np.asarray(arr)
    head = bytes([0, 0, codes[arr.dtype.type], arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write_mnist(root, name, n_train=6, n_test=4, compress=False):
    raw = root / name / "raw"
    os.makedirs(raw)
    rng = np.random.default_rng(1)
    files = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, arr, nd in (("images", imgs, 3), ("labels", labels, 1)):
            fname = f"{prefix}-{kind}-idx{nd}-ubyte"
            data = _idx(arr)
            if compress:
                (raw / (fname + ".gz")).write_bytes(gzip.compress(data))
            else:
                (raw / fname).write_bytes(data)
        files[prefix] = (imgs, labels)
    return files


@pytest.mark.parametrize("cls_name,compress", [("MNIST", False), ("FashionMNIST", True)])
def test_mnist_from_idx(tmp_path, cls_name, compress):
    files = _write_mnist(tmp_path, cls_name, compress=compress)
    cls = getattr(datasets, cls_name)
    train = cls(str(tmp_path), train=True)
    test = cls(tmp_path, train=False, transform=lambda im: np.asarray(im), target_transform=str)
    assert len(train) == 6 and len(test) == 4
    assert tuple(train.data.shape) == (6, 28, 28) and train.data.dtype == corelib.uint8
    assert train.targets.dtype == corelib.int64 and train.targets.tolist() == list(range(6))
    img, label = train[2]
    assert img.mode == "L" and img.size == (28, 28) and label == 2
    np.testing.assert_array_equal(np.asarray(img), files["train"][0][2])
    arr, lab = test[3]
    np.testing.assert_array_equal(arr, files["t10k"][0][3])
    assert lab == "3"
    assert len(train.classes) == 10
    assert train.raw_folder == os.path.join(str(tmp_path), cls_name, "raw")


def test_mnist_missing_corrupt_download(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        datasets.MNIST(tmp_path)
    msg = str(info.value)
    assert "train-images-idx3-ubyte" in msg and os.path.join(str(tmp_path), "MNIST", "raw") in msg
    with pytest.raises(RuntimeError, match="never downloads") as info:
        datasets.MNIST(tmp_path, download=True)
    assert "t10k-labels-idx1-ubyte" in str(info.value)
    _write_mnist(tmp_path, "MNIST")
    bad = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte is corrupt"):
        datasets.MNIST(tmp_path)
    bad.write_bytes(b"garbage!")
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte is not an IDX file"):
        datasets.MNIST(tmp_path)
    (tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte").unlink()
    (tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte.gz is corrupt"):
        datasets.MNIST(tmp_path, train=False)


# ---------------------------------------------------------------- CIFAR10
def _write_cifar(root, with_meta=True):
    folder = root / "cifar-10-batches-py"
    os.makedirs(folder)
    rng = np.random.default_rng(2)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, 3)]
        with open(folder / name, "wb") as f:
            pickle.dump({"data": data, "labels": labels, "batch_label": name}, f, protocol=2)
        batches[name] = (data, labels)
    if with_meta:
        names = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        with open(folder / "batches.meta", "wb") as f:
            pickle.dump({"label_names": names}, f)
    return batches


def test_cifar10_from_batches(tmp_path):
    batches = _write_cifar(tmp_path)
    train = datasets.CIFAR10(str(tmp_path), train=True)
    test = datasets.CIFAR10(tmp_path, train=False, target_transform=lambda t: t * 10)
    assert len(train) == 15 and len(test) == 3
    assert train.data.shape == (15, 32, 32, 3) and train.classes[1] == "car"
    img, label = train[4]
    assert img.mode == "RGB" and img.size == (32, 32)
    expected = batches["data_batch_2"][0][1].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(img), expected)
    assert label == batches["data_batch_2"][1][1]
    assert test[0][1] == batches["test_batch"][1][0] * 10
    assert train.class_to_idx["truck"] == 9


def test_cifar10_missing_corrupt_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_batch_1"):
        datasets.CIFAR10(tmp_path)
    with pytest.raises(RuntimeError, match="never downloads"):
        datasets.CIFAR10(tmp_path, download=True)
    _write_cifar(tmp_path, with_meta=False)
    assert datasets.CIFAR10(tmp_path, train=False).classes[0] == "airplane"
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").write_bytes(b"\x80\x04garbage")
    with pytest.raises(RuntimeError, match="data_batch_3 is corrupt"):
        datasets.CIFAR10(tmp_path)
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_3", "wb") as f:
        pickle.dump({"nothing": 1}, f)
    with pytest.raises(RuntimeError, match="data_batch_3 is corrupt"):
        datasets.CIFAR10(tmp_path)
