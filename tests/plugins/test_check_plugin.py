"""corelib.testing.check_plugin: plugin conformance for bundles and third parties."""
import pytest

from corelib._registry import Registry
from corelib.testing import check_plugin


class GoodLoss:
    """A documented loss."""


class NoDocLoss:
    pass


def good_fn():
    """A documented function."""


def test_good_plugin_passes(plugin_module):
    reg = Registry(autoload=False)
    reg.register_plugin(plugin_module(loss={"good": GoodLoss, "lazy": "collections:OrderedDict"},
                                      initializer={"good_fn": good_fn}),
                        "acme", dist="acme-losses", version="1.0")
    report = check_plugin("acme-losses", registry=reg)
    assert report.ok and sorted(report.checked) == [("initializer", "good_fn"), ("loss", "good"),
                                                   ("loss", "lazy")]
    assert check_plugin("acme", registry=reg).ok  # entry-point name works too
    assert check_plugin("Acme_Losses", registry=reg).ok  # normalized distribution name


def test_problems_are_all_listed(plugin_module):
    reg = Registry(autoload=False)
    reg.register_plugin(plugin_module(loss={"nodoc": NoDocLoss, "missing": "no_such_mod_q:X",
                                            "good": GoodLoss}),
                        "acme", dist="acme-losses", version="1.0")
    with pytest.raises(AssertionError) as exc:
        check_plugin("acme-losses", registry=reg)
    msg = str(exc.value)
    assert "loss 'nodoc'" in msg and "no docstring" in msg
    assert "loss 'missing' does not resolve" in msg and "no_such_mod_q:X" in msg
    assert "'good'" not in msg
    report = check_plugin("acme-losses", registry=reg, raise_on_error=False)
    assert len(report.problems) == 2


def test_first_party_names_must_match_the_catalog(plugin_module):
    reg = Registry(autoload=False)
    reg.register_plugin(plugin_module(loss={"mse": GoodLoss, "not_in_catalog": GoodLoss},
                                      initializer={"triplet_margin": good_fn}),
                        "losses", dist="corelib-losses", version="0.1.0")
    report = check_plugin("corelib-losses", registry=reg, raise_on_error=False)
    text = "\n".join(report.problems)
    assert "loss 'not_in_catalog' is missing from corelib/_catalog.py" in text
    assert "initializer 'triplet_margin' is missing" in text
    assert "'mse'" not in text
    assert check_plugin("corelib-losses", registry=reg, catalog=False, raise_on_error=False).ok


def test_unknown_plugin_and_failed_plugin(fake_ep):
    reg = Registry(entry_points=[fake_ep("broken", error=ImportError("boom"), dist="broken-plugin")])
    with pytest.raises(AssertionError, match="no corelib plugin named 'nope'"):
        with pytest.warns(UserWarning):
            check_plugin("nope", registry=reg)
    with pytest.raises(AssertionError, match="plugin 'broken' is failed"):
        check_plugin("broken-plugin", registry=reg)


def test_non_callable_component_is_reported(plugin_module, monkeypatch):
    import corelib._registry as r
    monkeypatch.setattr(r.Registry, "_check_target", staticmethod(lambda obj: None))
    reg = Registry(autoload=False)
    reg.register_plugin(plugin_module(transform={"pi": "math:pi"}), "acme", dist="acme")
    report = check_plugin("acme", registry=reg, raise_on_error=False)
    assert any("is not callable" in p for p in report.problems)
