"""The bundle's hook, registry names and the corelib.transforms facade."""
import importlib
import re

import pytest

from corelib_transforms import plugin
from corelib_transforms import transforms as T

EXPECTED = {
    "to_tensor", "pil_to_tensor", "to_pil_image", "normalize", "resize", "center_crop",
    "random_crop", "random_resized_crop", "five_crop", "ten_crop", "random_horizontal_flip",
    "random_vertical_flip", "random_rotation", "pad", "color_jitter", "grayscale",
    "random_grayscale", "random_affine", "linear_transformation", "random_erasing",
    "gaussian_blur", "lambda", "random_choice", "random_apply", "random_order", "compose",
    "convert_image_dtype",
}


def _snake(name):
    for acr in ("PIL",):
        name = name.replace(acr, acr.capitalize())
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_hook_returns_lazy_strings_for_every_transform():
    table = plugin.corelib_register_transforms()
    assert set(table) == EXPECTED
    for name, target in table.items():
        assert isinstance(target, str)
        mod, _, attr = target.partition(":")
        obj = getattr(importlib.import_module(mod), attr)
        assert _snake(obj.__name__) == name
        assert obj.__doc__


def test_registry_and_facade_resolve():
    registry = pytest.importorskip("corelib.registry")
    try:
        cls = registry.get("transform", "random_resized_crop")
    except Exception as e:  # noqa: BLE001 - the bundle is not installed (entry point missing)
        pytest.skip(f"corelib-transforms not installed: {e}")
    assert cls is T.RandomResizedCrop
    assert registry.get("transform", "ToTensor") is T.ToTensor
    assert registry.get("transform", "to_pil_image") is T.ToPILImage
    from corelib import transforms
    assert transforms.Compose is T.Compose and transforms.Lambda is T.Lambda
    import corelib.transforms.functional as F
    from corelib_transforms import functional
    assert F is functional and transforms.functional is functional
    assert transforms.InterpolationMode is functional.InterpolationMode
    assert {"Compose", "functional", "RandomErasing"} <= set(dir(transforms))
    with pytest.raises(AttributeError, match="RandomResizedCrop"):
        transforms.RandomResizeCrop


def test_check_plugin_conformance():
    plugins = pytest.importorskip("corelib.testing.plugins")
    try:
        report = plugins.check_plugin("corelib-transforms", catalog=False, raise_on_error=False)
    except AssertionError as e:  # not installed
        pytest.skip(str(e))
    assert not report.problems, str(report)
