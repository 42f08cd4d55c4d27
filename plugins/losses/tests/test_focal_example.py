"""The third-party FocalLoss package of docs/losses.md passes check_loss, registered or not."""
import importlib
import sys
from pathlib import Path

import pytest

from corelib.testing.losses import check_loss

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "acme_focal"


@pytest.fixture
def acme_focal():
    src = str(EXAMPLE / "src")
    sys.path.insert(0, src)
    try:
        yield importlib.import_module("acme_focal.focal"), importlib.import_module("acme_focal.plugin")
    finally:
        sys.path.remove(src)
        for m in [m for m in sys.modules if m.startswith("acme_focal")]:
            del sys.modules[m]


def test_example_package_layout():
    text = (EXAMPLE / "pyproject.toml").read_text()
    assert '[project.entry-points."corelib.plugins"]' in text
    assert 'acme_focal = "acme_focal.plugin"' in text


def test_focal_passes_check_loss(acme_focal):
    focal, plugin = acme_focal
    from corelib._registry import Registry
    reg = Registry(autoload=False)
    reg.register_plugin(plugin, name="acme_focal")
    assert reg.get("loss", "focal") is focal.FocalLoss
    report = check_loss(focal.FocalLoss, gamma=2.0, registry=reg, registered=True)
    assert report.ok and report.registry_name == "focal"
    check_loss(focal.FocalLoss, gamma=0.5, registered=False)


def test_focal_gamma0_is_cross_entropy(acme_focal):
    import corelib as cl
    from corelib_losses.functional import cross_entropy
    focal, _ = acme_focal
    x, y = cl.randn(6, 4), cl.randint(0, 4, (6,))
    assert focal.FocalLoss(gamma=0.0)(x, y).item() == pytest.approx(cross_entropy(x, y).item(), rel=1e-6)
