"""Compile every CUDA kernel launch the cuda tests make to PTX, with the argument types of that
launch: catches typing errors that Numba's CUDA simulator lets through, without a GPU.

In CI, test_subprocess_suite.py runs the cuda tests under the simulator with
CORELIB_CUDA_RECORD=<file> (conftest.py then records each launch's kernel and argument types),
and compiles the recorded launches where numba-cuda's compiler (nvidia-nvvm, nvidia-cuda-nvrtc)
is installed. By hand:

    CORELIB_CUDA_RECORD=/tmp/launches.json python -m pytest tests/cuda
    python tests/cuda/ptx_sweep.py /tmp/launches.json     (split over the machine's cores)

Host numpy arrays passed straight to a kernel are reported as failures: a real GPU would copy
them on every launch.
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


def install_recorder():
    """Record every simulated kernel launch; returns dump(path), which writes them as JSON."""
    from numba.cuda.simulator import kernel as simk
    seen = {}
    orig = simk.FakeCUDAKernel.__call__

    def call(self, *args):
        if not self._device:
            sig = tuple(json.dumps(_argtype(a)) for a in args)
            seen.setdefault(id(self), (self, set()))[1].add(sig)
        return orig(self, *args)

    simk.FakeCUDAKernel.__call__ = call

    def dump(path):
        from corelib.backends.cuda import _kernels, _nn
        from corelib.backends.cuda._rt import Kernel
        raw = lambda k: k.disp if isinstance(k, Kernel) else k          # noqa: E731
        names = {}
        for key, k in _kernels._ew_cache.items():
            names[id(raw(k))] = ["ew", [key[0], list(key[1]), key[2]]]
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
            for nm, v in _ctc._CUDA.items():
                names[id(raw(v))] = ["ctc", nm]
        except ImportError:
            pass
        rows = []
        for kid, (k, sigs) in seen.items():
            ident = names.get(kid, ["unknown", getattr(k.fn, "__qualname__", "?")])
            rows += [{"kernel": ident, "args": [json.loads(x) for x in s]} for s in sorted(sigs)]
        with open(path, "w") as f:
            json.dump(rows, f)
    return dump


def compile_all(path, cc=(9, 0), part=(0, 1)):
    """Compile each recorded launch (those of this part, i of n); prints a line per failure and a
    summary. Exit status 0 all compiled, 1 failures, 2 the compiler is not installed (prints SKIP)."""
    os.environ["NUMBA_ENABLE_CUDASIM"] = "0"
    os.environ["CORELIB_CUDA_COMPILE_ONLY"] = "1"
    import numpy as np
    from numba import cuda, types, from_dtype
    if getattr(cuda, "compile_ptx", None) is None:
        print("SKIP numba.cuda has no compile_ptx")
        return 2
    try:
        cuda.compile_ptx(lambda a: None, (types.float32[:],), cc=cc)
    except Exception as e:      # noqa: BLE001 - no libnvvm / libnvrtc
        print("SKIP numba-cuda's compiler is not installed:", type(e).__name__, str(e)[:200])
        return 2
    from numba.cuda import dispatcher

    class _NoGPU:   # Trap: numba-cuda types a device-function call with the current device's cc
        compute_capability = cc
    dispatcher.get_current_device = _NoGPU
    from corelib.backends.cuda import _kernels, _nn

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
        raise KeyError(f"unknown kernel {ident}")

    rows = json.load(open(path))[part[0]::part[1]]
    fails, t0 = [], time.time()
    for r in rows:
        sig = []
        for a in r["args"]:
            if a[0] == "arr":
                sig.append(types.Array(from_dtype(np.dtype(a[1])), a[2], "C"))
            elif a[0] == "scalar":
                sig.append(from_dtype(np.dtype(a[1])))
            else:
                fails.append((r, f"argument of kind {a[0]} ({a[1]}): not a device array or a scalar"))
                break
        else:
            try:
                cuda.compile_ptx(kernel(r["kernel"]).py_func, tuple(sig), cc=cc)
            except Exception as e:   # noqa: BLE001 - report every failure, go on
                fails.append((r, f"{type(e).__name__}: {str(e)[:1500]}"))
    for r, msg in fails:
        print("FAIL", r["kernel"], [a[1] for a in r["args"]], "\n   ", msg.replace("\n", "\n    "))
    print(f"compiled {len(rows) - len(fails)}/{len(rows)} recorded launches to PTX in "
          f"{time.time() - t0:.1f} s; {len(fails)} failed")
    return 1 if fails or not rows else 0


def compile_parallel(path, jobs):
    """compile_all split over ``jobs`` processes (each compiles every jobs-th launch)."""
    import subprocess
    t0 = time.time()
    procs = [subprocess.Popen([sys.executable, __file__, path, f"--part={i}/{jobs}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i in range(jobs)]
    outs = [(p.communicate()[0], p.returncode) for p in procs]
    if any(rc == 2 for _, rc in outs):
        print(next(o for o, rc in outs if rc == 2).strip())
        return 2
    done = total = failed = 0
    for out, rc in outs:
        for line in out.splitlines():
            if line.startswith("compiled "):
                a, b = line.split()[1].split("/")
                done, total = done + int(a), total + int(b)
                failed += int(line.rsplit(";", 1)[1].split()[0])
            else:
                print(line)
    print(f"compiled {done}/{total} recorded launches to PTX in {time.time() - t0:.1f} s "
          f"({jobs} processes); {failed} failed")
    return 1 if failed or not total or any(rc != 0 for _, rc in outs) else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--part=")]
    parts = [a[7:] for a in sys.argv[1:] if a.startswith("--part=")]
    if parts:
        i, n = (int(v) for v in parts[0].split("/"))
        sys.exit(compile_all(args[0], part=(i, n)))
    sys.exit(compile_parallel(args[0], max(1, min(8, os.cpu_count() or 1))))
