#!/usr/bin/env bash
# The one test command: installs what the tests need (scripts/setup.sh) and runs every
# test, the core's (tests/) and each bundle's (plugins/*/tests). CI runs exactly this.
# Extra arguments go to pytest: bash scripts/test.sh -x -k registry
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
bash scripts/setup.sh

export NUMBA_CACHE_DIR="$PWD/.numba_cache"
paths=(tests)
for d in plugins/*/; do
    [ -d "${d}tests" ] && paths+=("${d}tests")
done

set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "${paths[@]}" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
