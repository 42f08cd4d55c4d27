"""The component registry: plugin discovery, lookup, registration and helpful errors.

Public face: ``corelib.registry`` (a module wrapping :data:`default_registry`)::

    from corelib import registry
    registry.get("loss", "triplet_margin")        # -> the TripletMarginLoss class
    registry.list("loss", "*margin*")             # -> sorted names available now
    registry.register("loss", "focal", FocalLoss) # programmatic registration (or a decorator)
    registry.info("loss", "focal")                # target, aliases, providing plugin/dist/version
    registry.plugins()                            # [PluginInfo(...)] of the installed plugins

Importing this module is cheap: pluggy and importlib.metadata are imported on the first
registry use, never at ``import corelib``. Discovery (finding the entry points of the
``corelib.plugins`` group and importing each plugin module) runs once per process, under a
lock; each kind's hook is called the first time that kind is used.
"""
from __future__ import annotations

import builtins
import importlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Mapping

# difflib, fnmatch, pathlib, importlib.metadata and pluggy are imported where used: this
# module is imported by every facade and must stay cheap (annotations are never evaluated).
from corelib._catalog import BUNDLE_DIRS, CATALOG, KIND_HOOKS, KINDS, snake_case

__all__ = [
    "Registry", "default_registry", "KINDS", "snake_case",
    "ComponentInfo", "PluginInfo",
    "RegistryError", "UnknownComponentError", "UnknownKindError", "DuplicateComponentError",
    "AmbiguousComponentError", "ComponentImportError", "CorelibPluginWarning",
    "ENTRY_POINT_GROUP", "ENV_DISABLE_AUTOLOAD", "ENV_DISABLE_PLUGINS",
]

ENTRY_POINT_GROUP = "corelib.plugins"
ENV_DISABLE_AUTOLOAD = "CORELIB_DISABLE_PLUGIN_AUTOLOAD"
ENV_DISABLE_PLUGINS = "CORELIB_DISABLE_PLUGINS"
_LIST_HELP = "List them all with corelib.registry.list({kind!r}) or `python -m corelib plugins`"

_list = builtins.list  # Registry.list shadows the builtin inside the class body


# --------------------------------------------------------------------------- errors


class RegistryError(Exception):
    """Base class of the registry's errors."""


class UnknownComponentError(RegistryError, LookupError):
    """No component of that kind has that name (the message says what to do about it).

    A ``LookupError``, not a ``KeyError``, so the message is not quoted.
    """


class UnknownKindError(UnknownComponentError, ValueError):
    """The kind is not one of :data:`KINDS`."""


class DuplicateComponentError(RegistryError, ValueError):
    """``register`` of a name that is already taken, without ``override=True``."""


class AmbiguousComponentError(RegistryError, LookupError):
    """Two plugins provide the same name; ``get`` refuses to pick one."""


class ComponentImportError(RegistryError, ImportError):
    """A lazy ``"module:attr"`` target could not be imported."""


class CorelibPluginWarning(UserWarning):
    """A plugin failed to load, or two plugins clash; everything else keeps working."""


# --------------------------------------------------------------------------- records


class PluginInfo:
    """One plugin found through the ``corelib.plugins`` entry points (or registered by hand).

    ``status`` is ``"loaded"``, ``"failed"`` (``error`` says why) or ``"blocked"``
    (by ``CORELIB_DISABLE_PLUGINS``). ``provides`` maps kind -> names, for the kinds whose
    hooks have run (:meth:`Registry.plugins` runs them all).
    """

    __slots__ = ("name", "dist", "version", "status", "error", "provides")

    def __init__(self, name: str, dist: str | None = None, version: str | None = None,
                 status: str = "loaded", error: str | None = None,
                 provides: dict[str, list[str]] | None = None):
        self.name, self.dist, self.version = name, dist, version
        self.status, self.error = status, error
        self.provides = {} if provides is None else provides

    @property
    def label(self) -> str:
        """``plugin 'acme' (acme-losses 1.2)``, as used in messages."""
        return f"plugin {self.name!r}" + (f" ({self.dist} {self.version})" if self.dist else "")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dist": self.dist, "version": self.version,
                "status": self.status, "error": self.error,
                "provides": {k: _list(v) for k, v in self.provides.items()}}

    def __eq__(self, other):
        return isinstance(other, PluginInfo) and self.as_dict() == other.as_dict()

    __hash__ = None

    def __repr__(self) -> str:
        return "PluginInfo(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


