"""Helpers of the DataLoader (as ``torch.utils.data._utils``): worker loop, fetchers,
collate functions, shared-memory transport and the exception wrapper."""
import atexit
import sys
import traceback

IS_WINDOWS = sys.platform == "win32"

# Interval (seconds) at which the main process checks that workers are alive while it
# waits for data, and at which workers check that the main process is alive. A worker
# that dies is therefore reported within about this long.
MP_STATUS_CHECK_INTERVAL = 0.5

# Batches' tensors/arrays at least this big (bytes) travel from workers to the main
# process through shared memory instead of being pickled through the result pipe.
SHARED_MEMORY_THRESHOLD = 1 << 16

python_exit_status = False
r"""Whether Python is shutting down. Set by an atexit hook; the iterators' ``__del__``
then skip their clean-up (modules may already be torn down, and multiprocessing's own
atexit hook terminates the daemonic workers)."""


def _set_python_exit_flag():
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    r"""str subclass that returns itself in repr (KeyError calls repr on its argument)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    r"""Wraps an exception plus its formatted traceback to re-raise it in another process."""

    def __init__(self, exc_info=None, where="in background"):
        # Do not store exc_info itself (traceback reference cycles, unpicklable frames).
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        r"""Re-raise the wrapped exception (same type, message holding the original traceback)."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # The exception takes several arguments or cannot be built from a message.
            raise RuntimeError(msg) from None
        raise exception


from . import collate, fetch, shared_memory, worker  # noqa: E402,F401
