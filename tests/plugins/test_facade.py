"""PEP 562 facades over the registry: find_attr, attr_names, hint, facade()."""
import sys
import types

import pytest

from corelib import _registry
from corelib._registry import AmbiguousComponentError, Registry


class Conv2d:
    """A 2-D convolution (test double)."""


class CrossEntropyLoss:
    """Cross entropy (test double)."""


@pytest.fixture
def reg(plugin_module):
    r = Registry(autoload=False)
    r.register_plugin(plugin_module(layer={"conv2d": Conv2d, "max_pool2d": "collections:OrderedDict"},
                                    loss={"cross_entropy": CrossEntropyLoss}), "fake")
    return r


@pytest.fixture
def facade_module(reg):
    name = "corelib_test_fake_nn"
    mod = types.ModuleType(name)
    mod.Module = object
    mod.__getattr__, mod.__dir__ = reg.facade(name, ("layer", "loss"))
    sys.modules[name] = mod
    yield mod
    del sys.modules[name]


def test_find_attr_by_class_name_and_snake_name(reg):
    assert reg.find_attr(("layer", "loss"), "Conv2d") is Conv2d
    assert reg.find_attr(("layer", "loss"), "CrossEntropyLoss") is CrossEntropyLoss
    assert reg.find_attr(("layer", "loss"), "conv2d") is Conv2d
    assert reg.find_attr(("layer", "loss"), "Conv3d") is None
    assert reg.find_attr(("loss",), "Conv2d") is None


def test_attr_names_are_the_class_names(reg):
    assert reg.attr_names(("layer", "loss")) == ["Conv2d", "CrossEntropyLoss", "OrderedDict"]


def test_facade_hit_is_cached_in_module_globals(facade_module):
    assert facade_module.Conv2d is Conv2d
    assert vars(facade_module)["Conv2d"] is Conv2d
    import collections
    assert facade_module.OrderedDict is collections.OrderedDict  # lazy target resolved


def test_facade_miss_is_attribute_error_with_hint(facade_module, monkeypatch):
    monkeypatch.setattr(_registry, "_installed_version", lambda dist: None)
    with pytest.raises(AttributeError) as exc:
        facade_module.Conv2D
    msg = str(exc.value)
    assert msg.startswith("module 'corelib_test_fake_nn' has no attribute 'Conv2D'")
    assert "did you mean 'Conv2d'?" in msg
    with pytest.raises(AttributeError) as exc:
        facade_module.TripletMarginLoss
    assert "provided by corelib-losses, which is not installed: pip install corelib-losses" in str(exc.value)
    assert hasattr(facade_module, "Conv2d")
    assert not hasattr(facade_module, "Conv2D")
    assert not hasattr(facade_module, "TotallyUnrelatedName")


def test_facade_dunder_never_triggers_discovery(fake_ep, plugin_module):
    ep = fake_ep("acme", plugin_module(layer={"conv2d": Conv2d}))
    r = Registry(entry_points=[ep])
    getattr_, _ = r.facade("whatever_mod", ("layer",))
    for name in ("__path__", "__wrapped__", "__all__", "__file__"):
        with pytest.raises(AttributeError):
            getattr_(name)
    assert ep.loads == 0
    assert getattr_("Conv2d") is Conv2d and ep.loads == 1


def test_facade_dir_includes_own_globals_and_components(facade_module):
    names = dir(facade_module)
    assert {"Module", "Conv2d", "CrossEntropyLoss"} <= set(names)
    assert "conv2d" not in names


def test_hint_is_empty_when_nothing_helps(reg):
    assert reg.hint(("layer",), "_ipython_canary_method_should_not_exist_") == ""


def test_hint_mentions_failed_plugins(fake_ep):
    r = Registry(entry_points=[fake_ep("broken", error=ImportError("boom"), dist="broken-plugin",
                                       version="0.3")])
    with pytest.warns(UserWarning):
        hint = r.hint(("layer",), "Whatever")
    assert "plugin 'broken' (broken-plugin 0.3) failed to load: ImportError('boom')" in hint


def test_facade_on_a_clash_raises_the_clash(fake_ep, plugin_module):
    r = Registry(entry_points=[fake_ep("a", plugin_module("a", layer={"conv2d": Conv2d})),
                               fake_ep("b", plugin_module("b", layer={"conv2d": CrossEntropyLoss}))])
    getattr_, _ = r.facade("m", ("layer",))
    with pytest.warns(UserWarning), pytest.raises(AmbiguousComponentError):
        getattr_("conv2d")
