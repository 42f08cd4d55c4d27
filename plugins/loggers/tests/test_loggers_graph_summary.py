"""add_graph and summary: with a stand-in Module now, and with corelib.nn once it exists."""
import os
import sys
import itertools

import numpy as np
import pytest

from corelib_loggers.graph import trace_graph
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the reader helper
from loggers_tfrecord import event_files, read_records  # noqa: E402

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.compat.proto import graph_pb2  # noqa: E402


# --- a minimal stand-in for nn.Module (PyTorch's module API, only what the tracer uses) -------
class FT(np.ndarray):
    requires_grad = False

    def detach(self):
        return self

    def to(self, dtype):
        return self


def ft(a, requires_grad=False):
    t = np.asarray(a, dtype=np.float32).view(FT)
    t.requires_grad = requires_grad
    return t


class _Handle:
    _ids = itertools.count()

    def __init__(self, d):
        self.d, self.id = d, next(self._ids)

    def remove(self):
        self.d.pop(self.id, None)


class M:
    def __init__(self):
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_hooks", {})
        self.training = True

    def __setattr__(self, name, value):
        if isinstance(value, M):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def named_modules(self, prefix=""):
        yield prefix, self
        for n, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{n}" if prefix else n)

    def children(self):
        return iter(self._modules.values())

    def register_forward_hook(self, hook):
        h = _Handle(self._hooks)
        self._hooks[h.id] = hook
        return h

    def __call__(self, *args):
        out = self.forward(*args)
        for hook in list(self._hooks.values()):
            hook(self, args, out)
        return out

    def eval(self):
        for _, m in self.named_modules():
            m.training = False
        return self

    def extra_repr(self):
        return ""


class Linear(M):
    def __init__(self, i, o):
        super().__init__()
        self.weight = ft(np.ones((o, i)), True)
        self.bias = ft(np.zeros(o), True)
        self.i, self.o = i, o

    def forward(self, x):
        return (x @ self.weight.T + self.bias).view(FT)

    def extra_repr(self):
        return f"in_features={self.i}, out_features={self.o}, bias=True"


class ReLU(M):
    def forward(self, x):
        return np.maximum(x, 0).view(FT)


class Sequential(M):
    def __init__(self, *mods):
        super().__init__()
        for i, m in enumerate(mods):
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x


class Net(M):
    def __init__(self):
        super().__init__()
        self.features = Sequential(Linear(4, 8), ReLU())
        self.fc = Linear(8, 3)

    def forward(self, x):
        x = self.features(x)
        x = (x * 1.0).view(FT)                       # functional code between layers
        return self.fc(x)


