"""Helpers for the plugin-system tests: fake plugins in-process, fake distributions on disk."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ in-process fakes


class FakeEntryPoint:
    """Quacks like importlib.metadata.EntryPoint: name, value, dist, load()."""

    def __init__(self, name, module=None, *, error=None, dist="acme-losses", version="1.2"):
        self.name, self.value = name, f"{name}_pkg.plugin"
        self.dist = types.SimpleNamespace(name=dist, version=version) if dist else None
        self._module, self._error = module, error
        self.loads = 0

    def load(self):
        self.loads += 1
        if self._error is not None:
            raise self._error
        return self._module


def make_plugin_module(name="fake_plugin", **hooks):
    """A module whose hooks return the given mappings: make_plugin_module(loss={...})."""
    from corelib._catalog import KIND_HOOKS
    from corelib.hookspecs import hookimpl

    mod = types.ModuleType(name)
    def make_impl(mapping):
        def impl():
            if isinstance(mapping, BaseException):
                raise mapping
            return mapping
        return impl

    for kind, mapping in hooks.items():
        impl = make_impl(mapping)
        impl.__name__ = KIND_HOOKS[kind]
        setattr(mod, KIND_HOOKS[kind], hookimpl(impl))
    return mod


@pytest.fixture
def fake_ep():
    return FakeEntryPoint


@pytest.fixture
def plugin_module():
    return make_plugin_module


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("CORELIB_DISABLE_PLUGIN_AUTOLOAD", "CORELIB_DISABLE_PLUGINS"):
        monkeypatch.delenv(var, raising=False)


# ------------------------------------------------------------------ fake distributions on disk


def write_dist(site: Path, dist: str, version: str, entry_points: dict[str, str],
               files: dict[str, str]) -> Path:
    """Write package files plus a hand-written ``*.dist-info`` so importlib.metadata sees them."""
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(
        "[corelib.plugins]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    return site


ACME_FILES = {
    "acme_losses/__init__.py": "",
    "acme_losses/plugin.py": """
        from corelib import hookimpl

        @hookimpl
        def corelib_register_losses():
            return {"my_focal": "acme_losses.focal:FocalLoss"}
    """,
    "acme_losses/focal.py": '''
        class FocalLoss:
            """Focal loss (a test double)."""
            def __call__(self, x, y):
                return 0.0
    ''',
}

BROKEN_FILES = {
    "broken_plugin/__init__.py": "",
    "broken_plugin/plugin.py": "raise ImportError('boom: missing dependency xyz')\n",
}

CLASH_FILES = {
    "other_losses/__init__.py": "",
    "other_losses/plugin.py": """
        from corelib import hookimpl

        @hookimpl
        def corelib_register_losses():
            return {"my_focal": "other_losses.plugin:OtherFocal"}

        class OtherFocal:
            '''Another focal loss.'''
    """,
}


@pytest.fixture
def acme_site(tmp_path):
    """A site dir holding acme-losses 1.2 (plugin 'acme', loss 'my_focal')."""
    return write_dist(tmp_path / "site", "acme-losses", "1.2", {"acme": "acme_losses.plugin"},
                      ACME_FILES)


@pytest.fixture
def broken_site(acme_site):
    """acme_site plus broken-plugin 0.3, whose plugin module raises ImportError."""
    return write_dist(acme_site, "broken-plugin", "0.3", {"broken": "broken_plugin.plugin"},
                      BROKEN_FILES)


@pytest.fixture
def clash_site(acme_site):
    """acme_site plus other-losses 2.0, which also provides loss 'my_focal'."""
    return write_dist(acme_site, "other-losses", "2.0", {"other": "other_losses.plugin"},
                      CLASH_FILES)


def run_python(args, *sites, env=None, check=True, timeout=120):
    """Run ``python args...`` in a fresh process with ``sites`` (and the repo) on sys.path."""
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("CORELIB_") and k != "PYTHONPATH"}
    full_env["PYTHONPATH"] = os.pathsep.join([str(REPO), *map(str, sites)])
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=full_env,
                          cwd=str(REPO), timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def run_snippet(code, *sites, env=None):
    """Run ``code`` in a fresh process; it must print one JSON object last. Returns it."""
    proc = run_python(["-c", textwrap.dedent(code)], *sites, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def run():
    return run_python


@pytest.fixture
def snippet():
    return run_snippet
