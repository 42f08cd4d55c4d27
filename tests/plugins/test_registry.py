"""The Registry API on fresh, in-process registries (fake entry points, no subprocess)."""
import threading
import types
import warnings

import pytest

from corelib import _registry
from corelib._registry import (
    AmbiguousComponentError,
    ComponentImportError,
    CorelibPluginWarning,
    DuplicateComponentError,
    Registry,
    UnknownComponentError,
    UnknownKindError,
)


class FocalLoss:
    """A focal loss (test double)."""


def focal_fn():
    """A function component."""


@pytest.fixture
def reg():
    return Registry(autoload=False)


def registry_with(*eps):
    return Registry(entry_points=list(eps))


# ------------------------------------------------------------------ get / list / register


def test_register_get_and_class_name_alias(reg):
    reg.register("loss", "focal", FocalLoss)
    assert reg.get("loss", "focal") is FocalLoss
    assert reg.get("loss", "FocalLoss") is FocalLoss
    assert reg.list("loss") == ["focal"]


def test_register_as_decorator_returns_the_object(reg):
    @reg.register("initializer", "my_init", aliases=("my_init_",))
    def my_init_(t):
        """Fill t."""
        return t

    assert my_init_(3) == 3
    assert reg.get("initializer", "my_init") is my_init_
    assert reg.get("initializer", "my_init_") is my_init_


def test_lazy_target_imports_on_first_get_and_alias_needs_no_import(reg, plugin_module):
    reg.register_plugin(plugin_module(loss={"ordered": "collections:OrderedDict"}), "p")
    info = reg.info("loss", "OrderedDict")
    assert info.name == "ordered" and not info.loaded and info.aliases == ("OrderedDict",)
    import collections
    assert reg.get("loss", "OrderedDict") is collections.OrderedDict
    assert reg.info("loss", "ordered").loaded


def test_lazy_import_error_names_target_and_plugin(reg, plugin_module):
    reg.register_plugin(plugin_module(loss={"nope": "no_such_module_xyz:Thing"}), "acme",
                        dist="acme-losses", version="1.2")
    with pytest.raises(ComponentImportError) as exc:
        reg.get("loss", "nope")
    msg = str(exc.value)
    assert "'no_such_module_xyz:Thing'" in msg and "plugin 'acme' (acme-losses 1.2)" in msg
    assert isinstance(exc.value, ImportError)


def test_missing_attribute_in_lazy_target(reg):
    reg.register("loss", "ghost", "collections:NoSuchClass")
    with pytest.raises(ComponentImportError, match="collections:NoSuchClass"):
        reg.get("loss", "ghost")


def test_list_natural_sort_and_patterns(reg):
    for n in ("conv10d", "conv2d", "conv1d", "linear", "max_pool2d"):
        reg.register("layer", n, f"collections:{n.title().replace('_', '')}")
    assert reg.list("layer") == ["conv1d", "conv2d", "conv10d", "linear", "max_pool2d"]
    assert reg.list("layer", "conv*") == ["conv1d", "conv2d", "conv10d"]
    assert reg.list("layer", ["lin*", "*pool*"]) == ["linear", "max_pool2d"]
    assert reg.list("layer", "Linear") == ["linear"]  # patterns match aliases too
    assert reg.list("loss") == []


def test_duplicate_registration_names_current_provider(reg, plugin_module):
    reg.register_plugin(plugin_module(loss={"focal": FocalLoss}), "acme", dist="acme-losses",
                        version="1.2")
    with pytest.raises(DuplicateComponentError) as exc:
        reg.register("loss", "focal", focal_fn)
    assert "plugin 'acme' (acme-losses 1.2)" in str(exc.value) and "override=True" in str(exc.value)
    assert isinstance(exc.value, ValueError)
    reg.register("loss", "mine", focal_fn)
    with pytest.raises(DuplicateComponentError, match=r"registry\.register\(\)"):
        reg.register("loss", "mine", FocalLoss)


def test_duplicate_explicit_alias(reg):
    reg.register("loss", "focal", FocalLoss)
    with pytest.raises(DuplicateComponentError, match="alias 'FocalLoss'"):
        reg.register("loss", "other", focal_fn, aliases=("FocalLoss",))


def test_override_replaces_and_drops_old_alias(reg):
    reg.register("loss", "focal", FocalLoss)
    reg.register("loss", "focal", focal_fn, override=True)
    assert reg.get("loss", "focal") is focal_fn
    assert reg.get("loss", "focal_fn") is focal_fn
    with pytest.raises(UnknownComponentError):
        reg.get("loss", "FocalLoss")
    assert reg.info("loss", "focal").plugin is None


