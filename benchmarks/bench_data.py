"""DataLoader overhead per batch, corelib vs PyTorch, and images/s through Digits.

    .venv/bin/python benchmarks/bench_data.py [--repeat 5]

1. The DataLoader's own cost: one epoch over the same in-memory TensorDataset
   (10000 x 32 float32 + int64 labels, batch 64, 157 batches) with num_workers=0 and 2,
   timed in this one run for corelib and (when installed) torch; printed as microseconds
   per batch and the ratio corelib/torch (target: <= 1.5). Worker start-up is included
   for num_workers=2, as a user's epoch would see it (no persistent workers).
2. Images per second through Digits with a ToTensor + Normalize pipeline, 0 and 2
   workers, when the transforms bundle (corelib.transforms) is installed.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import corelib
from corelib.utils.data import DataLoader, TensorDataset

N, D, BATCH = 10000, 32, 64


def _epoch_time(loader, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = 0
        for _batch in loader:
            n += 1
        best = min(best, time.perf_counter() - t0)
    return best, n


def _torch_times(repeat):
    """torch's epoch times for 0 and 2 workers, measured in this (fresh) process."""
    import torch
    from torch.utils.data import DataLoader as TDataLoader, TensorDataset as TTensorDataset
    torch.set_num_threads(1)
    x = np.random.default_rng(0).standard_normal((N, D)).astype(np.float32)
    y = np.arange(N, dtype=np.int64) % 10
    theirs = TTensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    return {w: _epoch_time(TDataLoader(theirs, batch_size=BATCH, shuffle=True, num_workers=w),
                           repeat)[0] for w in (0, 2)}


def bench_overhead(repeat):
    import importlib.util
    import subprocess
    x = np.random.default_rng(0).standard_normal((N, D)).astype(np.float32)
    y = np.arange(N, dtype=np.int64) % 10
    ours = TensorDataset(corelib.from_numpy(x), corelib.from_numpy(y))
    # NOTE: torch runs in its own process: after one library's DataLoader has run, the other's
    # worker processes start ~80 ms late in the same process.
    t_ours = {w: _epoch_time(DataLoader(ours, batch_size=BATCH, shuffle=True, num_workers=w),
                             repeat) for w in (0, 2)}
    t_theirs = None
    if importlib.util.find_spec("torch") is not None:
        r = subprocess.run([sys.executable, __file__, "--torch-worker", "--repeat", str(repeat)],
                           capture_output=True, text=True, check=True)
        t_theirs = {int(k): float(v) for k, v in (kv.split(":") for kv in r.stdout.split())}
    print(f"DataLoader overhead: TensorDataset {N}x{D} float32, batch {BATCH}, shuffle=True, "
          f"best of {repeat} epochs")
    print(f"{'num_workers':>11} {'corelib us/batch':>17} {'torch us/batch':>15} {'ratio':>7}")
    ratios = {}
    for workers in (0, 2):
        t, n = t_ours[workers]
        line = f"{workers:>11} {1e6 * t / n:>17.1f}"
        if t_theirs is not None:
            ratios[workers] = t / t_theirs[workers]
            line += f" {1e6 * t_theirs[workers] / n:>15.1f} {ratios[workers]:>7.2f}"
        else:
            line += f" {'-':>15} {'-':>7}"
        print(line)
    return ratios


def bench_digits(repeat):
    try:
        from corelib import datasets, transforms
        pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
        ds = datasets.Digits(train=True, transform=pipeline)
    except (ImportError, AttributeError) as e:
        print(f"Digits pipeline: skipped ({e})")
        return
    print(f"Digits (1438 images) + ToTensor + Normalize, batch {BATCH}:")
    for workers in (0, 2):
        t, _ = _epoch_time(DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=workers), repeat)
        print(f"  num_workers={workers}: {len(ds) / t:10.0f} images/s")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.torch_worker:
        print(" ".join(f"{w}:{t}" for w, t in _torch_times(args.repeat).items()))
        return
    bench_overhead(args.repeat)
    bench_digits(max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
