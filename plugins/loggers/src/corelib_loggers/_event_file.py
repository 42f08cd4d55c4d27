"""TFRecord framing and the asynchronous event-file writer.

Callers hand over finished Event bytes, or a zero-argument callable that builds them (images and
histograms are encoded on the writer thread from a private copy of the data), and return at
once: the queue is unbounded, so a training step never waits for file I/O. A single daemon
thread frames each record (masked CRC-32C of the length and of the payload), writes it, and
flushes the file every ``max_queue`` records or ``flush_secs`` seconds, or when ``flush()``
asks and waits. An error on the thread is raised again by the next add/flush/close.
"""
import os
import queue
import socket
import struct
import threading
import time
import itertools
import atexit
import weakref

from . import _proto
from ._crc32c import masked_crc32c

_pack_len = struct.Struct("<Q").pack
_pack_crc = struct.Struct("<I").pack
_uid = itertools.count()
_uid_lock = threading.Lock()
_open_writers = weakref.WeakSet()


@atexit.register
def _close_all():                                  # a writer never closed still gets its data out
    for w in list(_open_writers):
        try:
            w.close()
        except Exception:                           # pragma: no cover
            pass


def frame(data):
    """One TFRecord: len (u64 LE) | masked crc32c(len) | data | masked crc32c(data)."""
    header = _pack_len(len(data))
    return header + _pack_crc(masked_crc32c(header)) + data + _pack_crc(masked_crc32c(data))


class _Sync:
    __slots__ = ("done", "close")

    def __init__(self, close=False):
        self.done = threading.Event()
        self.close = close


class EventFileWriter:
    """Writes framed Event records to ``<logdir>/events.out.tfevents.<time>.<host>.<pid>.<n><suffix>``."""

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=""):
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        with _uid_lock:
            uid = next(_uid)
        name = "events.out.tfevents.%010d.%s.%s.%s" % (
            time.time(), socket.gethostname(), os.getpid(), uid)
        self._path = os.path.join(self._logdir, name + str(filename_suffix))
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = float(flush_secs)
        self._file = open(self._path, "wb")
        self._file.write(frame(_proto.event(time.time(), file_version="brain.Event:2")))
        self._file.flush()
        self._queue = queue.SimpleQueue()
        self._error = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="corelib-tb-writer", daemon=True)
        self._thread.start()
        _open_writers.add(self)

    @property
    def path(self):
        return self._path

    def get_logdir(self):
        return self._logdir

    def _check(self):
        if self._error is not None:
            err, self._error = self._error, None
            raise RuntimeError(f"SummaryWriter background thread failed writing {self._path}: "
                               f"{err!r}") from err

    def add_event(self, item):
        """Queue Event bytes (or a callable returning them); never blocks on I/O."""
        if self._closed:
            raise RuntimeError(f"the event file writer for {self._logdir!r} is closed; "
                               "create a new SummaryWriter (or call its methods before close())")
        self._check()
        self._queue.put(item)

    def flush(self):
        """Wait until everything queued so far is written and flushed to the OS."""
        if self._closed:
            return
        sync = _Sync()
        self._queue.put(sync)
        sync.done.wait()
        self._check()

    def close(self):
        if self._closed:
            return
        sync = _Sync(close=True)
        self._queue.put(sync)
        sync.done.wait()
        self._thread.join()
        self._closed = True
        _open_writers.discard(self)
        self._check()

    def _run(self):
        f = self._file
        pending = 0
        deadline = time.monotonic() + self._flush_secs
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if isinstance(item, _Sync):
                try:
                    f.flush()
                    if item.close:
                        f.close()
                except Exception as e:           # pragma: no cover - disk errors
                    self._error = e
                pending = 0
                deadline = time.monotonic() + self._flush_secs
                item.done.set()
                if item.close:
                    return
                continue
            if item is not None:
                try:
                    data = item() if callable(item) else item
                    f.write(frame(data))
                    pending += 1
                except Exception as e:
                    self._error = e
            if pending >= self._max_queue or time.monotonic() >= deadline:
                try:
                    f.flush()
                except Exception as e:           # pragma: no cover
                    self._error = e
                pending = 0
                deadline = time.monotonic() + self._flush_secs
