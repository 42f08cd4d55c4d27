"""Samplers: iterables over dataset indices (or lists of indices, for ``BatchSampler``).

Every random draw comes from corelib's RNG: the sampler's ``generator`` when given, else
a fresh seed drawn from the default generator at the start of each epoch, so
``corelib.manual_seed(s)`` makes shuffling reproducible. Same names and semantics as
``torch.utils.data.sampler``.
"""
import itertools
from typing import Generic, Iterable, Iterator, List, Optional, Sequence, Sized, TypeVar

import numpy as np

__all__ = [
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
]

T_co = TypeVar("T_co", covariant=True)


def _rng(generator):
    from corelib.random import numpy_rng
    return numpy_rng(generator)


def _fresh_rng():
    # Like torch: draw a seed from the default generator, then sample from a private
    # generator seeded with it (so the epoch's order costs one draw of the global RNG).
    seed = int(_rng(None).integers(0, 2 ** 63 - 1))
    return np.random.Generator(np.random.PCG64(seed))


class Sampler(Generic[T_co]):
    r"""Base class for all samplers.

    Every sampler subclass provides ``__iter__`` (indices, or lists of indices for batch
    samplers) and, when the number of items is known, ``__len__``.
    """

    def __init__(self, data_source: Optional[Sized] = None) -> None:
        if data_source is not None:
            import warnings
            warnings.warn("`data_source` argument is not used and will be removed in 2.2.0."
                          "You may still have custom implementation that utilizes it.", stacklevel=2)

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError

    # NOTE [ Lack of Default `__len__` in Python Abstract Base Classes ]: no default
    # `__len__`, so `len()` on a sampler without one raises TypeError as Python does.


class SequentialSampler(Sampler[int]):
    r"""Samples elements sequentially, always in the same order (0, 1, ..., len-1)."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    r"""Samples elements randomly. Without replacement: a random permutation of the
    dataset (repeated when ``num_samples > len``). With replacement: ``num_samples`` draws.

    Args:
        data_source (Dataset): dataset to sample from
        replacement (bool): samples are drawn on-demand with replacement if ``True``
            (default ``False``)
        num_samples (int): number of samples to draw, default ``len(dataset)``.
        generator (corelib.Generator): generator used in sampling.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: Optional[int] = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) \
                or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        # dataset size might change at runtime
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        rng = _fresh_rng() if self.generator is None else _rng(self.generator)
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from rng.integers(0, n, size=32).tolist()
            yield from rng.integers(0, n, size=self.num_samples % 32).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from rng.permutation(n).tolist()
            yield from rng.permutation(n).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    r"""Samples elements randomly from a given list of indices, without replacement.

    Args:
        indices (sequence): a sequence of indices
        generator (corelib.Generator): generator used in sampling.
    """

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    r"""Samples elements from ``[0,..,len(weights)-1]`` with given probabilities (weights).

    Args:
        weights (sequence): a sequence of weights, not necessarily summing up to one
        num_samples (int): number of samples to draw
        replacement (bool): if ``True``, samples are drawn with replacement. If not, a
            drawn index cannot be drawn again.
        generator (corelib.Generator): generator used in sampling.

    Example::

        >>> list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=True))
        [4, 4, 1, 4, 5]
    """

    def __init__(self, weights: Sequence[float], num_samples: int,
                 replacement: bool = True, generator=None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}")
        w = weights.detach().numpy() if hasattr(weights, "detach") else weights
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given "
                             f"weights have shape {tuple(w.shape)}")
        import corelib
        self.weights = corelib.from_numpy(w.copy())
        self._w = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = self._w
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                               "< 0, inf or nan): WeightedRandomSampler weights must be finite "
                               "and non-negative")
        total = w.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0): "
                               "WeightedRandomSampler needs at least one positive weight")
        rng = _rng(self.generator)
        if self.replacement:
            cdf = np.cumsum(w / total)
            u = rng.random(self.num_samples) * cdf[-1]
            out = np.searchsorted(cdf, u, side="right")
            np.minimum(out, len(w) - 1, out=out)
        else:
            if self.num_samples > int((w > 0).sum()):
                raise RuntimeError(
                    f"cannot sample n_sample > prob_dist.size(-1) samples without replacement: "
                    f"num_samples={self.num_samples} but only {int((w > 0).sum())} weights are "
                    f"non-zero")
            # Sequential sampling without replacement == the smallest exponential keys E_i / w_i.
            with np.errstate(divide="ignore"):
                keys = rng.exponential(size=len(w)) / w
            out = np.argsort(keys, kind="stable")[: self.num_samples]
        yield from out.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[List[int]]):
    r"""Wraps another sampler to yield a mini-batch of indices.

    Args:
        sampler (Sampler or Iterable): base sampler; any iterable object.
        batch_size (int): size of mini-batch.
        drop_last (bool): if ``True``, drop the last batch when it is smaller than
            ``batch_size``.

    Example::

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[List[int]]:
        sampler_iter = iter(self.sampler)
        if self.drop_last:
            args = [sampler_iter] * self.batch_size
            for batch in zip(*args):
                yield [*batch]
        else:
            batch = [*itertools.islice(sampler_iter, self.batch_size)]
            while batch:
                yield batch
                batch = [*itertools.islice(sampler_iter, self.batch_size)]

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
