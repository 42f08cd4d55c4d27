"""Plugin conformance checks: ``check_plugin("corelib-losses")``.

Bundles and third-party plugins call this from their own tests::

    from corelib.testing import check_plugin

    def test_plugin_conforms():
        check_plugin("acme-losses")          # the distribution or the entry-point name
"""
from __future__ import annotations

import importlib

__all__ = ["check_plugin", "PluginCheckReport"]


class PluginCheckReport:
    """What :func:`check_plugin` checked, and the problems it found."""

    def __init__(self, plugin, checked, problems):
        self.plugin = plugin            # the PluginInfo checked
        self.checked = checked          # [(kind, name)]
        self.problems = problems        # [str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:
        return (f"<PluginCheckReport {self.plugin.name!r}: {len(self.checked)} components, "
                f"{len(self.problems)} problems>")

    def __str__(self) -> str:
        head = (f"plugin {self.plugin.name!r} ({self.plugin.dist} {self.plugin.version}): "
                f"{len(self.checked)} components checked, {len(self.problems)} problem(s)")
        return "\n".join([head, *("  - " + p for p in self.problems)])


def _optional_base(module: str, attr: str):
    """A core base class if that part of the core exists yet, else None."""
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def _kind_problem(kind: str, obj) -> str | None:
    if kind == "layer":
        base = _optional_base("corelib.nn", "Module")
        if base is not None and not (isinstance(obj, type) and issubclass(obj, base)):
            return "is not a subclass of corelib.nn.Module"
    elif kind == "optimizer":
        base = _optional_base("corelib.optim", "Optimizer")
        if base is not None and not (isinstance(obj, type) and issubclass(obj, base)):
            return "is not a subclass of corelib.optim.Optimizer"
    if not callable(obj):
        return "is not callable"
    return None


def _norm(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").lower()


def check_plugin(dist_or_plugin_name: str, registry=None, *, catalog: bool = True,
                 raise_on_error: bool = True) -> PluginCheckReport:
    """Check every component a plugin registered; raise AssertionError listing all problems.

    ``dist_or_plugin_name`` is the distribution ("corelib-losses") or the entry-point
    name ("losses"). For each ``(kind, name)`` the plugin provides:

    - ``registry.get(kind, name)`` resolves (lazy targets import);
    - its class/function-name alias resolves to the same object;
    - the object has a docstring;
    - it is of its kind: a layer subclasses ``corelib.nn.Module`` and an optimizer
      ``corelib.optim.Optimizer`` (when those exist), everything else is callable;
    - for first-party ``corelib-*`` bundles, ``corelib/_catalog.py`` names this
      distribution for the name (``catalog=False`` skips this).

    Returns a :class:`PluginCheckReport`; with ``raise_on_error=False`` it never raises.
    """
    from corelib._catalog import CATALOG
    from corelib._registry import _auto_alias, default_registry

    reg = default_registry if registry is None else registry
    infos = reg.plugins()
    want = _norm(dist_or_plugin_name)
    matches = [p for p in infos if p.name == dist_or_plugin_name
               or (p.dist and _norm(p.dist) == want)]
    if not matches:
        found = ", ".join(f"{p.name} ({p.dist})" for p in infos) or "none"
        raise AssertionError(f"no corelib plugin named {dist_or_plugin_name!r} is installed; "
                             f"found: {found}")
    problems: list[str] = []
    checked: list[tuple[str, str]] = []
    for plugin in matches:
        if plugin.status != "loaded":
            problems.append(f"plugin {plugin.name!r} is {plugin.status}: {plugin.error}")
        first_party = bool(plugin.dist) and _norm(plugin.dist).startswith("corelib-")
        for kind, names in plugin.provides.items():
            if not names:
                continue
            for name in names:
                where = f"{kind} {name!r}"
                checked.append((kind, name))
                try:
                    info = reg.info(kind, name)
                except LookupError as e:
                    problems.append(f"{where}: {e}")
                    continue
                if info.plugin != plugin.name:
                    problems.append(f"{where} resolves to {info.provider}, not plugin {plugin.name!r}")
                    continue
                try:
                    obj = reg.get(kind, name)
                except Exception as e:
                    problems.append(f"{where} does not resolve: {e}")
                    continue
                alias = _auto_alias(info.target)
                if alias and alias != name:
                    try:
                        same = reg.get(kind, alias) is obj
                    except Exception as e:
                        problems.append(f"{where}: its alias {alias!r} does not resolve: {e}")
                    else:
                        if not same:
                            problems.append(f"{where}: its alias {alias!r} resolves to another object")
                if not (getattr(obj, "__doc__", None) or "").strip():
                    problems.append(f"{where} ({info.target_path}) has no docstring")
                bad = _kind_problem(kind, obj)
                if bad:
                    problems.append(f"{where} ({info.target_path}) {bad}")
                if catalog and first_party:
                    owner = CATALOG.get((kind, name))
                    if owner is None:
                        problems.append(f"{where} is missing from corelib/_catalog.py "
                                        f"(add ({kind!r}, {name!r}): {_norm(plugin.dist)!r})")
                    elif owner != _norm(plugin.dist):
                        problems.append(f"{where}: corelib/_catalog.py says {owner}, "
                                        f"but {plugin.dist} provides it")
    report = PluginCheckReport(matches[0], checked, problems)
    if problems and raise_on_error:
        raise AssertionError(str(report))
    return report
