"""``corelib plugins``: list the installed plugins, their versions and what they provide."""
from __future__ import annotations

import json

HELP = "list the installed plugins, their versions and what each registered"


def configure(parser) -> None:
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON instead of a table")
    out.add_argument("--requirements", action="store_true",
                     help="print 'dist==version' pins of the loaded plugins (for requirements.txt)")
    parser.add_argument("-v", "--names", action="store_true",
                        help="list the names each plugin registered, not just counts")


def main(args) -> int:
    from corelib._catalog import KINDS
    from corelib._registry import ENTRY_POINT_GROUP, default_registry

    infos = default_registry.plugins()
    if args.json:
        print(json.dumps([p.as_dict() for p in infos], indent=2))
        return 0
    if args.requirements:
        pins = sorted({f"{p.dist}=={p.version}" for p in infos if p.dist and p.status == "loaded"},
                      key=str.lower)
        print("\n".join(pins))
        return 0
    if not infos:
        print(f"no corelib plugins found (entry-point group {ENTRY_POINT_GROUP!r})"
              + ("; plugin autoload is off" if not default_registry._autoload_on() else ""))
        return 0
    kinds = [k for k in KINDS if any(p.provides.get(k) for p in infos)]
    header = ["plugin", "distribution", "status", *kinds]
    rows = []
    for p in infos:
        dist = f"{p.dist}=={p.version}" if p.dist else "-"
        rows.append([p.name, dist, p.status,
                     *(str(len(p.provides[k])) if p.provides.get(k) else "-" for k in kinds)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{'<' if i < 3 else '>'}{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*header).rstrip())
    for p, row in zip(infos, rows):
        print(fmt.format(*row).rstrip())
        if p.error:
            print(f"    error: {p.error}")
        if args.names:
            for k in kinds:
                if p.provides.get(k):
                    print(f"    {k}: " + ", ".join(sorted(p.provides[k])))
    total = sum(len(v) for p in infos for v in p.provides.values())
    print(f"{len(infos)} plugin(s), {total} component(s); "
          "`corelib plugins --names` lists them, corelib.registry.list(kind) too")
    return 0
