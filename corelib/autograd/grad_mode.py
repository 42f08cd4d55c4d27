"""Gradient-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flag is process-global (read on every op, so kept as a one-element list)."""
import functools

_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _Mode:
    _value = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._value

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_Mode):
    """Context manager / decorator that disables gradient recording."""
    _value = False


class enable_grad(_Mode):
    """Context manager / decorator that enables gradient recording."""
    _value = True


class inference_mode(_Mode):
    """Like no_grad (corelib has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._value = not mode

    def __call__(self, fn):
        mode = not self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper


class set_grad_enabled(_Mode):
    """Sets gradient recording on or off; takes effect immediately, and as a context manager
    restores the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._value = bool(mode)
        _enabled[0] = self._value

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        _enabled[0] = self._prev
        mode = self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
