"""The worker loop run in each DataLoader worker process, and ``get_worker_info``
(as ``torch.utils.data._utils.worker``)."""
import os
import queue
import random
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from corelib.utils.data import _utils
from corelib.utils.data._utils import ExceptionWrapper, IS_WINDOWS, MP_STATUS_CHECK_INTERVAL


class ManagerWatchdog:
    r"""Tells a worker whether the process that started it is still alive."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            # A re-parented process (parent died) sees another parent pid.
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info: Optional["WorkerInfo"] = None


class WorkerInfo:
    r"""Information about the current DataLoader worker process.

    Attributes:
        id (int): the worker id, in ``[0, num_workers)``.
        num_workers (int): the number of workers.
        seed (int): the random seed of this worker (``base_seed + id``); corelib's default
            generator, ``random`` and numpy's global RNG are seeded from it.
        dataset: this process's copy of the dataset object.
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info() -> Optional[WorkerInfo]:
    r"""Return information about the current DataLoader worker process, or ``None`` in
    the main process.

    Use it in an :class:`~corelib.utils.data.IterableDataset`'s ``__iter__`` or in a
    ``worker_init_fn`` to split the work or configure each dataset copy differently:
    ``id``, ``num_workers``, ``seed`` and ``dataset`` (this worker's copy).
    """
    return _worker_info


r"""Dummy class used to signal the end of an IterableDataset"""


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


r"""Dummy class used to resume the fetching when worker reuse is enabled"""


@dataclass(frozen=True)
class _ResumeIteration:
    seed: Optional[int] = None


def _generate_state(base_seed, worker_id):
    r"""numpy's global seed for a worker: a SeedSequence of (worker_id, base_seed), so
    numpy streams of different workers and different base seeds are independent."""
    return np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32]).generate_state(4)


def _seed_worker(seed, base_seed, worker_id):
    random.seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    import corelib
    corelib.manual_seed(seed)


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event,
                 auto_collation, collate_fn, drop_last, base_seed, init_fn, worker_id,
                 num_workers, persistent_workers, shm_prefix):
    # See NOTE [ Data Loader Multiprocessing Shutdown Logic ] in dataloader.py.
    try:
        import signal
        # The main process raises KeyboardInterrupt; workers just stop with it.
        if not IS_WINDOWS:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        seed = base_seed + worker_id
        _seed_worker(seed, base_seed, worker_id)

        from corelib.utils.data._utils.fetch import _DatasetKind
        from corelib.utils.data._utils.shared_memory import _Packer

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        packer = _Packer(shm_prefix, worker_id)

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        # When using Iterable mode, some workers can exit earlier than others because
        # their dataset copy is exhausted; `iteration_end` marks that, and the worker then
        # waits for the `None` from the main process (it must not exit before then: its
        # results may still sit in the queue's feeder thread).
        iteration_end = False
        watchdog = ManagerWatchdog()

        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, _ResumeIteration):
                # Acknowledge the main process, then start the new epoch afresh.
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            elif r is None:
                # Received the final signal
                assert done_event.is_set() or iteration_end
                break
            elif done_event.is_set() or iteration_end:
                # `done_event` is set. But I haven't received the final signal (None) yet.
                # Keep looping until it is received; skip the fetching.
                continue
            idx, index = r
            data: Union[_IterableDatasetStopIteration, ExceptionWrapper, object]
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = packer.pack(fetcher.fetch(index))
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        # Set `iteration_end` so that we stop fetching and only wait for
                        # the final signal / a resume.
                        iteration_end = True
                    else:
                        # It is important that we don't store exc_info in a variable.
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r  # save memory
    except KeyboardInterrupt:
        # Main process will raise KeyboardInterrupt anyways.
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
