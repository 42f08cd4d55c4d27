"""Notes chapter 3 (DataLoader & Dataset) against torch.utils.data.

Every DataLoader argument of the notes, the epoch / iteration / batch-size arithmetic with
drop_last, a custom Dataset (__getitem__ / __len__) in the style of the notes' RMB dataset, the
ImageFolder equivalent, collation of (img, label) pairs, and the argument errors.
"""
import inspect
import os
import random

import numpy as np
import pytest
from PIL import Image

import corelib
import corelib.utils.data as cud
from corelib import transforms

torch = pytest.importorskip("torch")
tud = torch.utils.data


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


class ListDataset:
    """Map-style dataset usable by both libraries (only __getitem__/__len__)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i

    def __len__(self):
        return self.n


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


# ---------------------------------------------------------------- DataLoader signature (3.1)

def test_dataloader_signature_as_notes_and_torch():
    ours = inspect.signature(cud.DataLoader).parameters
    theirs = inspect.signature(tud.DataLoader).parameters
    notes = ["dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers",
             "collate_fn", "pin_memory", "drop_last", "timeout", "worker_init_fn",
             "multiprocessing_context"]
    assert list(ours)[:len(notes)] == notes
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert ours[name].kind == p.kind, name
        if name != "dataset":
            assert ours[name].default == p.default, name


def test_dataloader_attributes_defaults():
    ds = ListDataset(10)
    a, b = cud.DataLoader(ds), tud.DataLoader(ds)
    for attr in ("batch_size", "drop_last", "num_workers", "pin_memory", "timeout",
                 "worker_init_fn", "prefetch_factor", "persistent_workers"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert a.dataset is ds
    assert isinstance(a.sampler, cud.SequentialSampler)
    assert isinstance(a.batch_sampler, cud.BatchSampler)
    assert a.batch_sampler.batch_size == 1 and a.batch_sampler.drop_last is False
    assert a.collate_fn is cud.default_collate
    assert isinstance(cud.DataLoader(ds, shuffle=True).sampler, cud.RandomSampler)
    assert cud.DataLoader(ds, batch_size=None).batch_sampler is None
    assert cud.DataLoader(ds, batch_size=None).collate_fn is cud.default_convert
    # attributes are frozen after construction, as in torch
    for mod, loader in ((cud, a), (tud, b)):
        with pytest.raises(ValueError, match="batch_size"):
            loader.batch_size = 4


# ---------------------------------------------------------------- epoch / iteration / batch

@pytest.mark.parametrize("n, bs, drop_last, iters", [
    (80, 8, False, 10), (80, 8, True, 10), (87, 8, True, 10), (87, 8, False, 11),
    (1, 1, False, 1), (7, 8, True, 0), (7, 8, False, 1), (0, 3, False, 0)])
def test_iterations_per_epoch_notes(n, bs, drop_last, iters):
    ds = ListDataset(n)
    ours = cud.DataLoader(ds, batch_size=bs, drop_last=drop_last)
    ref = tud.DataLoader(ds, batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(ref) == iters
    got = [b.tolist() for b in ours]
    want = [b.tolist() for b in ref]
    assert got == want and len(got) == iters
    for b in ours:
        assert isinstance(b, corelib.Tensor) and b.dtype == corelib.int64


def test_epoch_loop_like_the_notes():
    """for epoch in range(MAX_EPOCH): for i, data in enumerate(train_loader): ..."""
    x = np.arange(87 * 2, dtype=np.float32).reshape(87, 2)
    y = np.arange(87) % 2
    ds = cud.TensorDataset(corelib.tensor(x), corelib.tensor(y))
    loader = cud.DataLoader(dataset=ds, batch_size=8, shuffle=True, drop_last=False)
    corelib.manual_seed(0)
    orders = []
    for epoch in range(2):
        seen, sizes = [], []
        for i, data in enumerate(loader):
            inputs, labels = data
            assert inputs.shape[1:] == (2,) and inputs.dtype == corelib.float32
            assert labels.dtype == corelib.int64
            sizes.append(inputs.shape[0])
            seen += (_np(inputs)[:, 0] / 2).astype(int).tolist()
            np.testing.assert_array_equal(_np(labels), y[(_np(inputs)[:, 0] / 2).astype(int)])
        assert i == 10 and sizes == [8] * 10 + [7]
        assert sorted(seen) == list(range(87))                 # shuffle: a permutation
        orders.append(seen)
    assert orders[0] != orders[1]                              # reshuffled every epoch
    corelib.manual_seed(0)
    again = [(_np(b[0])[:, 0] / 2).astype(int).tolist() for b in loader]
    assert sum(again, []) == orders[0]                         # reproducible with manual_seed


def test_len_with_sampler_and_batch_sampler():
    ds = ListDataset(20)
    sub = cud.SubsetRandomSampler(list(range(9)))
    assert len(cud.DataLoader(ds, batch_size=4, sampler=sub)) == 3
    assert len(cud.DataLoader(ds, batch_size=4, sampler=sub, drop_last=True)) == 2
    bs = cud.BatchSampler(cud.SequentialSampler(ds), batch_size=6, drop_last=False)
    loader = cud.DataLoader(ds, batch_sampler=bs)
    assert len(loader) == len(tud.DataLoader(ds, batch_sampler=tud.BatchSampler(
        tud.SequentialSampler(ds), batch_size=6, drop_last=False))) == 4
    assert [b.tolist() for b in loader][-1] == [18, 19]
    assert loader.batch_size is None and loader.drop_last is False
    assert len(cud.DataLoader(ds, batch_size=None)) == 20
    assert [int(v) for v in cud.DataLoader(ds, batch_size=None)][:3] == [0, 1, 2]
    # a plain list of index lists works as batch_sampler
    assert [b.tolist() for b in cud.DataLoader(ds, batch_sampler=[[3, 1], [2]])] == [[3, 1], [2]]


# ---------------------------------------------------------------- errors

def _loader_errors(mod):
    ds = ListDataset(10)
    seq = mod.SequentialSampler(ds)
    bs = mod.BatchSampler(seq, 3, False)
    calls = [
        lambda: mod.DataLoader(ds, sampler=seq, shuffle=True),
        lambda: mod.DataLoader(ds, batch_sampler=bs, batch_size=2),
        lambda: mod.DataLoader(ds, batch_sampler=bs, shuffle=True),
        lambda: mod.DataLoader(ds, batch_sampler=bs, sampler=seq),
        lambda: mod.DataLoader(ds, batch_sampler=bs, drop_last=True),
        lambda: mod.DataLoader(ds, batch_size=None, drop_last=True),
        lambda: mod.DataLoader(ds, num_workers=-1),
        lambda: mod.DataLoader(ds, timeout=-1),
        lambda: mod.DataLoader(ds, prefetch_factor=2),
        lambda: mod.DataLoader(ds, persistent_workers=True),
        lambda: mod.BatchSampler(seq, 0, False),
        lambda: mod.BatchSampler(seq, -1, False),
        lambda: mod.BatchSampler(seq, True, False),
        lambda: mod.BatchSampler(seq, 2, 1),
        lambda: mod.RandomSampler(ds, num_samples=0),
        lambda: mod.RandomSampler(ds, replacement=1),
        lambda: mod.Dataset()[0],
        lambda: len(mod.Dataset()),
        lambda: mod.random_split(ds, [3, 3]),
        lambda: mod.ConcatDataset([]),
    ]
    return [_err(c) for c in calls]


def test_argument_errors_match_torch():
    ours, ref = _loader_errors(cud), _loader_errors(tud)
    for i, (a, b) in enumerate(zip(ours, ref)):
        assert a is not None and b is not None, i
        assert a[0] is b[0], (i, a, b)
        if a[0] is not TypeError:                        # TypeError texts name the classes
            assert a[1] == b[1], (i, a, b)


def test_shuffle_sampler_mutually_exclusive_message():
    ds = ListDataset(5)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        cud.DataLoader(ds, shuffle=True, sampler=cud.RandomSampler(ds))
    # shuffle=False with a sampler is allowed, as in torch
    assert len(cud.DataLoader(ds, shuffle=False, sampler=cud.SequentialSampler(ds))) == 5


# ---------------------------------------------------------------- Dataset (3.2)

def test_dataset_base_class_as_notes():
    class D(cud.Dataset):
        pass

    with pytest.raises(NotImplementedError):
        D()[0]

    class Sq(cud.Dataset):
        def __init__(self, n):
            self.n = n

        def __getitem__(self, index):
            if index >= self.n:
                raise IndexError(index)
            return index * index

        def __len__(self):
            return self.n

    c = Sq(3) + Sq(2)                                   # __add__ -> ConcatDataset
    assert isinstance(c, cud.ConcatDataset)
    assert len(c) == 5 and [c[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert c[-1] == 1 and c.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError):
        c[-6]
    assert [b.tolist() for b in cud.DataLoader(c, batch_size=2)] == [[0, 1], [4, 0], [1]]


def test_tensor_dataset_subset_random_split():
    x, y = np.random.default_rng(0).random((10, 3), dtype=np.float32), np.arange(10)
    ds = cud.TensorDataset(corelib.tensor(x), corelib.tensor(y))
    xi, yi = ds[4]
    np.testing.assert_array_equal(_np(xi), x[4]) and int(yi) == 4
    assert len(ds) == 10
    with pytest.raises(AssertionError):
        cud.TensorDataset(corelib.zeros(3), corelib.zeros(4))
    sub = cud.Subset(ds, [1, 3])
    assert len(sub) == 2 and int(sub[1][1]) == 3
    g = corelib.Generator().manual_seed(0)
    a, b = cud.random_split(ds, [0.7, 0.3], generator=g)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))


# ---------------------------------------------------------------- RMB-style dataset

def _make_rmb_tree(root, n_per_class=5):
    rng = np.random.default_rng(0)
    for label_dir in ("1", "100"):
        d = os.path.join(root, label_dir)
        os.makedirs(d)
        for i in range(n_per_class):
            a = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
            Image.fromarray(a).save(os.path.join(d, f"{i:03d}.png"))
        open(os.path.join(d, "notes.txt"), "w").close()


rmb_label = {"1": 0, "100": 1}


class RMBDataset(cud.Dataset):
    """The notes' custom dataset: __init__ reads the file list, __getitem__ one sample."""

    def __init__(self, data_dir, transform=None):
        self.label_name = {"1": 0, "100": 1}
        self.data_info = self.get_img_info(data_dir)   # data_info: [(path, label), ...]
        self.transform = transform

    def __getitem__(self, index):
        path_img, label = self.data_info[index]
        img = Image.open(path_img).convert("RGB")     # 0~255
        if self.transform is not None:
            img = self.transform(img)                  # e.g. ToTensor
        return img, label

    def __len__(self):
        return len(self.data_info)

    @staticmethod
    def get_img_info(data_dir):
        data_info = list()
        for root, dirs, _ in os.walk(data_dir):
            for sub_dir in sorted(dirs):
                img_names = sorted(os.listdir(os.path.join(root, sub_dir)))
                img_names = list(filter(lambda x: x.endswith(".png"), img_names))
                for i in range(len(img_names)):
                    img_name = img_names[i]
                    path_img = os.path.join(root, sub_dir, img_name)
                    label = rmb_label[sub_dir]
                    data_info.append((path_img, int(label)))
        return data_info


