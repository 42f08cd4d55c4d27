"""Notes chapter 五 (nn.Module, containers, LeNet/AlexNet, conv, transposed conv, pooling,
unpooling, Linear, activations) against PyTorch."""
import inspect
from collections import OrderedDict

import numpy as np
import pytest

import corelib
import corelib as cl
import corelib.nn as nn
import corelib.nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn


# ----------------------------------------------------------------------------- helpers
def c(t, requires_grad=None):
    rg = t.requires_grad if requires_grad is None else requires_grad
    return cl.tensor(t.detach().numpy().copy(), requires_grad=rg)


def n(x):
    return np.asarray(x.detach().numpy())


def copy_into(cm, tm):
    tsd = tm.state_dict()
    assert list(cm.state_dict().keys()) == list(tsd.keys())
    cm.load_state_dict({k: cl.tensor(v.detach().numpy().copy()) for k, v in tsd.items()})


def _strip(sig):
    return sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty)
                                   for p in sig.parameters.values()],
                       return_annotation=inspect.Signature.empty)


def same_signature(a, b):
    assert str(_strip(inspect.signature(a))) == str(_strip(inspect.signature(b)))


def run_both(name, args, kwargs, shape, seed=0, dtype=torch.float32, check_grad=True, rtol=1e-5, atol=1e-5):
    torch.manual_seed(seed)
    tm = getattr(tnn, name)(*args, **kwargs)
    cm = getattr(nn, name)(*args, **kwargs)
    copy_into(cm, tm)
    if dtype == torch.float64:
        tm, cm = tm.double(), cm.double()
    xt = torch.randn(*shape, dtype=dtype, requires_grad=True)
    xc = c(xt)
    yt, yc = tm(xt), cm(xc)
    assert tuple(yc.shape) == tuple(yt.shape)
    assert str(yc.dtype).split(".")[-1] == str(yt.dtype).split(".")[-1]
    np.testing.assert_allclose(n(yc), n(yt), rtol=rtol, atol=atol)
    if check_grad:
        g = torch.randn_like(yt)
        yt.backward(g)
        yc.backward(c(g))
        np.testing.assert_allclose(n(xc.grad), n(xt.grad), rtol=rtol, atol=atol)
        for (kn, pc), (kt, pt) in zip(cm.named_parameters(), tm.named_parameters()):
            assert kn == kt
            np.testing.assert_allclose(n(pc.grad), n(pt.grad), rtol=rtol, atol=atol * 10, err_msg=kn)
    return cm, tm


# ----------------------------------------------------------------------------- 5.1 Module
EIGHT = ["_parameters", "_buffers", "_backward_hooks", "_forward_hooks", "_forward_pre_hooks",
         "_state_dict_hooks", "_load_state_dict_pre_hooks", "_modules"]


def test_module_has_eight_ordered_dicts():
    m = nn.Module()
    for k in EIGHT:
        d = getattr(m, k)
        assert isinstance(d, dict), k
        assert len(d) == 0
    assert m.training is True


def test_module_attribute_routing_into_dicts():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.w = nn.Parameter(cl.ones(2))
            self.register_buffer("rm", cl.zeros(2))
            self.plain = cl.zeros(1)

        def forward(self, x):
            return self.conv(x)

    class TNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv = tnn.Conv2d(1, 2, 3)
            self.w = tnn.Parameter(torch.ones(2))
            self.register_buffer("rm", torch.zeros(2))
            self.plain = torch.zeros(1)

    m, t = Net(), TNet()
    assert list(m._parameters) == list(t._parameters) == ["w"]
    assert list(m._buffers) == list(t._buffers) == ["rm"]
    assert list(m._modules) == list(t._modules) == ["conv"]
    assert "plain" not in m._parameters and "plain" not in m._buffers
    assert list(m.state_dict()) == list(t.state_dict())
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in m.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in m.named_modules()] == [k for k, _ in t.named_modules()]
    assert len(list(m.modules())) == len(list(t.modules())) == 2
    assert len(list(m.modules(remove_duplicate=True))) == 2
    # hooks land in their dicts
    h = m.register_forward_hook(lambda mod, i, o: None)
    h2 = m.register_forward_pre_hook(lambda mod, i: None)
    h3 = m.register_full_backward_hook(lambda mod, gi, go: None)
    assert len(m._forward_hooks) == 1 and len(m._forward_pre_hooks) == 1 and len(m._backward_hooks) == 1
    h.remove(); h2.remove(); h3.remove()
    assert len(m._forward_hooks) == 0 and len(m._forward_pre_hooks) == 0 and len(m._backward_hooks) == 0


def test_module_forward_not_implemented():
    with pytest.raises(NotImplementedError):
        nn.Module()(cl.zeros(1))


def test_module_signatures():
    for name in ["state_dict", "load_state_dict", "register_forward_hook", "register_forward_pre_hook",
                 "register_full_backward_hook", "register_backward_hook", "train", "eval", "apply",
                 "named_parameters", "parameters", "named_modules", "modules", "children",
                 "named_children", "buffers", "named_buffers", "register_buffer", "register_parameter",
                 "add_module", "zero_grad", "requires_grad_", "cuda", "extra_repr"]:
        same_signature(getattr(nn.Module, name), getattr(tnn.Module, name))


# ----------------------------------------------------------------------------- 5.2 containers
class LeNetSequentialOrderDict(nn.Module):
    def __init__(self, classes):
        super(LeNetSequentialOrderDict, self).__init__()

        self.features = nn.Sequential(OrderedDict({
            'conv1': nn.Conv2d(3, 6, 5),
            'relu1': nn.ReLU(inplace=True),
            'pool1': nn.MaxPool2d(kernel_size=2, stride=2),

            'conv2': nn.Conv2d(6, 16, 5),
            'relu2': nn.ReLU(inplace=True),
            'pool2': nn.MaxPool2d(kernel_size=2, stride=2),
        }))

        self.classifier = nn.Sequential(OrderedDict({
            'fc1': nn.Linear(16*5*5, 120),
            'relu3': nn.ReLU(),

            'fc2': nn.Linear(120, 84),
            'relu4': nn.ReLU(inplace=True),

            'fc3': nn.Linear(84, classes),
        }))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size()[0], -1)
        x = self.classifier(x)
        return x


