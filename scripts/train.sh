#!/usr/bin/env bash
# One command from a fresh clone: set up .venv (scripts/setup.sh: corelib and every bundle,
# editable; cheap when nothing changed), then run `corelib train` with the given options:
#
#   bash scripts/train.sh                 # LeNet on Digits, default options
#   bash scripts/train.sh --epochs 4 --plugins
#
# Runs from the repository root, so the run folder is runs/<timestamp>/ there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
VENV="$VENV" bash scripts/setup.sh
exec "$VENV/bin/corelib" train "$@"
