"""Notes chapter 10 (TensorBoard): SummaryWriter and its add_* methods, make_grid, summary.

Every event file is read back by the real tensorboard package and compared with what
``torch.utils.tensorboard.SummaryWriter`` writes for the same calls; make_grid is compared with
torchvision's algorithm (transcribed on torch tensors below, torchvision itself is not
installed); summary's table with torchsummary 1.5.1's (transcribed on a torch model below).
"""
import contextlib
import io
import math
import os
import re
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

import corelib  # noqa: E402
import corelib.nn as nn  # noqa: E402
from corelib.utils import make_grid, summary  # noqa: E402
from corelib.utils.tensorboard import SummaryWriter  # noqa: E402

ALL = {"images": 0, "scalars": 0, "histograms": 0, "tensors": 0, "compressedHistograms": 0}


def read(logdir):
    ea = EventAccumulator(str(logdir), size_guidance=ALL)
    ea.Reload()
    return ea


def both(tmp_path, fn):
    """Run fn(writer) with corelib's and torch's SummaryWriter; return the two log dirs."""
    ours, theirs = tmp_path / "corelib", tmp_path / "torch"
    with SummaryWriter(str(ours)) as w:
        fn(w, corelib)
    w = TorchWriter(str(theirs))
    fn(w, torch)
    w.close()
    return ours, theirs


# ---- SummaryWriter ---------------------------------------------------------------------------

def test_summary_writer_signature_and_attributes(tmp_path):
    import inspect
    sig = inspect.signature(SummaryWriter.__init__)
    ref = inspect.signature(TorchWriter.__init__)
    assert list(sig.parameters)[:7] == ["self", "log_dir", "comment", "purge_step", "max_queue",
                                        "flush_secs", "filename_suffix"]
    for name in list(sig.parameters)[1:7]:
        assert sig.parameters[name].default == ref.parameters[name].default, name
    w = SummaryWriter(log_dir=str(tmp_path / "a"), comment="_ignored", filename_suffix=".sfx")
    w.add_scalar("x", 1.0, 0)
    w.close()
    assert w.log_dir == str(tmp_path / "a") and w.get_logdir() == str(tmp_path / "a")
    files = os.listdir(tmp_path / "a")
    assert len(files) == 1
    # events.out.tfevents.<time>.<hostname>.<pid>.<uid><suffix>, as torch names it
    assert re.fullmatch(r"events\.out\.tfevents\.\d+\.%s\.%d\.\d+\.sfx"
                        % (re.escape(socket.gethostname()), os.getpid()), files[0]), files[0]


def test_summary_writer_default_log_dir_with_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.01")
    t = TorchWriter(comment="_lr0.01")
    try:
        pat = r"runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_%s_lr0\.01" % re.escape(socket.gethostname())
        assert re.fullmatch(pat, w.log_dir), w.log_dir
        assert re.fullmatch(pat, t.log_dir)
        assert os.path.isdir(w.log_dir)
    finally:
        w.close()
        t.close()


def test_add_scalar_matches_torch(tmp_path):
    def fn(w, lib):
        for i in range(5):
            w.add_scalar("Loss/train", 1.0 / (i + 1), i)
        w.add_scalar("t", lib.tensor(3.5), 7)
        w.add_scalar("np", np.float64(0.25), global_step=8, walltime=123.0)
        w.add_scalar("nostep", 2.0)
    a, b = (read(d) for d in both(tmp_path, fn))
    assert sorted(a.Tags()["scalars"]) == sorted(b.Tags()["scalars"])
    for tag in b.Tags()["scalars"]:
        assert [(e.step, e.value) for e in a.Scalars(tag)] == \
            [(e.step, e.value) for e in b.Scalars(tag)], tag
    assert a.Scalars("np")[0].wall_time == 123.0