class ComponentInfo:
    """What :meth:`Registry.info` returns about one component (read-only)."""

    __slots__ = ("kind", "name", "target", "target_path", "aliases", "plugin", "dist", "version",
                 "loaded")

    def __init__(self, kind, name, target, target_path, aliases, plugin, dist, version, loaded):
        self.kind, self.name = kind, name
        self.target = target              # the object, or the lazy "module:attr" string
        self.target_path = target_path    # always "module:qualname"
        self.aliases = tuple(aliases)
        self.plugin = plugin              # entry-point name; None for registry.register(...)
        self.dist, self.version = dist, version
        self.loaded = loaded              # whether a lazy target has been imported yet

    @property
    def provider(self) -> str:
        if self.plugin is None:
            return f"registry.register() ({self.target_path})"
        return f"plugin {self.plugin!r}" + (f" ({self.dist} {self.version})" if self.dist else "")

    def __eq__(self, other):
        return isinstance(other, ComponentInfo) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None

    def __repr__(self) -> str:
        return "ComponentInfo(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"


_MISSING = object()


class _Entry:
    __slots__ = ("kind", "name", "target", "aliases", "plugin", "obj")

    def __init__(self, kind, name, target, aliases, plugin):
        self.kind, self.name, self.target = kind, name, target
        self.aliases: list[str] = aliases
        self.plugin: PluginInfo | None = plugin
        self.obj = target if not isinstance(target, str) else _MISSING

    @property
    def target_path(self) -> str:
        if isinstance(self.target, str):
            return self.target
        mod = getattr(self.target, "__module__", None) or "?"
        return f"{mod}:{getattr(self.target, '__qualname__', repr(self.target))}"

    @property
    def provider(self) -> str:
        if self.plugin is None:
            return f"registry.register() ({self.target_path})"
        return self.plugin.label


def _auto_alias(target) -> str | None:
    """The class or function name: the part after ":" (last dotted piece) for lazy targets."""
    if isinstance(target, str):
        return target.rpartition(":")[2].rpartition(".")[2] or None
    return getattr(target, "__name__", None)


