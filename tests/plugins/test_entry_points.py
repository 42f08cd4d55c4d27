"""Real entry points in fresh processes: a third-party package made visible by a *.dist-info."""
import json
import shutil
import subprocess
import sys
import time

import pytest

LIST_AND_GET = """
    import json, sys, warnings
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from corelib import registry
        before = "acme_losses.focal" in sys.modules
        names = registry.list("loss")
        listed_imports = "acme_losses.focal" in sys.modules
        cls = registry.get("loss", "my_focal")
        same = registry.get("loss", "FocalLoss") is cls
    print(json.dumps({
        "names": names, "cls": cls.__module__ + ":" + cls.__qualname__, "same": same,
        "imported_before_get": before or listed_imports,
        "warnings": [str(w.message) for w in caught],
        "plugins": {p.name: [p.dist, p.version, p.status] for p in registry.plugins()},
    }))
"""


def test_third_party_plugin_via_entry_point(acme_site, snippet):
    out = snippet(LIST_AND_GET, acme_site)
    assert "my_focal" in out["names"]
    assert out["cls"] == "acme_losses.focal:FocalLoss" and out["same"]
    assert not out["imported_before_get"]  # lazy "module:attr" targets import on first get
    assert out["plugins"]["acme"] == ["acme-losses", "1.2", "loaded"]
    assert not [w for w in out["warnings"] if "acme" in w]


def test_broken_plugin_gives_exactly_one_warning(broken_site, snippet):
    out = snippet(LIST_AND_GET, broken_site)
    assert out["cls"] == "acme_losses.focal:FocalLoss"
    ours = [w for w in out["warnings"] if "broken" in w]
    assert ours == ["corelib plugin 'broken' (broken-plugin 0.3) failed to load: "
                    "ImportError('boom: missing dependency xyz'); skipping it"]
    assert out["plugins"]["broken"] == ["broken-plugin", "0.3", "failed"]


def test_two_plugins_clash(clash_site, snippet):
    out = snippet("""
        import json, warnings
        from corelib import registry
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            names = registry.list("loss")
        try:
            registry.get("loss", "my_focal")
            err = None
        except LookupError as e:
            err = str(e)
        print(json.dumps({"names": names, "err": err,
                          "warnings": [str(w.message) for w in caught if "my_focal" in str(w.message)]}))
    """, clash_site)
    assert "my_focal" in out["names"] and len(out["warnings"]) == 1
    assert "plugin 'acme' (acme-losses 1.2)" in out["err"]
    assert "plugin 'other' (other-losses 2.0)" in out["err"]
    assert "CORELIB_DISABLE_PLUGINS=other" in out["err"]


def test_env_switches_in_a_fresh_process(clash_site, snippet):
    code = """
        import json
        from corelib import registry
        print(json.dumps({"names": registry.list("loss"),
                          "plugins": {p.name: p.status for p in registry.plugins()}}))
    """
    out = snippet(code, clash_site, env={"CORELIB_DISABLE_PLUGINS": "other"})
    assert out["plugins"]["other"] == "blocked" and out["plugins"]["acme"] == "loaded"
    assert "my_focal" in out["names"]
    out = snippet(code, clash_site, env={"CORELIB_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert out == {"names": [], "plugins": {}}


def test_import_corelib_imports_no_plugin_and_no_pluggy(broken_site, snippet):
    out = snippet("""
        import json, sys
        import corelib
        import corelib.registry
        mods = sorted(m for m in sys.modules if m.split(".")[0] in
                      ("pluggy", "acme_losses", "broken_plugin", "other_losses")
                      or m.startswith("corelib_") or m == "corelib.hookspecs")
        from corelib import hookimpl, registry     # the plugin marker is exported lazily
        import corelib.hookspecs
        ok = hookimpl is corelib.hookspecs.hookimpl and registry is corelib.registry
        print(json.dumps({"mods": mods, "exports": ok}))
    """, broken_site)
    assert out == {"mods": [], "exports": True}


# ------------------------------------------------------------------ CLI


def test_cli_table(broken_site, run):
    proc = run(["-m", "corelib", "plugins", "--names"], broken_site)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["plugin", "distribution", "status"] and "loss" in lines[0]
    acme = next(line for line in lines if line.startswith("acme "))
    assert "acme-losses==1.2" in acme and "loaded" in acme and acme.split()[-1] in "1-"
    broken = next(line for line in lines if line.startswith("broken "))
    assert "broken-plugin==0.3" in broken and "failed" in broken
    assert "    error: ImportError('boom: missing dependency xyz')" in lines
    assert any(line.strip().startswith("loss:") and "my_focal" in line for line in lines)
    assert "failed to load" in proc.stderr  # the warning goes to stderr


def test_cli_json_and_requirements(broken_site, run):
    proc = run(["-m", "corelib", "plugins", "--json"], broken_site)
    data = {p["name"]: p for p in json.loads(proc.stdout)}
    assert data["acme"]["provides"] == {"loss": ["my_focal"]}
    assert data["acme"]["dist"] == "acme-losses" and data["acme"]["version"] == "1.2"
    assert data["broken"]["status"] == "failed" and "boom" in data["broken"]["error"]
    proc = run(["-m", "corelib", "plugins", "--requirements"], broken_site)
    pins = proc.stdout.split()
    assert "acme-losses==1.2" in pins and not any(p.startswith("broken") for p in pins)


def test_cli_without_subcommand_prints_help(run):
    proc = run(["-m", "corelib"], check=False)
    assert proc.returncode == 2 and "plugins" in proc.stderr


def test_cli_autoload_off(acme_site, run):
    proc = run(["-m", "corelib", "plugins"], acme_site, env={"CORELIB_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert "no corelib plugins found" in proc.stdout and "autoload is off" in proc.stdout


# ------------------------------------------------------------------ a real pip install


def test_real_pip_install_of_a_third_party_package(tmp_path, acme_site, snippet):
    """Build the acme package with its own pyproject.toml and pip-install it (no deps)."""
    src = tmp_path / "acme-src"
    (src / "acme_losses").mkdir(parents=True)
    for name in ("__init__.py", "plugin.py", "focal.py"):
        shutil.copy(acme_site / "acme_losses" / name, src / "acme_losses" / name)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "acme-losses"\nversion = "1.2"\n\n'
        '[project.entry-points."corelib.plugins"]\nacme = "acme_losses.plugin"\n\n'
        '[tool.setuptools]\npackages = ["acme_losses"]\n')
    target = tmp_path / "target"
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
             "--no-index", "--target", str(target), str(src)],
            capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.skip("pip install took more than 20 s here")
    if proc.returncode != 0:
        pytest.skip(f"pip cannot build here: {proc.stderr.strip()[-300:]}")
    assert time.monotonic() - t0 < 20
    out = snippet(LIST_AND_GET, target)
    assert out["cls"] == "acme_losses.focal:FocalLoss"
    assert out["plugins"]["acme"] == ["acme-losses", "1.2", "loaded"]
