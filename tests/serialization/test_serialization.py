"""corelib.save / corelib.load: round trips, the weights-only guard, atomic writes, clear errors."""
import io
import os
import pickle
import subprocess
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import corelib as cl
from corelib import serialization as S

HERE = os.path.dirname(os.path.abspath(__file__))
CORRUPT = "not a valid corelib checkpoint (truncated or corrupt)"


def roundtrip(obj, where=None, **load_kw):
    if where is None:
        buf = io.BytesIO()
        cl.save(obj, buf)
        buf.seek(0)
        return cl.load(buf, **load_kw)
    cl.save(obj, where)
    return cl.load(where, **load_kw)


def same(a, b):
    """Deep equality that compares tensors by type, dtype, shape, requires_grad and bits."""
    if isinstance(a, cl.Tensor):
        return (type(a) is type(b) and a.dtype is b.dtype and a.shape == b.shape
                and a.requires_grad == b.requires_grad and a.device == b.device
                and np.array_equal(a.detach().numpy(), b.detach().numpy(), equal_nan=True))
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and np.array_equal(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


DTYPES = [cl.float16, cl.float32, cl.float64, cl.int8, cl.int16, cl.int32, cl.int64, cl.uint8,
          cl.bool]
OBJECTS = {
    "tensor_0d": cl.tensor(3.5),
    "tensor_empty": cl.zeros(0, 3),
    "tensor_requires_grad": cl.randn(2, 3, requires_grad=True),
    "tensors_every_dtype": [(cl.arange(24).reshape(2, 3, 4) % 7 - 2).to(d) for d in DTYPES],
    "float_specials": cl.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 1e-45]),
    "state_dict": OrderedDict([("fc.weight", cl.randn(3, 2)), ("fc.bias", cl.zeros(3)),
                               ("bn.num_batches_tracked", cl.tensor(7))]),
    "optimizer_state": {"state": {0: {"step": cl.tensor(3.0), "exp_avg": cl.randn(3),
                                      "momentum_buffer": None}},
                        "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "amsgrad": False,
                                          "weight_decay": 0, "foreach": None, "params": [0, 1]}]},
    "scheduler_state": {"step_size": 30, "gamma": 0.1, "base_lrs": [0.1], "last_epoch": 4,
                        "_last_lr": [0.1], "verbose": False, "_get_lr_called_within_step": False},
    "numbers": [0, -1, 2 ** 80, 1.5, float("inf"), True, None, 1 + 2j],
    "strings_bytes": ["", "héllo ✓", b"", b"\x00\xff raw", bytearray(b"ab")],
    "nested": {"a": [1, (2, {"b": {3, 4}}), frozenset({5})], (1, 2): OrderedDict(x=[]),
               "s": slice(1, None, 2)},
    "size_dtype_device": [cl.Size([2, 3]), cl.Size([]), cl.float16, cl.int64, cl.bool,
                          cl.device("cpu"), cl.device("cuda:1")],
    "numpy": [np.arange(6, dtype=np.int16).reshape(2, 3), np.float32(2.5), np.ones((2, 2)).T,
              np.array(True)],
}


@pytest.mark.parametrize("name", sorted(OBJECTS))
@pytest.mark.parametrize("protocol", [2, 4])
def test_round_trip(name, protocol, tmp_path):
    obj = OBJECTS[name]
    path = tmp_path / "ck.pt"
    cl.save(obj, path, pickle_protocol=protocol)
    assert same(obj, cl.load(path))
    buf = io.BytesIO()
    cl.save(obj, buf, pickle_protocol=protocol)
    buf.seek(0)
    assert same(obj, cl.load(buf))


def test_set_round_trip():
    assert roundtrip({1, "a", (2, 3)}) == {1, "a", (2, 3)}


def test_parameters_keep_type_and_requires_grad():
    from corelib.nn.parameter import Parameter
    p, frozen = Parameter(cl.randn(3)), Parameter(cl.randn(2), requires_grad=False)
    q, qf = roundtrip([p, frozen])
    assert type(q) is Parameter and q.requires_grad and q.is_leaf
    assert type(qf) is Parameter and not qf.requires_grad
    assert np.array_equal(q.detach().numpy(), p.detach().numpy())


def test_non_contiguous_view_is_saved_compactly(tmp_path):
    base = cl.randn(1000, 1000)
    view = base[::100, 10:13].t()
    cl.save({"v": view}, tmp_path / "v.pt")
    assert os.path.getsize(tmp_path / "v.pt") < 4096
    v = cl.load(tmp_path / "v.pt")["v"]
    assert v.shape == (3, 10) and v.is_contiguous()
    assert np.array_equal(v.numpy(), view.numpy())


