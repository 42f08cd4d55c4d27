"""Images per second through a typical augmentation pipeline (single process).

RandomResizedCrop(32) -> RandomHorizontalFlip -> ColorJitter(0.2, 0.2, 0.2) -> ToTensor ->
Normalize, on 64x64 RGB PIL images::

    python benchmarks/bench_transforms.py [--n 2000] [--repeat 3]
"""
import argparse
import time

import numpy as np
from PIL import Image


def pipeline():
    from corelib import transforms as T
    return T.Compose([
        T.RandomResizedCrop(32),
        T.RandomHorizontalFlip(),
        T.ColorJitter(0.2, 0.2, 0.2),
        T.ToTensor(),
        T.Normalize((0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261)),
    ])


def bench_transforms(n=2000, repeat=3, size=64, seed=0):
    """Best-of-``repeat`` images/s of :func:`pipeline` over ``n`` random size x size images."""
    import corelib.random
    rng = np.random.default_rng(seed)
    images = [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
              for _ in range(min(n, 256))]
    t = pipeline()
    corelib.random.manual_seed(seed)
    for img in images[:20]:  # warm-up
        t(img)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for k in range(n):
            t(images[k % len(images)])
        best = min(best, time.perf_counter() - start)
    return n / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ips = bench_transforms(args.n, args.repeat)
    print(pipeline())
    print(f"augmentation pipeline, 64x64 PIL -> 3x32x32 tensor, 1 process: {ips:,.0f} images/s "
          f"({1e6 / ips:.1f} us/image)")


if __name__ == "__main__":
    main()
