"""Loggers bundle benchmark: caller-visible cost of SummaryWriter calls, and the writer's cost.

    .venv/bin/python benchmarks/bench_loggers.py

Prints microseconds per add_scalar call and per 256x256 RGB add_image call as seen by the
caller (the writer thread does the framing, CRC-32C, PNG encoding and I/O), then the time until
flush() has everything on disk, and the CRC-32C speeds of both implementations.
"""
import os
import tempfile
import time

import numpy as np

from corelib_loggers._crc32c import crc32c_numba, crc32c_py
from corelib_loggers.writer import SummaryWriter


def bench(n_scalars=20000, n_images=50):
    rng = np.random.default_rng(0)
    img = rng.random((3, 256, 256)).astype(np.float32)
    crc32c_numba(b"warm up the numba kernel (compile or load its cache)")
    with tempfile.TemporaryDirectory() as d:
        w = SummaryWriter(d)
        w.add_scalar("warm", 0.0, 0)
        w.add_image("warm", img, 0)
        w.flush()

        t0 = time.perf_counter()
        for i in range(n_scalars):
            w.add_scalar("train/loss", 1.0 / (i + 1), i)
        t1 = time.perf_counter()
        w.flush()
        t2 = time.perf_counter()
        print(f"add_scalar: {(t1 - t0) / n_scalars * 1e6:7.2f} us/call caller-visible; "
              f"{(t2 - t0) / n_scalars * 1e6:7.2f} us/call until flushed to disk")

        t0 = time.perf_counter()
        for i in range(n_images):
            w.add_image("img", img, i)
        t1 = time.perf_counter()
        w.flush()
        t2 = time.perf_counter()
        print(f"add_image 3x256x256 float32: {(t1 - t0) / n_images * 1e6:8.1f} us/call "
              f"caller-visible; {(t2 - t0) / n_images * 1e3:6.2f} ms/call until flushed")

        x = rng.normal(size=100_000)
        t0 = time.perf_counter()
        for i in range(20):
            w.add_histogram("h", x, i)
        t1 = time.perf_counter()
        w.flush()
        t2 = time.perf_counter()
        print(f"add_histogram 100k values: {(t1 - t0) / 20 * 1e6:8.1f} us/call caller-visible; "
              f"{(t2 - t0) / 20 * 1e3:6.2f} ms/call until flushed")
        w.close()
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print(f"event file: {size / 1e6:.1f} MB")

    data = os.urandom(1 << 20)
    for name, fn in (("pure Python", crc32c_py), ("numba", crc32c_numba)):
        best = min(_time(fn, data) for _ in range(3))
        print(f"crc32c {name:11s}: {best * 1e3:7.2f} ms/MiB")
    small = os.urandom(100)
    n = 20000
    t0 = time.perf_counter()
    for _ in range(n):
        crc32c_py(small)
    print(f"crc32c pure Python, 100 B: {(time.perf_counter() - t0) / n * 1e6:.2f} us")


def _time(fn, data):
    t0 = time.perf_counter()
    fn(data)
    return time.perf_counter() - t0


if __name__ == "__main__":
    bench()
