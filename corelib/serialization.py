"""corelib.save / corelib.load: checkpoints in a zip file, loadable without running code.

Format (a zip archive, entries stored uncompressed, like ``torch.save``'s zip format)::

    archive/corelib_version   b"1": marks a corelib checkpoint and its format version
    archive/byteorder         b"little"
    archive/data.pkl          the object, pickled (protocol ``pickle_protocol``); every tensor,
                              numpy array and numpy scalar in it is replaced by a persistent id
                              ("tensor", key, dtype, shape, location, requires_grad, kind, state)
    archive/data/<key>        that tensor's elements: raw little-endian bytes in C order,
                              64-byte aligned in the file (so ``mmap=True`` can map them)

Only the elements a tensor shows are written (a non-contiguous view or a slice of a large
tensor is saved compactly). Tensors are deduplicated by identity: the same tensor object
reached twice loads as one object, but two different tensors that share storage (a view and its
base) are saved and loaded as independent copies. ``.grad`` and autograd history are not saved;
``requires_grad``, the Parameter type and attributes set on a tensor (its ``__dict__``) are.

``load(weights_only=True)`` (the default) unpickles with an allowlist: containers, numbers,
strings, bytes, OrderedDict, set/frozenset/complex/slice, corelib dtypes, devices and Size, and
the tensors above. Any other global (a class, ``os.system``, ...) is refused before anything is
called; ``weights_only=False`` loads any pickle (whole Modules, custom classes) and must only be
used on files you trust. ``save`` to a path writes a temporary file in the same directory,
fsyncs it and renames it over the target, so an interrupted save leaves the previous file whole
(a killed process may leave a stale ``.<name>.<random>.tmp`` beside it).
"""
import _compat_pickle
import contextlib
import io
import os
import pickle
import struct
import sys
import uuid
import zipfile
from collections import OrderedDict

import numpy as np

from corelib import _dtype
from corelib._device import device
from corelib._tensor import Size, Tensor, _make

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

FORMAT_VERSION = 1
_ALIGN = 64
_CHUNK = 1 << 24
_TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
_user_safe_globals = {}


# ---- save ---------------------------------------------------------------------------------------

def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state_dicts, nested containers, ...) to a path or binary file.

    The two underscore arguments exist for torch.save compatibility and are ignored (corelib
    always writes its zip format with a byte-order record)."""
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(os.fspath(f), lambda fh: _write_archive(obj, fh, pickle_module, pickle_protocol))
    elif hasattr(f, "write"):
        _write_archive(obj, f, pickle_module, pickle_protocol)
    else:
        raise TypeError(f"save() expects a path (str or os.PathLike) or a binary file object "
                        f"opened for writing, got {type(f).__name__}")


def _write_archive(obj, fh, pickle_module, protocol):
    tensors = []                     # (key, C-contiguous little-endian array)
    manifest = io.BytesIO()
    pickler = (pickle_module or pickle).Pickler(manifest, protocol=protocol)
    pickler.persistent_id = _Identifier(tensors)
    pickler.dump(obj)
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        _write_entry(zf, "archive/corelib_version", str(FORMAT_VERSION).encode())
        _write_entry(zf, "archive/byteorder", b"little")
        _write_entry(zf, "archive/data.pkl", manifest.getbuffer())
        for key, arr in tensors:
            _write_array(zf, f"archive/data/{key}", arr)


class _Identifier:
    """The pickler's persistent_id: replaces tensors/arrays by a record and queues their bytes."""

    def __init__(self, tensors):
        self.tensors = tensors
        self.keys = {}               # id(obj) -> (obj, pid); holding obj keeps its id unique

    def __call__(self, obj):
        hit = self.keys.get(id(obj))
        if hit is not None:
            return hit[1]
        pid = self.describe(obj)
        if pid is not None:
            self.keys[id(obj)] = (obj, pid)
        return pid

    def describe(self, obj):
        key = str(len(self.tensors))
        if isinstance(obj, Tensor):
            kind = _tensor_kind(type(obj))
            arr = obj._data if obj.device.type == "cpu" else obj.detach().cpu()._data
            self.tensors.append((key, _little_endian(arr)))
            state = dict(obj.__dict__) or None
            return ("tensor", key, obj.dtype.name, arr.shape, _location(obj), obj.requires_grad,
                    kind, state)
        if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in "biufc" \
                and obj.dtype.fields is None and type(obj) in (np.ndarray, obj.dtype.type):
            arr = np.asarray(obj)
            self.tensors.append((key, _little_endian(arr)))
            kind = "ndarray" if isinstance(obj, np.ndarray) else "npscalar"
            return ("tensor", key, arr.dtype.newbyteorder("<").str, arr.shape, "cpu", False, kind, None)
        return None


