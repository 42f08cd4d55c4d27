"""save/load edges a PyTorch user hits: nesting, map_location forms, file objects and paths,
optimizer state_dicts, clear errors for files that are not corelib checkpoints."""
import collections
import io
import pathlib
import pickle

import numpy as np
import pytest

import corelib as cl


def _rt(obj, **kw):
    b = io.BytesIO()
    cl.save(obj, b)
    b.seek(0)
    return cl.load(b, **kw)


def test_nested_containers_and_plain_objects():
    t = cl.tensor([1.0, 2.0])
    obj = {"a": [1, 2.5, "s", None, True, (3, {"b": t})], "od": collections.OrderedDict(z=1),
           "set": {1, 2}, "bytes": b"x", "c": complex(1, 2), "slice": slice(1, 2)}
    r = _rt(obj)
    assert type(r["od"]) is collections.OrderedDict and type(r["a"][5]) is tuple
    assert r["a"][:5] == [1, 2.5, "s", None, True] and r["set"] == {1, 2} and r["c"] == 1 + 2j
    assert r["slice"] == slice(1, 2) and r["bytes"] == b"x"
    assert r["a"][5][1]["b"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("ml", ["cpu", cl.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s, None],
                         ids=["str", "device", "dict", "callable", "none"])
def test_map_location_forms(ml):
    r = _rt({"w": cl.arange(3.0)}, map_location=ml)
    assert r["w"].tolist() == [0.0, 1.0, 2.0] and r["w"].device == cl.device("cpu")


def test_paths_and_file_objects(tmp_path):
    sd = cl.nn.Linear(2, 3).state_dict()
    p = tmp_path / "m.pt"
    cl.save(sd, p)
    for src in (p, str(p), open(p, "rb")):
        r = cl.load(src)
        assert list(r) == ["weight", "bias"] and np.array_equal(r["weight"].numpy(), sd["weight"].numpy())
        if hasattr(src, "close"):
            src.close()
    with open(tmp_path / "f.pt", "wb") as fh:
        cl.save(sd, fh)
    assert list(cl.load(pathlib.Path(tmp_path / "f.pt"))) == ["weight", "bias"]


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizer_state_dict_round_trip_resumes(opt):
    cl.manual_seed(0)
    m = cl.nn.Linear(3, 2)
    kw = dict(lr=0.1, momentum=0.9) if opt == "SGD" else dict(lr=0.1)
    o = getattr(cl.optim, opt)(m.parameters(), **kw)
    x = cl.randn(4, 3)
    m(x).pow(2).sum().backward()
    o.step()
    m2 = cl.nn.Linear(3, 2)
    m2.load_state_dict(_rt(m.state_dict()))
    o2 = getattr(cl.optim, opt)(m2.parameters(), lr=0.5)
    o2.load_state_dict(_rt(o.state_dict()))
    assert o2.param_groups[0]["lr"] == 0.1
    for mod, opt_ in ((m, o), (m2, o2)):
        opt_.zero_grad()
        mod(x).pow(2).sum().backward()
        opt_.step()
    for a, b in zip(m.parameters(), m2.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_files_that_are_not_checkpoints_get_a_clear_error(tmp_path):
    (tmp_path / "g.pt").write_bytes(b"hello world, not a checkpoint")
    with pytest.raises(RuntimeError, match="not a valid corelib checkpoint"):
        cl.load(tmp_path / "g.pt")
    with open(tmp_path / "p.pkl", "wb") as fh:
        pickle.dump({"a": 1}, fh)
    for wo in (True, False):
        with pytest.raises(RuntimeError, match="not a valid corelib checkpoint"):
            cl.load(tmp_path / "p.pkl", weights_only=wo)
    with pytest.raises(RuntimeError, match="not a valid corelib checkpoint"):
        cl.load(io.BytesIO())
    with pytest.raises(FileNotFoundError):
        cl.load(tmp_path / "missing.pt")
    with pytest.raises(TypeError, match="expects a path"):
        cl.save(cl.ones(1), 5)


def test_weights_only_refuses_classes_but_loads_them_when_false(tmp_path):
    obj = {"m": collections.Counter(a=1)}
    cl.save(obj, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        cl.load(tmp_path / "c.pt")
    assert cl.load(tmp_path / "c.pt", weights_only=False) == obj


@pytest.mark.xfail(strict=True, reason="documented corelib design (serialization.py docstring): "
                                       "tensors sharing storage load as independent copies; torch "
                                       "keeps a view a view of its base after load")
def test_views_stay_views_of_their_base_after_load():
    x = cl.arange(6.0)
    r = _rt({"x": x, "v": x[2:5]})
    r["v"][0] = 100
    assert r["x"].tolist() == [0.0, 1.0, 100.0, 3.0, 4.0, 5.0]
