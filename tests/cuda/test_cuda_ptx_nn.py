"""Type-check and compile the conv/pool, simple-matmul and CTC kernels to PTX (numba's CUDA
compiler, no GPU needed; catches typing errors the simulator cannot). Skips where the
compiler (libnvvm / nvrtc) is not installed."""
import os
import subprocess
import sys
import textwrap

import pytest

CODE = """
    import os
    os.environ["CORELIB_CUDA_COMPILE_ONLY"] = "1"
    from numba import cuda, types
    try:
        cuda.compile_ptx(lambda a: None, (types.float32[:],), cc=(8, 0))
    except Exception as e:
        print("SKIP", type(e).__name__, str(e)[:200]); raise SystemExit
    from corelib.backends.cuda import _nn, _kernels
    from corelib_losses import _ctc
    i64, f64, I = types.int64, types.float64, types.int64[:]
    n = 0
    for dt in (types.float32, types.float64):
        A = dt[:]
        sigs = {
            _nn.im2col_k: (A, i64) + (i64,) * 20 + (A, i64),
            _nn.col2im_k: (A, i64) + (i64,) * 20 + (A, i64, dt),
            _nn.max_pool_k: (A, i64, i64, i64, i64, I, i64, i64, i64, i64, i64, i64, A, I, i64, dt),
            _nn.plane_scatter_add_k: (A, i64, I, i64, i64, A, i64),
            _nn.plane_gather_k: (A, i64, I, i64, i64, A, i64),
            _nn.avg_pool_k: (A, i64, i64, i64, i64, I, f64[:], i64, i64, i64, f64, A, i64),
            _nn.avg_pool_bwd_k: (A, i64, i64, i64, i64, I, f64[:], i64, i64, i64, f64, A, i64),
            _kernels.matmul_simple: (A, i64, i64, i64, i64, A, i64, i64, i64, i64, A, i64, i64, i64, i64, dt),
        }
        K = _ctc._cuda_kernels()
        sigs[K["alpha"]] = (A, i64, i64, i64, I, I, I, I, i64, A, i64, A, dt)
        sigs[K["beta_grad"]] = (A, i64, i64, i64, I, I, I, I, i64, A, A, i64, A, A, A, dt)
        for k, sig in sigs.items():
            cuda.compile_ptx(k.py_func, sig, cc=(8, 0))
            n += 1
    print("OK", n)
"""


def test_nn_kernels_compile_to_ptx():
    pytest.importorskip("corelib_losses")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["NUMBA_ENABLE_CUDASIM"] = "0"
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(CODE)], capture_output=True, text=True,
                       env=env, timeout=120)
    if r.stdout.startswith("SKIP") or "no CUDA GPU" in r.stderr:
        pytest.skip("numba's CUDA compiler is not installed: " + (r.stdout + r.stderr).strip()[-200:])
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.startswith("OK")
