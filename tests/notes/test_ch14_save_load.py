"""Notes chapter 14: corelib.save / corelib.load of whole modules and state_dicts, map_location,
and resuming training from the notes' checkpoint dict; behaviour compared with torch 2.13
(whose load defaults to weights_only=True)."""
import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import corelib  # noqa: E402
import corelib.nn as nn  # noqa: E402
import corelib.nn.functional as F  # noqa: E402


class LeNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.bn(self.conv1(x))), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = out.view(out.size(0), -1)
        return self.fc2(F.relu(self.fc1(out)))


class TLeNet(torch.nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5)
        self.bn = torch.nn.BatchNorm2d(6)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1 = torch.nn.Linear(16 * 4 * 4, 32)
        self.fc2 = torch.nn.Linear(32, classes)

    def forward(self, x):
        Fn = torch.nn.functional
        out = Fn.max_pool2d(Fn.relu(self.bn(self.conv1(x))), 2)
        out = Fn.max_pool2d(Fn.relu(self.conv2(out)), 2)
        out = out.view(out.size(0), -1)
        return self.fc2(Fn.relu(self.fc1(out)))


def _x(n=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 1, 28, 28)).astype(np.float32)


# ---- method 1: the whole Module ---------------------------------------------------------------

@pytest.mark.parametrize("lib", ["corelib", "torch"])
def test_whole_module_default_load_refused_with_instructions(tmp_path, lib):
    lib, Net = (corelib, LeNet) if lib == "corelib" else (torch, TLeNet)
    net = Net()
    path = tmp_path / "model.pkl"
    lib.save(net, path)
    # torch >= 2.6: load defaults to weights_only=True, which refuses a pickled Module
    with pytest.raises(pickle.UnpicklingError) as ei:
        lib.load(path)
    msg = str(ei.value)
    assert "weights_only=False" in msg or "weights_only` set to `False" in msg
    assert "LeNet" in msg
    net2 = lib.load(path, weights_only=False)
    assert type(net2) is Net
    with lib.no_grad():
        net.eval()
        net2.eval()
        x = lib.from_numpy(_x())
        np.testing.assert_array_equal(net(x).numpy(), net2(x).numpy())


def test_whole_module_round_trip_keeps_everything(tmp_path):
    net = LeNet()
    net(corelib.from_numpy(_x(4)))          # BN running stats move
    net.eval()
    corelib.save(net, str(tmp_path / "net.pkl"))
    net2 = corelib.load(str(tmp_path / "net.pkl"), weights_only=False)
    assert net2.training is False
    assert isinstance(net2.conv1.weight, nn.Parameter) and net2.conv1.weight.requires_grad
    assert [n for n, _ in net2.named_parameters()] == [n for n, _ in net.named_parameters()]
    assert [n for n, _ in net2.named_buffers()] == [n for n, _ in net.named_buffers()]
    for (n, a), (_, b) in zip(net.state_dict().items(), net2.state_dict().items()):
        assert a.dtype == b.dtype, n
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert net2.bn.num_batches_tracked.dtype == corelib.int64
    assert net2.bn.num_batches_tracked.item() == 1
    # the loaded module trains: gradients flow to its own parameters
    net2.train()
    net2(corelib.from_numpy(_x())).sum().backward()
    assert net2.fc2.weight.grad is not None and net.fc2.weight.grad is None
    # a module with hooks registered by a named function pickles too
    h = net2.conv1.register_forward_hook(_named_hook)
    corelib.save(net2, str(tmp_path / "hooked.pkl"))
    net3 = corelib.load(str(tmp_path / "hooked.pkl"), weights_only=False)
    assert len(net3.conv1._forward_hooks) == 1
    h.remove()


def _named_hook(module, inputs, output):
    return None


def test_whole_module_sequential_add_safe_globals(tmp_path):
    seq = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    path = tmp_path / "seq.pth"
    corelib.save(seq, path)
    with pytest.raises(pickle.UnpicklingError, match="add_safe_globals"):
        corelib.load(path)
    out = corelib.load(path, weights_only=False)
    x = corelib.randn(4, 3)
    np.testing.assert_array_equal(out(x).detach().numpy(), seq(x).detach().numpy())


# ---- method 2: the state_dict (recommended) ---------------------------------------------------

def test_state_dict_round_trip_dtypes_and_types(tmp_path):
    net = LeNet()
    net.double()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    path = tmp_path / "sd.pkl"
    corelib.save(sd, path)
    sd2 = corelib.load(path)                                   # weights_only=True is enough
    assert isinstance(sd2, OrderedDict) and list(sd2) == list(sd)
    for k in sd:
        assert type(sd2[k]) is corelib.Tensor, k                # state_dict holds plain tensors
        assert sd2[k].dtype == sd[k].dtype, k
        assert sd2[k].requires_grad is False
        np.testing.assert_array_equal(sd2[k].numpy(), sd[k].numpy())
    assert sd2["conv1.weight"].dtype == corelib.float64
    assert sd2["bn.num_batches_tracked"].dtype == corelib.int64
    net2 = LeNet().double()
    res = net2.load_state_dict(sd2)
    assert list(res.missing_keys) == [] and list(res.unexpected_keys) == []
    assert isinstance(net2.conv1.weight, nn.Parameter)
    assert net2.conv1.weight.dtype == corelib.float64


