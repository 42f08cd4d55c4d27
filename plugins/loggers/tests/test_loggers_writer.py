"""SummaryWriter event files, read back by the real tensorboard package."""
import sys
import io
import os
import threading
import time

import numpy as np
import pytest

from corelib_loggers.writer import SummaryWriter
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
from loggers_tfrecord import event_files, read_records  # noqa: E402

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.compat.proto import event_pb2  # noqa: E402

ALL = {"images": 0, "scalars": 0, "histograms": 0, "tensors": 0, "compressedHistograms": 0}


def load(logdir):
    ea = EventAccumulator(str(logdir), size_guidance=ALL)
    ea.Reload()
    return ea


def all_records_verify(logdir):
    files = event_files(logdir)
    assert files
    n = 0
    for f in files:
        recs = read_records(f)                       # asserts both CRCs of every record
        first = event_pb2.Event.FromString(recs[0])
        assert first.file_version == "brain.Event:2"
        n += len(recs)
    return n


def test_scalars_roundtrip(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for i in range(20):
            w.add_scalar("train/loss", 1.0 / (i + 1), i)
            w.add_scalar("train/acc", np.float32(i / 20), global_step=i, walltime=1000.0 + i)
        w.add_scalar("int", 7, 3)
        w.add_scalar("np0d", np.array([[2.5]]), 4)
        w.add_scalar("new", 0.125, 5, new_style=True)
    ea = load(tmp_path)
    assert set(ea.Tags()["scalars"]) == {"train/loss", "train/acc", "int", "np0d"}
    assert [(e.step, e.value) for e in ea.Scalars("train/loss")] == \
        [(i, pytest.approx(1.0 / (i + 1), rel=1e-6)) for i in range(20)]
    acc = ea.Scalars("train/acc")
    assert [e.wall_time for e in acc] == [1000.0 + i for i in range(20)]
    assert ea.Scalars("int")[0].value == 7 and ea.Scalars("np0d")[0].step == 4
    t = ea.Tensors("new")[0]
    assert t.step == 5 and list(t.tensor_proto.float_val) == [0.125]
    assert ea.SummaryMetadata("new").plugin_data.plugin_name == "scalars"
    all_records_verify(tmp_path)


def test_scalar_rejects_non_scalars(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError, match="one element"):
            w.add_scalar("x", np.zeros(3), 0)
        with pytest.raises(TypeError, match="scalar_value"):
            w.add_scalar("x", object(), 0)


def test_add_scalars_subwriters(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for i in range(3):
            w.add_scalars("run/main", {"a": i, "b": 2 * i}, i)
        assert set(w.all_writers) == {str(tmp_path), f"{tmp_path}/run_main_a",
                                      f"{tmp_path}/run_main_b"}
    for sub, k in (("run_main_a", 1), ("run_main_b", 2)):
        ea = load(tmp_path / sub)
        assert ea.Tags()["scalars"] == ["run/main"]
        assert [(e.step, e.value) for e in ea.Scalars("run/main")] == [(i, k * i) for i in range(3)]
    all_records_verify(tmp_path)


def test_histograms(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("tf", x, 1)
        w.add_histogram("auto", x, 2, bins="auto")
        w.add_histogram("ten", x, 3, bins=10)
        w.add_histogram("fd", x.astype(np.float32), 4, bins="fd", max_bins=5)
        w.add_histogram("ints", np.arange(100), 5, bins="sqrt")
        w.add_histogram_raw("raw", 0, 3, 6, 9, 21, [1, 2, 3], [1, 2, 3], 6)
    ea = load(tmp_path)
    for tag in ("tf", "auto", "ten", "fd"):
        h = ea.Histograms(tag)[0].histogram_value
        assert h.num == 1000 == sum(h.bucket)
        assert h.min == pytest.approx(x.min(), abs=1e-6) and h.max == pytest.approx(x.max(), abs=1e-6)
        assert h.sum == pytest.approx(x.sum(), abs=1e-4)
        assert len(h.bucket) == len(h.bucket_limit)
    ten = ea.Histograms("ten")[0].histogram_value
    counts, edges = np.histogram(x, 10)
    assert list(ten.bucket) == [0] + list(counts)
    assert list(ten.bucket_limit) == pytest.approx(list(edges))
    # max_bins subsamples by num_bins // max_bins (as PyTorch does), + 1 empty left bucket
    n_fd = len(np.histogram(x.astype(np.float32), "fd")[0])
    assert len(ea.Histograms("fd")[0].histogram_value.bucket) <= -(-n_fd // (n_fd // 5)) + 1 < n_fd
    ints = ea.Histograms("ints")[0].histogram_value
    assert ints.num == 100 == sum(ints.bucket) and ints.sum_squares == float(np.dot(np.arange(100), np.arange(100)))
    raw = ea.Histograms("raw")[0].histogram_value
    assert list(raw.bucket) == [1, 2, 3] and raw.num == 6
    # the exponential 'tensorflow' buckets: right edges are 1e-12 * 1.1**k
    tf = ea.Histograms("tf")[0].histogram_value
    assert all(abs(b) >= 1e-12 or b == 0 for b in tf.bucket_limit)
    all_records_verify(tmp_path)


def _png(ev):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(ev.encoded_image_string)))


def test_images(tmp_path):
    rng = np.random.default_rng(2)
    chw = rng.random((3, 16, 24)).astype(np.float32)
    hwc = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    hw = rng.random((7, 5))
    gray = rng.random((1, 6, 4))
    big = rng.random((256, 256, 3)).astype(np.float32)
    batch = rng.random((10, 3, 4, 5)).astype(np.float32)
    nhwc = rng.integers(0, 256, (3, 4, 5, 1), dtype=np.uint8)
    with SummaryWriter(tmp_path) as w:
        w.add_image("chw", chw, 0)
        w.add_image("hwc", hwc, 1, dataformats="HWC")
        w.add_image("hw", hw, 2, dataformats="HW")
        w.add_image("gray", gray, 3)
        w.add_image("big", big, 4, dataformats="HWC")
        w.add_images("batch", batch, 5)
        w.add_images("nhwc", nhwc, 6, dataformats="NHWC")
    ea = load(tmp_path)
    assert set(ea.Tags()["images"]) == {"chw", "hwc", "hw", "gray", "big", "batch", "nhwc"}
    im = ea.Images("chw")[0]
    assert (im.width, im.height, im.step) == (24, 16, 0)
    np.testing.assert_array_equal(_png(im), (chw.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8))
    np.testing.assert_array_equal(_png(ea.Images("hwc")[0]), hwc)           # uint8 as is
    hwp = _png(ea.Images("hw")[0])
    assert hwp.shape == (7, 5, 3)
    np.testing.assert_array_equal(hwp[..., 1], (hw.astype(np.float32) * 255).astype(np.uint8))
    assert _png(ea.Images("gray")[0]).shape == (6, 4, 3)
    assert (ea.Images("big")[0].width, ea.Images("big")[0].height) == (256, 256)
    np.testing.assert_array_equal(_png(ea.Images("big")[0]), (big * 255).astype(np.uint8))
    b = ea.Images("batch")[0]
    assert (b.width, b.height) == (8 * 5, 2 * 4)                             # 8 per row, no padding
    got = _png(b)
    np.testing.assert_array_equal(got[4:8, 5:10], (batch[9].transpose(1, 2, 0) * 255).astype(np.uint8))
    assert (got[4:8, 10:] == 0).all()                                         # empty slots are black
    n = ea.Images("nhwc")[0]
    assert (n.width, n.height) == (15, 4)
    np.testing.assert_array_equal(_png(n)[:, 5:10, 0], nhwc[1, :, :, 0])
    all_records_verify(tmp_path)


def test_text_and_hparams(tmp_path):
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
    from tensorboard.plugins.hparams import plugin_data_pb2
    with SummaryWriter(tmp_path) as w:
        w.add_text("notes", "hello **world** ü", 3)
        w.add_hparams({"lr": 0.01, "bs": 64, "opt": "sgd"}, {"hp/acc": 0.97},
                      run_name="trial1", global_step=2)
    ea = load(tmp_path)
    t = ea.Tensors("notes/text_summary")[0]
    assert t.step == 3 and t.tensor_proto.string_val == ["hello **world** ü".encode()]
    assert ea.SummaryMetadata("notes/text_summary").plugin_data.plugin_name == "text"
    m = pem.EventMultiplexer()
    m.AddRunsFromDirectory(str(tmp_path))
    m.Reload()
    content = m.PluginRunToTagToContent("hparams")["trial1"]
    ssi = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    assert ssi.session_start_info.hparams["lr"].number_value == 0.01
    assert ssi.session_start_info.hparams["opt"].string_value == "sgd"
    exp = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert [h.name for h in exp.hparam_infos] == ["lr", "bs", "opt"]
    assert [mi.name.tag for mi in exp.metric_infos] == ["hp/acc"]
    sei = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"])
    assert sei.session_end_info.status == 1
    hp = load(tmp_path / "trial1")
    assert [(e.step, e.value) for e in hp.Scalars("hp/acc")] == [(2, pytest.approx(0.97))]
    with pytest.raises(TypeError, match="dictionary"):
        SummaryWriter(tmp_path / "x").add_hparams([("lr", 1)], {})
    all_records_verify(tmp_path)


def test_purge_step_and_filename_suffix(tmp_path):
    with SummaryWriter(tmp_path, purge_step=5, filename_suffix=".mine") as w:
        w.add_scalar("x", 1.0, 5)
    files = event_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".mine") and "tfevents" in files[0]
    evs = [event_pb2.Event.FromString(r) for r in read_records(files[0])]
    assert evs[1].step == 5 and evs[1].file_version == "brain.Event:2"
    assert evs[2].step == 5 and evs[2].session_log.status == event_pb2.SessionLog.START


def test_default_logdir_and_comment(tmp_path, monkeypatch):
    import socket
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_LR0.1")
    try:
        d = w.get_logdir()
        assert d.startswith("runs" + os.sep) and d.endswith(socket.gethostname() + "_LR0.1")
        assert os.path.isdir(d)
    finally:
        w.close()


def test_flush_waits_and_close_reopens(tmp_path):
    w = SummaryWriter(tmp_path, max_queue=1000, flush_secs=1000)
    w.add_scalar("a", 1.0, 0)
    w.flush()
    assert load(tmp_path).Scalars("a")[0].value == 1.0
    w.close()
    w.close()                                                 # a second close is harmless
    w.add_scalar("a", 2.0, 1)                                 # after close: a new event file
    w.close()
    assert len(event_files(tmp_path)) == 2
    assert [e.value for e in load(tmp_path).Scalars("a")] == [1.0, 2.0]


def test_logging_does_not_wait_for_io(tmp_path, monkeypatch):
    """The caller only queues: a slow disk write does not slow add_scalar/add_image down."""
    from corelib_loggers import _event_file
    gate = threading.Event()
    real_frame = _event_file.frame

    def slow_frame(data):
        gate.wait(5)
        return real_frame(data)
    w = SummaryWriter(tmp_path, max_queue=1)
    monkeypatch.setattr(_event_file, "frame", slow_frame)
    t0 = time.perf_counter()
    for i in range(50):
        w.add_scalar("x", i, i)
    w.add_image("im", np.zeros((3, 64, 64), np.float32), 0)
    assert time.perf_counter() - t0 < 2.0                     # the writer thread is blocked
    gate.set()
    w.close()
    assert len(load(tmp_path).Scalars("x")) == 50


def test_background_error_is_reported(tmp_path):
    w = SummaryWriter(tmp_path)
    w.file_writer.event_writer.add_event(lambda: 1 / 0)       # a broken deferred builder
    with pytest.raises(RuntimeError, match="background thread"):
        w.flush()
    w.close()


def test_concurrent_loggers(tmp_path):
    with SummaryWriter(tmp_path) as w:
        def work(k):
            for i in range(100):
                w.add_scalar(f"t{k}", i, i)
        ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    ea = load(tmp_path)
    for k in range(4):
        assert [e.value for e in ea.Scalars(f"t{k}")] == list(range(100))
    assert all_records_verify(tmp_path) == 401


def test_corelib_tensor_inputs(tmp_path):
    corelib = pytest.importorskip("corelib")
    if not hasattr(corelib, "tensor"):
        pytest.skip("corelib.tensor is not available yet (core Tensor not landed)")
    x = corelib.tensor([[0.0, 0.5], [1.0, 0.25]], requires_grad=True)
    img = corelib.tensor(np.random.default_rng(0).random((3, 4, 5)).astype(np.float32))
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("s", x.sum(), corelib.tensor(3).item())
        w.add_histogram("h", x, 1)
        w.add_image("i", img, 2)
        w.add_hparams({"lr": corelib.tensor(0.5)}, {"m": corelib.tensor(1.0)}, run_name="r")
    ea = load(tmp_path)
    assert ea.Scalars("s")[0].value == 1.75
    assert ea.Histograms("h")[0].histogram_value.num == 4
    assert (ea.Images("i")[0].width, ea.Images("i")[0].height) == (5, 4)


def test_facade():
    pytest.importorskip("corelib._registry")
    try:
        from corelib.utils.tensorboard import SummaryWriter as SW
    except (ImportError, AttributeError) as e:
        pytest.skip(f"the loggers bundle is not installed/registered: {e}")
    assert SW is SummaryWriter
    import corelib.utils as cu
    from corelib_loggers.image_utils import make_grid, save_image
    from corelib_loggers.model_summary import summary
    assert cu.make_grid is make_grid and cu.save_image is save_image and cu.summary is summary
    import corelib.utils.tensorboard as tb
    assert cu.tensorboard is tb
    with pytest.raises(AttributeError):
        cu.no_such_thing


def test_add_figure(tmp_path):
    try:
        import matplotlib
    except ImportError:
        with SummaryWriter(tmp_path) as w:
            with pytest.raises(ImportError, match="matplotlib"):
                w.add_figure("fig", object(), 0)
        pytest.skip("matplotlib is not installed: add_figure raises a clear ImportError")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", fig, 0)
    im = load(tmp_path).Images("fig")[0]
    assert (im.width, im.height) == (100, 50)
