"""DataLoader in the main process: notes 3.1 example, shuffling, arguments and errors."""
import numpy as np
import pytest

import corelib
from corelib.utils.data import (
    BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler,
    TensorDataset,
)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def _ds(n=87):
    x = corelib.from_numpy(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = corelib.from_numpy(np.arange(n))
    return TensorDataset(x, y)


def test_notes_87_samples_batch_8():
    ds = _ds(87)
    assert len(DataLoader(ds, batch_size=8, drop_last=True)) == 10
    assert len(DataLoader(ds, batch_size=8, drop_last=False)) == 11
    batches = list(DataLoader(ds, batch_size=8, drop_last=False))
    assert len(batches) == 11 and tuple(batches[-1][0].shape) == (7, 2)
    assert len(list(DataLoader(ds, batch_size=8, drop_last=True))) == 10
    assert len(list(DataLoader(_ds(80), batch_size=8))) == 10
    inputs, labels = batches[0]
    assert inputs.dtype == corelib.float32 and labels.dtype == corelib.int64
    assert labels.tolist() == list(range(8))


def test_shuffle_permutation_each_epoch_and_seed():
    loader = DataLoader(_ds(30), batch_size=7, shuffle=True)
    corelib.manual_seed(0)
    e1 = sum((b[1].tolist() for b in loader), [])
    e2 = sum((b[1].tolist() for b in loader), [])
    assert sorted(e1) == sorted(e2) == list(range(30)) and e1 != e2
    corelib.manual_seed(0)
    assert sum((b[1].tolist() for b in loader), []) == e1
    g = corelib.Generator().manual_seed(9)
    l2 = DataLoader(_ds(30), batch_size=7, shuffle=True, generator=g)
    a = sum((b[1].tolist() for b in l2), [])
    g.manual_seed(9)
    assert sum((b[1].tolist() for b in l2), []) == a
    assert isinstance(loader.sampler, RandomSampler)
    assert isinstance(DataLoader(_ds(3)).sampler, SequentialSampler)


def test_batch_size_none_and_batch_sampler_and_collate_fn():
    out = list(DataLoader(_ds(3), batch_size=None))
    assert len(out) == 3 and out[0][1].item() == 0
    bs = BatchSampler(SequentialSampler(range(5)), 2, False)
    out = list(DataLoader(_ds(5), batch_sampler=bs))
    assert [b[1].tolist() for b in out] == [[0, 1], [2, 3], [4]]
    out = list(DataLoader(_ds(4), batch_size=2, collate_fn=lambda b: len(b)))
    assert out == [2, 2]
    out = list(DataLoader(_ds(4), sampler=[3, 2, 1, 0], batch_size=2))
    assert [b[1].tolist() for b in out] == [[3, 2], [1, 0]]


def test_iterable_dataset_single_process():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2


def test_argument_errors():
    ds = _ds(4)
    cases = [
        (dict(num_workers=-1), ValueError, "num_workers option should be non-negative"),
        (dict(timeout=-1), ValueError, "timeout option should be non-negative"),
        (dict(prefetch_factor=2), ValueError, "prefetch_factor option could only be specified"),
        (dict(num_workers=1, prefetch_factor=-1), ValueError, "prefetch_factor option should be non-negative"),
        (dict(persistent_workers=True), ValueError, "persistent_workers option needs num_workers > 0"),
        (dict(sampler=[0, 1], shuffle=True), ValueError, "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2), ValueError, "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], drop_last=True), ValueError, "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True), ValueError, "batch_size=None option disables auto-batching"),
        (dict(multiprocessing_context="fork"), ValueError, "multiprocessing_context can only be used"),
        (dict(num_workers=1, multiprocessing_context="nope"), ValueError, "should specify a valid start method"),
        (dict(num_workers=1, multiprocessing_context=3), TypeError, "should be a valid context"),
        (dict(batch_size=0), ValueError, "batch_size should be a positive integer"),
    ]
    for kwargs, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            DataLoader(ds, **kwargs)
    for kwargs, msg in [(dict(shuffle=True), "expected unspecified shuffle"),
                        (dict(sampler=[0]), "expected unspecified sampler"),
                        (dict(batch_sampler=[[0]]), "expected unspecified batch_sampler")]:
        with pytest.raises(ValueError, match=msg):
            DataLoader(Stream(3), **kwargs)
    loader = DataLoader(ds)
    for attr in ("batch_size", "sampler", "dataset", "drop_last", "batch_sampler", "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set"):
            setattr(loader, attr, None)
    with pytest.raises(AssertionError, match="timeout"):
        iter(DataLoader(ds, timeout=1))


def test_defaults_match_torch():
    torch = pytest.importorskip("torch")
    import inspect
    ours = inspect.signature(DataLoader.__init__).parameters
    theirs = inspect.signature(torch.utils.data.DataLoader.__init__).parameters
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name].default == theirs[name].default, name
        assert ours[name].kind == theirs[name].kind, name
    loader = DataLoader(_ds(4), num_workers=1)
    assert loader.prefetch_factor == 2 and DataLoader(_ds(4)).prefetch_factor is None
