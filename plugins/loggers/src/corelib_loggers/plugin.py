"""Entry point of the corelib-loggers bundle: lazy registrations only."""
from corelib.hookspecs import hookimpl


@hookimpl
def corelib_register_loggers():
    return {
        "summary_writer": "corelib_loggers.writer:SummaryWriter",
        "make_grid": "corelib_loggers.image_utils:make_grid",
        "save_image": "corelib_loggers.image_utils:save_image",
        "summary": "corelib_loggers.model_summary:summary",
    }