def test_register_rejects_non_targets(reg):
    with pytest.raises(ValueError, match="module:Name|package.module:Name"):
        reg.register("loss", "bad", "no_colon_here")
    with pytest.raises(TypeError):
        reg.register("loss", "bad", 42)


def test_info_fields(reg, plugin_module):
    reg.register_plugin(plugin_module(optimizer={"sgd2": "collections:Counter"}), "acme",
                        dist="acme-optim", version="0.9")
    info = reg.info("optimizer", "Counter")
    assert (info.kind, info.name, info.target, info.target_path) == (
        "optimizer", "sgd2", "collections:Counter", "collections:Counter")
    assert (info.plugin, info.dist, info.version) == ("acme", "acme-optim", "0.9")
    assert info.provider == "plugin 'acme' (acme-optim 0.9)"


def test_unknown_kind_lists_kinds(reg):
    with pytest.raises(UnknownKindError) as exc:
        reg.get("losses", "x")
    msg = str(exc.value)
    assert "did you mean 'loss'" in msg
    assert "layer, loss, optimizer, scheduler, initializer, transform, logger, dataset" in msg
    with pytest.raises(ValueError):
        reg.list("nope")
    with pytest.raises(LookupError):
        reg.register("widget", "x", FocalLoss)


# ------------------------------------------------------------------ misses


def test_miss_shows_close_matches_and_how_to_list(reg):
    for n, t in [("triplet_margin", "a:TripletMarginLoss"), ("margin_ranking", "a:MarginRankingLoss"),
                 ("multi_margin", "a:MultiMarginLoss"), ("mse", "a:MSELoss")]:
        reg.register("loss", n, t)
    with pytest.raises(UnknownComponentError) as exc:
        reg.get("loss", "triplet_margn")
    msg = str(exc.value)
    assert "Did you mean 'triplet_margin'" in msg
    assert "corelib.registry.list('loss')" in msg and "python -m corelib plugins" in msg
    with pytest.raises(UnknownComponentError, match="'TripletMarginLoss'"):
        reg.get("loss", "TripletMarginLos")
    # at most three suggestions
    with pytest.raises(UnknownComponentError) as exc:
        reg.get("loss", "margin")
    assert str(exc.value).split("?")[0].count("'") <= 2 + 6


def test_miss_is_lookup_error_not_key_error(reg):
    with pytest.raises(LookupError) as exc:
        reg.get("loss", "whatever")
    assert not isinstance(exc.value, KeyError)
    assert str(exc.value).startswith("unknown loss 'whatever'")


def test_catalog_hint_when_bundle_not_installed(reg, monkeypatch):
    monkeypatch.setattr(_registry, "_installed_version", lambda dist: None)
    with pytest.raises(UnknownComponentError) as exc:
        reg.get("loss", "TripletMarginLoss")
    msg = str(exc.value)
    assert "provided by corelib-losses, which is not installed: pip install corelib-losses" in msg
    with pytest.raises(UnknownComponentError, match="corelib-optim, which is not installed"):
        reg.get("optimizer", "adamw")
    with pytest.raises(UnknownComponentError, match="corelib-init"):
        reg.get("initializer", "xavier_uniform_")


def test_catalog_hint_when_bundle_installed_but_autoload_off(monkeypatch):
    monkeypatch.setattr(_registry, "_installed_version", lambda dist: "0.1.0")
    reg = Registry(autoload=False)
    with pytest.raises(UnknownComponentError, match="installed but not loaded: plugin autoload is off"):
        reg.get("loss", "cross_entropy")


def test_catalog_hint_when_bundle_blocked(monkeypatch, fake_ep, plugin_module):
    monkeypatch.setenv("CORELIB_DISABLE_PLUGINS", "losses")
    reg = registry_with(fake_ep("losses", plugin_module(loss={"mse": FocalLoss}),
                                dist="corelib-losses", version="0.1.0"))
    with pytest.raises(UnknownComponentError, match="blocked by CORELIB_DISABLE_PLUGINS"):
        reg.get("loss", "mse")


def test_no_catalog_hint_for_unknown_third_party_names(reg):
    with pytest.raises(UnknownComponentError) as exc:
        reg.get("loss", "my_focal")
    assert "pip install" not in str(exc.value)


# ------------------------------------------------------------------ discovery


def test_discovery_is_lazy_and_runs_once(fake_ep, plugin_module):
    ep = fake_ep("acme", plugin_module(loss={"focal": FocalLoss}, layer={"thing": focal_fn}))
    reg = registry_with(ep)
    assert ep.loads == 0
    assert reg.get("loss", "focal") is FocalLoss
    assert reg.list("layer") == ["thing"]
    reg.list("loss")
    assert ep.loads == 1