def _torch_lenet(classes):
    class T(tnn.Module):
        def __init__(self):
            super().__init__()
            self.features = tnn.Sequential(OrderedDict({
                'conv1': tnn.Conv2d(3, 6, 5), 'relu1': tnn.ReLU(inplace=True),
                'pool1': tnn.MaxPool2d(kernel_size=2, stride=2),
                'conv2': tnn.Conv2d(6, 16, 5), 'relu2': tnn.ReLU(inplace=True),
                'pool2': tnn.MaxPool2d(kernel_size=2, stride=2)}))
            self.classifier = tnn.Sequential(OrderedDict({
                'fc1': tnn.Linear(16 * 5 * 5, 120), 'relu3': tnn.ReLU(),
                'fc2': tnn.Linear(120, 84), 'relu4': tnn.ReLU(inplace=True),
                'fc3': tnn.Linear(84, classes)}))

        def forward(self, x):
            x = self.features(x)
            x = x.view(x.size()[0], -1)
            return self.classifier(x)
    return T()


def test_lenet_sequential_ordereddict_snippet():
    torch.manual_seed(0)
    tm = _torch_lenet(10)
    cm = LeNetSequentialOrderDict(classes=10)
    copy_into(cm, tm)
    assert repr(cm) == repr(tm).replace("T(", "LeNetSequentialOrderDict(", 1)
    assert repr(cm.features) == repr(tm.features)
    xt = torch.randn(2, 3, 32, 32, requires_grad=True)
    xc = c(xt)
    yt, yc = tm(xt), cm(xc)
    np.testing.assert_allclose(n(yc), n(yt), rtol=1e-4, atol=1e-5)
    yt.sum().backward(); yc.sum().backward()
    np.testing.assert_allclose(n(xc.grad), n(xt.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(n(cm.features.conv1.weight.grad), n(tm.features.conv1.weight.grad),
                               rtol=1e-4, atol=1e-4)
    # name-based and index-based access
    assert cm.features.conv1 is cm.features[0]
    assert isinstance(cm.classifier[-1], type(nn.Linear(1, 1)))
    assert len(cm.features) == 6
    assert isinstance(cm.features[1:3], nn.Sequential)
    assert list(cm.features[1:3]._modules) == ["relu1", "pool1"]


def test_sequential_positional_and_methods():
    s = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    t = tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU())
    assert list(s._modules) == list(t._modules) == ["0", "1"]
    assert repr(s) == repr(t)
    s.append(nn.Linear(4, 2)); t.append(tnn.Linear(4, 2))
    assert repr(s) == repr(t)
    s.insert(0, nn.Identity()); t.insert(0, tnn.Identity())
    assert repr(s) == repr(t)
    s.extend([nn.Sigmoid()]); t.extend([tnn.Sigmoid()])
    assert repr(s) == repr(t)
    del s[0]; del t[0]
    assert repr(s) == repr(t)
    assert type(s.pop(1)).__name__ == type(t.pop(1)).__name__
    assert repr(s) == repr(t)
    assert len(s) == len(t)
    with pytest.raises(IndexError):
        s[10]


def test_modulelist_snippet_and_methods():
    class ModuleList(nn.Module):
        def __init__(self):
            super(ModuleList, self).__init__()
            self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(20)])

        def forward(self, x):
            for i, linear in enumerate(self.linears):
                x = linear(x)
            return x

    net = ModuleList()
    assert len(net.linears) == 20
    assert len(list(net.parameters())) == 40
    assert list(net.state_dict())[:2] == ["linears.0.weight", "linears.0.bias"]
    out = net(cl.randn(2, 10))
    assert tuple(out.shape) == (2, 10)

    ml = nn.ModuleList([nn.Linear(1, 2)])
    tl = tnn.ModuleList([tnn.Linear(1, 2)])
    ml.append(nn.ReLU()); tl.append(tnn.ReLU())
    ml.extend(nn.ModuleList([nn.Tanh(), nn.Sigmoid()])); tl.extend(tnn.ModuleList([tnn.Tanh(), tnn.Sigmoid()]))
    ml.insert(1, nn.Identity()); tl.insert(1, tnn.Identity())
    assert repr(ml) == repr(tl)
    assert list(ml._modules) == list(tl._modules)
    assert [type(m).__name__ for m in ml] == [type(m).__name__ for m in tl]
    assert type(ml[-1]).__name__ == "Sigmoid"
    assert isinstance(ml[1:3], nn.ModuleList)
    assert type(ml.pop(0)).__name__ == "Linear"
    with pytest.raises(TypeError):
        nn.ModuleList().append(cl.zeros(1))  # not a Module
    with pytest.raises(NotImplementedError):
        nn.ModuleList([nn.ReLU()])(cl.zeros(1))


def test_moduledict_snippet():
    class ModuleDict(nn.Module):
        def __init__(self):
            super(ModuleDict, self).__init__()
            self.choices = nn.ModuleDict({
                'conv': nn.Conv2d(10, 10, 3),
                'pool': nn.MaxPool2d(3)
            })

            self.activations = nn.ModuleDict({
                'relu': nn.ReLU(),
                'prelu': nn.PReLU()
            })

        def forward(self, x, choice, act):
            x = self.choices[choice](x)
            x = self.activations[act](x)
            return x

    net = ModuleDict()
    fake_img = corelib.randn((4, 10, 32, 32))
    output = net(fake_img, 'conv', 'relu')
    assert tuple(output.shape) == (4, 10, 30, 30)
    assert float(output.min()) >= 0
    out2 = net(fake_img, 'pool', 'prelu')
    assert tuple(out2.shape) == (4, 10, 10, 10)
    s = str(output)
    assert s.startswith("tensor(")
    assert list(net.state_dict()) == ["choices.conv.weight", "choices.conv.bias", "activations.prelu.weight"]