def test_add_scalar_rejects_non_scalar(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises((ValueError, TypeError, AssertionError)):
            w.add_scalar("bad", corelib.ones(3), 0)


def test_add_scalars_matches_torch(tmp_path):
    def fn(w, lib):
        for i in range(3):
            w.add_scalars("data/scalar_group", {"xsinx": i * math.sin(i), "xcosx": i * math.cos(i),
                                                "arctanx": math.atan(i)}, i)
    ours, theirs = both(tmp_path, fn)
    sub_ours = sorted(p for p in os.listdir(ours) if os.path.isdir(ours / p))
    sub_theirs = sorted(p for p in os.listdir(theirs) if os.path.isdir(theirs / p))
    assert sub_ours == sub_theirs == ["data_scalar_group_arctanx", "data_scalar_group_xcosx",
                                      "data_scalar_group_xsinx"]
    for sub in sub_theirs:
        a, b = read(ours / sub), read(theirs / sub)
        assert a.Tags()["scalars"] == b.Tags()["scalars"] == ["data/scalar_group"]
        assert [(e.step, e.value) for e in a.Scalars("data/scalar_group")] == \
            [(e.step, e.value) for e in b.Scalars("data/scalar_group")]


@pytest.mark.parametrize("bins", ["tensorflow", "auto", "fd", 10])
def test_add_histogram_matches_torch(tmp_path, bins):
    rng = np.random.default_rng(0)
    data = rng.normal(size=1000).astype(np.float32)

    def fn(w, lib):
        w.add_histogram("weights", lib.tensor(data), 0, bins=bins)
        w.add_histogram("weights", lib.tensor(data * 2 + 1), 1, bins=bins)
    a, b = (read(d) for d in both(tmp_path, fn))
    ha, hb = a.Histograms("weights"), b.Histograms("weights")
    assert [e.step for e in ha] == [e.step for e in hb] == [0, 1]
    for ea, eb in zip(ha, hb):
        va, vb = ea.histogram_value, eb.histogram_value
        for f in ("min", "max", "num", "sum", "sum_squares"):
            assert getattr(va, f) == pytest.approx(getattr(vb, f), rel=1e-5), f
        np.testing.assert_allclose(va.bucket_limit, vb.bucket_limit, rtol=1e-6)
        np.testing.assert_array_equal(va.bucket, vb.bucket)


def test_add_histogram_of_parameter_with_grad(tmp_path):
    layer = nn.Linear(4, 3)
    layer(corelib.randn(2, 4)).sum().backward()
    with SummaryWriter(str(tmp_path)) as w:
        for name, p in layer.named_parameters():
            w.add_histogram(name + "_data", p, 0)
            w.add_histogram(name + "_grad", p.grad, 0)
    ea = read(tmp_path)
    assert sorted(ea.Tags()["histograms"]) == ["bias_data", "bias_grad", "weight_data",
                                               "weight_grad"]
    assert ea.Histograms("weight_data")[0].histogram_value.num == 12


@pytest.mark.parametrize("case", ["chw_float", "hwc_float", "hw_float", "chw_uint8", "1hw_float",
                                  "hwc_uint8"])
def test_add_image_matches_torch(tmp_path, case):
    rng = np.random.default_rng(1)
    fmt = {"chw": "CHW", "hwc": "HWC", "hw": "HW", "1hw": "CHW"}[case.split("_")[0]]
    shape = {"CHW": (3, 8, 10), "HWC": (8, 10, 3), "HW": (8, 10)}[fmt]
    if case.startswith("1hw"):
        shape = (1, 8, 10)
    if case.endswith("uint8"):
        data = rng.integers(0, 256, size=shape, dtype=np.uint8)
    else:
        data = rng.random(shape, dtype=np.float32)

    def fn(w, lib):
        w.add_image("img", lib.from_numpy(data.copy()), 3, dataformats=fmt)
    a, b = (read(d) for d in both(tmp_path, fn))
    ia, ib = a.Images("img")[0], b.Images("img")[0]
    assert ia.step == ib.step == 3
    assert (ia.width, ia.height) == (ib.width, ib.height) == (10, 8)
    from PIL import Image
    pa = np.asarray(Image.open(io.BytesIO(ia.encoded_image_string)))
    pb = np.asarray(Image.open(io.BytesIO(ib.encoded_image_string)))
    assert pa.shape == pb.shape
    np.testing.assert_array_equal(pa, pb)


def test_add_image_make_grid_pipeline(tmp_path):
    # the notes' pattern: a grid of a batch, normalized, into add_image
    x = corelib.rand(16, 3, 8, 8)
    grid = make_grid(x, nrow=4, normalize=True, scale_each=True)
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image("grid", grid, 0)
    im = read(tmp_path).Images("grid")[0]
    assert (im.height, im.width) == (4 * 10 + 2, 4 * 10 + 2)


def test_add_image_bad_dataformats(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        # torch: AssertionError for a format that does not fit the shape
        with pytest.raises(AssertionError):
            w.add_image("x", corelib.rand(3, 4, 4), 0, dataformats="CHWN")
        with pytest.raises(AssertionError):
            w.add_image("x", corelib.rand(3, 4, 4), 0, dataformats="HW")
        with pytest.raises(AssertionError):
            w.add_image("x", corelib.rand(3, 4, 4), 0, dataformats="CHC")
        with pytest.raises(AssertionError):
            w.add_image("x", corelib.rand(2, 3, 4, 4), 0)          # a batch needs add_images
        # torch (PIL): TypeError at the call for 5 channels, not later in a writer thread
        with pytest.raises(TypeError):
            w.add_image("x", corelib.rand(5, 4, 4), 0)
        w.add_image("rgba", corelib.rand(3, 4, 4), 0, dataformats="HWC")   # 4 channels: RGBA


class LeNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        import corelib.nn.functional as F
        out = F.relu(self.conv1(x))
        out = F.max_pool2d(out, 2)
        out = F.relu(self.conv2(out))
        out = F.max_pool2d(out, 2)
        out = out.view(out.size(0), -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)


def test_add_graph_readable(tmp_path):
    model = LeNet()
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(model, corelib.rand(1, 3, 32, 32))
    ea = read(tmp_path)
    g = ea.Graph()
    names = [n.name for n in g.node]
    for layer in ("conv1", "conv2", "fc1", "fc2", "fc3"):
        assert any(layer in n for n in names), (layer, names)
    # add_graph(model, input_to_model=None, verbose=False): the notes' keyword names
    with SummaryWriter(str(tmp_path / "kw")) as w:
        w.add_graph(model=model, input_to_model=corelib.rand(2, 3, 32, 32), verbose=False)
    assert len(read(tmp_path / "kw").Graph().node) > 0


def test_add_graph_sequential_and_tuple_input(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(model, (corelib.rand(5, 4),))
    assert len(read(tmp_path).Graph().node) > 0


# ---- make_grid (torchvision 0.2x algorithm on torch tensors) ---------------------------------

def tv_make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
                 pad_value=0.0):
    if isinstance(tensor, list):
        tensor = torch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:
                norm_range(t, value_range)
        else:
            norm_range(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k = k + 1
    return grid


GRID_CASES = [
    dict(),
    dict(nrow=4),
    dict(nrow=3, padding=0),
    dict(nrow=5, padding=3, pad_value=0.5),
    dict(normalize=True),
    dict(normalize=True, scale_each=True),
    dict(normalize=True, value_range=(-1.0, 1.0)),
    dict(normalize=True, value_range=(-1.0, 1.0), scale_each=True),
    dict(nrow=16, padding=1, normalize=True, pad_value=1),
    dict(nrow=20),
]


@pytest.mark.parametrize("kw", GRID_CASES, ids=[str(k) for k in GRID_CASES])
@pytest.mark.parametrize("shape", [(10, 3, 5, 6), (7, 1, 4, 4), (1, 3, 4, 5)])
def test_make_grid_matches_torchvision(kw, shape):
    x = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    out = make_grid(corelib.from_numpy(x.copy()), **kw)
    ref = tv_make_grid(torch.from_numpy(x.copy()), **kw)
    assert isinstance(out, corelib.Tensor)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype == corelib.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6, atol=1e-7)


def test_make_grid_range_keyword_of_the_notes():
    # the notes spell it make_grid(tensor, nrow=8, padding=2, normalize=False, range=None, ...)
    x = np.random.default_rng(3).normal(size=(6, 3, 4, 4)).astype(np.float32)
    with pytest.warns(FutureWarning):
        out = make_grid(corelib.from_numpy(x.copy()), nrow=3, normalize=True, range=(-2, 2))
    ref = tv_make_grid(torch.from_numpy(x.copy()), nrow=3, normalize=True, value_range=(-2, 2))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_make_grid_list_2d_3d_float64_and_input_untouched():
    rng = np.random.default_rng(4)
    imgs = [rng.random((3, 4, 5)) for _ in range(5)]
    out = make_grid([corelib.from_numpy(i.copy()) for i in imgs], nrow=2, normalize=True)
    ref = tv_make_grid([torch.from_numpy(i.copy()) for i in imgs], nrow=2, normalize=True)
    assert out.dtype == corelib.float64
    np.testing.assert_allclose(out.numpy(), ref.numpy())
    hw = rng.random((4, 5)).astype(np.float32)
    np.testing.assert_allclose(make_grid(corelib.from_numpy(hw)).numpy(),
                               tv_make_grid(torch.from_numpy(hw)).numpy())
    x = corelib.from_numpy(rng.normal(size=(4, 3, 2, 2)).astype(np.float32))
    before = x.numpy().copy()
    make_grid(x, normalize=True)
    np.testing.assert_array_equal(x.numpy(), before)
    # a non-contiguous batch
    base = rng.normal(size=(3, 4, 4, 6)).astype(np.float32)
    nc = corelib.from_numpy(base.copy()).permute(1, 0, 2, 3)
    np.testing.assert_allclose(make_grid(nc, nrow=2).numpy(),
                               tv_make_grid(torch.from_numpy(base.copy()).permute(1, 0, 2, 3),
                                            nrow=2).numpy())


def test_make_grid_bad_input():
    with pytest.raises(TypeError):
        make_grid(np.zeros(3).tolist())
    with pytest.raises(TypeError):
        make_grid(corelib.rand(2, 3, 4, 4), normalize=True, value_range=[0, 1])


# ---- summary (torchsummary 1.5.1 transcribed on torch) ---------------------------------------

def torchsummary_text(model, input_size, batch_size=-1):
    from collections import OrderedDict
    tnn = torch.nn

    def register_hook(module):
        def hook(module, input, output):
            class_name = str(module.__class__).split(".")[-1].split("'")[0]
            m_key = "%s-%i" % (class_name, len(summ) + 1)
            summ[m_key] = OrderedDict()
            summ[m_key]["input_shape"] = list(input[0].size())
            summ[m_key]["input_shape"][0] = batch_size
            if isinstance(output, (list, tuple)):
                summ[m_key]["output_shape"] = [[-1] + list(o.size())[1:] for o in output]
            else:
                summ[m_key]["output_shape"] = list(output.size())
                summ[m_key]["output_shape"][0] = batch_size
            params = 0
            if hasattr(module, "weight") and hasattr(module.weight, "size"):
                params += torch.prod(torch.LongTensor(list(module.weight.size())))
                summ[m_key]["trainable"] = module.weight.requires_grad
            if hasattr(module, "bias") and hasattr(module.bias, "size"):
                params += torch.prod(torch.LongTensor(list(module.bias.size())))
            summ[m_key]["nb_params"] = params
        if not isinstance(module, tnn.Sequential) and not isinstance(module, tnn.ModuleList) \
                and not (module == model):
            hooks.append(module.register_forward_hook(hook))

    if isinstance(input_size, tuple):
        input_size = [input_size]
    x = [torch.rand(2, *in_size) for in_size in input_size]
    summ = OrderedDict()
    hooks = []
    model.apply(register_hook)
    model(*x)
    for h in hooks:
        h.remove()
    out = []
    out.append("----------------------------------------------------------------")
    out.append("{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"))
    out.append("================================================================")
    total_params = 0
    total_output = 0
    trainable_params = 0
    for layer in summ:
        line_new = "{:>20}  {:>25} {:>15}".format(
            layer, str(summ[layer]["output_shape"]), "{0:,}".format(summ[layer]["nb_params"]))
        total_params += summ[layer]["nb_params"]
        total_output += np.prod(summ[layer]["output_shape"])
        if "trainable" in summ[layer]:
            if summ[layer]["trainable"] == True:  # noqa: E712
                trainable_params += summ[layer]["nb_params"]
        out.append(line_new)
    total_input_size = abs(np.prod(input_size) * batch_size * 4. / (1024 ** 2.))
    total_output_size = abs(2. * total_output * 4. / (1024 ** 2.))
    total_params_size = abs(np.asarray(total_params) * 4. / (1024 ** 2.))
    total_size = total_params_size + total_output_size + total_input_size
    out.append("================================================================")
    out.append("Total params: {0:,}".format(total_params))
    out.append("Trainable params: {0:,}".format(trainable_params))
    out.append("Non-trainable params: {0:,}".format(total_params - trainable_params))
    out.append("----------------------------------------------------------------")
    out.append("Input size (MB): %0.2f" % total_input_size)
    out.append("Forward/backward pass size (MB): %0.2f" % total_output_size)
    out.append("Params size (MB): %0.2f" % total_params_size)
    out.append("Estimated Total Size (MB): %0.2f" % total_size)
    out.append("----------------------------------------------------------------")
    return "\n".join(out)


def _alexnet(lib, num_classes=10):
    n = lib.nn
    return n.Sequential(
        n.Sequential(
            n.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), n.ReLU(inplace=True),
            n.MaxPool2d(kernel_size=3, stride=2),
            n.Conv2d(64, 192, kernel_size=5, padding=2), n.ReLU(inplace=True),
            n.MaxPool2d(kernel_size=3, stride=2),
            n.Conv2d(192, 384, kernel_size=3, padding=1), n.ReLU(inplace=True),
            n.Conv2d(384, 256, kernel_size=3, padding=1), n.ReLU(inplace=True),
            n.Conv2d(256, 256, kernel_size=3, padding=1), n.ReLU(inplace=True),
            n.MaxPool2d(kernel_size=3, stride=2)),
        n.AdaptiveAvgPool2d((6, 6)),
        n.Flatten(),
        n.Sequential(n.Dropout(), n.Linear(256 * 6 * 6, 64), n.ReLU(inplace=True),
                     n.Linear(64, num_classes)))