def test_hooks_run_per_kind_lazily(fake_ep):
    calls = []
    from corelib.hookspecs import hookimpl
    mod = types.ModuleType("m")

    @hookimpl
    def corelib_register_losses():
        calls.append("loss")
        return {"focal": FocalLoss}

    @hookimpl
    def corelib_register_layers():
        calls.append("layer")
        return {}

    mod.corelib_register_losses, mod.corelib_register_layers = corelib_register_losses, corelib_register_layers
    reg = registry_with(fake_ep("acme", mod))
    reg.list("loss")
    reg.get("loss", "focal")
    assert calls == ["loss"]
    reg.list("layer")
    assert calls == ["loss", "layer"]


def test_failing_plugin_warns_once_and_rest_works(fake_ep, plugin_module):
    reg = registry_with(
        fake_ep("broken", error=ImportError("boom"), dist="broken-plugin", version="0.3"),
        fake_ep("acme", plugin_module(loss={"focal": FocalLoss})),
    )
    with pytest.warns(CorelibPluginWarning) as rec:
        assert reg.get("loss", "focal") is FocalLoss
        reg.list("layer")
        reg.list("loss")
    assert len(rec) == 1
    assert str(rec[0].message) == ("corelib plugin 'broken' (broken-plugin 0.3) failed to load: "
                                   "ImportError('boom'); skipping it")
    by_name = {p.name: p for p in reg.plugins()}
    assert by_name["broken"].status == "failed" and "boom" in by_name["broken"].error
    assert by_name["acme"].status == "loaded"
    with pytest.raises(UnknownComponentError) as exc:
        reg.get("loss", "nothing_here")
    assert "note: plugin 'broken' (broken-plugin 0.3) failed to load: ImportError('boom')" in str(exc.value)


def test_plugin_raising_systemexit_does_not_kill_discovery(fake_ep, plugin_module):
    reg = registry_with(fake_ep("bye", error=SystemExit(3)),
                        fake_ep("acme", plugin_module(loss={"focal": FocalLoss})))
    with pytest.warns(CorelibPluginWarning, match="SystemExit"):
        assert reg.list("loss") == ["focal"]


def test_hook_that_raises_or_returns_garbage_marks_plugin_failed(fake_ep, plugin_module):
    reg = registry_with(
        fake_ep("raiser", plugin_module("r", loss=RuntimeError("hook boom")), dist="r"),
        fake_ep("lister", plugin_module("l", loss=["not", "a", "mapping"]), dist="l"),
        fake_ep("badtarget", plugin_module("b", loss={"x": 42}), dist="b"),
        fake_ep("acme", plugin_module(loss={"focal": FocalLoss})),
    )
    with pytest.warns(CorelibPluginWarning) as rec:
        assert reg.list("loss") == ["focal"]
    assert len(rec) == 3
    status = {p.name: (p.status, p.error) for p in reg.plugins()}
    assert status["raiser"][0] == "failed" and "hook boom" in status["raiser"][1]
    assert "expected a mapping" in status["lister"][1]
    assert status["acme"] == ("loaded", None)


def test_misspelled_hook_fails_loudly(fake_ep):
    from corelib.hookspecs import hookimpl
    mod = types.ModuleType("typo")

    @hookimpl
    def corelib_register_lossses():
        return {}

    mod.corelib_register_lossses = corelib_register_lossses
    reg = registry_with(fake_ep("typo", mod))
    with pytest.warns(CorelibPluginWarning, match="corelib_register_lossses"):
        reg.list("loss")
    assert reg.plugins()[0].status == "failed"


def test_two_plugins_same_name_warn_once_and_get_raises(fake_ep, plugin_module):
    reg = registry_with(
        fake_ep("acme", plugin_module("a", loss={"focal": FocalLoss, "only_a": FocalLoss})),
        fake_ep("other", plugin_module("o", loss={"focal": focal_fn}), dist="other-losses",
                version="2.0"),
    )
    with pytest.warns(CorelibPluginWarning) as rec:
        names = reg.list("loss")
    assert len(rec) == 1 and "'focal'" in str(rec[0].message)
    assert names == ["focal", "only_a"]
    with pytest.raises(AmbiguousComponentError) as exc:
        reg.get("loss", "focal")
    msg = str(exc.value)
    assert "plugin 'acme' (acme-losses 1.2)" in msg and "plugin 'other' (other-losses 2.0)" in msg
    assert "CORELIB_DISABLE_PLUGINS=" in msg
    assert reg.get("loss", "only_a") is FocalLoss
    provides = {p.name: p.provides for p in reg.plugins()}
    assert provides["acme"]["loss"] == ["focal", "only_a"] and provides["other"]["loss"] == ["focal"]
    # the user can settle it explicitly
    reg.register("loss", "focal", focal_fn, override=True)
    assert reg.get("loss", "focal") is focal_fn