def test_moduledict_methods():
    d = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
    t = tnn.ModuleDict({"a": tnn.ReLU(), "b": tnn.Tanh()})
    assert repr(d) == repr(t)
    assert list(d.keys()) == list(t.keys()) == ["a", "b"]
    assert [type(v).__name__ for v in d.values()] == ["ReLU", "Tanh"]
    assert [(k, type(v).__name__) for k, v in d.items()] == [("a", "ReLU"), ("b", "Tanh")]
    assert "a" in d and "z" not in d
    assert len(d) == 2
    assert list(iter(d)) == ["a", "b"]
    popped = d.pop("a")
    assert type(popped).__name__ == "ReLU" and list(d.keys()) == ["b"]
    d["c"] = nn.Sigmoid()
    d.update({"e": nn.ReLU()})
    d.update([("f", nn.ReLU())])
    assert list(d.keys()) == ["b", "c", "e", "f"]
    d.clear()
    assert len(d) == 0 and list(d._modules) == []
    with pytest.raises(KeyError):
        d["missing"]
    # a plain dict keeps insertion order, OrderedDict too
    d2 = nn.ModuleDict(OrderedDict([("z", nn.ReLU()), ("a", nn.Tanh())]))
    assert list(d2.keys()) == ["z", "a"]


def test_alexnet_build_and_run():
    def alexnet(nnm, num_classes=10):
        class AlexNet(nnm.Module):
            def __init__(self):
                super().__init__()
                self.features = nnm.Sequential(
                    nnm.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nnm.ReLU(inplace=True),
                    nnm.MaxPool2d(kernel_size=3, stride=2),
                    nnm.Conv2d(64, 192, kernel_size=5, padding=2), nnm.ReLU(inplace=True),
                    nnm.MaxPool2d(kernel_size=3, stride=2),
                    nnm.Conv2d(192, 384, kernel_size=3, padding=1), nnm.ReLU(inplace=True),
                    nnm.Conv2d(384, 256, kernel_size=3, padding=1), nnm.ReLU(inplace=True),
                    nnm.Conv2d(256, 256, kernel_size=3, padding=1), nnm.ReLU(inplace=True),
                    nnm.MaxPool2d(kernel_size=3, stride=2))
                self.avgpool = nnm.AdaptiveAvgPool2d((6, 6))
                self.classifier = nnm.Sequential(
                    nnm.Dropout(), nnm.Linear(256 * 6 * 6, 64), nnm.ReLU(inplace=True),
                    nnm.Dropout(), nnm.Linear(64, 64), nnm.ReLU(inplace=True), nnm.Linear(64, num_classes))

            def forward(self, x):
                x = self.features(x)
                x = self.avgpool(x)
                x = x.view(x.size(0), 256 * 6 * 6)
                return self.classifier(x)
        return AlexNet()

    torch.manual_seed(0)
    tm, cm = alexnet(tnn), alexnet(nn)
    copy_into(cm, tm)
    tm.eval(); cm.eval()
    assert repr(cm) == repr(tm)
    xt = torch.randn(1, 3, 96, 96)
    np.testing.assert_allclose(n(cm(c(xt))), n(tm(xt)), rtol=1e-3, atol=1e-4)


# ----------------------------------------------------------------------------- 5.3 convolution
LAYER_NAMES = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
               "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
               "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Linear", "Sigmoid", "Tanh", "ReLU",
               "LeakyReLU", "PReLU", "RReLU", "Flatten", "Identity", "AdaptiveAvgPool2d"]


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_layer_signatures_match_torch(name):
    same_signature(getattr(nn, name), getattr(tnn, name))
    same_signature(getattr(nn, name).forward, getattr(tnn, name).forward)


def test_conv2d_notes_signature_defaults():
    sig = inspect.signature(nn.Conv2d)
    assert {k: v.default for k, v in sig.parameters.items() if v.default is not inspect.Parameter.empty} == \
        dict(stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None)
    sig = inspect.signature(nn.ConvTranspose2d)
    assert list(sig.parameters) == ["in_channels", "out_channels", "kernel_size", "stride", "padding",
                                    "output_padding", "groups", "bias", "dilation", "padding_mode",
                                    "device", "dtype"]


CONV_CASES = [
    ("Conv1d", (2, 4, 3), {}, (2, 2, 9)),
    ("Conv1d", (4, 4, 3), dict(stride=2, padding=2, dilation=2, groups=2, bias=False), (1, 4, 11)),
    ("Conv2d", (3, 6, 5), {}, (2, 3, 12, 12)),
    ("Conv2d", (3, 1, 3), {}, (1, 3, 5, 5)),
    ("Conv2d", (4, 8, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=4), (2, 4, 9, 8)),
    ("Conv2d", (2, 3, 3), dict(padding="same"), (2, 2, 6, 7)),
    ("Conv2d", (2, 3, 3), dict(padding="valid"), (2, 2, 6, 7)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="reflect"), (2, 2, 6, 7)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="replicate"), (2, 2, 6, 7)),
    ("Conv2d", (2, 3, 3), dict(padding=1, padding_mode="circular"), (2, 2, 6, 7)),
    ("Conv2d", (2, 3, 3), {}, (2, 6, 7)),  # unbatched
    ("Conv3d", (2, 3, 2), dict(stride=2, padding=1), (1, 2, 5, 4, 6)),
    ("ConvTranspose2d", (3, 1, 3), {}, (1, 3, 2, 2)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2, dilation=1), (2, 4, 4, 5)),
    ("ConvTranspose2d", (2, 3, (3, 4)), dict(stride=(3, 2), padding=(2, 1), dilation=2, bias=False), (1, 2, 3, 4)),
    ("ConvTranspose2d", (2, 3, 3), dict(stride=2), (2, 3, 3)),  # unbatched
    ("ConvTranspose1d", (2, 4, 3), dict(stride=3, output_padding=2), (2, 2, 5)),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CONV_CASES)