def _location(t):
    return str(t.device)


def _tensor_kind(cls):
    if cls is Tensor:
        return "tensor"
    param = sys.modules.get("corelib.nn.parameter")
    if param is not None and cls is param.Parameter:
        return "parameter"
    return cls                       # another subclass: pickled as a class (weights_only=False)


def _little_endian(arr):
    return np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))


def _write_entry(zf, name, data):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.file_size = len(data)
    zip64 = info.file_size > zipfile.ZIP64_LIMIT
    # pad the local header's extra field so the data starts at a multiple of _ALIGN
    start = zf.fp.tell() + 30 + len(name.encode()) + (20 if zip64 else 0)
    pad = -(start + 4) % _ALIGN
    info.extra = b"CL" + struct.pack("<H", pad) + b"\0" * pad
    with zf.open(info, "w", force_zip64=zip64) as dst:
        for i in range(0, len(data), _CHUNK):
            dst.write(data[i:i + _CHUNK])


def _write_array(zf, name, arr):
    _write_entry(zf, name, memoryview(arr.reshape(-1)).cast("B"))


def _atomic_write(path, write):
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save to {path}: it is a directory")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:              # e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- load ---------------------------------------------------------------------------------------

def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``corelib.save`` from a path or binary file object.

    map_location: None (each tensor back onto the device it was saved from), a device or device
    string (every tensor onto it), a dict mapping saved locations to new ones
    (``{"cuda:0": "cpu"}``), or ``callable(tensor, location)``. The callable receives each tensor
    as a fresh cpu ``corelib.Tensor`` with its saved dtype and shape (not a flat storage, unlike
    torch) and the saved location string ("cpu", "cuda:0"); it returns the tensor to use, on any
    device, or None for the default placement.
    weights_only: refuse every global outside the allowlist (see the module docstring).
    mmap: map tensor data from the file (copy-on-write) instead of reading it; needs a path.
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified; "
                           "pass weights_only=False to use a custom pickle_module")
    pickle_load_args.setdefault("encoding", "utf-8")
    unpickler = _WeightsUnpickler if weights_only else (pickle_module or pickle).Unpickler
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as fh:
            return _Loader(fh, path, path if mmap else None).load(map_location, unpickler,
                                                                  pickle_load_args)
    if not hasattr(f, "read"):
        raise TypeError(f"load() expects a path (str or os.PathLike) or a binary file object, "
                        f"got {type(f).__name__}")
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    fh = f if _seekable(f) else io.BytesIO(f.read())
    name = getattr(f, "name", None) or f"<{type(f).__name__}>"
    return _Loader(fh, name, None).load(map_location, unpickler, pickle_load_args)


def add_safe_globals(safe_globals):
    """Allow these classes/functions in ``load(weights_only=True)`` (like torch's)."""
    for g in safe_globals:
        _user_safe_globals[(g.__module__, g.__qualname__)] = g


def get_safe_globals():
    """The globals allowlisted by :func:`add_safe_globals`."""
    return list(_user_safe_globals.values())


def clear_safe_globals():
    """Forget every global allowlisted by :func:`add_safe_globals`."""
    _user_safe_globals.clear()


