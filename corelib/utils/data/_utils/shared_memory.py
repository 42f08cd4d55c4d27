"""Moving batches from worker processes to the main process.

NOTE [ Shared memory transport of batches ]

A worker ``pack``s each batch before putting it on the result queue: every cpu tensor or
numpy array of at least ``SHARED_MEMORY_THRESHOLD`` bytes is written into a fresh file on
the shared-memory filesystem (``/dev/shm``) and replaced by a small ``_ShmArray`` handle;
smaller tensors are replaced by a ``_TensorBox`` holding their numpy array (pickled
through the pipe, cheaper than shared memory for small data). The main process
``unpack``s as soon as it receives a batch: it opens the file, maps it, unlinks it at once
and closes the descriptor, so the only thing keeping the memory alive is the mapping,
owned by the numpy array the rebuilt tensor wraps (``corelib.from_numpy`` on a view of the
mapping, no copy). The mapping, hence the memory, is released when the last tensor or array
using it is garbage-collected.

Files are named ``<prefix>_w<worker>_<n>`` with a prefix unique to one DataLoader iterator;
when the iterator shuts its workers down it removes any file still carrying its prefix
(batches a worker produced but the main process never received), so nothing is left in
``/dev/shm`` after an epoch, a ``break`` or garbage collection. Where ``/dev/shm`` does not
exist (Windows, macOS) every batch is pickled.
"""
import collections.abc
import glob
import itertools
import mmap
import os

import numpy as np

from corelib.utils.data import _utils

_SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class _TensorBox:
    """A small cpu tensor in transit (its numpy array is pickled)."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array


class _ShmArray:
    """A handle to a tensor/array written into a shared-memory file by a worker."""
    __slots__ = ("path", "shape", "dtype", "is_tensor")

    def __init__(self, path, shape, dtype, is_tensor):
        self.path, self.shape, self.dtype, self.is_tensor = path, shape, dtype, is_tensor

    def __getstate__(self):
        return (self.path, self.shape, self.dtype, self.is_tensor)

    def __setstate__(self, state):
        self.path, self.shape, self.dtype, self.is_tensor = state


class _Packer:
    """Worker side: replaces tensors/arrays in a batch by boxes or shared-memory handles."""

    def __init__(self, prefix, worker_id, threshold=None):
        self.prefix = f"{prefix}_w{worker_id}_" if prefix else None
        self.counter = itertools.count()
        self.threshold = _utils.SHARED_MEMORY_THRESHOLD if threshold is None else threshold
        try:
            from corelib._tensor import Tensor
        except ImportError:  # pragma: no cover
            Tensor = ()
        self.Tensor = Tensor

    def _to_shm(self, arr, is_tensor):
        arr = np.ascontiguousarray(arr)
        path = f"{_SHM_DIR}/{self.prefix}{next(self.counter)}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(arr.reshape(-1).view(np.uint8))
            written = 0
            while written < len(view):
                written += os.write(fd, view[written:])
        except BaseException:
            os.close(fd)
            os.unlink(path)
            raise
        os.close(fd)
        return _ShmArray(path, arr.shape, arr.dtype, is_tensor)

    def pack(self, data):
        if isinstance(data, self.Tensor):
            if type(data) is not self.Tensor or data.requires_grad \
                    or getattr(data.device, "type", "cpu") != "cpu" or not hasattr(data, "_data"):
                return data
            arr = data._data
            if self.prefix and _SHM_DIR and arr.nbytes >= self.threshold:
                return self._to_shm(arr, True)
            return _TensorBox(arr)
        if isinstance(data, np.ndarray):
            if self.prefix and _SHM_DIR and data.nbytes >= self.threshold and data.dtype.kind not in "OSUV":
                return self._to_shm(data, False)
            return data
        if isinstance(data, (str, bytes)) or not data:
            return data
        if isinstance(data, list):
            return [self.pack(d) for d in data]
        if isinstance(data, tuple):
            if hasattr(data, "_fields"):
                return type(data)(*(self.pack(d) for d in data))
            if type(data) is tuple:
                return tuple(self.pack(d) for d in data)
            return data
        if isinstance(data, dict):
            try:
                clone = data.copy()
                clone.update({k: self.pack(v) for k, v in data.items()})
                return clone
            except Exception:
                return data
        return data


def _open_shm(h):
    fd = os.open(h.path, os.O_RDWR)
    try:
        os.unlink(h.path)
        nbytes = int(np.prod(h.shape, dtype=np.int64)) * h.dtype.itemsize
        if nbytes == 0:
            return np.empty(h.shape, h.dtype)
        mm = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)
    # The array keeps the mmap alive (buffer export); the mapping is freed with it.
    return np.frombuffer(mm, dtype=h.dtype).reshape(h.shape)


def unpack(data):
    """Main side: rebuild tensors from boxes and shared-memory handles (see the NOTE above)."""
    t = type(data)
    if t is _TensorBox:
        from corelib import from_numpy
        return from_numpy(data.array)
    if t is _ShmArray:
        arr = _open_shm(data)
        if data.is_tensor:
            from corelib import from_numpy
            return from_numpy(arr)
        return arr
    if t is list:
        return [unpack(d) for d in data]
    if t is tuple:
        return tuple(unpack(d) for d in data)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return t(*(unpack(d) for d in data))
    if isinstance(data, dict):
        clone = data.copy()
        clone.update({k: unpack(v) for k, v in data.items()})
        return clone
    return data


def cleanup(prefix):
    """Remove shared-memory files a worker wrote for this iterator that were never received."""
    if not (_SHM_DIR and prefix):
        return
    for path in glob.glob(f"{_SHM_DIR}/{glob.escape(prefix)}_w*"):
        try:
            os.unlink(path)
        except OSError:
            pass


def new_prefix():
    return f"corelib_dl_{os.getpid()}_{next(_prefix_counter)}_{os.urandom(4).hex()}"


_prefix_counter = itertools.count()