def test_conv_layers_vs_torch(name, args, kwargs, shape):
    cm, tm = run_both(name, args, kwargs, shape, rtol=1e-4, atol=1e-4)
    assert repr(cm) == repr(tm)
    for (k1, p1), (k2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert k1 == k2 and tuple(p1.shape) == tuple(p2.shape)
        assert isinstance(p1, nn.Parameter)
    for attr in ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                 "padding_mode", "output_padding", "transposed"]:
        assert getattr(cm, attr) == getattr(tm, attr), attr


def test_conv_float64():
    run_both("Conv2d", (2, 3, 3), dict(padding=1), (2, 2, 5, 5), dtype=torch.float64, rtol=1e-10, atol=1e-10)
    run_both("ConvTranspose2d", (2, 3, 3), dict(stride=2), (2, 2, 3, 3), dtype=torch.float64,
             rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name,args", [("Conv2d", (3, 6, 5)), ("Conv1d", (4, 2, 3)), ("Conv3d", (2, 4, 3)),
                                       ("ConvTranspose2d", (3, 6, 5)), ("Linear", (50, 20))])
def test_default_init_bounds(name, args):
    # PyTorch: kaiming_uniform_(a=sqrt(5)) -> U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias the same bound
    m = getattr(nn, name)(*args)
    t = getattr(tnn, name)(*args)
    fan_in = tnn.init._calculate_fan_in_and_fan_out(t.weight)[0]
    bound = 1 / np.sqrt(fan_in)
    w = n(m.weight)
    assert w.dtype == np.float32
    assert np.abs(w).max() <= bound + 1e-7
    assert np.abs(w).max() > 0.5 * bound
    b = n(m.bias)
    assert np.abs(b).max() <= bound + 1e-7
    assert m.weight.requires_grad and m.bias.requires_grad
    assert m.weight.is_leaf


def test_conv_output_size_formula():
    # H_out = floor((H_in + 2p - d(k-1) - 1)/s + 1)
    for hin, k, s, p, d in [(32, 5, 1, 0, 1), (32, 3, 2, 1, 1), (17, 3, 2, 2, 2), (7, 7, 3, 0, 1)]:
        m = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        y = m(cl.zeros(1, 1, hin, hin))
        assert y.shape[-1] == (hin + 2 * p - d * (k - 1) - 1) // s + 1


def test_convtranspose_output_size_formula_and_output_size_arg():
    # H_out = (H_in-1)*s - 2p + d(k-1) + output_padding + 1
    for hin, k, s, p, d, op in [(2, 3, 1, 0, 1, 0), (4, 3, 2, 1, 1, 1), (5, 4, 3, 2, 2, 2)]:
        m = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d, output_padding=op)
        y = m(cl.zeros(1, 1, hin, hin))
        assert y.shape[-1] == (hin - 1) * s - 2 * p + d * (k - 1) + op + 1
    torch.manual_seed(1)
    tm = tnn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    cm = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    copy_into(cm, tm)
    xt = torch.randn(1, 2, 4, 4)
    yt = tm(xt, output_size=[8, 8])
    yc = cm(c(xt), output_size=[8, 8])
    assert tuple(yc.shape) == tuple(yt.shape) == (1, 2, 8, 8)
    np.testing.assert_allclose(n(yc), n(yt), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        cm(c(xt), output_size=[20, 20])
    with pytest.raises(RuntimeError):
        nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2)(cl.zeros(1, 2, 3, 3))


def test_conv_bad_args():
    with pytest.raises(ValueError):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError):
        nn.Conv2d(4, 6, 3, padding_mode="bogus")
    with pytest.raises(ValueError):
        nn.Conv2d(4, 6, 3, padding="same", stride=2)
    with pytest.raises(ValueError):
        nn.Conv2d(4, 6, 3, padding="full")
    with pytest.raises(ValueError):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(RuntimeError):
        nn.Conv2d(3, 6, 3)(cl.zeros(1, 4, 8, 8))  # channel mismatch
    with pytest.raises(RuntimeError):
        nn.Conv2d(3, 6, 5)(cl.zeros(1, 3, 3, 3))  # kernel larger than input


def test_conv_state_dict_and_bias_false():
    m, t = nn.Conv2d(3, 6, 5, bias=False), tnn.Conv2d(3, 6, 5, bias=False)
    assert list(m.state_dict()) == list(t.state_dict()) == ["weight"]
    assert m.bias is None
    assert repr(m) == repr(t)
    assert tuple(m.weight.shape) == (6, 3, 5, 5)
    m, t = nn.ConvTranspose2d(3, 6, 5, groups=3), tnn.ConvTranspose2d(3, 6, 5, groups=3)
    assert tuple(m.weight.shape) == tuple(t.weight.shape) == (3, 2, 5, 5)


