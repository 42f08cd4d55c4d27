"""corelib on a real NVIDIA GPU vs PyTorch CUDA (same run, same GPU).

    python benchmarks/cuda.py

Prints a clear message and exits 0 when no CUDA GPU is present (the simulator is not a GPU).
Measures: 4096x4096 float32 matmul; an elementwise op at 64M elements as a fraction of the
device memory bandwidth (PyTorch's copy bandwidth when torch is present, else the elementwise
op's own); conv2d forward+backward (if corelib.nn.functional.conv2d exists); a LeNet training
step at batch 256 (if the layers/losses/optim bundles are installed).
"""
import os
import sys
import time

# Trap: run as a script, this folder is sys.path[0], and benchmarks/cuda.py would shadow NVIDIA's
# `cuda` package (cuda-python), which numba-cuda imports: corelib would then see no GPU.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


def _gpu():
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return None
    import corelib
    if not corelib.cuda.is_available():
        return None
    return corelib.cuda.get_device_name()


def bench(fn, sync, reps=10, warm=2):
    for _ in range(warm):
        fn()
    sync()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    sync()
    return (time.perf_counter() - t) / reps


def lenet_step(batch=256):
    """One SGD training step of LeNet-5 on a fixed random cuda batch (also profiled by
    cuda_probe.py)."""
    import corelib as cl
    import corelib.nn as nn
    import corelib.optim as optim
    net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(),
                        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)).to("cuda")
    opt = optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    xb = cl.randn(batch, 1, 28, 28, device="cuda")
    yb = cl.randint(0, 10, (batch,), device="cuda")

    def step():
        opt.zero_grad()
        loss_fn(net(xb), yb).backward()
        opt.step()
    return step


def main():
    name = _gpu()
    if name is None:
        print("no CUDA GPU: corelib.cuda.is_available() is False (or NUMBA_ENABLE_CUDASIM=1); "
              "nothing to benchmark.")
        return 0
    import corelib as cl
    try:
        import torch
        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    csync = cl.cuda.synchronize
    tsync = (lambda: torch.cuda.synchronize()) if torch else None
    print(f"GPU: {name}; torch CUDA: {'yes ' + torch.__version__ if torch else 'no'}")

    def row(label, ct, tt, extra=""):
        ratio = f"{ct / tt:6.2f}x torch" if tt else ""
        print(f"{label:34s} corelib {ct * 1e3:9.2f} ms  " +
              (f"torch {tt * 1e3:9.2f} ms  {ratio}" if tt else "") + extra)

    # matmul 4096^2
    n = 4096
    a = cl.randn(n, n, device="cuda")
    b = cl.randn(n, n, device="cuda")
    ct = bench(lambda: a @ b, csync, reps=5)
    tt = None
    if torch:
        ta, tb = torch.randn(n, n, device="cuda"), torch.randn(n, n, device="cuda")
        tt = bench(lambda: ta @ tb, tsync, reps=5)
    row("matmul 4096x4096 f32", ct, tt, f"  ({2 * n ** 3 / ct / 1e12:.2f} TFLOP/s)")

    # elementwise at 64M elements: y = x * 2 + ... one read + one write
    m = 64 * 1024 * 1024
    x = cl.randn(m, device="cuda")
    ct = bench(lambda: x * 2.0, csync)
    gbs = 2 * 4 * m / ct / 1e9
    tt, bw = None, None
    if torch:
        tx = torch.randn(m, device="cuda")
        tt = bench(lambda: tx * 2.0, tsync)
        ty = torch.empty_like(tx)
        bw = 2 * 4 * m / bench(lambda: ty.copy_(tx), tsync) / 1e9
    frac = f"  {gbs:.0f} GB/s" + (f" = {gbs / bw:.0%} of copy bandwidth ({bw:.0f} GB/s)" if bw else "")
    row("elementwise x*2, 64M f32", ct, tt, frac)
    del x

    # conv2d forward + backward
    F = None
    try:
        import corelib.nn.functional as F
        F.conv2d
    except Exception:
        F = None
    if F is not None:
        xi = cl.randn(64, 32, 56, 56, device="cuda", requires_grad=True)
        w = cl.randn(64, 32, 3, 3, device="cuda", requires_grad=True)

        def step():
            F.conv2d(xi, w, padding=1).sum().backward()
        try:
            ct = bench(step, csync, reps=3)
            tt = None
            if torch:
                txi = torch.randn(64, 32, 56, 56, device="cuda", requires_grad=True)
                tw = torch.randn(64, 32, 3, 3, device="cuda", requires_grad=True)
                tt = bench(lambda: torch.nn.functional.conv2d(txi, tw, padding=1).sum().backward(), tsync, reps=3)
            row("conv2d fwd+bwd 64x32x56x56 k3", ct, tt)
        except Exception as e:
            print(f"conv2d fwd+bwd: failed on cuda ({type(e).__name__}: {e})")
    else:
        print("conv2d: corelib.nn.functional.conv2d not found; skipped")

    # LeNet training step at batch 256
    try:
        lstep = lenet_step()
        from corelib.backends.cuda.xp import host_fallbacks
        before = sum(host_fallbacks.values())
        ct = bench(lstep, csync, reps=5)
        n_fb = sum(host_fallbacks.values()) - before
        if n_fb:
            print(f"LeNet step: {n_fb} device->host round trips in 7 steps ({dict(host_fallbacks)})")
        tt = None
        if torch:
            tn = torch.nn
            tnet = tn.Sequential(tn.Conv2d(1, 6, 5), tn.ReLU(), tn.MaxPool2d(2), tn.Conv2d(6, 16, 5),
                                 tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(), tn.Linear(256, 120), tn.ReLU(),
                                 tn.Linear(120, 84), tn.ReLU(), tn.Linear(84, 10)).cuda()
            topt = torch.optim.SGD(tnet.parameters(), lr=0.01)
            txb, tyb = torch.randn(256, 1, 28, 28, device="cuda"), torch.randint(0, 10, (256,), device="cuda")

            def tstep():
                topt.zero_grad()
                tn.functional.cross_entropy(tnet(txb), tyb).backward()
                topt.step()
            tt = bench(tstep, tsync, reps=5)
        row("LeNet train step, batch 256", ct, tt)
    except Exception as e:
        print(f"LeNet step: skipped ({type(e).__name__}: {e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
