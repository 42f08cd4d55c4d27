"""Core benchmark (issue 2): per-op autograd overhead, matmul fwd+bwd, import time.

    python benchmarks/bench_core.py          # ratios corelib / torch, measured in one run

(a) a chain of 100 elementwise ops on a 16x16 tensor, forward + backward, us per op;
(b) 1024x1024 float32 matmul forward + backward, against torch and against the same three
    products done in plain numpy; (c) `import corelib` vs `import numpy` in fresh processes.
"""
import statistics
import subprocess
import sys
import time

import numpy as np

import corelib as cl

try:
    import torch
except ImportError:
    torch = None


def best(fn, reps=7, inner=1):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner)
    return statistics.median(ts)


def chain(lib, x):
    y = x
    for i in range(25):
        y = y * 1.01
        y = y + x
        y = y.tanh()
        y = y - 0.5
    return y.sum()


def bench_chain():
    xa = np.random.default_rng(0).standard_normal((16, 16)).astype(np.float32)
    x = cl.tensor(xa, requires_grad=True)

    def run_cl():
        x.grad = None
        chain(cl, x).backward()
    t_cl = best(run_cl, inner=20) / 100 * 1e6
    t_t = None
    if torch is not None:
        xt = torch.tensor(xa, requires_grad=True)

        def run_t():
            xt.grad = None
            chain(torch, xt).backward()
        t_t = best(run_t, inner=20) / 100 * 1e6
    return t_cl, t_t


def bench_matmul():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    ta, tb = cl.tensor(a, requires_grad=True), cl.tensor(b, requires_grad=True)
    g = np.ones((1024, 1024), np.float32)
    gt = cl.from_numpy(g)

    def run_cl():
        ta.grad = tb.grad = None
        (ta @ tb).backward(gt)

    def run_np():
        c = a @ b
        ga = g @ b.T
        gb = a.T @ g
        return c, ga, gb
    cl_t, np_t = [], []
    for _ in range(7):                      # interleaved, so machine noise hits both alike
        cl_t.append(best(run_cl, reps=1))
        np_t.append(best(run_np, reps=1))
    t_cl, t_np = statistics.median(cl_t), statistics.median(np_t)
    t_t = None
    if torch is not None:
        xa, xb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        gt = torch.ones(1024, 1024)

        def run_t():
            xa.grad = xb.grad = None
            (xa @ xb).backward(gt)
        t_t = best(run_t, reps=5)
    return t_cl, t_np, t_t


def bench_import():
    def t(stmt):
        vals = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True)
            vals.append(time.perf_counter() - t0)
        return statistics.median(vals)
    base = t("pass")
    return t("import numpy") - base, t("import corelib") - base


def main():
    import os
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}  torch={'yes' if torch else 'no'}")
    c, tt = bench_chain()
    print(f"(a) elementwise chain, 16x16, fwd+bwd: corelib {c:.2f} us/op"
          + (f", torch {tt:.2f} us/op, ratio {c / tt:.2f}x (target <= 2.5x)" if tt else ""))
    m, n, tm = bench_matmul()
    print(f"(b) matmul 1024 fwd+bwd: corelib {m * 1e3:.1f} ms, numpy products {n * 1e3:.1f} ms, "
          f"ratio to numpy {m / n:.2f}x (target <= 1.1x)"
          + (f", torch {tm * 1e3:.1f} ms, ratio to torch {m / tm:.2f}x" if tm else ""))
    inp, icl = bench_import()
    print(f"(c) import numpy {inp * 1e3:.0f} ms, import corelib {icl * 1e3:.0f} ms, "
          f"extra {(icl - inp) * 1e3:.0f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