def test_rmb_dataset_and_dataloader_match_torch(tmp_path):
    _make_rmb_tree(str(tmp_path))
    norm_mean, norm_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    train_transform = transforms.Compose([
        transforms.Resize((32, 32)),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    train_data = RMBDataset(data_dir=str(tmp_path), transform=train_transform)
    assert len(train_data) == 10
    img, label = train_data[0]
    assert isinstance(img, corelib.Tensor) and tuple(img.shape) == (3, 32, 32)
    assert label == 0 and train_data[9][1] == 1

    class TorchView:                      # same samples as torch tensors
        def __getitem__(self, i):
            im, lab = train_data[i]
            return torch.from_numpy(_np(im).copy()), lab

        def __len__(self):
            return len(train_data)

    ours = list(cud.DataLoader(dataset=train_data, batch_size=4, drop_last=False))
    ref = list(tud.DataLoader(dataset=TorchView(), batch_size=4, drop_last=False))
    assert len(ours) == len(ref) == 3
    for (xi, yi), (xr, yr) in zip(ours, ref):
        assert isinstance(xi, corelib.Tensor) and isinstance(yi, corelib.Tensor)
        assert tuple(xi.shape) == tuple(xr.shape) and xi.dtype == corelib.float32
        assert yi.dtype == corelib.int64 and yr.dtype == torch.int64
        np.testing.assert_array_equal(_np(xi), xr.numpy())
        np.testing.assert_array_equal(_np(yi), yr.numpy())
    two = list(cud.DataLoader(train_data, batch_size=4, num_workers=2))
    for (xi, yi), (xj, yj) in zip(ours, two):
        np.testing.assert_array_equal(_np(xi), _np(xj))
        np.testing.assert_array_equal(_np(yi), _np(yj))


def test_image_folder_is_the_rmb_layout(tmp_path):
    datasets = pytest.importorskip("corelib.datasets")
    _make_rmb_tree(str(tmp_path), n_per_class=3)
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())
    assert ds.classes == ["1", "100"] and ds.class_to_idx == {"1": 0, "100": 1}
    assert len(ds) == 6 and ds.targets == [0, 0, 0, 1, 1, 1]      # .txt is skipped
    img, label = ds[4]
    assert tuple(img.shape) == (3, 40, 48) and label == 1
    x, y = next(iter(cud.DataLoader(ds, batch_size=6)))
    assert tuple(x.shape) == (6, 3, 40, 48) and _np(y).tolist() == [0, 0, 0, 1, 1, 1]
    # torchvision's VisionDataset / StandardTransform repr
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.Compose([
        transforms.Resize(8), transforms.ToTensor()]))
    assert repr(ds) == (
        "Dataset ImageFolder\n"
        "    Number of datapoints: 6\n"
        f"    Root location: {tmp_path}\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               Resize(size=8, interpolation=bilinear, max_size=None, antialias=True)\n"
        "               ToTensor()\n"
        "           )")


