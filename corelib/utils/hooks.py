"""RemovableHandle: what register_*hook returns."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes a hook from the dict it was registered in; also a context manager."""

    def __init__(self, hooks_dict, *extra_dicts):
        import weakref
        self.id = next(_ids)
        self._dicts = [weakref.ref(hooks_dict) if _weakrefable(hooks_dict) else (lambda d=hooks_dict: d)]
        for d in extra_dicts:
            self._dicts.append(lambda d=d: d)

    def remove(self):
        for ref in self._dicts:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _weakrefable(d):
    import weakref
    try:
        weakref.ref(d)
        return True
    except TypeError:
        return False
