"""Gradient-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flag is process-global (read on every op, so kept as a one-element list)."""
import functools
import warnings

_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _Mode:
    _value = True

    def __new__(cls, *args):
        if cls in (no_grad, enable_grad) and len(args) == 1 and callable(args[0]):
            return cls()(args[0])             # used as a bare decorator: @no_grad
        return super().__new__(cls)

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


_inference = [False]


def is_inference_mode_enabled():
    return _inference[0]


class inference_mode(_Mode):
    """Like no_grad (corelib has no separate inference tensors); is_inference_mode_enabled()
    reports it."""

    def __new__(cls, mode=True):
        if callable(mode):                    # used as a bare decorator: @inference_mode
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        self._value = not mode

    def __enter__(self):
        super().__enter__()
        self._prev_inf = _inference[0]
        _inference[0] = not self._value

    def __exit__(self, *exc):
        _inference[0] = self._prev_inf
        return super().__exit__(*exc)

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


_anomaly = [False, True]         # enabled, check_nan


def is_anomaly_enabled():
    return _anomaly[0]


def is_anomaly_check_nan_enabled():
    return _anomaly[0] and _anomaly[1]


class detect_anomaly:
    """Context manager / decorator: backward raises as soon as a node returns a NaN gradient,
    naming that node (corelib keeps no forward tracebacks)."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = _anomaly[:]
        _anomaly[:] = [True, self.check_nan]

    def __exit__(self, *exc):
        _anomaly[:] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off; takes effect immediately, and as a context manager
    restores the previous setting on exit."""

    def __init__(self, mode, check_nan=True):
        self._prev = _anomaly[:]
        _anomaly[:] = [bool(mode), check_nan]

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _anomaly[:] = self._prev
        return False