# ---------------------------------------------------------------- collate

def test_default_collate_matches_torch():
    rng = np.random.default_rng(0)
    arrs = [rng.random((3, 4, 4), dtype=np.float32) for _ in range(3)]
    cases = [
        [(corelib.tensor(a), i) for i, a in enumerate(arrs)],
        [(a, float(i)) for i, a in enumerate(arrs)],
        [{"img": a, "name": f"n{i}", "flag": bool(i % 2)} for i, a in enumerate(arrs)],
        [np.int64(i) for i in range(3)],
    ]
    tcases = [
        [(torch.from_numpy(a), i) for i, a in enumerate(arrs)],
        cases[1], cases[2], cases[3],
    ]

    def flat(x):
        if isinstance(x, dict):
            return {k: flat(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [flat(v) for v in x]
        if hasattr(x, "numpy"):
            return (str(x.dtype).split(".")[-1], tuple(x.shape), x.numpy().tolist())
        return x

    for c, t in zip(cases, tcases):
        assert flat(cud.default_collate(c)) == flat(tud.default_collate(t))
    # (img, label) pairs: a list [images, labels], as in `inputs, labels = data`
    out = cud.default_collate(cases[0])
    assert isinstance(out, list) and len(out) == 2
    # PIL images cannot be collated: a clear TypeError, as torch
    pil = Image.new("RGB", (4, 4))
    e1 = _err(lambda: cud.default_collate([(pil, 0), (pil, 1)]))
    e2 = _err(lambda: tud.default_collate([(pil, 0), (pil, 1)]))
    assert e1[0] is e2[0] is TypeError and "PIL" in e1[1]
    # mismatched shapes
    assert _err(lambda: cud.default_collate([corelib.zeros(2), corelib.zeros(3)]))[0] is \
        _err(lambda: tud.default_collate([torch.zeros(2), torch.zeros(3)]))[0]


def test_custom_collate_fn_and_other_arguments():
    ds = ListDataset(10)
    seen = []

    def collate(batch):
        seen.append(list(batch))
        return sum(batch)

    loader = cud.DataLoader(ds, batch_size=3, collate_fn=collate, pin_memory=True, timeout=0,
                            worker_init_fn=None, multiprocessing_context=None)
    assert list(loader) == [3, 12, 21, 9] and seen[0] == [0, 1, 2]
    calls = []
    loader = cud.DataLoader(ds, batch_size=5, num_workers=2, timeout=30,
                            worker_init_fn=lambda wid: calls.append(wid),
                            multiprocessing_context="fork" if hasattr(os, "fork") else None)
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_iterable_dataset_len_and_batches():
    class It(cud.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    assert len(cud.DataLoader(It(), batch_size=3)) == 3
    assert [b.tolist() for b in cud.DataLoader(It(), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="shuffle"):
        cud.DataLoader(It(), shuffle=True)