def test_conv_noncontiguous_input():
    torch.manual_seed(0)
    tm, cm = tnn.Conv2d(3, 2, 3), nn.Conv2d(3, 2, 3)
    copy_into(cm, tm)
    xt = torch.randn(2, 8, 7, 3).permute(0, 3, 1, 2)
    xc = c(torch.randn(1)).new_tensor if False else cl.tensor(xt.contiguous().numpy()).contiguous()
    xc = cl.tensor(xt.permute(0, 2, 3, 1).contiguous().numpy()).permute(0, 3, 1, 2)
    np.testing.assert_allclose(n(cm(xc)), n(tm(xt)), rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- 5.4 pooling
POOL_CASES = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", (), dict(kernel_size=2, stride=2), (1, 2, 7, 7)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (1, 2, 8, 8)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), padding=(1, 0), dilation=(2, 1)), (1, 2, 9, 7)),
    ("MaxPool2d", (2,), dict(ceil_mode=True), (1, 2, 5, 5)),
    ("MaxPool2d", (2,), {}, (3, 6, 6)),  # unbatched
    ("MaxPool1d", (3,), dict(stride=2, ceil_mode=True), (2, 3, 10)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1), (1, 2, 7, 7)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (1, 2, 7, 7)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (1, 2, 8, 8)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False), (1, 2, 8, 8)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (1, 2, 6, 6)),
    ("AvgPool2d", ((2, 3),), dict(stride=(1, 2), padding=(1, 1), divisor_override=5), (1, 2, 6, 7)),
    ("AvgPool2d", (2,), {}, (3, 6, 6)),  # unbatched
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool3d", (2,), dict(divisor_override=2), (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", POOL_CASES)
def test_pool_layers_vs_torch(name, args, kwargs, shape):
    cm, tm = run_both(name, args, kwargs, shape)
    assert repr(cm) == repr(tm)
    for attr in ["kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices",
                 "count_include_pad", "divisor_override"]:
        if hasattr(tm, attr):
            assert getattr(cm, attr) == getattr(tm, attr), attr
    assert list(cm.state_dict()) == []


def test_pool_float64():
    run_both("MaxPool2d", (2,), {}, (1, 2, 4, 4), dtype=torch.float64)
    run_both("AvgPool2d", (2,), {}, (1, 2, 4, 4), dtype=torch.float64)


def test_maxpool_return_indices_and_maxunpool():
    torch.manual_seed(0)
    xt = torch.randn(2, 3, 8, 6, requires_grad=True)
    xc = c(xt)
    tp, cp = tnn.MaxPool2d(2, stride=2, return_indices=True), nn.MaxPool2d(2, stride=2, return_indices=True)
    yt, it = tp(xt)
    out = cp(xc)
    assert isinstance(out, tuple) and len(out) == 2
    yc, ic = out
    np.testing.assert_allclose(n(yc), n(yt))
    np.testing.assert_array_equal(n(ic), n(it))
    assert ic.dtype == cl.int64
    tu, cu = tnn.MaxUnpool2d(2, stride=2), nn.MaxUnpool2d(2, stride=2)
    assert repr(cu) == repr(tu)
    ut, uc = tu(yt, it), cu(yc, ic)
    assert tuple(uc.shape) == tuple(ut.shape) == (2, 3, 8, 6)
    np.testing.assert_allclose(n(uc), n(ut))
    g = torch.randn_like(ut)
    ut.backward(g); uc.backward(c(g))
    np.testing.assert_allclose(n(xc.grad), n(xt.grad), rtol=1e-6)
    # output_size argument: odd input sizes need it
    xt2 = torch.randn(1, 1, 5, 5)
    yt2, it2 = tnn.MaxPool2d(2, return_indices=True)(xt2)
    yc2, ic2 = nn.MaxPool2d(2, return_indices=True)(c(xt2))
    ut2 = tu(yt2, it2, output_size=xt2.size())
    uc2 = cu(yc2, ic2, output_size=c(xt2).size())
    assert tuple(uc2.shape) == tuple(ut2.shape) == (1, 1, 5, 5)
    np.testing.assert_allclose(n(uc2), n(ut2))
    uc3 = cu(yc2, ic2, output_size=[5, 5])
    assert tuple(uc3.shape) == (1, 1, 5, 5)
    with pytest.raises(ValueError):
        cu(yc2, ic2, output_size=[9, 9])


def test_maxunpool_notes_example_random_values():
    # notes' pattern: unpool arbitrary values at the pooled indices
    torch.manual_seed(0)
    img = torch.randint(high=5, size=(1, 1, 4, 4), dtype=torch.float)
    tp, ti = tnn.MaxPool2d((2, 2), stride=(2, 2), return_indices=True)(img)
    cp, ci = nn.MaxPool2d((2, 2), stride=(2, 2), return_indices=True)(c(img))
    np.testing.assert_array_equal(n(ci), n(ti))
    ir = torch.randn_like(tp, dtype=torch.float)
    tu = tnn.MaxUnpool2d((2, 2), stride=(2, 2))(ir, ti)
    cu = nn.MaxUnpool2d((2, 2), stride=(2, 2))(c(ir), ci)
    np.testing.assert_allclose(n(cu), n(tu))


def test_maxpool_ceil_mode_output_sizes():
    for hin in range(4, 12):
        for k, s, p in [(2, 2, 0), (3, 2, 1), (3, 3, 0), (3, 2, 0)]:
            for ceil in (False, True):
                t = tnn.MaxPool2d(k, s, p, ceil_mode=ceil)(torch.zeros(1, 1, hin, hin))
                m = nn.MaxPool2d(k, s, p, ceil_mode=ceil)(cl.zeros(1, 1, hin, hin))
                assert tuple(m.shape) == tuple(t.shape), (hin, k, s, p, ceil)
                t = tnn.AvgPool2d(k, s, p, ceil_mode=ceil)(torch.ones(1, 1, hin, hin))
                m = nn.AvgPool2d(k, s, p, ceil_mode=ceil)(cl.ones(1, 1, hin, hin))
                assert tuple(m.shape) == tuple(t.shape), (hin, k, s, p, ceil)
                np.testing.assert_allclose(n(m), n(t), rtol=1e-6)


