r"""``DataLoader``: combines a dataset and a sampler and iterates over batches, in the main
process or in worker processes. Same arguments, defaults, errors and semantics as
``torch.utils.data.DataLoader``; the iterators ``_SingleProcessDataLoaderIter`` and
``_MultiProcessingDataLoaderIter`` are private, their helpers live in ``_utils``.
"""
import atexit
import itertools
import math
import multiprocessing as python_multiprocessing
import os
import queue
import time
import warnings
import weakref
from typing import Any, Callable, Iterable, List, Optional, TypeVar, Union

from corelib.utils.data import _utils
from corelib.utils.data._utils import ExceptionWrapper
from corelib.utils.data._utils.fetch import _DatasetKind
from corelib.utils.data._utils import shared_memory as _shm
from corelib.utils.data.dataset import Dataset, IterableDataset
from corelib.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")

get_worker_info = _utils.worker.get_worker_info
default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert


# Multi-process iterators whose workers may be running. At interpreter exit they are shut
# down cleanly (workers stopped, unreceived shared-memory batches removed) before the
# `python_exit_status` flag makes `__del__` a no-op. atexit runs hooks in reverse order of
# registration, so this one (registered after `_utils`' flag hook) runs first.
_live_iterators = weakref.WeakSet()


def _shutdown_live_iterators():
    for it in list(_live_iterators):
        try:
            it._shutdown_workers()
        except Exception:
            pass


atexit.register(_shutdown_live_iterators)


class _InfiniteConstantSampler(Sampler):
    r"""Analogous to ``itertools.repeat(None, None)``; the sampler of an IterableDataset.
    See NOTE [ Custom Samplers and IterableDataset ]."""

    def __iter__(self):
        while True:
            yield None


def _draw_base_seed(generator):
    from corelib.random import numpy_rng
    return int(numpy_rng(generator).integers(0, 2 ** 63 - 1))


def _cuda_available():
    try:
        import corelib
        cuda = getattr(corelib, "cuda", None)
        return bool(cuda is not None and cuda.is_available())
    except Exception:
        return False