def test_state_dict_same_keys_and_values_as_torch():
    net, tnet = LeNet(), TLeNet()
    assert list(net.state_dict()) == list(tnet.state_dict())
    # corelib weights loaded into torch give torch's outputs
    tnet.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                          for k, v in net.state_dict().items()})
    net.eval()
    tnet.eval()
    x = _x(3)
    with corelib.no_grad():
        a = net(corelib.from_numpy(x.copy())).numpy()
    with torch.no_grad():
        b = tnet(torch.from_numpy(x.copy())).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_parameters_and_tensors_keep_their_kind(tmp_path):
    p = nn.Parameter(corelib.randn(3, 2))
    frozen = nn.Parameter(corelib.randn(2), requires_grad=False)
    t = corelib.ones(2, requires_grad=True)
    half = corelib.ones(2, dtype=corelib.float16)
    i32 = corelib.arange(4, dtype=corelib.int32)
    b = corelib.tensor([True, False])
    obj = {"p": p, "frozen": frozen, "t": t, "half": half, "i32": i32, "b": b, "alias": p,
           "sd_vars": nn.Linear(2, 2).state_dict(keep_vars=True), "n": 3, "s": "x",
           "tup": (1, 2.5), "list": [corelib.zeros(1)]}
    buf = io.BytesIO()
    corelib.save(obj, buf)
    buf.seek(0)
    out = corelib.load(buf)
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is nn.Parameter and not out["frozen"].requires_grad
    assert type(out["t"]) is corelib.Tensor and out["t"].requires_grad and out["t"].is_leaf
    assert out["half"].dtype == corelib.float16 and out["i32"].dtype == corelib.int32
    assert out["b"].dtype == corelib.bool
    assert out["alias"] is out["p"]
    assert type(out["sd_vars"]["weight"]) is nn.Parameter
    assert out["tup"] == (1, 2.5) and out["n"] == 3 and out["s"] == "x"
    # the same object graph through torch keeps the same kinds
    tobj = {"p": torch.nn.Parameter(torch.randn(3, 2)), "t": torch.ones(2, requires_grad=True)}
    tbuf = io.BytesIO()
    torch.save(tobj, tbuf)
    tbuf.seek(0)
    tout = torch.load(tbuf)
    assert type(tout["p"]) is torch.nn.Parameter and tout["t"].requires_grad


def test_non_contiguous_and_empty_and_scalar(tmp_path):
    base = corelib.arange(24, dtype=corelib.float64).reshape(4, 6)
    obj = [base.t(), base[:, ::2], corelib.zeros(0, 3), corelib.tensor(2.5)]
    corelib.save(obj, tmp_path / "x.pt")
    out = corelib.load(tmp_path / "x.pt")
    for a, b in zip(obj, out):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == b.dtype
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert out[3].dim() == 0


@pytest.mark.parametrize("ml", ["cpu", "device", "dict", "callable", "lambda_storage"])
def test_map_location(tmp_path, ml):
    sd = LeNet().state_dict()
    corelib.save(sd, tmp_path / "sd.pkl")
    m = {"cpu": "cpu", "device": corelib.device("cpu"), "dict": {"cuda:0": "cpu"},
         "callable": lambda t, loc: t, "lambda_storage": lambda storage, loc: storage}[ml]
    out = corelib.load(str(tmp_path / "sd.pkl"), map_location=m)
    for k, v in out.items():
        assert v.device.type == "cpu"
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy())
    net = LeNet()
    net.load_state_dict(out)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        corelib.load(tmp_path / "missing.pth")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError):
        corelib.load(tmp_path / "junk.pth")
    # a torch checkpoint is named as such
    torch.save({"a": torch.ones(2)}, tmp_path / "torch.pth")
    with pytest.raises(RuntimeError, match="PyTorch"):
        corelib.load(tmp_path / "torch.pth")
    net = LeNet()
    sd = net.state_dict()
    del sd["fc2.bias"]
    sd["extra"] = corelib.zeros(1)
    with pytest.raises(RuntimeError, match="fc2.bias"):
        net.load_state_dict(sd)
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc2.bias"] and res.unexpected_keys == ["extra"]


def test_signatures_match_torch():
    import inspect
    s, ts = inspect.signature(corelib.save), inspect.signature(torch.save)
    assert list(s.parameters)[:4] == list(ts.parameters)[:4] == ["obj", "f", "pickle_module",
                                                                  "pickle_protocol"]
    assert s.parameters["pickle_protocol"].default == ts.parameters["pickle_protocol"].default
    lp, tlp = inspect.signature(corelib.load).parameters, inspect.signature(torch.load).parameters
    assert list(lp)[:3] == list(tlp)[:3] == ["f", "map_location", "pickle_module"]
    assert lp["map_location"].default is None
    assert lp["weights_only"].kind is inspect.Parameter.KEYWORD_ONLY
    assert lp["weights_only"].default == tlp["weights_only"].default