def test_pool_bad_args():
    with pytest.raises((RuntimeError, ValueError)):
        nn.MaxPool2d(2, padding=2)(cl.zeros(1, 1, 8, 8))  # pad should be at most half of kernel
    with pytest.raises((RuntimeError, ValueError)):
        nn.AvgPool2d(2, divisor_override=0)(cl.zeros(1, 1, 4, 4))


def test_maxpool_nan_and_ties():
    xt = torch.tensor([[[[1., 1.], [1., 1.]]]], requires_grad=True)
    xc = c(xt)
    yt, it = tnn.MaxPool2d(2, return_indices=True)(xt)
    yc, ic = nn.MaxPool2d(2, return_indices=True)(xc)
    np.testing.assert_array_equal(n(ic), n(it))
    yt.sum().backward(); yc.sum().backward()
    np.testing.assert_array_equal(n(xc.grad), n(xt.grad))
    xt = torch.tensor([[[[1., float("nan")], [3., 2.]]]])
    np.testing.assert_array_equal(n(nn.MaxPool2d(2)(c(xt))), n(tnn.MaxPool2d(2)(xt)))


# ----------------------------------------------------------------------------- 5.5 Linear
def test_linear_notes_example():
    inputs = corelib.tensor([[1., 2, 3]])
    linear_layer = nn.Linear(3, 4)
    linear_layer.weight.data = corelib.tensor([[1., 1., 1.],
                                               [2., 2., 2.],
                                               [3., 3., 3.],
                                               [4., 4., 4.]])
    linear_layer.bias.data.fill_(0.5)
    output = linear_layer(inputs)
    np.testing.assert_allclose(n(output), [[6.5, 12.5, 18.5, 24.5]])
    assert tuple(output.shape) == (1, 4)


@pytest.mark.parametrize("args,kwargs,shape", [((5, 3), {}, (4, 5)), ((5, 3), dict(bias=False), (2, 4, 5)),
                                               ((5, 3), {}, (5,)), ((1, 1), {}, (1, 1)),
                                               ((4, 2), {}, (0, 4))])
def test_linear_vs_torch(args, kwargs, shape):
    cm, tm = run_both("Linear", args, kwargs, shape)
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    assert tuple(cm.weight.shape) == (args[1], args[0])
    assert cm.in_features == args[0] and cm.out_features == args[1]


def test_linear_float64_and_errors():
    run_both("Linear", (3, 2), {}, (4, 3), dtype=torch.float64, rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError):
        nn.Linear(3, 2)(cl.zeros(4, 5))
    m = nn.Linear(3, 2, dtype=cl.float64)
    assert m.weight.dtype == cl.float64 and m.bias.dtype == cl.float64


# ----------------------------------------------------------------------------- 5.6 activations
ACT_CASES = [
    ("Sigmoid", (), {}), ("Tanh", (), {}), ("ReLU", (), {}), ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2,), {}), ("LeakyReLU", (), dict(negative_slope=-0.5)),
    ("PReLU", (), {}), ("PReLU", (3,), {}), ("PReLU", (), dict(init=0.1)),
]


@pytest.mark.parametrize("name,args,kwargs", ACT_CASES)
def test_activations_vs_torch(name, args, kwargs):
    cm, tm = run_both(name, args, kwargs, (2, 3, 4))
    assert repr(cm) == repr(tm)
    assert list(cm.state_dict()) == list(tm.state_dict())
    cm, tm = run_both(name, args, kwargs, (2, 3, 4), dtype=torch.float64)


@pytest.mark.parametrize("name,args", [("ReLU", ()), ("LeakyReLU", (0.1,)), ("RReLU", ())])
def test_inplace_activations(name, args):
    tm = getattr(tnn, name)(*args, inplace=True)
    cm = getattr(nn, name)(*args, inplace=True)
    assert repr(cm) == repr(tm)
    tm.eval(); cm.eval()
    xt = torch.randn(3, 4)
    xc = c(xt)
    yc = cm(xc)
    yt = tm(xt)
    np.testing.assert_allclose(n(xc), n(xt), rtol=1e-6)
    np.testing.assert_allclose(n(yc), n(yt), rtol=1e-6)
    # in-place on a leaf that requires grad is an error (as in torch)
    with pytest.raises(RuntimeError):
        cm(cl.randn(3, 4, requires_grad=True))
    # after a non-leaf it works and has the right gradient
    xt = torch.randn(3, 4, requires_grad=True)
    xc = c(xt)
    yt = tm(xt * 2); yc = cm(xc * 2)
    yt.sum().backward(); yc.sum().backward()
    np.testing.assert_allclose(n(xc.grad), n(xt.grad), rtol=1e-6)


def test_activation_formulas_from_notes():
    x = cl.linspace(-5, 5, 41, requires_grad=True)
    y = nn.Sigmoid()(x)
    y.sum().backward()
    yy = n(y)
    np.testing.assert_allclose(n(x.grad), yy * (1 - yy), rtol=1e-5)
    assert yy.min() > 0 and yy.max() < 1 and n(x.grad).max() <= 0.25
    x = cl.linspace(-5, 5, 41, requires_grad=True)
    y = nn.Tanh()(x)
    y.sum().backward()
    np.testing.assert_allclose(n(x.grad), 1 - n(y) ** 2, rtol=1e-5, atol=1e-7)
    x = cl.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    nn.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(n(x.grad), [0.0, 0.0, 1.0])  # torch: grad 0 at x == 0


def test_prelu_parameter():
    m, t = nn.PReLU(), tnn.PReLU()
    assert tuple(m.weight.shape) == tuple(t.weight.shape) == (1,)
    np.testing.assert_allclose(n(m.weight), [0.25])
    assert m.num_parameters == 1
    m = nn.PReLU(num_parameters=4, init=0.1)
    np.testing.assert_allclose(n(m.weight), [0.1] * 4, rtol=1e-6)
    assert list(m.state_dict()) == ["weight"]
    with pytest.raises(RuntimeError):
        nn.PReLU(3)(cl.zeros(2, 4))


