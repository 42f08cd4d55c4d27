"""corelib.device: "cpu", "cuda", "cuda:N"."""


class device:
    __slots__ = ("type", "index")

    def __new__(cls, spec, index=None):
        if isinstance(spec, device):
            return spec
        if isinstance(spec, int):
            spec, index = "cuda", spec
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', got {spec!r}")
        s = spec.strip()
        if ":" in s:
            s, _, idx = s.partition(":")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: {spec!r} (expected e.g. 'cuda:0')") from None
        if s not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {spec!r}")
        if s == "cpu":
            index = None
        key = (s, index)
        d = _CACHE.get(key)
        if d is None:
            d = object.__new__(cls)
            object.__setattr__(d, "type", s)
            object.__setattr__(d, "index", index)
            _CACHE[key] = d
        return d

    def __setattr__(self, k, v):
        raise AttributeError("device is immutable")

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __reduce__(self):
        return (device, (str(self),))


_CACHE = {}
CPU = device("cpu")