def test_one_tensor_loads_as_one_object_views_as_copies():
    base = cl.zeros(4)
    out = roundtrip({"a": base, "again": base, "view": base[1:3]})
    assert out["a"] is out["again"]
    out["view"].fill_(1)                       # documented: storage sharing is not kept
    assert out["a"].sum().item() == 0


def test_non_leaf_loads_as_leaf_and_tensor_attributes_are_kept():
    x = cl.randn(3, requires_grad=True)
    t = cl.ones(2)
    t.tag = "buffer"
    y, t2 = roundtrip([x * 2, t])
    assert y.is_leaf and y.requires_grad and y.grad_fn is None
    assert t2.tag == "buffer"


def test_loaded_tensors_are_writable_and_independent_of_the_file(tmp_path):
    t = roundtrip(cl.arange(4.0), tmp_path / "a.pt")
    t.add_(1)
    assert cl.load(tmp_path / "a.pt").tolist() == [0.0, 1.0, 2.0, 3.0]


def test_rng_state_is_uint8():
    assert roundtrip(cl.random.get_rng_state()).dtype is cl.uint8


def test_rng_state_holds_no_pickle(tmp_path):
    import pickle
    import numpy as np

    class Evil:
        def __reduce__(self):
            return (open, (str(tmp_path / "ran"), "w"))
    bad = cl.from_numpy(np.frombuffer(pickle.dumps(Evil()), np.uint8).copy())
    with pytest.raises(RuntimeError, match="Invalid RNG state"):
        cl.random.set_rng_state(bad)
    assert not (tmp_path / "ran").exists()


def test_rng_state_round_trip():
    cl.manual_seed(3)
    cl.randn(5)
    state = roundtrip(cl.random.get_rng_state())
    expected = cl.randn(4)
    cl.manual_seed(99)
    cl.random.set_rng_state(state)
    assert np.array_equal(cl.randn(4).numpy(), expected.numpy())


def test_saving_is_deterministic():
    def blob():
        buf = io.BytesIO()
        cl.save({"w": cl.arange(10.0), "n": 1}, buf)
        return buf.getvalue()
    assert blob() == blob()


def test_file_objects_pathlike_and_unseekable_streams(tmp_path):
    obj = {"w": cl.randn(3, 3)}
    with open(tmp_path / "f.pt", "wb") as fh:
        cl.save(obj, fh)
    with open(tmp_path / "f.pt", "rb") as fh:
        assert same(obj, cl.load(fh))
    assert same(obj, roundtrip(obj, tmp_path / "p.pt"))       # pathlib.Path

    class Stream(io.RawIOBase):                               # a pipe: no seek, no tell
        def __init__(self, data=b""):
            self.data, self.out = io.BytesIO(data), bytearray()
        def writable(self): return True
        def readable(self): return True
        def write(self, b): self.out += bytes(b); return len(b)
        def readinto(self, b): return self.data.readinto(b)
    w = Stream()
    cl.save(obj, w)
    assert same(obj, cl.load(Stream(bytes(w.out))))