def test_rrelu_train_eval():
    tm, cm = tnn.RReLU(), nn.RReLU()
    assert repr(cm) == repr(tm) and cm.lower == 1 / 8 and cm.upper == 1 / 3
    cm2 = nn.RReLU(0.1, 0.3)
    assert repr(cm2) == repr(tnn.RReLU(0.1, 0.3))
    x = cl.tensor(-np.ones((1000,), np.float32), requires_grad=True)
    cm.train()
    y = n(cm(x))
    slopes = -y
    assert slopes.min() >= 1 / 8 - 1e-6 and slopes.max() <= 1 / 3 + 1e-6
    assert slopes.std() > 0.01
    cm.eval()
    y = n(cm(x))
    np.testing.assert_allclose(y, -np.ones(1000) * (1 / 8 + 1 / 3) / 2, rtol=1e-6)
    xp = cl.tensor(np.arange(1.0, 5.0, dtype=np.float32))
    cm.train()
    np.testing.assert_allclose(n(cm(xp)), n(xp))
    # gradient in train mode equals the sampled slope
    x = cl.tensor(-np.ones((50,), np.float32), requires_grad=True)
    y = cm(x)
    y.sum().backward()
    np.testing.assert_allclose(n(x.grad), n(y) / -1.0, rtol=1e-6)
    # reproducible with manual_seed
    cl.manual_seed(3); a = n(cm(-cl.ones(20)))
    cl.manual_seed(3); b = n(cm(-cl.ones(20)))
    np.testing.assert_array_equal(a, b)


def test_functional_activations():
    xt = torch.randn(4, 5)
    xc = c(xt)
    np.testing.assert_allclose(n(F.relu(xc)), n(torch.nn.functional.relu(xt)))
    np.testing.assert_allclose(n(F.leaky_relu(xc, 0.3)), n(torch.nn.functional.leaky_relu(xt, 0.3)), rtol=1e-6)
    np.testing.assert_allclose(n(F.prelu(xc, cl.tensor([0.2]))),
                               n(torch.nn.functional.prelu(xt, torch.tensor([0.2]))), rtol=1e-6)
    np.testing.assert_allclose(n(F.rrelu(xc, training=False)),
                               n(torch.nn.functional.rrelu(xt, training=False)), rtol=1e-6)
    np.testing.assert_allclose(n(F.sigmoid(xc)), n(torch.sigmoid(xt)), rtol=1e-6)
    np.testing.assert_allclose(n(F.tanh(xc)), n(torch.tanh(xt)), rtol=1e-6)
    np.testing.assert_allclose(n(cl.sigmoid(xc)), n(torch.sigmoid(xt)), rtol=1e-6)
    np.testing.assert_allclose(n(cl.tanh(xc)), n(torch.tanh(xt)), rtol=1e-6)
    np.testing.assert_allclose(n(cl.relu(xc)), n(torch.relu(xt)), rtol=1e-6)
    assert str(inspect.signature(F.max_pool2d)) == (
        "(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)")
    for fn in ["relu", "leaky_relu", "rrelu", "sigmoid", "tanh", "max_unpool2d"]:
        same_signature(getattr(F, fn), getattr(torch.nn.functional, fn))


# ----------------------------------------------------------------------------- hooks on layers
def test_forward_hooks_on_conv_and_pool_feature_maps():
    torch.manual_seed(0)
    tnet = tnn.Sequential(tnn.Conv2d(1, 2, 3), tnn.MaxPool2d(2))
    cnet = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2))
    copy_into(cnet, tnet)
    fmap_t, fmap_c = [], []
    tnet[0].register_forward_hook(lambda m, i, o: fmap_t.append(o))
    h = cnet[0].register_forward_hook(lambda m, i, o: fmap_c.append(o))
    pre = []
    cnet[1].register_forward_pre_hook(lambda m, i: pre.append(tuple(i[0].shape)))
    xt = torch.randn(1, 1, 6, 6)
    tnet(xt); cnet(c(xt))
    np.testing.assert_allclose(n(fmap_c[0]), n(fmap_t[0]), rtol=1e-5, atol=1e-6)
    assert pre == [(1, 2, 4, 4)]
    h.remove()
    cnet(c(xt))
    assert len(fmap_c) == 1

    # forward hook that replaces the output
    lin = nn.Linear(2, 2)
    lin.register_forward_hook(lambda m, i, o: o * 0)
    assert float(lin(cl.ones(1, 2)).abs().sum()) == 0.0

    # full backward hook: grad_input / grad_output
    gi_c, go_c, gi_t, go_t = [], [], [], []
    tl, cl_ = tnn.Linear(3, 2), nn.Linear(3, 2)
    copy_into(cl_, tl)
    tl.register_full_backward_hook(lambda m, gi, go: (gi_t.append(gi), go_t.append(go)) and None)
    cl_.register_full_backward_hook(lambda m, gi, go: (gi_c.append(gi), go_c.append(go)) and None)
    xt = torch.randn(4, 3, requires_grad=True)
    tl(xt).sum().backward(); cl_(c(xt)).sum().backward()
    assert len(gi_c[0]) == len(gi_t[0]) and len(go_c[0]) == len(go_t[0])
    np.testing.assert_allclose(n(gi_c[0][0]), n(gi_t[0][0]), rtol=1e-5)
    np.testing.assert_allclose(n(go_c[0][0]), n(go_t[0][0]), rtol=1e-5)


def test_train_eval_propagate_and_return_self():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.ReLU()))
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    net.train(False)
    assert not net[1][0].training


