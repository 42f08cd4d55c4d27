"""Diagnostics for the cuda backend on a real GPU (what to optimise next), in one run:

    python benchmarks/cuda_probe.py [launch] [matmul] [profile]

launch:  the cost of one small elementwise op: corelib's Tensor op, numba's dispatcher launch of
         the same generated kernel, the kernel compiled for raw pointers, and torch.
matmul:  the tiled kernel against register-tiled variants at 4096^3 (time, TFLOP/s, error).
profile: cProfile of LeNet training steps at batch 256 (where the host time goes).
Exits 0 with a message when no GPU is present.
"""
import cProfile
import functools
import os
import pstats
import sys
import time

# Trap: run as a script, this folder is sys.path[0], and benchmarks/cuda.py would shadow NVIDIA's
# `cuda` package (cuda-python), which numba-cuda imports: corelib would then see no GPU.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


@functools.lru_cache(maxsize=None)
def _bench_module():
    """benchmarks/cuda.py, loaded under a name that shadows nothing (its timer, its LeNet step)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("corelib_bench_cuda", os.path.join(_HERE, "cuda.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _t(fn, sync, reps, warm=3):
    return _bench_module().bench(fn, sync, reps=reps, warm=warm)


def launch(cl, torch):
    from corelib.backends.cuda import _kernels as K, _rt
    sync = cl.cuda.synchronize
    n = 1024
    a, b = cl.randn(n, device="cuda"), cl.randn(n, device="cuda")
    print(f"corelib a*b (n={n}) per op:        {_t(lambda: a * b, sync, 2000) * 1e6:7.1f} us")
    print(f"corelib a.add_(b) per op:           {_t(lambda: a.add_(b), sync, 2000) * 1e6:7.1f} us")
    x, y = a._data, b._data
    out = cl.empty(n, device="cuda")._data
    k = K.ew_kernel("{0} * {1}", ("a", "a"), 1)
    g = K.grid(n)
    call = [out._buf, 0, 1, x._buf, 0, 1, y._buf, 0, 1, n, n]
    print(f"numba's dispatcher (11 args):       {_t(lambda: k.disp[g](*call), sync, 2000) * 1e6:7.1f} us")
    print(f"corelib's launcher (_rt.Kernel):    {_t(lambda: k[g](*call), sync, 2000) * 1e6:7.1f} us")
    print(f"launch_ew (+ stride bookkeeping):   "
          f"{_t(lambda: K.launch_ew('{0} * {1}', out, [x, y], (n,)), sync, 2000) * 1e6:7.1f} us")
    plan = next((p for p in k.plans.values() if p), None)
    if plan:                        # cuda.core's launch alone, with the parameters _rt.Kernel built
        kern, convs = plan
        params = []
        for v, c in zip(call, convs):
            info = _rt._BUF.get(id(v))
            if info:
                params.extend(info[1])
            else:
                params.append(c(v))
        core = _rt._core_launch()
        conf = core["Config"](grid=g[0], block=g[1])
        print(f"cuda.core launch alone:             "
              f"{_t(lambda: core['launch'](core['stream'], conf, kern, *params), sync, 2000) * 1e6:7.1f} us")
    print(f"synchronize alone:                  {_t(sync, sync, 2000) * 1e6:7.1f} us")
    if torch:
        ta, tb = torch.randn(n, device="cuda"), torch.randn(n, device="cuda")
        ts = torch.cuda.synchronize
        print(f"torch a*b per op:                   {_t(lambda: ta * tb, ts, 2000) * 1e6:7.1f} us")
        print(f"torch a.add_(b) per op:             {_t(lambda: ta.add_(tb), ts, 2000) * 1e6:7.1f} us")


def matmul(cl, torch):
    import numpy as np
    from corelib.backends.cuda import _kernels as K
    sync = cl.cuda.synchronize
    n = 4096
    a, b = cl.randn(n, n, device="cuda"), cl.randn(n, n, device="cuda")
    ref = None
    if torch:
        ta = torch.from_numpy(a.cpu().numpy()).cuda().double()
        tb = torch.from_numpy(b.cpu().numpy()).cuda().double()
        ref = (ta @ tb).cpu().numpy()
    for cfg in [None, (64, 64, 16, 4, 4), (128, 64, 8, 8, 4)]:
        K.RT_CONFIG = cfg
        try:
            c = a @ b
            sync()
            t = _t(lambda: a @ b, sync, 5, warm=1)
            err = ""
            if ref is not None:
                r = c.cpu().numpy().astype(np.float64)
                err = f" rel err {np.linalg.norm(r - ref) / np.linalg.norm(ref):.1e}"
            print(f"matmul {str(cfg or 'auto'):22s} {t * 1e3:8.2f} ms {2 * n ** 3 / t / 1e12:6.2f} TFLOP/s{err}")
        except Exception as e:     # noqa: BLE001
            print(f"matmul {cfg}: failed {type(e).__name__}: {str(e)[:300]}")
    K.RT_CONFIG = None
    from corelib.backends.cuda import xp
    for (M, N, Kd) in [(6, 25, 147456), (64, 288, 200704)]:   # conv weight gradients: few outputs, long k
        x, y = cl.randn(M, Kd, device="cuda"), cl.randn(Kd, N, device="cuda")
        out = xp.empty((1, M, N), np.float32)
        st_a, st_b = (0, Kd, 1), (0, N, 1)
        for S in (1, None):
            f = lambda: K.launch_matmul(x._data, y._data, out, 1, M, N, Kd, st_a, st_b, splits=S)  # noqa: E731
            t = _t(f, sync, 5, warm=1)
            print(f"matmul {M}x{N}, k={Kd}, splits={K.matmul_plan(1, M, N, Kd, None, S)[1]:3d}: {t * 1e3:8.3f} ms")
        r = xp.to_host(out)[0].astype(np.float64)
        ref2 = x.cpu().numpy().astype(np.float64) @ y.cpu().numpy().astype(np.float64)
        print(f"   rel err {np.linalg.norm(r - ref2) / np.linalg.norm(ref2):.1e}")
    K.RT_CONFIG = None
    if torch:
        ta, tb = ta.float(), tb.float()
        t = _t(lambda: ta @ tb, torch.cuda.synchronize, 10)
        print(f"torch matmul f32 (tf32 {torch.backends.cuda.matmul.allow_tf32}) {t * 1e3:8.2f} ms "
              f"{2 * n ** 3 / t / 1e12:6.2f} TFLOP/s")


def profile(cl, torch):
    step = _bench_module().lenet_step()
    t0 = time.perf_counter()
    step()
    cl.cuda.synchronize()
    print(f"LeNet first step (compiles): {time.perf_counter() - t0:.2f} s")
    t = _t(step, cl.cuda.synchronize, 20)
    t_host = _t(step, lambda: None, 20)
    print(f"LeNet step {t * 1e3:.2f} ms (host time without the final sync {t_host * 1e3:.2f} ms)")
    from corelib.backends.cuda import _rt
    if _rt._core:
        real = _rt._core["launch"]
        n = [0]

        def count(*a):
            n[0] += 1
            real(*a)
        _rt._core["launch"] = count
        step()
        cl.cuda.synchronize()
        _rt._core["launch"] = lambda *a: None
        t_py = _t(step, cl.cuda.synchronize, 20)
        _rt._core["launch"] = real
        print(f"LeNet step with every fast-path launch skipped (corelib's Python + numba's first "
              f"launches): {t_py * 1e3:.2f} ms; {n[0]} fast-path launches per step")
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(20):
        step()
    cl.cuda.synchronize()
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(22)


def main():
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        print("simulator: nothing to probe")
        return 0
    import corelib as cl
    if not cl.cuda.is_available():
        print("no CUDA GPU: nothing to probe")
        return 0
    try:
        import torch
        torch = torch if torch.cuda.is_available() else None
    except ImportError:
        torch = None
    parts = sys.argv[1:] or ["launch", "matmul", "profile"]
    for p in parts:
        print(f"==== {p}")
        t = time.perf_counter()
        try:
            globals()[p](cl, torch)
        except Exception as e:     # noqa: BLE001
            import traceback
            traceback.print_exc()
            print(f"{p} failed: {type(e).__name__}: {e}")
        print(f"({p}: {time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
