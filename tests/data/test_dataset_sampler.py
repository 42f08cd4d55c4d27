"""Datasets, random_split and samplers (statistics and PyTorch's errors)."""
import collections

import numpy as np
import pytest

import corelib
from corelib.utils.data import (
    BatchSampler, ChainDataset, ConcatDataset, Dataset, IterableDataset, RandomSampler,
    Sampler, SequentialSampler, StackDataset, Subset, SubsetRandomSampler, TensorDataset,
    WeightedRandomSampler, random_split,
)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * i


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)


def test_dataset_base_and_add():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    cat = Squares(3) + Squares(2)
    assert isinstance(cat, ConcatDataset)
    assert len(cat) == 5 and [cat[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert cat[-1] == 1 and cat.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-6]
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="IterableDataset"):
        ConcatDataset([Stream([1])])
    chain = Stream([1, 2]) + Stream([3])
    assert isinstance(chain, ChainDataset) and list(chain) == [1, 2, 3]


def test_tensor_dataset_and_subset():
    x = corelib.from_numpy(np.arange(12, dtype=np.float32).reshape(6, 2))
    y = corelib.from_numpy(np.arange(6))
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    a, b = ds[2]
    assert a.tolist() == [4.0, 5.0] and b.item() == 2
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(x, corelib.from_numpy(np.arange(5)))
    sub = Subset(Squares(10), [9, 3, 1])
    assert len(sub) == 3 and sub[0] == 81 and sub.__getitems__([1, 2]) == [9, 1]
    st = StackDataset(Squares(3), Squares(3))
    assert st[2] == (4, 4)
    assert StackDataset(a=Squares(2), b=Squares(2))[1] == {"a": 1, "b": 1}


def test_random_split_lengths_fractions_generator():
    parts = random_split(range(10), [3, 7], generator=corelib.Generator().manual_seed(42))
    again = random_split(range(10), [3, 7], generator=corelib.Generator().manual_seed(42))
    assert [list(p) for p in parts] == [list(p) for p in again]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    assert [len(p) for p in random_split(range(30), [0.3, 0.3, 0.4])] == [9, 9, 12]
    assert [len(p) for p in random_split(range(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    corelib.manual_seed(1)
    a = [list(p) for p in random_split(range(20), [10, 10])]
    corelib.manual_seed(1)
    assert a == [list(p) for p in random_split(range(20), [10, 10])]


def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(SequentialSampler(range(10)), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(87), 8, False)) == 11 and len(BatchSampler(range(87), 8, True)) == 10
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, 1)
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_random_sampler_permutation_and_seed():
    s = RandomSampler(range(50))
    corelib.manual_seed(0)
    e1, e2 = list(s), list(s)
    assert sorted(e1) == list(range(50)) and sorted(e2) == list(range(50)) and e1 != e2
    corelib.manual_seed(0)
    assert list(s) == e1
    g = corelib.Generator().manual_seed(7)
    a = list(RandomSampler(range(20), generator=g))
    g.manual_seed(7)
    assert list(RandomSampler(range(20), generator=g)) == a
    assert len(RandomSampler(range(5), num_samples=12)) == 12
    more = list(RandomSampler(range(5), num_samples=12))
    assert collections.Counter(more)[0] >= 2 and len(more) == 12
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), num_samples=0)


def test_random_sampler_with_replacement_statistics():
    corelib.manual_seed(5)
    draws = list(RandomSampler(range(10), replacement=True, num_samples=20000))
    counts = np.bincount(draws, minlength=10)
    assert len(draws) == 20000 and counts.min() > 1800 and counts.max() < 2200


def test_subset_random_sampler():
    idx = [10, 20, 30, 40]
    out = list(SubsetRandomSampler(idx))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4


def test_weighted_random_sampler_statistics():
    corelib.manual_seed(0)
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    draws = list(WeightedRandomSampler(w, 60000, replacement=True))
    freq = np.bincount(draws, minlength=6) / 60000
    np.testing.assert_allclose(freq, np.array(w) / sum(w), atol=0.01)
    no_rep = list(WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False))
    assert len(set(no_rep)) == 5
    # without replacement the heaviest weight comes first most of the time
    firsts = [list(WeightedRandomSampler([10.0, 1.0, 1.0], 2, replacement=False))[0] for _ in range(300)]
    assert firsts.count(0) > 220
    assert 2 not in WeightedRandomSampler([1.0, 1.0, 0.0], 2, replacement=False)
    with pytest.raises(RuntimeError):
        list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0]], 1)
    assert WeightedRandomSampler(w, 3).weights.dtype == corelib.float64


def test_tensor_dataset_getitems_matches_getitem():
    x = corelib.from_numpy(np.arange(12, dtype=np.float32).reshape(6, 2))
    y = corelib.from_numpy(np.arange(6))
    ds = TensorDataset(x, y)
    fast = ds.__getitems__([5, 0, -1])
    slow = [ds[i] for i in [5, 0, -1]]
    for (a, b), (c, d) in zip(fast, slow):
        assert a.tolist() == c.tolist() and b.item() == d.item() and a.dtype == c.dtype
    fast[0][0].numpy()[0] = 100.0          # a view of the dataset row, like ds[5]
    assert x.numpy()[5, 0] == 100.0
