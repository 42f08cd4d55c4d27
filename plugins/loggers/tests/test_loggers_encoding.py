"""CRC-32C, TFRecord framing and the protobuf encoder (checked against tensorboard's protos)."""
import sys
import os
import struct

import numpy as np
import pytest

from corelib_loggers import _proto
from corelib_loggers._crc32c import (crc32c, crc32c_numba, crc32c_py, masked_crc32c,
                                     NUMBA_THRESHOLD, unmask)
from corelib_loggers._event_file import frame
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
from loggers_tfrecord import _crc32c_bitwise  # noqa: E402


def test_crc32c_check_value_both_implementations():
    assert crc32c_py(b"123456789") == 0xE3069283
    assert crc32c_numba(b"123456789") == 0xE3069283
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c_py(b"") == 0 == crc32c_numba(b"")


@pytest.mark.parametrize("n", [1, 7, 100, NUMBA_THRESHOLD - 1, NUMBA_THRESHOLD, 65537])
def test_crc32c_implementations_agree(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    want = _crc32c_bitwise(data) if n < 5000 else crc32c_py(data)
    assert crc32c_py(data) == want
    assert crc32c_numba(data) == want
    assert crc32c(data) == want
    # continuation: crc of a+b from the crc of a
    assert crc32c_py(data[n // 2:], crc32c_py(data[:n // 2])) == want


def test_crc32c_known_vectors():
    # RFC 3720 (iSCSI) B.4 test vectors
    assert crc32c_py(bytes(32)) == 0x8A9136AA
    assert crc32c_py(b"\xff" * 32) == 0x62A8AB43
    assert crc32c_numba(bytes(range(32))) == 0x46DD794E


def test_mask_roundtrip():
    for v in (0, 1, 0xE3069283, 0xFFFFFFFF):
        rot = ((v >> 15) | (v << 17)) & 0xFFFFFFFF
        assert unmask((rot + 0xA282EAD8) & 0xFFFFFFFF) == v
    assert unmask(masked_crc32c(b"123456789")) == 0xE3069283


def test_frame_layout():
    rec = frame(b"hello")
    assert struct.unpack("<Q", rec[:8])[0] == 5
    assert struct.unpack("<I", rec[8:12])[0] == masked_crc32c(rec[:8])
    assert rec[12:17] == b"hello"
    assert struct.unpack("<I", rec[17:])[0] == masked_crc32c(b"hello")


def test_varint():
    assert _proto.varint(0) == b"\x00"
    assert _proto.varint(300) == b"\xac\x02"
    assert _proto.varint(-1) == b"\xff" * 9 + b"\x01"          # 10-byte two's complement
    assert len(_proto.varint(-5)) == 10


# --- against tensorboard's own protobuf classes ------------------------------------------------
pb = pytest.importorskip("tensorboard.compat.proto.event_pb2")
from tensorboard.compat.proto import graph_pb2, summary_pb2  # noqa: E402


def test_event_and_scalar_parse():
    ev = pb.Event.FromString(_proto.event(12.5, 7, summary=_proto.summary(
        _proto.summary_value("a/b", simple_value=0.25))))
    assert ev.wall_time == 12.5 and ev.step == 7
    assert ev.summary.value[0].tag == "a/b" and ev.summary.value[0].simple_value == 0.25
    ev = pb.Event.FromString(_proto.event(1.0, -3, file_version="brain.Event:2"))
    assert ev.step == -3 and ev.file_version == "brain.Event:2"


def test_float_overflow_and_fast_scalar_path():
    from corelib_loggers import _summaries as S
    for v in (1e300, -1e300, float("inf"), float("nan"), 0.0, -2.5, 3):
        a = summary_pb2.Summary.FromString(S.scalar("t", v)).value[0]
        b = summary_pb2.Summary.FromString(_proto.summary(_proto.summary_value(
            "t", simple_value=v))).value[0]
        assert a.tag == "t" and a.WhichOneof("value") == "simple_value"
        want = np.float32(v) if abs(v) < 1e39 or v != v else np.copysign(np.inf, v)
        np.testing.assert_array_equal(np.float32(a.simple_value), want)
        assert a == b
    assert S.scalar("t", 1.0) == S.scalar("t", 1.0)        # cached prefix reused


def test_histogram_proto_parse():
    h = summary_pb2.HistogramProto.FromString(
        _proto.histogram_proto(-1.0, 2.0, 3, 1.0, 6.0, [0.0, 1.0, 2.0], [1, 0, 2]))
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (-1.0, 2.0, 3.0, 1.0, 6.0)
    assert list(h.bucket_limit) == [0.0, 1.0, 2.0] and list(h.bucket) == [1.0, 0.0, 2.0]


def test_graph_def_parse():
    n = _proto.node_def("Net/Linear[fc]", "Linear", ["input/input.0"],
                        {"_output_shapes": _proto.attr_value_shapes([(2, 3)]),
                         "attr": _proto.attr_value_s("in_features=4")})
    g = graph_pb2.GraphDef.FromString(_proto.graph_def([n]))
    assert g.node[0].name == "Net/Linear[fc]" and g.node[0].op == "Linear"
    assert list(g.node[0].input) == ["input/input.0"]
    assert [d.size for d in g.node[0].attr["_output_shapes"].list.shape[0].dim] == [2, 3]
    assert g.node[0].attr["attr"].s == b"in_features=4"
    assert g.versions.producer == 22


torch = None


def _torch_summary():
    global torch
    torch = pytest.importorskip("torch")
    return pytest.importorskip("torch.utils.tensorboard.summary")


def test_scalar_matches_torch():
    ts = _torch_summary()
    from corelib_loggers import _summaries as S
    for new_style in (False, True):
        mine = summary_pb2.Summary.FromString(S.scalar("x", 1.5, new_style=new_style))
        assert mine == ts.scalar("x", 1.5, new_style=new_style)
    mine = summary_pb2.Summary.FromString(S.scalar("x", np.float64(2.0), new_style=True,
                                                   double_precision=True))
    assert mine == ts.scalar("x", 2.0, new_style=True, double_precision=True)


@pytest.mark.parametrize("bins", ["tensorflow", "auto", "fd", 10, "sqrt"])
def test_histogram_matches_torch(bins):
    ts = _torch_summary()
    from corelib_loggers import _summaries as S
    x = np.random.default_rng(0).normal(size=500)
    tbins = S.DEFAULT_BINS if bins == "tensorflow" else bins
    mine = summary_pb2.Summary.FromString(S.histogram_builder("h", x, bins)())
    assert mine == ts.histogram("h", x, tbins)
    mine = summary_pb2.Summary.FromString(S.histogram_builder("h", x, bins, max_bins=7)())
    assert mine == ts.histogram("h", x, tbins, max_bins=7)


def test_default_bins_match_torch():
    _torch_summary()
    from torch.utils.tensorboard import SummaryWriter as TW
    import tempfile
    from corelib_loggers._summaries import DEFAULT_BINS
    with tempfile.TemporaryDirectory() as d:
        w = TW(d)
        assert w.default_bins == DEFAULT_BINS
        w.close()


def test_text_and_hparams_match_torch():
    ts = _torch_summary()
    from corelib_loggers import _summaries as S
    assert summary_pb2.Summary.FromString(S.text("t", "hi ü")) == ts.text("t", "hi ü")
    hp = {"lr": 0.1, "bs": 32, "opt": "adam", "flag": True, "skip": None}
    md = {"hp/acc": 0.5, "hp/loss": 1.0}
    dom = {"opt": ["adam", "sgd"], "bs": [16, 32]}
    mine = S.hparams(hp, md, dom)
    theirs = ts.hparams(hp, md, dom)
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    for m, t in zip(mine, theirs):
        m = summary_pb2.Summary.FromString(m).value[0]
        t = t.value[0]
        assert m.tag == t.tag
        assert m.metadata.plugin_data.plugin_name == t.metadata.plugin_data.plugin_name == "hparams"
        # map entries may be serialized in any order: compare the parsed plugin data
        assert HParamsPluginData.FromString(m.metadata.plugin_data.content) == \
            HParamsPluginData.FromString(t.metadata.plugin_data.content)


def test_image_matches_torch_pixels():
    ts = _torch_summary()
    import io
    from PIL import Image
    from corelib_loggers import _summaries as S
    rng = np.random.default_rng(1)
    cases = [(rng.random((3, 9, 11)).astype(np.float32), "CHW"),
             (rng.random((9, 11)), "HW"),
             (rng.integers(0, 256, (9, 11, 3), dtype=np.uint8), "HWC"),
             (rng.random((1, 9, 11)) * 1.5 - 0.2, "CHW"),
             (rng.random((11, 3, 5, 4)).astype(np.float32), "NCHW"),
             (rng.integers(0, 256, (3, 5, 4, 1), dtype=np.uint8), "NHWC")]
    for arr, fmt in cases:
        mine = summary_pb2.Summary.FromString(S.image_builder("i", arr, fmt)()).value[0].image
        theirs = ts.image("i", arr, dataformats=fmt).value[0].image
        assert (mine.height, mine.width, mine.colorspace) == \
            (theirs.height, theirs.width, theirs.colorspace)
        a = np.asarray(Image.open(io.BytesIO(mine.encoded_image_string)))
        b = np.asarray(Image.open(io.BytesIO(theirs.encoded_image_string)))
        np.testing.assert_array_equal(a, b)


def test_bad_dataformats_raise_in_caller():
    from corelib_loggers import _summaries as S
    with pytest.raises(AssertionError, match="different"):
        S.image_builder("i", np.zeros((3, 4, 5)), "HW")
    with pytest.raises(AssertionError, match="twice"):
        S.image_builder("i", np.zeros((3, 4, 5)), "CCW")
    with pytest.raises(ValueError, match="no element"):
        S.histogram_builder("h", np.zeros(0))