# ---- 14.2 resuming training from a checkpoint -------------------------------------------------

class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(4 * 3 * 3, 10)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.bn(self.conv1(x))), 2)
        return self.fc(self.drop(out.view(out.size(0), -1)))


def _data():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, size=64).astype(np.int64)
    return corelib.from_numpy(x), corelib.from_numpy(y)


def _setup(opt_name):
    corelib.manual_seed(0)
    net = SmallNet()
    if opt_name == "sgd":
        opt = corelib.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    else:
        opt = corelib.optim.Adam(net.parameters(), lr=1e-3)
    sched = corelib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return net, opt, sched


def _train_epochs(net, opt, sched, start, end, x, y):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(start, end):
        corelib.manual_seed(100 + epoch)               # the epoch's shuffle and dropout masks
        perm = corelib.randperm(64)
        for i in range(0, 64, 16):
            idx = perm[i:i + 16]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
    return losses


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_resume_from_checkpoint_continues_identically(tmp_path, opt_name):
    x, y = _data()
    net, opt, sched = _setup(opt_name)
    straight = _train_epochs(net, opt, sched, 0, 4, x, y)

    net, opt, sched = _setup(opt_name)
    first = _train_epochs(net, opt, sched, 0, 2, x, y)
    checkpoint = {"model_state_dict": net.state_dict(),
                  "optimizer_state_dict": opt.state_dict(),
                  "epoch": 1,
                  "scheduler_state_dict": sched.state_dict()}
    path = tmp_path / "checkpoint_1_epoch.pkl"
    corelib.save(checkpoint, path)
    del net, opt, sched

    net, opt, sched = _setup(opt_name)                     # fresh objects, other weights
    ckpt = corelib.load(path)                              # weights_only=True reads it
    assert ckpt["epoch"] == 1 and isinstance(ckpt["epoch"], int)
    net.load_state_dict(ckpt["model_state_dict"])
    opt.load_state_dict(ckpt["optimizer_state_dict"])
    sched.load_state_dict(ckpt["scheduler_state_dict"])
    start_epoch = ckpt["epoch"] + 1
    assert opt.param_groups[0]["lr"] == pytest.approx(
        (0.05 if opt_name == "sgd" else 1e-3) * 0.5)
    rest = _train_epochs(net, opt, sched, start_epoch, 4, x, y)
    assert first + rest == straight                       # bit-identical continuation


def test_optimizer_state_dict_round_trip_types(tmp_path):
    net = LeNet()
    opt = corelib.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.99))
    net(corelib.from_numpy(_x(1))).sum().backward()
    opt.step()
    sd = opt.state_dict()
    corelib.save(sd, tmp_path / "opt.pkl")
    sd2 = corelib.load(tmp_path / "opt.pkl")
    assert sd2["param_groups"][0]["betas"] == (0.9, 0.99)
    assert sd2["param_groups"][0]["params"] == sd["param_groups"][0]["params"]
    for k, st in sd["state"].items():
        for name, v in st.items():
            w = sd2["state"][k][name]
            if hasattr(v, "numpy"):
                assert w.dtype == v.dtype
                np.testing.assert_array_equal(w.numpy(), v.numpy())
            else:
                assert w == v
    # torch's Adam state keys
    tnet = TLeNet()
    topt = torch.optim.Adam(tnet.parameters(), lr=1e-3)
    tnet(torch.from_numpy(_x(1))).sum().backward()
    topt.step()
    assert sorted(topt.state_dict()["state"][0]) == sorted(sd["state"][0])
    assert sorted(topt.state_dict()["param_groups"][0]) == sorted(sd["param_groups"][0])


def test_safe_globals_allowlist_for_a_whole_linear(tmp_path):
    import corelib.serialization as S
    lin = nn.Linear(3, 2)
    corelib.save(lin, tmp_path / "lin.pth")
    with pytest.raises(pickle.UnpicklingError, match=r"corelib.load\(path, weights_only=False\)"):
        corelib.load(tmp_path / "lin.pth")
    with S.safe_globals([type(lin)]):
        out = corelib.load(tmp_path / "lin.pth")
    assert type(out) is type(lin)
    np.testing.assert_array_equal(out.weight.detach().numpy(), lin.weight.detach().numpy())
    with pytest.raises(pickle.UnpicklingError):            # the allowlist ended with the block
        corelib.load(tmp_path / "lin.pth")
    # torch.save's compatibility keywords are accepted
    corelib.save(lin.state_dict(), tmp_path / "sd.pth", _use_new_zipfile_serialization=True)
    assert list(corelib.load(tmp_path / "sd.pth", map_location="cpu")) == ["weight", "bias"]


def test_whole_module_with_map_location_cpu(tmp_path):
    net = LeNet()
    corelib.save(net, tmp_path / "net.pth")
    net2 = corelib.load(tmp_path / "net.pth", map_location="cpu", weights_only=False)
    assert all(p.device.type == "cpu" for p in net2.parameters())