def test_apply_init_pattern():
    net = LeNetSequentialOrderDict(10)
    seen = []

    def init(m):
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 0.5)
            seen.append("conv")
        elif isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)
    assert net.apply(init) is net
    assert seen == ["conv", "conv"]
    assert float(net.features.conv2.weight.mean()) == 0.5
    assert float(net.classifier.fc1.bias.abs().sum()) == 0.0


def test_layers_are_module_subclasses_and_registry():
    from corelib import registry
    for name in ["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "MaxUnpool2d", "Linear",
                 "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "RReLU"]:
        assert issubclass(getattr(nn, name), nn.Module)
    assert registry.get("layer", "conv2d") is nn.Conv2d
    assert registry.get("layer", "conv_transpose2d") is nn.ConvTranspose2d
    assert registry.get("layer", "max_pool2d") is nn.MaxPool2d
    assert registry.get("layer", "max_unpool2d") is nn.MaxUnpool2d
    assert registry.get("layer", "leaky_relu") is nn.LeakyReLU
    assert registry.get("layer", "prelu") is nn.PReLU
    assert registry.get("layer", "rrelu") is nn.RReLU
    assert registry.get("layer", "LeakyReLU") is nn.LeakyReLU


@pytest.mark.parametrize("n_,shape,kwargs", [
    (2, (2, 2, 7, 2), dict(stride=1, padding=1, dilation=(2, 1), output_padding=(1, 0))),
    (2, (1, 4, 4, 8), dict(stride=(3, 1), padding=(1, 0), dilation=(1, 2), groups=2, output_padding=(2, 1))),
    (1, (2, 2, 5), dict(stride=1, dilation=3, output_padding=2, padding=1)),
    (3, (1, 2, 3, 2, 3), dict(stride=(1, 2, 1), dilation=2, output_padding=(1, 1, 1))),
])
def test_convtranspose_output_padding_not_below_stride_backward(n_, shape, kwargs):
    # output_padding may reach stride when it is below dilation; forward and both gradients match torch
    ch = shape[1]
    cm, tm = run_both(f"ConvTranspose{n_}d", (ch, 2 * kwargs.get("groups", 1), 3), kwargs, shape,
                      rtol=1e-4, atol=1e-4)
    assert repr(cm) == repr(tm)


def test_conv_instance_attributes_like_torch():
    for name in ["Conv2d", "ConvTranspose2d"]:
        m, t = getattr(nn, name)(1, 2, 3), getattr(tnn, name)(1, 2, 3)
        assert sorted(k for k in vars(m) if not k.startswith("_")) == sorted(k for k in vars(t) if not k.startswith("_"))
        assert m.transposed == t.transposed
    assert nn.Conv1d(1, 2, 3, padding=2)._reversed_padding_repeated_twice == \
        tnn.Conv1d(1, 2, 3, padding=2)._reversed_padding_repeated_twice


def test_prelu_channels_and_1d_input():
    for shape in [(2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        cm, tm = run_both("PReLU", (3,), dict(init=0.1), shape)
    with pytest.raises(RuntimeError):
        tnn.PReLU(3)(torch.zeros(3))
    with pytest.raises(RuntimeError):
        nn.PReLU(3)(cl.zeros(3))  # below 2-D there is one channel
    run_both("PReLU", (), {}, (5,))


def test_rrelu_bounds_order():
    for training in (False, True):
        with pytest.raises(RuntimeError):
            torch.nn.functional.rrelu(-torch.ones(3), 0.3, 0.1, training=training)
        with pytest.raises(RuntimeError):
            F.rrelu(-cl.ones(3), 0.3, 0.1, training=training)
    with pytest.raises(RuntimeError):
        nn.RReLU(0.3, 0.1)(-cl.ones(2))


# ----------------------------------------------------------------------------- DESIGN.md nn contract
def test_parameter_basics_vs_torch():
    p, t = nn.Parameter(cl.ones(2)), tnn.Parameter(torch.ones(2))
    assert repr(p) == repr(t)
    assert isinstance(p, cl.Tensor) and p.requires_grad and p.is_leaf
    q = nn.Parameter(cl.ones(2), requires_grad=False)
    assert not q.requires_grad and repr(q) == repr(tnn.Parameter(torch.ones(2), requires_grad=False))
    e = nn.Parameter()
    assert tuple(e.shape) == (0,) and e.requires_grad
    with pytest.raises(RuntimeError):
        nn.Parameter(cl.ones(2, dtype=cl.int64))  # only floating point tensors can require gradients
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError):
        m.weight = cl.ones(2, 2)  # a plain tensor cannot replace a parameter
    m.weight = nn.Parameter(cl.zeros(2, 2))
    assert float(m.weight.abs().sum()) == 0


def test_load_state_dict_strict_and_to():
    src = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    dst = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    r = dst.load_state_dict(src.state_dict())
    assert r.missing_keys == [] and r.unexpected_keys == [] and repr(r) == "<All keys matched successfully>"
    sd = src.state_dict()
    del sd["0.bias"]
    sd["extra"] = cl.zeros(1)
    with pytest.raises(RuntimeError, match="Missing key"):
        dst.load_state_dict(sd)
    r = dst.load_state_dict(sd, strict=False)
    assert r.missing_keys == ["0.bias"] and r.unexpected_keys == ["extra"]
    assert dst.to(cl.float64) is dst
    assert dst[0].weight.dtype == cl.float64 and dst[1].running_mean.dtype == cl.float64
    assert dst[1].num_batches_tracked.dtype == cl.int64
    assert dst.to("cpu") is dst and dst.float()[0].weight.dtype == cl.float32
    # state_dict values are detached and share memory with the parameters
    v = dst.state_dict()["0.weight"]
    assert not v.requires_grad
    v.fill_(3.0)
    assert float(dst[0].weight.mean()) == 3.0
