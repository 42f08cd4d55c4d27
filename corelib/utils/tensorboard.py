"""``corelib.utils.tensorboard``: SummaryWriter, provided by the loggers bundle (kind "logger")."""
try:
    from corelib._registry import facade as _facade
except ImportError:               # the registry keeps it on corelib.registry
    from corelib.registry import facade as _facade

__getattr__, __dir__ = _facade(__name__, ("logger",))
