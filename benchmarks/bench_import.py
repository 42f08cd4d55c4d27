"""Import and first-registry-use cost, each measured in fresh processes (median of N runs).

    python benchmarks/bench_import.py [--runs 5]

Rows:
  import numpy                  the floor every corelib process pays
  + import corelib              the core on top of numpy (the Tensor core; no pluggy, no bundle)
  + import corelib._registry    what the registry module adds on top of corelib
  + first registry.list("loss") discovery: entry points scanned, every plugin module imported,
                                pluggy set up, the loss hooks run (all installed bundles)
  + registry.plugins()          after that, every other kind's hooks
The "process" column is the wall time of a whole `python -c "import X"` child (interpreter
start and numpy included); the "in-process" column is perf_counter around the statement
inside the child. Bytecode caching is on (PYTHONDONTWRITEBYTECODE is dropped), as for users.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
t = time.perf_counter
out = {}
a = t(); import numpy; out["import numpy"] = t() - a
if MODE == "corelib":
    a = t(); import corelib; out["+ import corelib"] = t() - a
    a = t(); import corelib._registry as R; out["+ import corelib._registry"] = t() - a
    a = t(); R.default_registry.list("loss"); out['+ first registry.list("loss")'] = t() - a
    a = t(); ps = R.default_registry.plugins(); out["+ registry.plugins()"] = t() - a
    out["plugins"] = len(ps)
print(json.dumps(out))
"""

PURE_IMPORT = "import json,sys,time; a=time.perf_counter(); import {mod}; print(json.dumps({{'t': time.perf_counter()-a, 'pluggy': 'pluggy' in sys.modules}}))"


def child(code: str) -> tuple[float, dict]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=str(REPO), check=True)
    return time.perf_counter() - t0, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    rows: dict[str, list[float]] = {}
    procs: dict[str, list[float]] = {"import numpy": [], "+ import corelib": []}
    pluggy_at_import = False
    n_plugins = 0
    child(PURE_IMPORT.format(mod="corelib"))  # warm the OS file cache once
    for _ in range(args.runs):
        wall, res = child(PURE_IMPORT.format(mod="numpy"))
        procs["import numpy"].append(wall)
        wall, res = child(PURE_IMPORT.format(mod="corelib"))
        procs["+ import corelib"].append(wall)
        pluggy_at_import |= res["pluggy"]
        _, res = child("MODE = 'corelib'\n" + CHILD)
        n_plugins = res.pop("plugins")
        for k, v in res.items():
            rows.setdefault(k, []).append(v)

    med = statistics.median
    print(f"python {sys.version.split()[0]}, {args.runs} fresh processes per row, "
          f"{n_plugins} plugins installed")
    print(f"{'':32s} {'in-process':>11s} {'process':>9s}")
    for k, v in rows.items():
        proc = f"{med(procs[k]) * 1e3:7.1f}ms" if k in procs else ""
        print(f"{k:32s} {med(v) * 1e3:9.1f}ms {proc:>9s}")
    first_use = med(rows["+ import corelib._registry"]) + med(rows['+ first registry.list("loss")'])
    print(f"first registry use adds {first_use * 1e3:.1f} ms (budget 150 ms); "
          f"pluggy imported by `import corelib`: {pluggy_at_import}")


if __name__ == "__main__":
    main()