def test_bad_targets(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory"):
        cl.save(1, tmp_path / "missing" / "x.pt")
    with pytest.raises(TypeError, match="path"):
        cl.save(1, 42)
    with pytest.raises(TypeError, match="path"):
        cl.load(42)
    with pytest.raises(RuntimeError, match="pickle_module"):
        cl.load(io.BytesIO(), pickle_module=pickle)


def test_mmap(tmp_path):
    cl.save({"w": cl.arange(100.0)}, tmp_path / "m.pt")
    w = cl.load(tmp_path / "m.pt", mmap=True)["w"]
    assert w.numpy().base is not None and w.sum().item() == 4950.0
    w.add_(1)                                                   # copy-on-write
    assert cl.load(tmp_path / "m.pt")["w"].sum().item() == 4950.0
    with pytest.raises(ValueError, match="file path"):
        cl.load(io.BytesIO(b""), mmap=True)


# ---- weights_only: a file must never run code ---------------------------------------------------

class Custom:
    def __init__(self, w):
        self.w = w


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _zip_with_manifest(path, manifest):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/corelib_version", b"1")
        zf.writestr("archive/byteorder", b"little")
        zf.writestr("archive/data.pkl", manifest)


def test_crafted_os_system_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    # GLOBAL 'os system', the command, TUPLE1, REDUCE, STOP: a classic pickle exploit
    payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    path = tmp_path / "evil.pt"
    _zip_with_manifest(path, payload)
    with pytest.raises(pickle.UnpicklingError) as info:
        cl.load(path)
    msg = str(info.value)
    assert "Weights only load failed" in msg and "Unsupported global: GLOBAL os.system" in msg
    assert "weights_only=False" in msg and "trust" in msg and str(path) in msg
    assert not marker.exists()
    cl.load(path, weights_only=False)                           # the unsafe path really runs it
    assert marker.exists()


def test_saved_reduce_payload_and_custom_class_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    cl.save({"w": cl.ones(2), "x": Evil(marker)}, tmp_path / "e.pt")
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL (posix|nt)\.system"):
        cl.load(tmp_path / "e.pt")
    assert not marker.exists()

    cl.save({"obj": Custom(cl.arange(3.0))}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {__name__}.Custom"):
        cl.load(tmp_path / "c.pt")
    obj = cl.load(tmp_path / "c.pt", weights_only=False)["obj"]
    assert isinstance(obj, Custom) and obj.w.tolist() == [0.0, 1.0, 2.0]


def test_add_safe_globals(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "_user_safe_globals", {})
    cl.save(Custom(cl.ones(1)), tmp_path / "c.pt")
    S.add_safe_globals([Custom])
    assert S.get_safe_globals() == [Custom]
    assert isinstance(cl.load(tmp_path / "c.pt"), Custom)


def test_dangerous_builtins_in_allowlist_are_guarded(tmp_path):
    # bytes(10**12) would allocate a terabyte: only data-carrying calls are allowed
    _zip_with_manifest(tmp_path / "b.pt", b"c__builtin__\nbytes\n(I1000000000000\ntR.")
    with pytest.raises(RuntimeError, match="not allowed"):
        cl.load(tmp_path / "b.pt")


def _tiny_net():
    nn = cl.nn

    class Affine(nn.Module):                      # a Module built from core pieces only
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(cl.randn(3, 2))
            self.register_buffer("count", cl.tensor(0))

        def forward(self, x):
            return x @ self.weight

    Affine.__qualname__ = "Affine"                # picklable as tests...Affine
    globals()["Affine"] = Affine
    return nn.Sequential(Affine(), nn.Sequential())


def test_whole_module_needs_weights_only_false(tmp_path):
    try:
        net = _tiny_net()
    except Exception as e:                        # corelib.nn is still being written
        pytest.skip(f"corelib.nn.Module not usable: {e}")
    cl.save(net, tmp_path / "net.pt")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        cl.load(tmp_path / "net.pt")
    net2 = cl.load(tmp_path / "net.pt", weights_only=False)
    x = cl.randn(4, 3)
    assert np.array_equal(net(x).detach().numpy(), net2(x).detach().numpy())
    assert type(net2[0].weight).__name__ == "Parameter"
    sd = roundtrip(net.state_dict())
    assert isinstance(sd, OrderedDict) and same(dict(net.state_dict()), dict(sd))
    net2.load_state_dict(sd)


# ---- atomic writes ------------------------------------------------------------------------------

def test_failed_save_keeps_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    cl.save({"v": 1}, path)

    def broken(zf, name, arr):
        raise OSError("disk full")
    monkeypatch.setattr(S, "_write_array", broken)
    with pytest.raises(OSError, match="disk full"):
        cl.save({"v": 2, "w": cl.ones(3)}, path)
    assert cl.load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ck.pt"]


def test_file_mode_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        cl.save(1, tmp_path / "m.pt")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "m.pt").st_mode & 0o777 == 0o644


KILLED_CHILD = r"""
import sys, time
import corelib as cl
from corelib import serialization as S
real = S._write_array
def slow(zf, name, arr):
    real(zf, name, arr[: arr.size // 2])          # half of the first big tensor ...
    print("writing", flush=True)
    time.sleep(60)                                 # ... then wait to be killed
S._write_array = slow
cl.save({"epoch": 2, "w": cl.ones(4_000_000)}, sys.argv[1])
"""


def test_save_killed_mid_write_leaves_previous_checkpoint(tmp_path):
    path = tmp_path / "ck.pt"
    cl.save({"epoch": 1, "w": cl.zeros(10)}, path)
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        temps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        assert len(temps) == 1 and os.path.getsize(tmp_path / temps[0]) > 1_000_000
    finally:
        child.kill()
        child.wait()
    ck = cl.load(path)
    assert ck["epoch"] == 1 and ck["w"].tolist() == [0.0] * 10


# ---- truncated, corrupt and foreign files -------------------------------------------------------

@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.pt"
    cl.save({"w": cl.randn(50, 50), "epoch": 3}, path)
    return path


@pytest.mark.parametrize("keep", [0.0, 0.001, 0.1, 0.5, 0.99, 0.9999])
def test_truncated_file(good_file, keep):
    data = good_file.read_bytes()
    good_file.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(RuntimeError) as info:
        cl.load(good_file)
    assert CORRUPT in str(info.value) and str(good_file) in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("record", ["archive/data/0", "archive/data.pkl"])
@pytest.mark.parametrize("weights_only", [True, False])
def test_corrupt_record(good_file, record, weights_only):
    data = bytearray(good_file.read_bytes())
    with zipfile.ZipFile(good_file) as zf:
        info = zf.getinfo(record)
    data[info.header_offset + 30 + len(record) + len(info.extra) + 3] ^= 0xFF   # a flipped bit
    good_file.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=CORRUPT.replace("(", r"\(").replace(")", r"\)")) as info:
        cl.load(good_file, weights_only=weights_only)
    assert str(good_file) in str(info.value)


