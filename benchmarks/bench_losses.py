"""Loss benchmarks: corelib vs PyTorch, forward + backward, one run (ratio = corelib / torch).

    .venv/bin/python benchmarks/bench_losses.py

Targets (issue 5): cross-entropy on 512x1000 logits <= 1.5x, CTC (T=50, N=16, C=20, S=30) <= 3x.
Both libraries run interleaved on the same machine and the best of several repeats counts,
so a busy machine shifts both alike. torch is a benchmark-only oracle here.
"""
import time

import numpy as np

import corelib as cl
from corelib_losses import functional as F


def best_ms(fn, repeats=7, number=40):
    for _ in range(5):
        fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t) / number)
    return best * 1e3


def main():
    import torch
    import torch.nn.functional as TF
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((512, 1000)).astype(np.float32)
    ys = rng.integers(0, 1000, 512)
    x, y = cl.tensor(xs, requires_grad=True), cl.tensor(ys)
    xt, yt = torch.tensor(xs, requires_grad=True), torch.tensor(ys)

    def ce():
        F.cross_entropy(x, y).backward()
        x.grad = None

    def ce_t():
        TF.cross_entropy(xt, yt).backward()
        xt.grad = None

    T, N, C, S = 50, 16, 20, 30
    lps = torch.tensor(rng.standard_normal((T, N, C)).astype(np.float32)).log_softmax(2).numpy()
    tg = rng.integers(1, C, (N, S))
    il = tuple([T] * N)
    tl = tuple(int(v) for v in rng.integers(10, 25, N))
    lp = cl.tensor(lps, requires_grad=True)
    lpt = torch.tensor(lps, requires_grad=True)
    tgc, tgt = cl.tensor(tg), torch.tensor(tg)

    def ctc():
        F.ctc_loss(lp, tgc, il, tl).backward()
        lp.grad = None

    def ctc_t():
        TF.ctc_loss(lpt, tgt, il, tl).backward()
        lpt.grad = None

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, a, b, target in (("cross_entropy 512x1000 fwd+bwd", ce, ce_t, 1.5),
                               ("ctc T=50 N=16 C=20 S=30 fwd+bwd", ctc, ctc_t, 3.0)):
        ours, theirs = [], []
        for _ in range(3):                    # interleave: machine load affects both alike
            ours.append(best_ms(a))
            theirs.append(best_ms(b))
        o, t = min(ours), min(theirs)
        flag = "ok" if o / t <= target else "over target"
        print(f"{name:34s} corelib {o:7.3f} ms  torch {t:7.3f} ms  ratio {o / t:5.2f}x "
              f"(target <= {target}x: {flag})")


if __name__ == "__main__":
    main()
