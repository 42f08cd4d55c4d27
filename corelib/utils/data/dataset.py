"""Datasets: the map-style ``Dataset`` and the iterable-style ``IterableDataset``, and the
wrappers built on them (``TensorDataset``, ``ConcatDataset``, ``ChainDataset``,
``StackDataset``, ``Subset``) plus ``random_split``. Same names and semantics as
``torch.utils.data.dataset``.
"""
import bisect
import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Generic, Iterable, Iterator, List, TypeVar

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
    "ChainDataset", "Subset", "random_split",
]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Dataset(Generic[T_co]):
    r"""An abstract class representing a map-style dataset (index -> sample).

    Subclasses override ``__getitem__`` (one index -> one sample) and usually ``__len__``,
    which :class:`~corelib.utils.data.DataLoader` and the default samplers use. They may
    also define ``__getitems__(indices)`` to fetch a whole batch of samples at once.
    ``dataset_a + dataset_b`` is a :class:`ConcatDataset`.
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])

    # No default `__len__`: see NOTE [ Lack of Default `__len__` in Python Abstract Base Classes ]
    # in PyTorch — a default would hide a missing length from `len()` users.


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    r"""An iterable-style dataset: subclasses implement ``__iter__``.

    With ``num_workers > 0`` every worker gets its own copy of the dataset object, so
    without splitting the work (use :func:`~corelib.utils.data.get_worker_info` inside
    ``__iter__`` or in ``worker_init_fn``) each worker yields the whole stream.

    Example, splitting ``range(start, end)`` across workers::

        class MyIterableDataset(IterableDataset):
            def __init__(self, start, end):
                self.start, self.end = start, end
            def __iter__(self):
                info = get_worker_info()
                if info is None:
                    lo, hi = self.start, self.end
                else:
                    per = int(math.ceil((self.end - self.start) / info.num_workers))
                    lo = self.start + info.id * per
                    hi = min(lo + per, self.end)
                return iter(range(lo, hi))
    """

    def __add__(self, other: Dataset[T_co]):
        return ChainDataset([self, other])


def _first_dim(t):
    if hasattr(t, "size") and callable(t.size):
        return t.size(0)
    return len(t)


class TensorDataset(Dataset):
    r"""Dataset wrapping tensors; sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Args:
        *tensors: tensors with the same size of the first dimension.
    """

    def __init__(self, *tensors) -> None:
        if not all(_first_dim(tensors[0]) == _first_dim(t) for t in tensors):
            raise AssertionError(
                "Size mismatch between tensors: TensorDataset needs every tensor to have the same "
                f"size in dimension 0, got {[_first_dim(t) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __getitems__(self, indices):
        # Batch fetch used by the DataLoader: the same samples as `[self[i] for i in indices]`
        # (each a view of row i, sharing memory), built straight from the numpy rows when
        # every tensor is a plain cpu tensor that does not require grad.
        arrays = _plain_cpu_arrays(self.tensors)
        if arrays is None or not all(type(i) is int for i in indices):
            return [self[i] for i in indices]
        from corelib import from_numpy
        cols = [[from_numpy(a[i, ...]) for i in indices] for a in arrays]
        return list(zip(*cols))

    def __len__(self):
        return _first_dim(self.tensors[0])


def _plain_cpu_arrays(tensors):
    try:
        from corelib._tensor import Tensor
    except ImportError:  # pragma: no cover
        return None
    out = []
    for t in tensors:
        if type(t) is not Tensor or t.requires_grad or t.device.type != "cpu":
            return None
        out.append(t._data)
    return out


class StackDataset(Dataset):
    r"""Dataset as a stacking of datasets: ``StackDataset(a, b)[i] == (a[i], b[i])`` and
    ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``. All datasets need equal length.
    """

    def __init__(self, *args, **kwargs) -> None:
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or"
                                 "``dict``- (via ``kwargs``) like input/output, but both types are given.")
            self._length = len(args[0])
            if any(self._length != len(dataset) for dataset in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(dataset) for dataset in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list):
        if isinstance(self.datasets, dict):
            out = [{} for _ in indices]
            for k, dataset in self.datasets.items():
                items = (dataset.__getitems__(indices) if callable(getattr(dataset, "__getitems__", None))
                         else [dataset[i] for i in indices])
                if len(items) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch."
                                     f" Expected {len(indices)}, got {len(items)}")
                for d, item in zip(out, items):
                    d[k] = item
            return out
        out = [[] for _ in indices]
        for dataset in self.datasets:
            items = (dataset.__getitems__(indices) if callable(getattr(dataset, "__getitems__", None))
                     else [dataset[i] for i in indices])
            if len(items) != len(indices):
                raise ValueError("Nested dataset's output size mismatch."
                                 f" Expected {len(indices)}, got {len(items)}")
            for t, item in zip(out, items):
                t.append(item)
        return [tuple(t) for t in out]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset[T_co]):
    r"""Dataset as a concatenation of multiple map-style datasets.

    Args:
        datasets (sequence): list of datasets to be concatenated
    """

    @staticmethod
    def cumsum(sequence):
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset; use ChainDataset "
                                "(or `iterable_a + iterable_b`) to chain iterable datasets")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    r"""Dataset chaining multiple :class:`IterableDataset` s (lazily, one after the other)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset, got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset, got "
                                f"{type(d).__name__}")
            total += len(d)
        return total


class Subset(Dataset[T_co]):
    r"""Subset of a dataset at the given indices.

    Args:
        dataset (Dataset): the whole dataset
        indices (sequence): indices in the whole set selected for the subset
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: List[int]) -> List[T_co]:
        # Fetch the batch in one call when the wrapped dataset supports it (see fetch.py).
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[idx] for idx in indices])
        return [self.dataset[self.indices[idx]] for idx in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset: Dataset[T], lengths, generator=None) -> List[Subset[T]]:
    r"""Randomly split a dataset into non-overlapping new datasets of given lengths.

    If ``lengths`` are fractions that sum to 1, the lengths are ``floor(frac * len(dataset))``
    and the remainder is distributed one by one, round-robin, to the splits.

    Args:
        dataset (Dataset): dataset to be split
        lengths (sequence): lengths or fractions of the splits
        generator (corelib.Generator, optional): generator for the permutation; the
            default generator (seeded by ``corelib.manual_seed``) when ``None``.

    Example::

        >>> random_split(range(10), [3, 7], generator=corelib.Generator().manual_seed(42))
        >>> random_split(range(30), [0.3, 0.3, 0.4])
    """
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths: List[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(int(math.floor(len(dataset) * frac)))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. "
                              f"This might result in an empty dataset.", stacklevel=2)

    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")

    from corelib.random import numpy_rng
    indices = numpy_rng(generator).permutation(sum(lengths)).tolist()
    return [Subset(dataset, indices[offset - length: offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