class safe_globals:
    """Context manager that allowlists ``safe_globals`` for ``load(weights_only=True)`` inside
    the ``with`` block only (like ``torch.serialization.safe_globals``)."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._saved = dict(_user_safe_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_safe_globals.clear()
        _user_safe_globals.update(self._saved)


class _Corrupt(Exception):
    pass


class _Loader:
    def __init__(self, fh, name, mmap_path):
        self.fh, self.name, self.mmap_path = fh, name, mmap_path
        self.loaded = {}             # key -> object, so one saved tensor loads as one object
        self.user_error = None       # an exception raised by map_location (propagates as is)

    def load(self, map_location, unpickler_cls, pickle_load_args):
        self.map_location = map_location
        with self.errors(all_corrupt=True):
            self.zf = self.open_archive()
            manifest = io.BytesIO(self.zf.read(self.root + "data.pkl"))
        with self.zf:
            unpickler = unpickler_cls(manifest, **pickle_load_args)
            unpickler.persistent_load = self.persistent_load
            with self.errors(all_corrupt=unpickler_cls is _WeightsUnpickler):
                return unpickler.load()

    @contextlib.contextmanager
    def errors(self, all_corrupt):
        """Turn a refused global or a damaged file into one clear error naming the file.

        all_corrupt: any error counts as damage (reading the archive, or unpickling with the
        allowlist, where no user code runs); otherwise errors from user classes pass through.
        """
        try:
            yield
        except _Refused as e:
            raise pickle.UnpicklingError(
                f"Weights only load failed for {self.name}. WeightsUnpickler error: Unsupported "
                f"global: GLOBAL {e} was not an allowed global by default. The file may run code "
                f"when loaded (a whole nn.Module saved with corelib.save(net, path) is such a "
                f"file): if you trust the source, load it with corelib.load(path, "
                f"weights_only=False) (it can run arbitrary code), or allowlist a class you "
                f"trust with corelib.serialization.add_safe_globals("
                f"[{e.args[0].rpartition('.')[2]}]). To avoid this, save net.state_dict() "
                f"instead of the whole module.") from None
        except _NotCorelib as e:
            raise RuntimeError(str(e)) from None
        except Exception as e:
            if e is self.user_error or not (all_corrupt or isinstance(e, _DAMAGE)):
                raise
            raise RuntimeError(f"this file is not a valid corelib checkpoint (truncated or corrupt): "
                               f"{self.name} ({str(e) or type(e).__name__})") from None

    def open_archive(self):
        try:
            zf = zipfile.ZipFile(self.fh)
        except zipfile.BadZipFile:
            self.fh.seek(0)
            head = self.fh.read(len(_TORCH_LEGACY_MAGIC))
            if head == _TORCH_LEGACY_MAGIC:
                raise _NotCorelib(f"{self.name} is a PyTorch checkpoint in the legacy (pre-1.6) "
                                  f"torch.save format; corelib.load reads only corelib checkpoints. "
                                  f"Convert it with PyTorch (e.g. to numpy arrays) first.") from None
            raise
        names = zf.namelist()
        roots = [n[:-len("corelib_version")] for n in names if n.endswith("/corelib_version")]
        if not roots:
            zf.close()
            if any(n.endswith("data.pkl") for n in names):
                raise _NotCorelib(f"{self.name} is a PyTorch checkpoint (written by torch.save); "
                                  f"corelib.load reads only corelib checkpoints. Convert it with "
                                  f"PyTorch first, e.g. save its tensors as numpy arrays "
                                  f"(numpy.savez) and wrap them with corelib.from_numpy.")
            raise _Corrupt("no archive/corelib_version record")
        self.root = roots[0]
        version = int(zf.read(self.root + "corelib_version"))
        if version > FORMAT_VERSION:
            zf.close()
            raise _NotCorelib(f"{self.name} uses checkpoint format {version}, newer than this "
                              f"corelib reads ({FORMAT_VERSION}); upgrade corelib")
        return zf

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 8 and pid[0] == "tensor"):
            raise _Corrupt(f"unknown persistent id {pid!r}")
        _, key, dtype_name, shape, location, requires_grad, kind, state = pid
        if key in self.loaded:
            return self.loaded[key]
        arr = self.read_array(key, _np_dtype(dtype_name, kind), shape)
        if kind in ("ndarray", "npscalar"):
            obj = arr if kind == "ndarray" else arr[()]
        else:
            try:
                t = self.place(_make(arr), str(location))
            except BaseException as e:
                self.user_error = e
                raise
            obj = _finish_tensor(t, bool(requires_grad), kind, state)
        self.loaded[key] = obj
        return obj

    def read_array(self, key, dtype, shape):
        if not (isinstance(shape, tuple) and all(type(s) is int and s >= 0 for s in shape)):
            raise _Corrupt(f"bad shape {shape!r}")
        try:
            info = self.zf.getinfo(f"{self.root}data/{key}")
        except KeyError:
            raise _Corrupt(f"missing record {self.root}data/{key}") from None
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if info.file_size != nbytes:
            raise _Corrupt(f"record {info.filename} holds {info.file_size} bytes, expected {nbytes}")
        if self.mmap_path and nbytes and info.compress_type == zipfile.ZIP_STORED:
            arr = np.memmap(self.mmap_path, dtype, "c", _data_offset(self.fh, info), shape)
            arr = arr.view(np.ndarray)           # a plain array; its base keeps the map alive
        else:
            arr = np.empty(shape, dtype)
            out = arr.reshape(-1).view(np.uint8)
            with self.zf.open(info) as src:
                for i in range(0, nbytes, _CHUNK):
                    chunk = src.read(min(_CHUNK, nbytes - i))
                    out[i:i + len(chunk)] = np.frombuffer(chunk, np.uint8)
                if src.read(1):
                    raise _Corrupt(f"record {info.filename} is too long")
        return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))

    def place(self, t, location):
        ml = self.map_location
        if isinstance(ml, dict):
            location = str(ml.get(location, location))
        elif isinstance(ml, (str, device)):
            location = str(ml)
        elif callable(ml):
            out = ml(t, location)
            if out is not None:
                if not isinstance(out, Tensor):
                    raise TypeError(f"map_location callable must return a corelib.Tensor or None, "
                                    f"got {type(out).__name__}")
                return out
        elif ml is not None:
            raise TypeError(f"map_location must be None, a device, a device string, a dict or a "
                            f"callable, got {type(ml).__name__}")
        if location.startswith("cuda") and not _cuda_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "corelib.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use corelib.load with "
                               "map_location='cpu' to map your tensors to the CPU.")
        return t if location == "cpu" else t.to(location)


class _NotCorelib(RuntimeError):
    pass


_DAMAGE = (_Corrupt, pickle.UnpicklingError, EOFError, zipfile.BadZipFile, struct.error)


class _Refused(pickle.UnpicklingError):
    pass


def _np_dtype(name, kind):
    if kind in ("ndarray", "npscalar"):
        try:
            dt = np.dtype(name)
        except TypeError:
            raise _Corrupt(f"bad dtype {name!r}") from None
        if dt.kind not in "biufc" or dt.fields is not None:
            raise _Corrupt(f"bad dtype {name!r}")
        return dt
    if name not in _dtype._NAMES:
        raise _Corrupt(f"unknown dtype {name!r}")
    return _dtype._NAMES[name].np.newbyteorder("<")


def _finish_tensor(t, requires_grad, kind, state):
    if kind == "parameter":
        from corelib.nn.parameter import Parameter
        t = Parameter(t, requires_grad)
    else:
        cls = Tensor if kind == "tensor" else kind
        if not (isinstance(cls, type) and issubclass(cls, Tensor)):
            raise _Corrupt(f"unknown tensor kind {kind!r}")
        t = _make(t._data, t._device, False, None, cls)
        if requires_grad:
            t.requires_grad_(True)
    if state:
        if not isinstance(state, dict):
            raise _Corrupt("bad tensor state")
        t.__dict__.update(state)
    return t


def _data_offset(fh, info):
    fh.seek(info.header_offset)
    header = fh.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _seekable(f):
    try:
        return f.seekable()
    except AttributeError:
        return False


def _cuda_available():
    try:
        from corelib import cuda
    except ImportError:
        return False
    return bool(cuda.is_available())


# ---- the weights-only unpickler -----------------------------------------------------------------

def _latin1_encode(s, encoding="latin1"):    # how protocol 2 pickles bytes: _codecs.encode
    if encoding not in ("latin1", "latin-1"):
        raise _Corrupt(f"unsupported encoding {encoding!r}")
    return s.encode("latin1")


def _small_bytes(*args):                      # bytes()/bytearray() only from data, never bytes(n)
    if args and isinstance(args[0], int):
        raise _Corrupt("bytes(<int>) is not allowed")
    return args


def _bytes(*args):
    return bytes(*_small_bytes(*args))


def _bytearray(*args):
    return bytearray(*_small_bytes(*args))


def _allowed_globals():
    return {("collections", "OrderedDict"): OrderedDict, ("builtins", "set"): set,
            ("builtins", "frozenset"): frozenset, ("builtins", "complex"): complex,
            ("builtins", "slice"): slice, ("builtins", "bytes"): _bytes,
            ("builtins", "bytearray"): _bytearray, ("_codecs", "encode"): _latin1_encode,
            ("corelib._dtype", "_by_name"): _dtype._by_name,
            ("corelib._device", "device"): device, ("corelib._tensor", "Size"): Size}


class _WeightsUnpickler(pickle.Unpickler):
    """Resolves only allowlisted globals; anything else is refused before it is called."""

    def find_class(self, module, name):
        key = _compat_pickle.NAME_MAPPING.get((module, name))    # python 2 names (protocol < 3)
        key = key or (_compat_pickle.IMPORT_MAPPING.get(module, module), name)
        obj = _allowed_globals().get(key) or _user_safe_globals.get(key)
        if obj is None:
            raise _Refused(f"{module}.{name}")
        return obj