def test_env_disable_plugins_blocks_named_plugins(monkeypatch, fake_ep, plugin_module):
    monkeypatch.setenv("CORELIB_DISABLE_PLUGINS", "other, nothing")
    acme = fake_ep("acme", plugin_module("a", loss={"focal": FocalLoss}))
    other = fake_ep("other", plugin_module("o", loss={"focal": focal_fn}), dist="other-losses")
    reg = registry_with(acme, other)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert reg.get("loss", "focal") is FocalLoss
    assert other.loads == 0
    status = {p.name: p.status for p in reg.plugins()}
    assert status == {"acme": "loaded", "other": "blocked"}


def test_env_disable_plugins_accepts_distribution_names(monkeypatch, fake_ep, plugin_module):
    monkeypatch.setenv("CORELIB_DISABLE_PLUGINS", "Other_Losses")
    other = fake_ep("other", plugin_module("o", loss={"focal": focal_fn}), dist="other-losses")
    assert registry_with(other).plugins()[0].status == "blocked"


def test_env_disable_autoload(monkeypatch, fake_ep, plugin_module):
    monkeypatch.setenv("CORELIB_DISABLE_PLUGIN_AUTOLOAD", "1")
    ep = fake_ep("acme", plugin_module(loss={"focal": FocalLoss}))
    reg = registry_with(ep)
    assert reg.list("loss") == [] and reg.plugins() == [] and ep.loads == 0
    reg.register("loss", "focal", FocalLoss)  # programmatic registration still works
    assert reg.get("loss", "focal") is FocalLoss


@pytest.mark.parametrize("value", ["0", "", "false"])
def test_env_disable_autoload_falsy_values(monkeypatch, fake_ep, plugin_module, value):
    monkeypatch.setenv("CORELIB_DISABLE_PLUGIN_AUTOLOAD", value)
    assert registry_with(fake_ep("acme", plugin_module(loss={"f": FocalLoss}))).list("loss") == ["f"]


def test_register_plugin_after_kind_in_use(reg, plugin_module):
    assert reg.list("loss") == []
    reg.register_plugin(plugin_module(loss={"focal": FocalLoss}), "late")
    assert reg.get("loss", "focal") is FocalLoss


def test_plugin_using_registry_while_being_imported(fake_ep, plugin_module):
    reg_box = {}
    mod = plugin_module(loss={"focal": FocalLoss})

    class ReentrantEP(fake_ep):
        def load(self):
            reg_box["seen"] = reg_box["reg"].list("layer")  # re-entrant use during discovery
            return super().load()

    reg = registry_with(ReentrantEP("acme", mod), fake_ep("late", plugin_module("l", layer={"lin": focal_fn})))
    reg_box["reg"] = reg
    assert reg.list("loss") == ["focal"]
    assert reg.list("layer") == ["lin"]  # the kind was not frozen half-way


def test_concurrent_first_use_discovers_once(fake_ep, plugin_module):
    ep = fake_ep("acme", plugin_module(loss={"focal": FocalLoss}))
    reg = registry_with(ep)
    results, barrier = [], threading.Barrier(8)

    def worker():
        barrier.wait()
        results.append(reg.get("loss", "focal"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [FocalLoss] * 8 and ep.loads == 1


def test_plugins_reports_dist_version_and_provides(fake_ep, plugin_module):
    reg = registry_with(fake_ep("acme", plugin_module(loss={"b": FocalLoss, "a": focal_fn},
                                                      scheduler={"s": "x:Y"})))
    (info,) = reg.plugins()
    assert info.as_dict() == {"name": "acme", "dist": "acme-losses", "version": "1.2",
                              "status": "loaded", "error": None,
                              "provides": {"loss": ["b", "a"], "scheduler": ["s"]}}


def test_public_module_wraps_default_registry():
    from corelib import registry
    for name in ("get", "list", "register", "info", "plugins", "find_attr", "attr_names", "hint",
                 "facade"):
        assert callable(getattr(registry, name))
    assert registry.UnknownComponentError is UnknownComponentError
    assert registry.DuplicateComponentError is DuplicateComponentError
    assert registry.get.__self__ is _registry.default_registry