def _lenet_seq(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(1, 6, 5), n.ReLU(), n.MaxPool2d(2), n.Conv2d(6, 16, 5),
                        n.BatchNorm2d(16), n.ReLU(), n.MaxPool2d(2), n.Flatten(),
                        n.Linear(16 * 4 * 4, 120), n.ReLU(), n.Linear(120, 84), n.ReLU(),
                        n.Linear(84, 10))


def _summary_text(model, *args, **kw):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ret = summary(model, *args, **kw)
    return buf.getvalue(), ret


@pytest.mark.parametrize("name,input_size,bs", [("lenet_seq", (1, 28, 28), -1),
                                                ("lenet_seq", (1, 28, 28), 16),
                                                ("alexnet", (3, 224, 224), -1)])
def test_summary_table_matches_torchsummary(name, input_size, bs):
    build = {"lenet_seq": _lenet_seq, "alexnet": _alexnet}[name]
    text, ret = _summary_text(build(corelib), input_size, batch_size=bs, device="cpu")
    ref = torchsummary_text(build(torch), input_size, batch_size=bs)
    assert text.rstrip("\n") == ref


def test_summary_custom_module_lenet_and_defaults():
    import inspect
    sig = inspect.signature(summary)
    assert list(sig.parameters)[:4] == ["model", "input_size", "batch_size", "device"]
    assert sig.parameters["batch_size"].default == -1
    # the notes: summary(model, input_size, batch_size=-1, device="cuda"); torchsummary falls
    # back to the cpu when cuda is not available
    assert sig.parameters["device"].default == "cuda"

    class TLeNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 6, 5)
            self.conv2 = torch.nn.Conv2d(6, 16, 5)
            self.fc1 = torch.nn.Linear(400, 120)
            self.fc2 = torch.nn.Linear(120, 84)
            self.fc3 = torch.nn.Linear(84, 10)

        def forward(self, x):
            F = torch.nn.functional
            out = F.max_pool2d(F.relu(self.conv1(x)), 2)
            out = F.max_pool2d(F.relu(self.conv2(out)), 2)
            out = out.view(out.size(0), -1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(out)))))

    if corelib.cuda.is_available():
        pytest.skip("default device 'cuda' would put the input on the GPU")
    text, ret = _summary_text(LeNet(), (3, 32, 32))
    assert text.rstrip("\n") == torchsummary_text(TLeNet(), (3, 32, 32))
    assert "Total params: 62,006" in text


def test_summary_frozen_params_and_bad_device():
    model = _lenet_seq(corelib)
    for p in model[0].parameters():
        p.requires_grad_(False)
    text, _ = _summary_text(model, (1, 28, 28), device="cpu")
    assert "Non-trainable params: 156" in text
    with pytest.raises((ValueError, AssertionError)):
        _summary_text(model, (1, 28, 28), device="tpu")