class DataLoader:
    r"""Data loader: combines a dataset and a sampler, and provides an iterable over the
    given dataset (notes 3.1).

    Args:
        dataset (Dataset): dataset from which to load the data (map-style or iterable).
        batch_size (int, optional): how many samples per batch to load (default: ``1``).
            ``None`` disables automatic batching.
        shuffle (bool, optional): ``True`` to have the data reshuffled at every epoch
            (default: ``False``).
        sampler (Sampler or Iterable, optional): the strategy to draw samples from the
            dataset; if specified, :attr:`shuffle` must not be specified.
        batch_sampler (Sampler or Iterable, optional): like :attr:`sampler`, but returns a
            batch of indices at a time. Mutually exclusive with :attr:`batch_size`,
            :attr:`shuffle`, :attr:`sampler`, and :attr:`drop_last`.
        num_workers (int, optional): how many subprocesses to use for data loading; ``0``
            means the data is loaded in the main process (default: ``0``).
        collate_fn (Callable, optional): merges a list of samples into a mini-batch
            (default: :func:`default_collate`, or :func:`default_convert` without batching).
        pin_memory (bool, optional): accepted for compatibility. Pinned (page-locked) host
            memory only matters for asynchronous copies to a GPU; corelib's cpu tensors are
            plain numpy memory, so this is a no-op (a warning says so when no GPU is present,
            as PyTorch does).
        drop_last (bool, optional): ``True`` to drop the last incomplete batch when the
            dataset size is not divisible by the batch size (87 samples, batch 8: 10
            iterations with ``drop_last=True``, 11 with ``False``). (default: ``False``)
        timeout (numeric, optional): if positive, the timeout in seconds for collecting a
            batch from workers; exceeding it raises ``RuntimeError``. (default: ``0``)
        worker_init_fn (Callable, optional): called with the worker id in each worker
            process after seeding and before data loading. (default: ``None``)
        multiprocessing_context (str or multiprocessing.context.BaseContext, optional):
            start method ("fork", "spawn", "forkserver") or context for the workers;
            ``None`` uses multiprocessing's default. (default: ``None``)
        generator (corelib.Generator, optional): RNG used by :class:`RandomSampler` and to
            draw the workers' ``base_seed``. (default: ``None``, the default generator)
        prefetch_factor (int, optional, keyword-only): batches loaded in advance by each
            worker; ``2`` when ``num_workers > 0``, must be ``None`` otherwise.
        persistent_workers (bool, optional, keyword-only): if ``True``, workers are not
            shut down after an epoch, so the worker processes and their dataset copies stay
            alive across epochs. (default: ``False``)
        pin_memory_device (str, optional, keyword-only): accepted for compatibility, unused.
        in_order (bool, optional, keyword-only): if ``False``, batches from workers are
            returned as soon as they are ready instead of in sampler order.
            (default: ``True``)

    Worker processes: each worker seeds corelib's default generator and ``random`` with
    ``base_seed + worker_id`` and numpy's global RNG from ``(base_seed, worker_id)``, where
    ``base_seed`` is drawn from corelib's RNG (or :attr:`generator`) at every ``iter()``.
    Random augmentations thus differ across workers and repeat across runs with the same
    ``corelib.manual_seed``. An exception in a worker is re-raised in the main process
    with the worker's traceback; a worker that dies is reported as a ``RuntimeError``.
    Large tensors of a batch travel through shared memory (see NOTE [ Shared memory
    transport of batches ] in ``_utils/shared_memory.py``).

    Example::

        >>> loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, num_workers=2)
        >>> for epoch in range(2):
        ...     for inputs, labels in loader:
        ...         ...
    """

    dataset: Dataset
    batch_size: Optional[int]
    num_workers: int
    pin_memory: bool
    drop_last: bool
    timeout: float
    sampler: Union[Sampler, Iterable]
    pin_memory_device: str
    prefetch_factor: Optional[int]
    _iterator: Optional["_BaseDataLoaderIter"]
    __initialized = False

    def __init__(self, dataset: Dataset, batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None, sampler: Union[Sampler, Iterable, None] = None,
                 batch_sampler: Union[Sampler, Iterable, None] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable] = None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: Optional[int] = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")

        if timeout < 0:
            raise ValueError("timeout option should be non-negative")

        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")

        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        # Arg-check dataset related before checking samplers because we want to tell users
        # that iterable-style datasets are incompatible with custom samplers first.
        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            # NOTE [ Custom Samplers and IterableDataset ]
            #
            # `IterableDataset` does not support custom `batch_sampler` or `sampler`, since
            # the key is irrelevant. For `sampler`, we always use a dummy infinite sampler
            # (`_InfiniteConstantSampler`): the dataset's iterator decides when it ends. With
            # several workers each worker's copy yields its own stream, and a sampler sized
            # like the dataset would cut the data short. A custom `batch_sampler` would only
            # control the batch size, and in multi-process loading the assignment of batches
            # to workers is an implementation detail, so it is disabled too.
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            elif sampler is not None:
                # See NOTE [ Custom Samplers and IterableDataset ]
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            elif batch_sampler is not None:
                # See NOTE [ Custom Samplers and IterableDataset ]
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            # auto_collation with custom batch_sampler
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive "
                                 "with batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            # no auto_collation
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching "
                                 "and is mutually exclusive with drop_last")

        if sampler is None:  # give default samplers
            if self._dataset_kind == _DatasetKind.Iterable:
                # See NOTE [ Custom Samplers and IterableDataset ]
                sampler = _InfiniteConstantSampler()
            else:  # map-style
                if shuffle:
                    sampler = RandomSampler(dataset, generator=generator)
                else:
                    sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            # auto_collation without custom batch_sampler
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            if self._auto_collation:
                collate_fn = _utils.collate.default_collate
            else:
                collate_fn = _utils.collate.default_convert

        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        self._IterableDataset_len_called = None  # See NOTE [ IterableDataset and __len__ ]
        self._iterator = None

        self.check_worker_number_rationality()

    def _get_iterator(self) -> "_BaseDataLoaderIter":
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = python_multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            "multiprocessing_context option "
                            f"should specify a valid start method in {valid_start_methods!r}, but got "
                            f"multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = python_multiprocessing.get_context(multiprocessing_context)

                if not isinstance(multiprocessing_context, python_multiprocessing.context.BaseContext):
                    raise TypeError("multiprocessing_context option should be a valid context "
                                    "object or a string specifying the start method, but got "
                                    f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError("multiprocessing_context can only be used with "
                                 "multi-process loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in (
                "batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self) -> "_BaseDataLoaderIter":
        # With persistent workers the iterator (and its worker processes) is created once
        # per DataLoader and reset at every epoch; otherwise every epoch gets a new one.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # The sampler used by the fetchers: `.batch_sampler` with auto-collation, else `.sampler`.
        if self._auto_collation:
            return self.batch_sampler
        return self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            # NOTE [ IterableDataset and __len__ ]
            #
            # For `IterableDataset`, `__len__` could be inaccurate with naive multi-process
            # loading (each worker yields the whole stream). We trust the user's `__len__`,
            # remember it, and warn if the iterator yields more batches than it announced.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:  # IterableDataset doesn't allow custom sampler or batch_sampler
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        # Warn when more workers are requested than cpus this process may use.
        if self.num_workers <= 0:
            return
        try:
            max_num_worker_suggest = len(os.sched_getaffinity(0))
            cpuset_checked = True
        except Exception:
            max_num_worker_suggest = os.cpu_count()
            cpuset_checked = False
        if max_num_worker_suggest is None:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                "Our suggested max number of worker in current system is unknown, please check "
                "whether the number of worker you create is rational.", stacklevel=2)
            return
        if self.num_workers > max_num_worker_suggest:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our "
                f"suggested max number of worker in current system is {max_num_worker_suggest}"
                f"{' (`cpuset` is not taken into account)' if not cpuset_checked else ''}, which is "
                "smaller than what this DataLoader is going to create. Please be aware that "
                "excessive worker creation might get DataLoader running slow or even freeze, lower "
                "the worker number to avoid potential slowness/freeze if necessary.", stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and not _cuda_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        # pin_memory is a no-op: see the DataLoader docstring.
        self._pin_memory = False
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_base_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self) -> Any:
        if self._sampler_iter is None:
            self._reset()
        data = self._next_data()
        self._num_yielded += 1
        if self._dataset_kind == _DatasetKind.Iterable and \
                self._IterableDataset_len_called is not None and \
                self._num_yielded > self._IterableDataset_len_called:
            warn_msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                        f"{self._IterableDataset_len_called} (when accessing len(dataloader)), but "
                        f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                warn_msg += ("For multiprocessing data-loading, this could be caused by not properly "
                             "configuring the IterableDataset replica at each worker (see "
                             "corelib.utils.data.get_worker_info).")
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self._num_workers != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires num_workers == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def __next__(self):
        # Inlined fast path of _BaseDataLoaderIter.__next__ for map-style datasets.
        if self._dataset_kind == _DatasetKind.Map:
            data = self._dataset_fetcher.fetch(next(self._sampler_iter))
            self._num_yielded += 1
            return data
        return super().__next__()

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        return self._dataset_fetcher.fetch(index)  # may raise StopIteration


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    r"""Iterates with worker processes.

    NOTE [ Data Loader Multiprocessing Shutdown Logic ]

    Each worker has its own index queue; all share one result queue. The main process
    sends ``(task_idx, indices)`` round-robin to the workers, keeps at most
    ``prefetch_factor`` tasks per worker outstanding, and reorders results by ``task_idx``
    so batches come in sampler order.

    Shutdown (end of epoch without persistent workers, ``__del__`` after a ``break`` or
    garbage collection, an error): set ``workers_done_event``, send ``None`` to every
    worker still marked active, join each worker for up to ``MP_STATUS_CHECK_INTERVAL``,
    terminate those still alive (a worker stuck in a slow ``__getitem__``), close the
    queues and the process handles, and remove shared-memory files of unreceived
    batches. Workers check ``done_event`` before fetching, exit on ``None``, and exit by
    themselves when the main process disappears (``ManagerWatchdog``).

    Failure detection: while waiting for data the main process wakes every
    ``MP_STATUS_CHECK_INTERVAL`` seconds and checks that every active worker is alive; a
    dead one raises ``RuntimeError("DataLoader worker (pid(s) ...) exited unexpectedly")``.
    A positive ``timeout`` bounds each wait for a batch.
    """

    def __init__(self, loader):
        super().__init__(loader)

        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order

        if self._num_workers <= 0:
            raise AssertionError("num_workers must be greater than 0 for MultiProcessingDataLoaderIter")
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")

        if loader.multiprocessing_context is None:
            multiprocessing_context = python_multiprocessing.get_context()
        else:
            multiprocessing_context = loader.multiprocessing_context

        self._worker_init_fn = loader.worker_init_fn
        self._shm_prefix = _shm.new_prefix()

        self._index_queues = []
        self._workers = []
        self._worker_result_queue = multiprocessing_context.Queue()
        self._workers_done_event = multiprocessing_context.Event()
        self._shutdown = False
        try:
            for i in range(self._num_workers):
                index_queue = multiprocessing_context.Queue()
                # Need to `cancel_join_thread` here: the main process must never block at
                # exit on putting indices to a worker that died.
                index_queue.cancel_join_thread()
                w = multiprocessing_context.Process(
                    target=_utils.worker._worker_loop,
                    args=(self._dataset_kind, self._dataset, index_queue,
                          self._worker_result_queue, self._workers_done_event,
                          self._auto_collation, self._collate_fn, self._drop_last,
                          self._base_seed, self._worker_init_fn, i, self._num_workers,
                          self._persistent_workers, self._shm_prefix))
                w.daemon = True
                # Only a started worker is recorded, so shutdown never joins an unstarted one.
                self._index_queues.append(index_queue)
                w.start()
                self._workers.append(w)
        except BaseException:
            self._shutdown_workers()
            raise

        self._data_queue = self._worker_result_queue
        _live_iterators.add(self)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # idx of the next task to be sent to workers
        self._rcvd_idx = 0  # idx of the next task to be returned in __next__
        # information about data not yet yielded, i.e., tasks w/ indices in range [rcvd_idx, send_idx).
        # map: task idx => - (worker_id,)        if data isn't fetched (outstanding)
        #                  \ (worker_id, data)   if data is already fetched (out-of-order)
        self._task_info = {}
        self._tasks_outstanding = 0  # always equal to count(v for v in task_info.values() if len(v) == 1)
        # Whether each worker still has work to do in this epoch (False once its
        # IterableDataset copy is exhausted, or once it was shut down).
        self._workers_status = [True for _ in range(self._num_workers)]
        self._workers_num_tasks = [0 for _ in range(self._num_workers)]
        # Reset the worker queue cycle so it resumes next epoch at worker 0
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        # We resume the prefetching in case it was enabled
        if not first_iter:
            for idx in range(self._num_workers):
                self._index_queues[idx].put(_utils.worker._ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    assert return_data is None
                    resume_iteration_cnt -= 1
        # prime the prefetch loop
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _check_workers(self, cause=None):
        failed_workers = []
        for worker_id, w in enumerate(self._workers):
            if self._workers_status[worker_id] and not w.is_alive():
                failed_workers.append(w)
                self._mark_worker_as_unavailable(worker_id)
        if failed_workers:
            pids_str = ", ".join(str(w.pid) for w in failed_workers)
            codes = ", ".join(str(w.exitcode) for w in failed_workers)
            self._shutdown_workers()
            raise RuntimeError(
                f"DataLoader worker (pid(s) {pids_str}) exited unexpectedly (exit code(s) "
                f"{codes}; a negative code is the signal that killed it, e.g. -9 for SIGKILL "
                "when the system ran out of memory)") from cause

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        # Tries to fetch data from `self._data_queue` once for a given timeout; on timeout or
        # error checks whether a worker died (then raises RuntimeError).
        # Returns (whether data was received, the data or None).
        try:
            idx, data = self._data_queue.get(timeout=timeout)
        except Exception as e:
            self._check_workers(e)
            if isinstance(e, queue.Empty):
                return (False, None)
            raise
        return (True, (idx, _shm.unpack(data)))

    def _get_data(self):
        # Fetches data from `self._data_queue`, checking the workers' status every
        # MP_STATUS_CHECK_INTERVAL seconds, within `timeout` when it is positive.
        if self._timeout > 0:
            deadline = time.monotonic() + self._timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
                success, data = self._try_get_data(min(remaining, _utils.MP_STATUS_CHECK_INTERVAL))
                if success:
                    return data
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # If the worker responsible for `self._rcvd_idx` has already ended and was
            # unable to fulfill this task (due to exhausting an `IterableDataset`), we try to
            # advance `self._rcvd_idx` to find the next valid index.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:  # has data or is still active
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                # no valid `self._rcvd_idx` is found (i.e., didn't break)
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            # Now `self._rcvd_idx` is the batch index we want to fetch

            # Check if the next sample has already been generated
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            if self._shutdown:
                raise RuntimeError("this DataLoader iterator was shut down after an error (timeout or "
                                   "a dead worker); start a new epoch with iter(loader)")
            assert self._tasks_outstanding > 0
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable:
                # Check for _IterableDatasetStopIteration
                if isinstance(data, _utils.worker._IterableDatasetStopIteration):
                    if self._persistent_workers:
                        self._workers_status[data.worker_id] = False
                    else:
                        self._mark_worker_as_unavailable(data.worker_id)
                    self._try_put_index()
                    continue

            if idx != self._rcvd_idx:
                if not self._in_order:
                    # don't store it for later, process now
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                # store out-of-order samples
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        assert self._tasks_outstanding < max_tasks

        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # find the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                elif self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(self._workers_status):
                    # when self._in_order is False, distribute work to a worker if it has capacity
                    break
        else:
            # not found (i.e., didn't break)
            return

        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        # Mark a worker as having finished its work (exhausted IterableDataset, died or
        # shutdown) and make it exit by sending `None` (harmless if it is already dead).
        assert self._workers_status[worker_id] or (self._persistent_workers and shutdown)
        q = self._index_queues[worker_id]
        try:
            q.put(None)
        except Exception:
            pass
        self._workers_status[worker_id] = False
        assert self._workers_done_event.is_set() == shutdown

    def _shutdown_workers(self):
        # See NOTE [ Data Loader Multiprocessing Shutdown Logic ].
        if _utils is None or _utils.python_exit_status is True or _utils.python_exit_status is None:
            # Interpreter shutdown: multiprocessing's atexit hook terminates daemonic workers.
            return
        if self._shutdown:
            return
        self._shutdown = True
        workers = getattr(self, "_workers", [])
        try:
            self._workers_done_event.set()
            status = getattr(self, "_workers_status", [True] * len(workers))
            for worker_id in range(len(workers)):
                if self._persistent_workers or status[worker_id]:
                    try:
                        self._index_queues[worker_id].put(None)
                    except Exception:
                        pass
                    status[worker_id] = False
            deadline = time.monotonic() + _utils.MP_STATUS_CHECK_INTERVAL
            for w in workers:
                w.join(timeout=max(0.0, deadline - time.monotonic()))
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            for w in workers:
                if w.is_alive():
                    w.terminate()
            for w in workers:
                if w.exitcode is None:
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
                if w.exitcode is None:  # pragma: no cover - ignores SIGTERM
                    w.kill()
                    w.join()
                try:
                    w.close()
                except Exception:
                    pass
            try:
                self._worker_result_queue.cancel_join_thread()
                self._worker_result_queue.close()
            except Exception:
                pass
            _shm.cleanup(self._shm_prefix)
            _live_iterators.discard(self)

    def __del__(self):
        if hasattr(self, "_shutdown"):
            self._shutdown_workers()