def _natural_key(s: str):
    """Sort "conv2d" before "conv10d" (timm's ``_natural_key``)."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s.lower())]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def _norm_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_of(ep) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    try:
        return dist.name, dist.version
    except Exception:  # a broken METADATA must not break discovery
        return None, None


def _installed_version(dist: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- registry


class Registry:
    """Components by ``(kind, name)``, filled from plugins on first use.

    ``Registry()`` builds a fresh, independent registry (tests use this). ``autoload``
    (default: the ``CORELIB_DISABLE_PLUGIN_AUTOLOAD`` switch) says whether discovery scans
    the entry points; ``entry_points`` replaces ``importlib.metadata.entry_points(group=...)``
    with any iterable of objects having ``name``, ``load()`` and optionally ``dist``.
    """

    def __init__(self, *, group: str = ENTRY_POINT_GROUP, autoload: bool | None = None,
                 entry_points: Iterable[Any] | Callable[[], Iterable[Any]] | None = None):
        self.group = group
        self._autoload = autoload
        self._entry_points = entry_points
        self._lock = threading.RLock()
        self._pm = None
        self._discovered = False
        self._discovering = False           # plugin modules are being imported right now
        self._ready: set[str] = set()      # kinds whose hooks have run
        self._loading: set[str] = set()
        self._plugins: dict[str, PluginInfo] = {}
        self._modules: dict[str, Any] = {}
        self._entries: dict[str, dict[str, _Entry]] = {k: {} for k in KINDS}
        self._aliases: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        self._clashes: dict[str, dict[str, list[_Entry]]] = {k: {} for k in KINDS}

    def __repr__(self) -> str:
        n = sum(len(v) for v in self._entries.values())
        return f"<corelib Registry: {len(self._plugins)} plugins, {n} components loaded>"

    # ------------------------------------------------------------------ public API

    def get(self, kind: str, name: str) -> Any:
        """Return the component: the class or function registered as ``name``.

        ``name`` is the snake_case key or the class/function name (``"TripletMarginLoss"``).
        A lazy ``"module:attr"`` target is imported here, on the first ``get``.
        Raises :class:`UnknownComponentError` (with close matches and the bundle that
        provides it) or :class:`AmbiguousComponentError` when two plugins provide it.
        """
        return self._resolve(self._lookup(kind, name))

    def list(self, kind: str, pattern: str | Iterable[str] | None = None) -> list[str]:
        """Sorted snake_case names of ``kind`` available now (natural sort, as timm).

        ``pattern`` is an fnmatch wildcard (or several); it matches a name or any of its
        aliases: ``registry.list("loss", "*margin*")``.
        """
        self._ensure_kind(self._check_kind(kind))
        names = _list(self._entries[kind])
        if pattern is not None:
            from fnmatch import fnmatchcase
            pats = [pattern] if isinstance(pattern, str) else _list(pattern)
            names = [n for n in names
                     if any(fnmatchcase(c, p) for p in pats
                            for c in (n, *self._entries[kind][n].aliases))]
        return sorted(names, key=_natural_key)

    def register(self, kind: str, name: str, obj: Any = None, *, aliases: Iterable[str] = (),
                 override: bool = False):
        """Register ``obj`` (a class, function or lazy ``"module:attr"``) as ``kind``/``name``.

        With ``obj`` omitted it returns a decorator. The class/function name becomes an
        alias automatically; ``aliases`` adds more. A taken name or alias raises
        :class:`DuplicateComponentError` naming its provider, unless ``override=True``.
        """
        self._check_kind(kind)
        if obj is None:
            def decorator(o):
                self.register(kind, name, o, aliases=aliases, override=override)
                return o
            return decorator
        self._check_target(obj)
        self._ensure_kind(kind)
        with self._lock:
            self._add(kind, name, obj, _list(aliases), plugin=None, override=override)
        return obj

    def info(self, kind: str, name: str) -> ComponentInfo:
        """Describe a component: target, aliases, and the plugin, dist and version providing it."""
        e = self._lookup(kind, name)
        p = e.plugin
        return ComponentInfo(kind=e.kind, name=e.name, target=e.target, target_path=e.target_path,
                             aliases=tuple(e.aliases), plugin=p.name if p else None,
                             dist=p.dist if p else None, version=p.version if p else None,
                             loaded=e.obj is not _MISSING)

    def plugins(self) -> list[PluginInfo]:
        """All plugins found (loaded, failed and blocked), with what each provides.

        Runs every kind's hooks, so ``provides`` is complete.
        """
        for kind in KINDS:
            self._ensure_kind(kind)
        return _list(self._plugins.values())

    def register_plugin(self, plugin: Any, name: str | None = None, *, dist: str | None = None,
                        version: str | None = None) -> PluginInfo:
        """Register a plugin object/module by hand, as if found through an entry point.

        Hooks of kinds already in use are run for it right away. Mostly for tests and
        for applications that ship their components in-tree.
        """
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        with self._lock:
            self._discover()
            info = PluginInfo(name=name, dist=dist, version=version)
            self._plugins[name] = info
            if self._register_module(plugin, info):
                for kind in KINDS:
                    if kind in self._ready:
                        self._call_hook(kind, info)
            return info

    # ------------------------------------------------------------------ facade helpers

    def find_attr(self, kinds: Iterable[str], attr: str) -> Any:
        """The component called ``attr`` (class/function name or snake name), or None.

        For module ``__getattr__`` facades: ``find_attr(("layer", "loss"), "Conv2d")``.
        """
        for kind in kinds:
            self._ensure_kind(self._check_kind(kind))
            entry = self._find(kind, attr)
            if entry is not None:
                return self._resolve(entry)
        return None

    def attr_names(self, kinds: Iterable[str]) -> list[str]:
        """The class/function names (and other identifier aliases) of ``kinds``, for ``__dir__``."""
        out = set()
        for kind in kinds:
            self._ensure_kind(self._check_kind(kind))
            for e in self._entries[kind].values():
                out.update(a for a in e.aliases if a.isidentifier())
                auto = _auto_alias(e.target)          # "make_grid": key and name coincide
                if auto and auto.isidentifier():
                    out.add(auto)
        return sorted(out)

    def hint(self, kinds: Iterable[str], attr: str) -> str:
        """Text to append to an AttributeError for ``attr``: close matches, the bundle, failures.

        Empty when there is nothing useful to say.
        """
        kinds = tuple(kinds)
        parts = []
        cands: list[str] = []
        for kind in kinds:
            self._ensure_kind(self._check_kind(kind))
            for e in self._entries[kind].values():
                cands.extend(a for a in e.aliases if a.isidentifier())
        close = _close_matches(attr, cands)
        if close:
            parts.append("did you mean " + ", ".join(repr(c) for c in close) + "?")
        for kind in kinds:
            cat = self._catalog_hint(kind, attr)
            if cat:
                parts.append(cat)
                break
        parts.extend(self._failure_notes())
        return ("; " + "; ".join(parts)) if parts else ""

    def facade(self, module_name: str, kinds: Iterable[str]):
        """Return ``(__getattr__, __dir__)`` for a PEP 562 facade module over ``kinds``::

            # corelib/nn/__init__.py
            __getattr__, __dir__ = registry.facade(__name__, ("layer", "loss"))

        Dunder names never trigger discovery; a hit is cached in the module's globals; a
        miss raises AttributeError with :meth:`hint`, so ``hasattr`` keeps working.
        """
        kinds = tuple(self._check_kind(k) for k in kinds)

        def __getattr__(name: str):
            if name.startswith("__"):  # import machinery / IDE probes: never discover
                raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
            obj = self.find_attr(kinds, name)
            if obj is None:
                raise AttributeError(f"module {module_name!r} has no attribute {name!r}"
                                     + self.hint(kinds, name))
            mod = sys.modules.get(module_name)
            if mod is not None:
                setattr(mod, name, obj)  # cache: the next access is a plain lookup
            return obj

        def __dir__():
            mod = sys.modules.get(module_name)
            own = set(vars(mod)) if mod is not None else set()
            return sorted(own | set(self.attr_names(kinds)))

        return __getattr__, __dir__

    # ------------------------------------------------------------------ lookup internals

    def _check_kind(self, kind: str) -> str:
        if kind not in KINDS:
            import difflib
            close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6)
            if not close and isinstance(kind, str):
                close = [k for k in KINDS if str(kind).rstrip("s").startswith(k[:4])][:1]
            msg = f"unknown component kind {kind!r}"
            if close:
                msg += f"; did you mean {close[0]!r}?"
            raise UnknownKindError(msg + " Kinds: " + ", ".join(KINDS) + ".")
        return kind

    def _find(self, kind: str, name: str) -> _Entry | None:
        if name in self._clashes[kind]:
            entries = self._clashes[kind][name]
            provs = " and ".join(e.provider for e in entries)
            block = " or ".join(f"{ENV_DISABLE_PLUGINS}={e.plugin.name}"
                                for e in entries if e.plugin is not None)
            raise AmbiguousComponentError(
                f"{kind} {name!r} is provided by {len(entries)} plugins: {provs}. Block one with "
                f"{block or ENV_DISABLE_PLUGINS + '=<plugin>'} (or uninstall it), or pick one with "
                f"corelib.registry.register({kind!r}, {name!r}, obj, override=True).")
        entries = self._entries[kind]
        entry = entries.get(name)
        if entry is None:
            real = self._aliases[kind].get(name)
            if real is not None:
                entry = entries.get(real)
        return entry

    def _lookup(self, kind: str, name: str) -> _Entry:
        self._ensure_kind(self._check_kind(kind))
        entry = self._find(kind, name)
        if entry is None:
            raise UnknownComponentError(self._miss_message(kind, name))
        return entry

    def _miss_message(self, kind: str, name: str) -> str:
        cands = []
        for e in self._entries[kind].values():
            cands.append(e.name)
            cands.extend(e.aliases)
        msg = f"unknown {kind} {name!r}"
        close = _close_matches(name, cands)
        if close:
            msg += ". Did you mean " + ", ".join(repr(c) for c in close) + "?"
        elif not self._entries[kind]:
            msg += f" (no {kind} is registered at all)."
        else:
            msg += "."
        msg += " " + _LIST_HELP.format(kind=kind) + "."
        cat = self._catalog_hint(kind, name)
        if cat:
            msg += "\n" + cat
        for note in self._failure_notes():
            msg += "\nnote: " + note
        return msg

    def _catalog_hint(self, kind: str, name: str) -> str | None:
        key = name if (kind, name) in CATALOG else snake_case(name, kind)
        bundle = CATALOG.get((kind, key))
        if bundle is None:
            return None
        ours = [p for p in self._plugins.values() if p.dist and _norm_dist(p.dist) == bundle]
        if any(p.status == "loaded" for p in ours):
            return (f"{kind} {key!r} belongs to {bundle}, which is loaded but did not register "
                    f"it; is {bundle} out of date?")
        if ours:  # failed or blocked
            p = ours[0]
            why = ("blocked by " + ENV_DISABLE_PLUGINS) if p.status == "blocked" else "failed to load"
            return f"{kind} {key!r} is provided by {bundle}, whose {p.label} {why}"
        if _installed_version(bundle) is not None:
            why = (f"plugin autoload is off ({ENV_DISABLE_AUTOLOAD}=1)" if not self._autoload_on()
                   else f"it declares no {self.group!r} entry point here")
            return f"{kind} {key!r} is provided by {bundle}, which is installed but not loaded: {why}"
        msg = f"{kind} {key!r} is provided by {bundle}, which is not installed: pip install {bundle}"
        from pathlib import Path
        src = Path(__file__).resolve().parent.parent / "plugins" / BUNDLE_DIRS.get(bundle, "?")
        if (src / "pyproject.toml").is_file():
            try:
                shown = os.path.relpath(src)
            except ValueError:
                shown = str(src)
            msg += f" (from this source checkout: pip install -e {shown})"
        return msg

    def _failure_notes(self) -> list[str]:
        return [f"{p.label} failed to load: {p.error}"
                for p in self._plugins.values() if p.status == "failed"]

    def _resolve(self, entry: _Entry) -> Any:
        obj = entry.obj
        if obj is _MISSING:
            obj = entry.obj = _import_target(entry)
        return obj

    # ------------------------------------------------------------------ registration internals

    @staticmethod
    def _check_target(obj) -> None:
        if isinstance(obj, str):
            mod, sep, attr = obj.partition(":")
            if not (sep and mod and attr):
                raise ValueError(f"lazy target {obj!r} must look like 'package.module:Name'")
        elif not callable(obj):
            raise TypeError(f"a component must be a class, a function or a 'module:attr' "
                            f"string, not {type(obj).__name__}")

    def _add(self, kind, name, target, aliases, plugin, override) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {kind} name must be a non-empty string, not {name!r}")
        entries, alias_map = self._entries[kind], self._aliases[kind]
        auto = _auto_alias(target)
        if plugin is not None:  # discovery: clashes are recorded, not raised
            old = entries.get(name)
            if old is not None and old.plugin is not plugin:
                self._clashes[kind].setdefault(name, [old]).append(
                    _Entry(kind, name, target, [], plugin))
                return
        elif not override:
            taken = self._clashes[kind].get(name) or ([entries[name]] if name in entries else [])
            if not taken and name in alias_map:
                taken = [entries[alias_map[name]]]
            if taken:
                raise DuplicateComponentError(
                    f"{kind} {name!r} is already registered by "
                    + " and ".join(e.provider for e in taken)
                    + "; pass override=True to replace it.")
            for a in aliases:
                owner = entries.get(alias_map.get(a, a))
                if owner is not None and owner.name != name:
                    raise DuplicateComponentError(
                        f"alias {a!r} of {kind} {name!r} is already taken by {kind} "
                        f"{owner.name!r} from {owner.provider}; pass override=True to replace it.")
        else:
            self._clashes[kind].pop(name, None)
            for a in aliases:
                alias_map.pop(a, None)
        old = entries.get(name)
        if old is not None:  # override: the old component's aliases go with it
            for a in old.aliases:
                if alias_map.get(a) == name:
                    del alias_map[a]
        all_aliases = [a for a in aliases if a != name]
        if auto and auto != name and auto not in all_aliases:
            all_aliases.append(auto)
        entry = _Entry(kind, name, target, [], plugin)
        for a in all_aliases:
            cur = alias_map.get(a)
            if a in entries and a != name:
                continue  # a real name always wins over an alias
            if cur is None or cur == name or a in aliases:
                alias_map[a] = name
                entry.aliases.append(a)
        entries[name] = entry

    # ------------------------------------------------------------------ discovery

    def _autoload_on(self) -> bool:
        if self._autoload is not None:
            return self._autoload
        return not _truthy(os.environ.get(ENV_DISABLE_AUTOLOAD))

    def _ensure_kind(self, kind: str) -> None:
        if kind in self._ready:
            return
        with self._lock:
            if kind in self._ready or kind in self._loading:
                return
            if self._discovering:
                # A plugin module uses the registry while being imported: give it what is
                # known so far, but run this kind's hooks properly once discovery is done.
                return
            self._loading.add(kind)
            try:
                self._discover()
                for info in _list(self._plugins.values()):
                    if info.status == "loaded":
                        self._call_hook(kind, info)
            finally:
                self._loading.discard(kind)
                self._ready.add(kind)

    def _discover(self) -> None:
        """Find the entry points and import each plugin module, once, each in its own try."""
        if self._discovered:
            return
        import pluggy

        from corelib import hookspecs

        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._discovered = True
        if not self._autoload_on():
            return
        self._discovering = True
        try:
            self._load_entry_points()
        finally:
            self._discovering = False

    def _load_entry_points(self) -> None:
        blocked = {b.strip() for b in os.environ.get(ENV_DISABLE_PLUGINS, "").split(",") if b.strip()}
        blocked_norm = {_norm_dist(b) for b in blocked}
        seen = set()
        for ep in self._iter_entry_points():
            dist, ver = _dist_of(ep)
            key = (ep.name, getattr(ep, "value", None), dist)
            if key in seen:  # the same distribution seen twice on sys.path
                continue
            seen.add(key)
            info = PluginInfo(name=ep.name, dist=dist, version=ver)
            if ep.name in self._plugins:
                other = self._plugins[ep.name]
                self._fail(info, f"another plugin named {ep.name!r} is already loaded from "
                                 f"{other.dist} {other.version}", key=f"{ep.name}@{dist}")
                continue
            self._plugins[ep.name] = info
            if ep.name in blocked or (dist and _norm_dist(dist) in blocked_norm):
                info.status = "blocked"
                self._pm.set_blocked(ep.name)
                continue
            try:
                module = ep.load()
            except BaseException as e:  # noqa: BLE001 - SystemExit in a plugin must not kill us
                if isinstance(e, KeyboardInterrupt):
                    raise
                self._fail(info, repr(e))
                continue
            self._register_module(module, info)

    def _iter_entry_points(self):
        eps = self._entry_points
        if eps is None:
            from importlib.metadata import entry_points
            return _list(entry_points(group=self.group))
        return _list(eps() if callable(eps) else eps)

    def _fail(self, info: PluginInfo, error: str, key: str | None = None) -> None:
        info.status, info.error = "failed", error
        if key is not None:
            self._plugins[key] = info
        where = f" ({info.dist} {info.version})" if info.dist else ""
        warnings.warn(f"corelib plugin {info.name!r}{where} failed to load: {error}; skipping it",
                      CorelibPluginWarning, stacklevel=4)

    def _register_module(self, module, info: PluginInfo) -> bool:
        pm = self._pm
        try:
            pm.register(module, name=info.name)
        except Exception as e:
            self._fail(info, repr(e))
            return False
        try:
            pm.check_pending()  # a misspelled hook name fails loudly (tox)
        except Exception as e:
            pm.unregister(name=info.name)
            self._fail(info, repr(e))
            return False
        self._modules[info.name] = module
        return True

    def _call_hook(self, kind: str, info: PluginInfo) -> None:
        hook = getattr(self._pm.hook, KIND_HOOKS[kind])
        for impl in hook.get_hookimpls():
            if impl.plugin_name != info.name:
                continue
            try:
                result = impl.function()
                if result is None:
                    continue
                if not isinstance(result, Mapping):
                    raise TypeError(f"{impl.function.__name__}() returned "
                                    f"{type(result).__name__}, expected a mapping name -> target")
                items = _list(result.items())
                for name, target in items:
                    self._check_target(target)
            except Exception as e:
                self._fail(info, f"{KIND_HOOKS[kind]}() raised {e!r}")
                continue
            provided = info.provides.setdefault(kind, [])
            for name, target in items:
                was_clash = name in self._clashes[kind]
                self._add(kind, name, target, [], plugin=info, override=False)
                provided.append(name)
                if name in self._clashes[kind] and not was_clash:
                    provs = " and ".join(e.provider for e in self._clashes[kind][name])
                    warnings.warn(
                        f"corelib: {kind} {name!r} is provided by both {provs}; "
                        f"registry.get({kind!r}, {name!r}) will raise until one is blocked "
                        f"with {ENV_DISABLE_PLUGINS}={info.name}", CorelibPluginWarning,
                        stacklevel=5)


def _close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """difflib close matches, case-insensitive, returning the original spellings."""
    import difflib
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    hits = difflib.get_close_matches(name.lower(), _list(by_lower), n=n, cutoff=0.6)
    out = []
    for h in hits:
        if by_lower[h] not in out and by_lower[h] != name:
            out.append(by_lower[h])
    return out


def _import_target(entry: _Entry) -> Any:
    target = entry.target
    mod_name, _, attr = target.partition(":")
    try:
        obj = importlib.import_module(mod_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except Exception as e:
        raise ComponentImportError(
            f"could not import {target!r} for {entry.kind} {entry.name!r} "
            f"registered by {entry.provider}: {e!r}") from e
    return obj


#: The process-wide registry behind ``corelib.registry``.
default_registry = Registry()

#: module-level shortcuts for facade modules: ``__getattr__, __dir__ = facade(__name__, kinds)``
facade = default_registry.facade
find_attr = default_registry.find_attr