def test_garbage_and_foreign_zip(tmp_path):
    (tmp_path / "g.pt").write_bytes(os.urandom(1000))
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        cl.load(tmp_path / "g.pt")
    with zipfile.ZipFile(tmp_path / "z.pt", "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(RuntimeError, match="truncated or corrupt.*z.pt"):
        cl.load(tmp_path / "z.pt")
    with pytest.raises(RuntimeError, match="truncated or corrupt.*BytesIO"):
        cl.load(io.BytesIO(b""))


def test_pytorch_files_get_a_clear_error(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "t.pt")
    with pytest.raises(RuntimeError, match="PyTorch checkpoint"):
        cl.load(tmp_path / "t.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy"):
        cl.load(tmp_path / "old.pt")


# ---- map_location -------------------------------------------------------------------------------

@pytest.fixture
def cuda_file(tmp_path, monkeypatch):
    """A checkpoint whose tensors were saved from cuda:0 (the recorded location is faked)."""
    with monkeypatch.context() as m:
        m.setattr(S, "_location", lambda t: "cuda:0")
        cl.save({"w": cl.arange(3.0), "n": 1}, tmp_path / "cuda.pt")
    return tmp_path / "cuda.pt"


def test_map_location_none_restores_cuda_or_explains(cuda_file):
    if S._cuda_available():
        pytest.skip("cuda is available here")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        cl.load(cuda_file)


@pytest.mark.parametrize("ml", ["cpu", cl.device("cpu"), {"cuda:0": "cpu"},
                                {"cuda:0": cl.device("cpu")}])
def test_map_location_to_cpu(cuda_file, ml):
    w = cl.load(cuda_file, map_location=ml)["w"]
    assert w.device == cl.device("cpu") and w.tolist() == [0.0, 1.0, 2.0]


def test_map_location_callable(cuda_file):
    seen = []

    def to_cpu(t, location):
        seen.append((type(t), t.shape, t.dtype, str(t.device), location))
        return t * 2
    assert cl.load(cuda_file, map_location=to_cpu)["w"].tolist() == [0.0, 2.0, 4.0]
    assert seen == [(cl.Tensor, (3,), cl.float32, "cpu", "cuda:0")]
    assert cl.load(cuda_file, map_location=lambda s, loc: s)["w"].is_leaf
    if not S._cuda_available():                  # None means "default placement"
        with pytest.raises(RuntimeError, match="is_available"):
            cl.load(cuda_file, map_location=lambda s, loc: None)
    with pytest.raises(TypeError, match="map_location"):
        cl.load(cuda_file, map_location=lambda s, loc: "nope")
    with pytest.raises(TypeError, match="map_location"):
        cl.load(cuda_file, map_location=3.5)


def test_map_location_dict_leaves_other_locations(tmp_path):
    cl.save(cl.ones(2), tmp_path / "c.pt")
    assert cl.load(tmp_path / "c.pt", map_location={"cuda:1": "cuda:0"}).device == cl.device("cpu")


# ---- resuming training (notes 14.2) -------------------------------------------------------------

def test_resume_from_checkpoint_is_bit_identical(tmp_path):
    sys.path.insert(0, HERE)
    try:
        import _train as T
    finally:
        sys.path.remove(HERE)
    params, data, optim = T.build(seed=0)
    for epoch in range(6):
        T.step(params, data, optim, epoch)
    straight = [p.detach().numpy().copy() for p in params]

    params, data, optim = T.build(seed=0)
    for epoch in range(3):
        T.step(params, data, optim, epoch)
    ck = tmp_path / "ck.pt"
    cl.save(T.checkpoint(params, optim, 3), ck)
    out = tmp_path / "resumed.npz"
    subprocess.run([sys.executable, os.path.join(HERE, "_train.py"), str(ck), "3", str(out)],
                   check=True)
    with np.load(out) as z:
        resumed = [z[f"arr_{i}"] for i in range(4)]
    assert all(np.array_equal(a, b) for a, b in zip(straight, resumed))

    cl.manual_seed(1)                      # in-process resume too, after disturbing the RNG
    assert all(np.array_equal(a, b) for a, b in zip(straight, T.resume(ck, 3)))

    loaded = cl.load(ck)                   # without the RNG state the run diverges
    loaded["rng_state"] = cl.random.get_rng_state()
    cl.save(loaded, ck)
    assert not all(np.array_equal(a, b) for a, b in zip(straight, T.resume(ck, 3)))
