"""Optimizer step speed, corelib vs PyTorch (CPU), as ratios measured in one run.

    .venv/bin/python benchmarks/bench_optim.py [--repeat 200]

Cases: Adam's step over a 1M-parameter model (4 tensors of 250k), SGD-momentum's step over the
same; when the layers and losses bundles are installed, also a full training step of a
784-256-10 MLP (batch 64, SGD momentum, cross-entropy) and of LeNet-5 (input 64x3x32x32).
Targets: Adam <= 1.5x, MLP <= 1.25x, LeNet <= 1.5x.
"""
import argparse
import time

import numpy as np


def _best(fn, repeat, warmup=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def bench_step(name, kw, repeat):
    import torch

    import corelib
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(250_000).astype(np.float32) for _ in range(4)]
    grads = [rng.standard_normal(250_000).astype(np.float32) * 1e-2 for _ in range(4)]
    cp = [corelib.tensor(d.copy(), requires_grad=True) for d in data]
    tp = [torch.tensor(d.copy(), requires_grad=True) for d in data]
    for p, q, g in zip(cp, tp, grads):
        p.grad, q.grad = corelib.tensor(g), torch.tensor(g)
    co = getattr(corelib.optim, name)(cp, **kw)
    to = getattr(torch.optim, name)(tp, **kw)
    tc = _best(co.step, repeat)
    tt = _best(to.step, repeat)
    return tc, tt


def _build(lib, case):
    m = lib.nn
    if case == "mlp":
        return m.Sequential(m.Linear(784, 256), m.ReLU(), m.Linear(256, 10)), (64, 784)
    return (m.Sequential(m.Conv2d(3, 6, 5), m.ReLU(), m.MaxPool2d(2), m.Conv2d(6, 16, 5),
                         m.ReLU(), m.MaxPool2d(2), m.Flatten(), m.Linear(400, 120), m.ReLU(),
                         m.Linear(120, 84), m.ReLU(), m.Linear(84, 10)), (64, 3, 32, 32))


def time_training(libname, case, repeat):
    """One library's full training step (zero_grad, forward, loss, backward, SGD step)."""
    import importlib
    lib = importlib.import_module(libname)
    net, shape = _build(lib, case)
    rng = np.random.default_rng(0)
    xb = lib.tensor(rng.standard_normal(shape).astype(np.float32))
    yb = lib.tensor(rng.integers(0, 10, 64))
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    crit = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        crit(net(xb), yb).backward()
        opt.step()
    return _best(step, repeat)


def bench_training(repeat, processes=5):
    # NOTE: each library runs in its own process: torch's OpenMP threads keep spinning after
    # its ops and would slow whatever runs next in the same process on a 2-core machine.
    import subprocess
    import sys
    try:
        import corelib.nn as nn
        nn.Linear, nn.CrossEntropyLoss, nn.Conv2d    # noqa: B018 (need the bundles)
    except (AttributeError, ImportError):
        return []
    # Five fresh processes per library, interleaved; best and median reported (one process is
    # not a measurement here: the same torch step varies by 2x between processes).
    out = []
    for label, case in [("MLP 784-256-10 step", "mlp"), ("LeNet-5 step", "lenet")]:
        runs = {"corelib": [], "torch": []}
        for _ in range(processes):
            for lib in runs:
                r = subprocess.run([sys.executable, __file__, "--worker", lib, case, str(repeat)],
                                   capture_output=True, text=True, check=True)
                runs[lib].append(float(r.stdout.split()[-1]))
        out.append((label, min(runs["corelib"]), min(runs["torch"]),
                    float(np.median(runs["corelib"])), float(np.median(runs["torch"]))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--worker", nargs=3, metavar=("LIB", "CASE", "REPEAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        lib, case, repeat = args.worker
        print(time_training(lib, case, int(repeat)))
        return
    import torch
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    rows = [("Adam step, 1M params", *bench_step("Adam", dict(lr=1e-3), args.repeat)),
            ("SGD momentum step, 1M params", *bench_step("SGD", dict(lr=1e-3, momentum=0.9), args.repeat))]
    rows += bench_training(args.repeat)
    print(f"{'case':34s} {'corelib ms':>11s} {'torch ms':>9s} {'ratio':>6s}")
    for label, tc, tt, *med in rows:
        extra = (f"   (medians {med[0] * 1e3:.3f} / {med[1] * 1e3:.3f} = {med[0] / med[1]:.2f})"
                 if med else "")
        print(f"{label:34s} {tc * 1e3:11.3f} {tt * 1e3:9.3f} {tc / tt:6.2f}{extra}")


if __name__ == "__main__":
    main()
