#!/usr/bin/env bash
# Install what the tests need into a virtual environment (default .venv, override with
# VENV=...): corelib itself with its test extra, torch 2.13.0 (CPU wheel, a test oracle
# only; corelib never imports it) and every plugin bundle under plugins/*/, all editable.
# Re-running is cheap: nothing is reinstalled while no pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
py="$VENV/bin/python"

bundles=()
for d in plugins/*/; do
    [ -f "$d/pyproject.toml" ] && bundles+=("${d%/}")
done

# The editable install maps the top-level package when it is made, so whether
# corelib/__init__.py exists is part of the stamp too.
stamp="$VENV/.corelib-setup-stamp"
want="$(cat pyproject.toml "${bundles[@]/%//pyproject.toml}" 2>/dev/null | sha256sum | cut -d' ' -f1)"
want="$want ${bundles[*]:-} init=$([ -f corelib/__init__.py ] && echo 1 || echo 0)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

# pip -q still warns about each missing local index folder; keep those lines out.
pip_install() {
    { "$py" -m pip install -q "$@" 2>&1 1>&3 \
        | { grep -v "is ignored: it is neither a file nor a directory" >&2 || true; }; } 3>&1
}
pip_install -e ".[test]"
pip_install "torch==2.13.0"
for d in "${bundles[@]}"; do
    pip_install -e "$d"
done
echo "$want" > "$stamp"
