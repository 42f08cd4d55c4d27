#!/usr/bin/env bash
# Build a wheel of the core and of every bundle, install them into a fresh virtualenv (no
# editable installs, no source tree on sys.path) and run a smoke test there.
#   bash scripts/check_wheels.sh            (about a minute; uses pip's cache for numpy/numba)
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
py="${PYTHON:-python3}"
"$py" -m venv "$out/venv"
pip="$out/venv/bin/pip"
"$pip" install -q --upgrade pip wheel setuptools 2>/dev/null | true
"$pip" wheel -q --no-deps -w "$out/wheels" . plugins/*/ 2>&1 | grep -v "is ignored" || true
ls "$out/wheels"
"$pip" install -q "$out"/wheels/*.whl 2>&1 | grep -v "is ignored" || true
cd "$out"
"$out/venv/bin/python" - <<'PY'
import corelib as cl, corelib.nn as nn, corelib.nn.functional as F
from corelib import registry
assert "site-packages" in cl.__file__, cl.__file__
net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
opt = cl.optim.Adam(net.parameters())
sched = cl.optim.lr_scheduler.StepLR(opt, 1)
nn.init.xavier_uniform_(net[0].weight)
loss = F.cross_entropy(net(cl.randn(2, 1, 8, 8)), cl.tensor([0, 2]))
loss.backward(); opt.step(); sched.step()
from corelib import transforms, datasets
from corelib.utils import make_grid
img, label = datasets.Digits(train=False)[0]
t = transforms.Compose([transforms.Resize(16), transforms.ToTensor()])(img)
assert make_grid(t.unsqueeze(0)).shape[0] == 3
plugins = {p.dist: p.status for p in registry.plugins()}
print("plugins:", plugins)
assert all(s == "loaded" for s in plugins.values()) and len(plugins) == 8
print("wheels OK: loss", round(loss.item(), 4))
PY
