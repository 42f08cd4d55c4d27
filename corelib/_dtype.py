"""dtypes with PyTorch's names and type-promotion rules, backed by numpy dtypes."""
import numpy as np


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_cat")

    def __init__(self, name, npdt, cat):
        self.name = name
        self.np = np.dtype(npdt)
        self._cat = cat                      # 0 bool, 1 integer, 2 floating
        self.is_floating_point = cat == 2
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return "corelib." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return self

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self is other
        if isinstance(other, str):
            return other == self.name
        return NotImplemented

    __hash__ = object.__hash__


float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
uint8 = dtype("uint8", np.uint8, 1)
bool_ = dtype("bool", np.bool_, 0)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_NAMES = {d.name: d for d in ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64)
_FROM_NP = {d.np: d for d in ALL}
_FROM_NP_TYPE = {d.np.type: d for d in ALL}

_default = [float32]


# torch's names of the dtypes in its messages and legacy types ("Float" -> FloatTensor)
TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def torch_name(d):
    """torch's name of a dtype (or dtype name) in its messages: Float, Long, Bool, ..."""
    name = d if isinstance(d, str) else d.name
    return TORCH_NAMES.get(name, name)


def _by_name(name):
    return _NAMES[name]


def get_default_dtype():
    """The dtype of new floating tensors (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d):
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(npdt):
    """The corelib dtype of a numpy dtype; raises TypeError naming the unsupported dtype."""
    d = _FROM_NP.get(npdt)
    if d is None:
        npdt = np.dtype(npdt)
        d = _FROM_NP.get(npdt)
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{npdt}. The only supported types are: "
                "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return d


def to_dtype(d):
    """Accept a corelib dtype, a numpy dtype/type, a Python type or a name."""
    if isinstance(d, dtype):
        return d
    if d is None:
        return None
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str):
        try:
            return _NAMES[d.replace("corelib.", "").replace("torch.", "")]
        except KeyError:
            raise TypeError(f"unknown dtype {d!r}; use one of {sorted(_NAMES)}") from None
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"{d!r} is not a corelib dtype (e.g. corelib.float32)") from None


def promote_types(a, b):
    """PyTorch's promote_types for two dtypes of tensors of the same priority."""
    if a is b:
        return a
    if a._cat != b._cat:
        return a if a._cat > b._cat else b
    return _FROM_NP[np.promote_types(a.np, b.np)]


def can_cast(from_, to):
    """PyTorch's can_cast: no float->int, no non-bool->bool."""
    return from_._cat <= to._cat


def _scalar_cat(x):
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    return 2


def result_type(a, b):
    """dtype of a binary op between tensors and/or Python scalars, as torch.result_type.

    Priority: tensors with dim > 0, then 0-dim tensors, then Python scalars. A lower-priority
    operand only matters when its category (bool < int < float) is higher.
    """
    from corelib._tensor import Tensor
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a.dtype, b.dtype
        if da is db:
            return da
        za, zb = a._data.ndim == 0, b._data.ndim == 0
        if za == zb:
            return promote_types(da, db)
        hi, lo = (db, da) if za else (da, db)
        if lo._cat > hi._cat:
            return lo        # a 0-dim tensor of a higher category keeps its own dtype
        return hi
    if ta or tb:
        t, s = (a, b) if ta else (b, a)
        d = t.dtype
        c = _scalar_cat(s)
        if c <= d._cat:
            return d
        return _default[0] if c == 2 else int64
    ca, cb = _scalar_cat(a), _scalar_cat(b)
    c = max(ca, cb)
    return (bool_, int64, _default[0])[c]


class finfo:
    """Machine limits of a floating dtype (the default dtype when none), as torch.finfo."""

    def __init__(self, type=None):
        d = to_dtype(type) if type is not None else _default[0]
        if not d.is_floating_point:
            raise TypeError("corelib.finfo() requires a floating point input type. Use "
                            "corelib.iinfo to handle 'corelib.finfo'")
        f = np.finfo(d.np)
        self.bits, self.dtype = d.itemsize * 8, d.name
        self.eps, self.max, self.min = float(f.eps), float(f.max), float(f.min)
        self.tiny = self.smallest_normal = float(f.smallest_normal)
        self.resolution = 10.0 ** -int(f.precision)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as torch.iinfo."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.is_floating_point or d._cat == 0:
            raise TypeError("corelib.iinfo() requires an integer input type. Use corelib.finfo to "
                            "handle 'corelib.iinfo'")
        i = np.iinfo(d.np)
        self.bits, self.dtype, self.min, self.max = d.itemsize * 8, d.name, int(i.min), int(i.max)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
