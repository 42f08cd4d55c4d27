"""The simulator forwards numpy calls on device buffers (FakeCUDAArray) where a real GPU's
DeviceNDArray has no arithmetic: check that corelib touches its buffers only through kernels
and explicit copies, and that a machine without CUDA gets clear errors."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import corelib as cl

_META = {"shape", "dtype", "size", "ndim", "strides", "itemsize", "flags", "nbytes", "alloc_size",
         "_ary", "stream", "__cuda_ndarray__"}


def _guarded_class():
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

    class Guarded(FakeCUDAArray):
        def __getattr__(self, name):
            if name in _META:
                return getattr(self._ary, name)
            raise AssertionError(f"numpy attribute {name!r} used on a device buffer outside a kernel")

        def __array__(self, *a, **k):
            raise AssertionError("device buffer converted to numpy outside an explicit copy")

    def forbid(name):
        def f(self, *a, **k):
            raise AssertionError(f"numpy operator {name} used on a device buffer")
        return f
    for n in ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__",
              "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "ravel", "reshape", "view",
              "transpose", "split"):
        setattr(Guarded, n, forbid(n))
    Guarded.__hash__ = object.__hash__
    return Guarded


def test_storage_only_touched_by_kernels(monkeypatch):
    from numba import config
    if not config.ENABLE_CUDASIM:
        pytest.skip("simulator-only check")
    from corelib.backends.cuda import _rt
    G = _guarded_class()
    _rt.empty_cache()
    monkeypatch.setattr(_rt, "_pool", {})
    monkeypatch.setattr(_rt, "_raw_alloc", lambda n, dtype: G(np.empty(n, dtype)))
    def run(dev):
        x = cl.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4) / 10, device=dev)
        w = cl.ones(4, 2, device=dev, requires_grad=True)
        y = ((x @ w).tanh().log_softmax(1) * 2).sum() + x[x > 0.5].sum() + x[:, [0, 2]].mean()
        y.backward()
        z = cl.cat([x, x.flip(0)], 1).amax(1) + x.gather(1, cl.tensor([[0], [1], [3]], device=dev)).squeeze(1)
        x[1, [0, 3]] = 5.0
        x.add_(1)
        return [t.detach().cpu().numpy() for t in (x, y, z, w.grad)]
    assert isinstance(cl.ones(2, device="cuda")._data._buf, G)
    dev = run("cuda")
    assert cl.rand(5, device="cuda").cpu().shape == (5,)
    for a, b in zip(dev, run("cpu")):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def _run(code, env_extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=60)


def test_no_gpu_error_message():
    code = """
        import corelib as cl
        from numba import cuda
        if cuda.is_available():
            print("HAS-GPU"); raise SystemExit
        assert cl.cuda.is_available() is False
        assert cl.cuda.device_count() == 0
        # seeding and memory queries are silently fine without a GPU (as in torch)
        cl.manual_seed(1)
        cl.cuda.manual_seed_all(2)
        assert cl.cuda.initial_seed() == 2 and cl.cuda.memory_allocated() == 0
        assert cl.cuda.memory_stats()["allocated_bytes.all.current"] == 0
        try:
            cl.ones(2).to("cuda")
        except RuntimeError as e:
            print("MSG:", e)
        """
    r = _run(code, {"NUMBA_ENABLE_CUDASIM": "0"})
    if "HAS-GPU" in r.stdout:
        pytest.skip("a real GPU is present")
    assert r.returncode == 0, r.stderr
    msg = r.stdout
    assert "no CUDA GPU" in msg and "corelib.cuda.is_available()" in msg and "pip install corelib[cuda]" in msg


def test_import_corelib_does_not_load_cuda():
    # modules loaded before corelib (numba-cuda's .pth imports _numba_cuda_redirector) don't count
    r = _run("import sys; before = set(sys.modules); import corelib; t = corelib.ones(2) + 1; "
             "print(sorted(m for m in set(sys.modules) - before if 'cuda' in m))", {})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_generated_kernels_compile_to_ptx():
    """Type-check and compile every kernel to PTX (needs numba-cuda with a toolkit, e.g.
    `pip install numba-cuda[cu13]`; no GPU needed). Skips where the toolkit is absent."""
    code = """
        import numba, numpy as np
        from numba import cuda, types
        if getattr(cuda, "compile_ptx", None) is None:
            print("SKIP no compile_ptx"); raise SystemExit
        try:
            cuda.compile_ptx(lambda a: None, (types.float32[:],))
        except Exception as e:
            print("SKIP", type(e).__name__, e); raise SystemExit
        import os
        os.environ["CORELIB_CUDA_COMPILE_ONLY"] = "1"
        from corelib.backends.cuda import _kernels as K
        f32, i64 = types.float32, types.int64
        arr = types.float32[:]
        n = 0
        for table in (K.UNARY, K.BINARY, K.TERNARY):
            for name, expr in table.items():
                k = len([c for c in "012" if "{" + c + "}" in expr])
                kern = K.ew_kernel(expr, ("a",) * k, 2)
                sig = (arr, i64, i64, i64) + (arr, i64, i64, i64) * k + (i64, i64, i64)
                if name in ("invert", "bitwise_and", "bitwise_or", "bitwise_xor"):
                    sig = tuple(types.int64[:] if s == arr else s for s in sig)
                cuda.compile_ptx(kern.py_func, sig)
                n += 1
        for op in K.REDUCE:
            cuda.compile_ptx(K.reduce_kernel(op).py_func,
                             (arr, i64, i64, i64, i64, i64, i64, i64, types.float64,
                              types.int64[:] if op.startswith("arg") or op == "count_nonzero" else arr))
            n += 1
        for table in (K.UNARY, K.BINARY, K.TERNARY):      # the contiguous, unrolled variant
            for name, expr in list(table.items())[:3]:
                k = len([c for c in "012" if "{" + c + "}" in expr])
                kern = K.ew_kernel(expr, ("a",) * k, "c")
                cuda.compile_ptx(kern.py_func, (arr, i64) + (arr, i64) * k + (i64,))
                n += 1
        mm_sig = (arr, i64, i64, i64, i64, arr, i64, i64, i64, i64, arr, i64, i64, i64, i64, i64, i64, f32)
        for mm in (K.matmul_kernel(16, np.float32), K.matmul_rt_kernel(64, 64, 8, 4, 4, np.float32)):
            cuda.compile_ptx(mm.py_func, mm_sig)
            n += 1
        cuda.compile_ptx(K.sum_splits.py_func, (arr, i64, i64, arr))
        print("OK", n + 1)
        """
    r = _run(code, {"NUMBA_ENABLE_CUDASIM": "0"})
    if r.stdout.startswith("SKIP") or "no CUDA GPU" in r.stderr:
        pytest.skip("numba-cuda's compiler (nvrtc/nvvm) is not installed: " + r.stdout.strip()[:200])
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.startswith("OK")


def test_pool_never_reuses_memory_freed_in_a_reference_cycle(monkeypatch):
    """numba frees a device array's memory from a weakref finalizer on an object the array owns.
    When a Block dies in a reference cycle, the gc runs such finalizers before Block.__del__
    returns the array to the pool: the allocator must keep its buffers reachable itself."""
    import gc
    import weakref
    from corelib.backends.cuda import _rt
    freed = set()

    class Mem:                       # numba's OwnedPointer: its finalizer frees the memory
        pass

    class Buf:                       # numba's DeviceNDArray
        def __init__(self, n):
            self.gpu_data = Mem()
            weakref.finalize(self.gpu_data, freed.add, id(self))

    monkeypatch.setattr(_rt, "_pool", {})
    monkeypatch.setattr(_rt, "_owned", {}, raising=False)
    monkeypatch.setattr(_rt, "_raw_alloc", lambda n, dtype: Buf(n))
    cyc = [_rt.Block(1000, np.float32)]
    cyc.append(cyc)
    del cyc
    gc.collect()
    pooled = [d for lst in _rt._pool.values() for d in lst]
    assert len(pooled) == 1 and id(pooled[0]) not in freed
    _rt.empty_cache()
    del pooled
    gc.collect()
    assert len(freed) == 1 and not _rt._owned
