"""Picklable datasets and functions for the DataLoader worker tests (importable by name
from spawn-started workers)."""
import os
import random
import signal
import time

import numpy as np

import corelib
from corelib.utils.data import Dataset, IterableDataset, get_worker_info


class RangeDataset(Dataset):
    def __init__(self, n, shape=(3,)):
        self.n, self.shape = n, shape

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(self.shape, i, dtype=np.float32), i


class RandomDataset(Dataset):
    """Each sample draws from corelib's RNG, numpy's global RNG and `random`."""

    def __len__(self):
        return 16

    def __getitem__(self, i):
        from corelib.random import numpy_rng
        return (float(numpy_rng().random()), float(np.random.rand()), random.random(),
                get_worker_info().id if get_worker_info() else -1)


class RaisingDataset(Dataset):
    def __len__(self):
        return 20

    def __getitem__(self, i):
        if i == 7:
            raise ValueError("bad sample 7")
        return i


class KeyErrorDataset(RaisingDataset):
    def __getitem__(self, i):
        if i == 3:
            raise KeyError("missing key")
        return i


class KillDataset(Dataset):
    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i == 10:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class SlowDataset(Dataset):
    def __init__(self, delay=30.0):
        self.delay = delay

    def __len__(self):
        return 10

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


class SplitIterable(IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


class PidDataset(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return os.getpid()


def record_init(worker_id):
    os.environ["CORELIB_TEST_INIT"] = str(worker_id)


class InitCheckDataset(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return int(os.environ.get("CORELIB_TEST_INIT", "-1"))


def bad_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


class BigDataset(Dataset):
    """Samples of 64 KiB so that batches go through shared memory."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        return corelib.from_numpy(np.full((128, 128), i, dtype=np.float32))
