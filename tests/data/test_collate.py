"""default_collate / default_convert: structures and dtypes as PyTorch's."""
import collections

import numpy as np
import pytest

import corelib
from corelib.utils.data import default_collate, default_convert
from corelib.utils.data._utils.collate import collate, default_collate_fn_map

Point = collections.namedtuple("Point", ["x", "y"])


def _np(t):
    return t.numpy()


def test_numbers_and_strings():
    out = default_collate([0, 1, 2, 3])
    assert out.dtype == corelib.int64 and out.tolist() == [0, 1, 2, 3]
    f = default_collate([0.5, 1.5])
    assert f.dtype == corelib.float64 and f.tolist() == [0.5, 1.5]
    assert default_collate([True, False]).dtype == corelib.bool
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_tensors_and_numpy():
    ts = [corelib.from_numpy(np.full((2, 3), i, dtype=np.float32)) for i in range(4)]
    out = default_collate(ts)
    assert tuple(out.shape) == (4, 2, 3) and out.dtype == corelib.float32
    arr = default_collate([np.ones(3, dtype=np.int32), np.zeros(3, dtype=np.int32)])
    assert tuple(arr.shape) == (2, 3) and arr.dtype == corelib.int32
    sc = default_collate([np.float32(1.5), np.float32(2.5)])
    assert sc.dtype == corelib.float32 and sc.tolist() == [1.5, 2.5]
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([np.zeros(3), np.zeros(4)])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])


def test_structures():
    d = default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
    assert d["A"].tolist() == [0, 100] and d["B"].tolist() == [1, 100]
    p = default_collate([Point(0, 0), Point(1, 1)])
    assert isinstance(p, Point) and p.x.tolist() == [0, 1]
    t = default_collate([(0, 1), (2, 3)])
    assert isinstance(t, list) and t[0].tolist() == [0, 2] and t[1].tolist() == [1, 3]
    lst = default_collate([[0, 1], [2, 3]])
    assert isinstance(lst, list) and lst[1].tolist() == [1, 3]
    nested = default_collate([{"img": np.zeros((2, 2), np.uint8), "meta": ("a", 1.0)}] * 3)
    assert tuple(nested["img"].shape) == (3, 2, 2) and tuple(nested["meta"][0]) == ("a",) * 3
    assert nested["meta"][1].dtype == corelib.float64
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


def test_default_convert():
    assert isinstance(default_convert(np.array([0, 1])), corelib.Tensor)
    out = default_convert({"a": np.array([0, 1]), "b": 2})
    assert isinstance(out["a"], corelib.Tensor) and out["b"] == 2
    assert isinstance(default_convert((np.zeros(1), 3)), list)
    assert default_convert("abc") == "abc"
    assert isinstance(default_convert(Point(np.zeros(1), 1)), Point)


def test_custom_collate_map():
    class Custom:
        pass

    def collate_custom(batch, *, collate_fn_map=None):
        return "custom"

    m = {**default_collate_fn_map, Custom: collate_custom}
    assert collate([Custom(), Custom()], collate_fn_map=m) == "custom"


def test_against_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as tcollate
    cases = [
        [1, 2, 3], [1.0, 2.5], [True, False],
        [np.float32(1), np.float32(2)], [np.int16(1), np.int16(2)],
        [np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)],
        [{"x": 1, "y": (2.0, "s")}, {"x": 3, "y": (4.0, "t")}],
        [Point(1, 2.0), Point(3, 4.0)],
    ]

    def compare(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, corelib.Tensor)
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        elif isinstance(b, dict):
            assert type(a) is type(b) and a.keys() == b.keys()
            for k in b:
                compare(a[k], b[k])
        elif isinstance(b, (list, tuple)):
            assert type(a) is type(b) and len(a) == len(b)
            for x, y in zip(a, b):
                compare(x, y)
        else:
            assert a == b

    for case in cases:
        compare(default_collate(case), tcollate(case))
