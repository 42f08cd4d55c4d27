#!/usr/bin/env bash
# Run every CPU benchmark twice: as the machine is set, and with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset (they halve numpy's GEMM speed on some machines). Ratios are
# corelib/torch measured in the same process. Run it on an otherwise idle machine.
#   bash benchmarks/run_all.sh > benchmarks.txt
set -uo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-.venv/bin/python}"
for setting in "as set" "unset"; do
    echo "=== OPENBLAS_* $setting ==="
    for b in bench_core bench_nn bench_losses bench_optim bench_data bench_transforms bench_import; do
        echo "--- $b"
        if [ "$setting" = "unset" ]; then
            env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "benchmarks/$b.py"
        else
            "$py" "benchmarks/$b.py"
        fi
    done
done
