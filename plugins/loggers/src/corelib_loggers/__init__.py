"""corelib-loggers: TensorBoard event files without TensorFlow, make_grid/save_image, summary.

Use it through the facades: ``from corelib.utils.tensorboard import SummaryWriter`` and
``from corelib.utils import make_grid, save_image, summary``. Importing this package is cheap;
each component's module is imported on first use.
"""
__version__ = "0.1.0"


def __getattr__(name):
    if name == "SummaryWriter":
        from .writer import SummaryWriter
        return SummaryWriter
    if name in ("make_grid", "save_image"):
        from . import image_utils
        return getattr(image_utils, name)
    if name == "summary":
        from .model_summary import summary
        return summary
    raise AttributeError(f"module 'corelib_loggers' has no attribute {name!r}")
