"""Compile every CUDA kernel launch the cuda tests make to PTX, with the argument types of that
launch (catches typing errors that Numba's CUDA simulator lets through; no GPU needed).

    # 1. record launches while the cuda tests run under the simulator
    NUMBA_ENABLE_CUDASIM=1 python scripts/cuda_ptx_sweep.py record launches.json [pytest args]
    # 2. compile each recorded (kernel, signature) with numba-cuda's compiler (needs numba-cuda,
    #    nvidia-nvvm and nvidia-cuda-nvrtc; no GPU)
    python scripts/cuda_ptx_sweep.py compile launches.json

Host numpy arrays passed straight to a kernel are reported too: a real GPU copies them on
every launch.
"""
import json
import os
import sys
import time


def _argtype(a):
    import numpy as np
    if isinstance(a, np.ndarray):
        return ["host", a.dtype.str, a.ndim]
    if any("CUDAArray" in c.__name__ or c.__name__ == "DeviceNDArray" for c in type(a).__mro__):
        return ["arr", np.dtype(a.dtype).str, len(a.shape)]
    if isinstance(a, (bool, np.bool_)):
        return ["scalar", "|b1"]
    if isinstance(a, int):
        return ["scalar", "<i8"]
    if isinstance(a, float):
        return ["scalar", "<f8"]
    if isinstance(a, np.generic):
        return ["scalar", a.dtype.str]
    return ["other", type(a).__name__]


def record(out_path, pytest_args):
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    from numba.cuda.simulator import kernel as simk
    import pytest

    seen = {}
    orig = simk.FakeCUDAKernel.__call__

    def call(self, *args):
        if not self._device:
            sig = tuple(json.dumps(_argtype(a)) for a in args)
            seen.setdefault(id(self), (self, set()))[1].add(sig)
        return orig(self, *args)

    simk.FakeCUDAKernel.__call__ = call
    rc = pytest.main(pytest_args or ["tests/cuda", "-q", "-p", "no:cacheprovider"])

    from corelib.backends.cuda import _kernels, _nn
    names = {}
    from corelib.backends.cuda._rt import Kernel
    raw = lambda k: k.disp if isinstance(k, Kernel) else k          # noqa: E731
    for key, k in _kernels._ew_cache.items():
        names[id(raw(k))] = ["ew", list(key[0:1]) + [list(key[1]), key[2]]]
    for key, k in _kernels._red_cache.items():
        names[id(raw(k))] = ["reduce", key]
    for key, k in _kernels._mm_cache.items():
        names[id(raw(k))] = ["matmul", list(key)]
    for key, k in _kernels._mmr_cache.items():
        names[id(raw(k))] = ["matmul_rt", list(key)]
    for mod, tag in ((_kernels, "kernels"), (_nn, "nn")):
        for nm, v in vars(mod).items():
            if isinstance(v, Kernel):
                names[id(raw(v))] = [tag, nm]
    try:
        from corelib_losses import _ctc
        for nm, v in _ctc._cuda_kernels().items():
            names[id(raw(v))] = ["ctc", nm]
    except ImportError:
        pass
    rows = []
    for kid, (k, sigs) in seen.items():
        ident = names.get(kid, ["unknown", getattr(k.fn, "__qualname__", "?")])
        for s in sorted(sigs):
            rows.append({"kernel": ident, "args": [json.loads(x) for x in s]})
    with open(out_path, "w") as f:
        json.dump(rows, f, indent=0)
    print(f"recorded {len(rows)} (kernel, signature) pairs from {len(seen)} kernels -> {out_path}")
    return rc


def compile_all(path, cc=(9, 0)):
    os.environ["NUMBA_ENABLE_CUDASIM"] = "0"
    os.environ["CORELIB_CUDA_COMPILE_ONLY"] = "1"
    import numpy as np
    from numba import cuda, types, from_dtype
    from numba.cuda import dispatcher

    class _NoGPU:                  # device functions ask the current device for its cc
        compute_capability = cc
    dispatcher.get_current_device = _NoGPU
    from corelib.backends.cuda import _kernels, _nn
    rows = json.load(open(path))
    fails, host, t0 = [], [], time.time()

    def kernel(ident):
        tag, v = ident
        if tag == "ew":
            return _kernels.ew_kernel(v[0], tuple(v[1]), v[2])
        if tag == "reduce":
            return _kernels.reduce_kernel(v)
        if tag == "matmul":
            return _kernels.matmul_kernel(v[0], np.dtype(v[1]))
        if tag == "matmul_rt":
            return _kernels.matmul_rt_kernel(*v[:5], np.dtype(v[5]))
        if tag == "kernels":
            return getattr(_kernels, v)
        if tag == "nn":
            return getattr(_nn, v)
        if tag == "ctc":
            from corelib_losses import _ctc
            return _ctc._cuda_kernels()[v]
        raise KeyError(ident)

    for r in rows:
        sig = []
        for a in r["args"]:
            if a[0] in ("arr", "host"):
                sig.append(types.Array(from_dtype(np.dtype(a[1])), a[2], "C"))
                if a[0] == "host":
                    host.append(r["kernel"])
            elif a[0] == "scalar":
                sig.append(from_dtype(np.dtype(a[1])))
            else:
                fails.append((r, "unknown argument " + a[1]))
                break
        else:
            try:
                k = kernel(r["kernel"])
                cuda.compile_ptx(k.py_func, tuple(sig), cc=cc)
            except Exception as e:   # noqa: BLE001 - report every failure, go on
                fails.append((r, f"{type(e).__name__}: {str(e)[:1500]}"))
    dt = time.time() - t0
    for r, msg in fails:
        print("FAIL", r["kernel"], [a[1] for a in r["args"]], "\n   ", msg.replace("\n", "\n    "))
    for h in sorted({json.dumps(h) for h in host}):
        print("HOST ARRAY passed to", h)
    print(f"compiled {len(rows) - len(fails)}/{len(rows)} to PTX in {dt:.1f} s; {len(fails)} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    sys.exit(record(path, sys.argv[3:]) if mode == "record" else compile_all(path))
