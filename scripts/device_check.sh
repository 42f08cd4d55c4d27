#!/usr/bin/env bash
# The cuda backend on a real NVIDIA GPU, in one command, for a machine with a GPU, numba-cuda
# and torch (the oracle) installed. corelib and its bundles are imported from the environment,
# or, where a folder .whl/ exists, installed from the wheels in it into /tmp/site first
# (`pip wheel --no-deps -w .whl . plugins/*/`, plus a numpy <= 2.4 wheel where the machine's
# numpy is too new for its numba). For the workplace's H200 image (Python 3.12, numba 0.68.0,
# numpy 2.5.2), from the repository root:
#   .venv/bin/pip wheel -q --no-deps --no-build-isolation -w .whl . plugins/*/
#   .venv/bin/pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux_2_28_x86_64 -d .whl numpy==2.4.6
# with /.whl/ in .git/info/exclude and .whl carried. Logs go to $OUT (default /tmp/cuda-check).
# Stages: environment, tests/cuda with the simulator off (RT=BM,BN,BK,TM,TN: again with that
# matmul configuration), benchmarks/cuda_probe.py, benchmarks/cuda.py.
set -u
OUT="${OUT:-/tmp/cuda-check}"; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 NUMBA_ENABLE_CUDASIM=0 CORELIB_CUDA_REAL=1
PY=python3
stage() { echo; echo "######## $1 ($(date +%T))"; }
stage env
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv 2>&1
$PY -c "import sys, numpy, numba; print(sys.version.split()[0], 'numpy', numpy.__version__, 'numba', numba.__version__)"
$PY -m pip list 2>/dev/null | grep -i -E "^(numba|numba-cuda|cuda-core|cuda-bindings|cuda-python|torch|pytest) " 
if [ -d .whl ]; then
  $PY -m pip install -q --upgrade --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
$PY -c "import corelib as cl; print('cuda available:', cl.cuda.is_available(), cl.cuda.get_device_name()); x = cl.arange(6., device='cuda'); print((x * 2).sum().item())" 2>&1 | tail -5
stage "tests/cuda (real GPU)"
timeout ${T_TESTS:-300} $PY -m pytest tests/cuda -q -p no:cacheprovider -rfE --durations=8 \
    --junitxml="$OUT/junit.xml" 2>&1 | tee "$OUT/tests.log" | grep -v "^\s*$" | tail -60
if [ -n "${RT:-}" ]; then
  stage "matmul-using tests with CORELIB_CUDA_MATMUL=$RT"
  CORELIB_CUDA_MATMUL=$RT timeout ${T_RT:-150} $PY -m pytest tests/cuda -q -p no:cacheprovider -rfE \
      -k "matmul or mm or linear or Linear or conv or train or lenet" 2>&1 | tee "$OUT/tests_rt.log" | tail -15
fi
stage "probe"
timeout ${T_PROBE:-200} $PY benchmarks/cuda_probe.py ${PROBE:-} 2>&1 | tee "$OUT/probe.log" | tail -${PROBE_TAIL:-80}
stage "benchmarks/cuda.py"
timeout ${T_BENCH:-200} $PY benchmarks/cuda.py 2>&1 | tee "$OUT/bench.log"
if [ -n "${RT:-}" ]; then
  stage "benchmarks/cuda.py with CORELIB_CUDA_MATMUL=$RT"
  CORELIB_CUDA_MATMUL=$RT timeout ${T_BENCH:-200} $PY benchmarks/cuda.py 2>&1 | tee "$OUT/bench_rt.log"
fi
stage done