def test_trace_graph_stand_in_module():
    net = Net()
    g = graph_pb2.GraphDef.FromString(trace_graph(net, ft(np.ones((2, 4)))))
    names = [n.name for n in g.node]
    assert names == ["input/input.0", "Net/Sequential[features]/Linear[0]",
                     "Net/Sequential[features]/ReLU[1]", "Net/Linear[fc]", "output/output.0"]
    by = {n.name: n for n in g.node}
    assert by["Net/Sequential[features]/Linear[0]"].op == "Linear"
    assert list(by["Net/Sequential[features]/Linear[0]"].input) == ["input/input.0"]
    assert list(by["Net/Sequential[features]/ReLU[1]"].input) == ["Net/Sequential[features]/Linear[0]"]
    # x * 1.0 is not a module: wired by order of execution
    assert list(by["Net/Linear[fc]"].input) == ["Net/Sequential[features]/ReLU[1]"]
    assert list(by["output/output.0"].input) == ["Net/Linear[fc]"]
    shape = by["Net/Linear[fc]"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [2, 3]
    assert b"in_features=8" in by["Net/Linear[fc]"].attr["attr"].s
    assert by["input/input.0"].op == "IO Node"
    assert net.training and net.fc.training                # mode restored
    assert not net._hooks and not net.fc._hooks            # hooks removed


def test_trace_graph_errors():
    with pytest.raises(TypeError, match="nn.Module"):
        trace_graph(object(), ft(np.ones(2)))
    with pytest.raises(ValueError, match="input_to_model"):
        trace_graph(Net(), None)


def test_add_graph_read_by_tensorboard(tmp_path):
    from corelib_loggers.writer import SummaryWriter
    with SummaryWriter(tmp_path) as w:
        w.add_graph(Net(), ft(np.ones((2, 4))))
    ea = EventAccumulator(str(tmp_path))
    ea.Reload()
    assert ea.Tags()["graph"] is True
    g = ea.Graph()
    assert {n.name for n in g.node} >= {"Net/Sequential[features]/Linear[0]", "Net/Linear[fc]"}
    for f in event_files(tmp_path):
        read_records(f)


def test_summary_stand_in_module(monkeypatch, capsys):
    import corelib
    from corelib_loggers import model_summary
    monkeypatch.setattr(corelib, "rand", lambda *s, device=None: ft(np.random.rand(*s)),
                        raising=False)
    monkeypatch.setattr(corelib, "float32", np.float32, raising=False)
    res = model_summary.summary(Net(), (4,))
    out = capsys.readouterr().out
    assert res == (40 + 27, 40 + 27) and res.total_params == 67
    assert res.text in out
    assert list(res.layers) == ["Linear-1", "ReLU-2", "Linear-3"]


# --- with the real corelib.nn ------------------------------------------------------------------
def _nn():
    corelib = pytest.importorskip("corelib")
    try:
        import corelib.nn as nn
        nn.Linear, nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Sequential, nn.Module  # noqa: B018
    except (ImportError, AttributeError) as e:
        pytest.skip(f"corelib.nn layers not available (layers bundle not installed?): {e}")
    return corelib, nn


def _small_net(nn):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential()
            self.features.add_module("conv1", nn.Conv2d(1, 4, 3))
            self.features.add_module("relu", nn.ReLU())
            self.fc = nn.Linear(4 * 6 * 6, 10)

        def forward(self, x):
            x = self.features(x)
            x = x.reshape(x.shape[0], -1)
            return self.fc(x)
    return Net()


SUMMARY = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1              [-1, 4, 6, 6]              40
              ReLU-2              [-1, 4, 6, 6]               0
            Linear-3                   [-1, 10]           1,450
================================================================
Total params: 1,490
Trainable params: 1,490
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.00
Params size (MB): 0.01
Estimated Total Size (MB): 0.01
----------------------------------------------------------------
"""


def test_summary_corelib_nn(capsys):
    corelib, nn = _nn()
    from corelib_loggers.model_summary import summary
    net = _small_net(nn)
    res = summary(net, (1, 8, 8))
    assert res.text == SUMMARY
    assert SUMMARY in capsys.readouterr().out
    assert tuple(res) == (1490, 1490)
    for p in net.fc.parameters():
        p.requires_grad = False
    res = summary(net, (1, 8, 8), batch_size=16)
    assert "Trainable params: 40\n" in res.text and "Non-trainable params: 1,450\n" in res.text
    assert "[16, 4, 6, 6]" in res.text
    assert "Input size (MB): 0.00\n" in res.text


def test_summary_lenet_param_counts():
    corelib, nn = _nn()
    from corelib_loggers.model_summary import summary_string
    net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                        nn.ReLU(), nn.MaxPool2d(2))
    text, (total, trainable), rows = summary_string(net, (1, 32, 32))
    assert total == trainable == 156 + 2416
    assert rows["MaxPool2d-6"]["output_shape"] == [-1, 16, 5, 5]
    assert "Conv2d-4" in text and "2,416" in text


def test_add_graph_corelib_nn(tmp_path):
    corelib, nn = _nn()
    from corelib_loggers.writer import SummaryWriter
    net = _small_net(nn)
    x = corelib.rand(2, 1, 8, 8)
    with SummaryWriter(tmp_path) as w:
        w.add_graph(net, x)
    ea = EventAccumulator(str(tmp_path))
    ea.Reload()
    g = ea.Graph()
    names = [n.name for n in g.node]
    assert names == ["input/input.0", "Net/Sequential[features]/Conv2d[conv1]",
                     "Net/Sequential[features]/ReLU[relu]", "Net/Linear[fc]", "output/output.0"]
    by = {n.name: n for n in g.node}
    assert by["Net/Linear[fc]"].op == "Linear"
    assert list(by["Net/Linear[fc]"].input) == ["Net/Sequential[features]/ReLU[relu]"]
    assert [d.size for d in by["Net/Sequential[features]/Conv2d[conv1]"]
            .attr["_output_shapes"].list.shape[0].dim] == [2, 4, 6, 6]
    assert net.training
