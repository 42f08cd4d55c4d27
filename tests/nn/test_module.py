import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import corelib as cl
from corelib import nn
from nn_helpers import Affine, Net, Stat, Tanh

EIGHT = ("_parameters", "_buffers", "_backward_hooks", "_forward_hooks", "_forward_pre_hooks",
         "_state_dict_hooks", "_load_state_dict_pre_hooks", "_modules")


# ---- registration -------------------------------------------------------------------------
def test_eight_ordered_dicts_and_training():
    m = nn.Module()
    for name in EIGHT:
        assert isinstance(getattr(m, name), OrderedDict), name
    assert m._non_persistent_buffers_set == set()
    assert m.training is True


def test_attribute_registration():
    m = Affine(3, 2)
    assert list(m._parameters) == ["w", "b"]
    assert "w" not in m.__dict__ and m.w is m._parameters["w"]
    m.sub = Tanh()
    assert m._modules["sub"] is m.sub
    m.register_buffer("buf", cl.zeros(2))
    assert m._buffers["buf"] is m.buf
    m.buf = cl.ones(2)                       # plain tensor into a registered buffer name
    assert m._buffers["buf"].numpy()[0] == 1
    m.x = 5
    assert m.__dict__["x"] == 5
    # re-assigning a name moves it between dicts
    m.sub = nn.Parameter(cl.ones(1))
    assert "sub" not in m._modules and "sub" in m._parameters
    del m.sub
    assert "sub" not in m._parameters
    del m.buf
    assert "buf" not in m._buffers
    with pytest.raises(AttributeError, match="'Affine' object has no attribute 'nope'"):
        m.nope


def test_registration_errors_match_torch_messages():
    m = Affine(3, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'corelib.FloatTensor' as parameter 'w' "
                                        r"\(corelib.nn.Parameter or None expected\)"):
        m.w = cl.ones(2, 3)
    m.w = None
    assert m._parameters["w"] is None and m.w is None
    with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
        m.register_parameter("in_features", nn.Parameter(cl.ones(1)))
    with pytest.raises(KeyError, match='contain'):
        m.register_parameter("a.b", nn.Parameter(cl.ones(1)))
    with pytest.raises(KeyError):
        m.register_buffer("", cl.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'q'"):
        m.register_buffer("q", 3)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("q", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter"):
        x = cl.ones(2, requires_grad=True) * 2
        p = nn.Parameter(cl.ones(2))
        p.grad_fn = x.grad_fn
        m.register_parameter("p", p)
    m.sub = Tanh()
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'sub'"):
        m.sub = 3


def test_assign_before_init():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(cl.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Bad()

    class Bad2(nn.Module):
        def __init__(self):
            self.register_parameter("w", nn.Parameter(cl.ones(1)))

    with pytest.raises(AttributeError, match="cannot assign parameter before Module.__init__"):
        Bad2()

    class Bad3(nn.Module):
        def __init__(self):
            self.l = Tanh()

    with pytest.raises(AttributeError, match="cannot assign module before Module.__init__"):
        Bad3()


def test_init_rejects_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        nn.Module(x=1)
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        nn.Module(1)


def test_forward_unimplemented():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_add_register_get_submodule_parameter_buffer():
    net = Net()
    net.add_module("extra", Tanh())
    net.register_module("extra2", Tanh())
    assert net.get_submodule("") is net
    assert net.get_submodule("features.0") is net.features[0]
    assert net.get_parameter("features.0.w") is net.features[0].w
    assert net.get_parameter("fc.b") is net.fc.b
    assert net.get_buffer("stat.running_mean") is net.stat.running_mean
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        net.get_submodule("features.nope")
    with pytest.raises(AttributeError, match="is not an nn.Parameter"):
        net.get_parameter("stat.running_mean")
    with pytest.raises(AttributeError, match="is not a buffer"):
        net.get_buffer("stat.scale")


# ---- iteration ----------------------------------------------------------------------------
def test_named_members_order_and_prefix():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "features.0.w", "features.0.b", "stat.scale", "fc.w", "fc.b"]
    assert [n for n, _ in net.named_parameters(prefix="model")] == [
        "model.features.0.w", "model.features.0.b", "model.stat.scale", "model.fc.w", "model.fc.b"]
    assert list(net.named_parameters(recurse=False)) == []
    assert [n for n, _ in net.stat.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers()] == ["stat.running_mean", "stat.scratch"]
    assert [n for n, _ in net.named_children()] == ["features", "stat", "fc"]
    assert [n for n, _ in net.named_modules()] == ["", "features", "features.0", "features.1", "stat", "fc"]
    assert [n for n, _ in net.named_modules(prefix="net")] == [
        "net", "net.features", "net.features.0", "net.features.1", "net.stat", "net.fc"]
    assert len(list(net.parameters())) == 5 and len(list(net.buffers())) == 2
    assert list(net.children())[0] is net.features
    assert list(net.modules())[0] is net


def test_duplicate_removal():
    shared = Affine(2, 2)
    m = nn.Module()
    m.a = shared
    m.b = shared
    m.p = shared.w                     # the same Parameter under two names
    assert [n for n, _ in m.named_modules()] == ["", "a"]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "a", "b"]
    assert [n for n, _ in m.named_children()] == ["a"]
    assert [n for n, _ in m.named_parameters()] == ["p", "a.b"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == ["p", "a.w", "a.b", "b.w", "b.b"]
    assert len(list(m.parameters())) == 2


def test_named_members_match_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class TAffine(tnn.Module):
        def __init__(self):
            super().__init__()
            self.w = tnn.Parameter(torch.ones(2, 2))
            self.b = tnn.Parameter(torch.ones(2))

    def build(mod, P, Aff, ones):
        shared = Aff()
        m = mod.Module()
        m.a = shared
        m.seq = mod.Sequential(Aff(), shared)
        m.p = shared.w
        m.register_buffer("r", ones(1))
        m.seq.register_buffer("r", ones(1))
        return m

    m = build(nn, nn.Parameter, lambda: Affine(2, 2), cl.ones)
    t = build(tnn, tnn.Parameter, TAffine, torch.ones)
    for rd in (True, False):
        assert [n for n, _ in m.named_parameters(remove_duplicate=rd)] == \
            [n for n, _ in t.named_parameters(remove_duplicate=rd)]
        assert [n for n, _ in m.named_modules(remove_duplicate=rd)] == \
            [n for n, _ in t.named_modules(remove_duplicate=rd)]
        assert [n for n, _ in m.named_buffers(remove_duplicate=rd)] == \
            [n for n, _ in t.named_buffers(remove_duplicate=rd)]
    assert list(m.state_dict()) == list(t.state_dict())


# ---- state dict ---------------------------------------------------------------------------
def test_state_dict_contents():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["features.0.w", "features.0.b", "stat.running_mean", "stat.scale", "fc.w", "fc.b"] or \
        list(sd) == ["features.0.w", "features.0.b", "stat.scale", "stat.running_mean", "fc.w", "fc.b"]
    assert "stat.scratch" not in sd                 # non-persistent
    for k, v in sd.items():
        assert type(v) is cl.Tensor and not v.requires_grad
    # detached views share memory
    assert np.shares_memory(sd["fc.w"].numpy(), net.fc.w.detach().numpy())
    kv = net.state_dict(keep_vars=True)
    assert kv["fc.w"] is net.fc.w
    assert list(net.state_dict(prefix="m.")) == ["m." + k for k in sd]
    assert hasattr(sd, "_metadata") and sd._metadata[""] == {"version": 1}


def test_state_dict_order_params_before_buffers():
    # PyTorch: a module's own parameters, then its buffers, then the children
    net = Net()
    assert list(net.stat.state_dict()) == ["scale", "running_mean"]


def test_state_dict_round_trip():
    a, b = Net(), Net()
    a.stat.running_mean.fill_(3.0)
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
    # parameters keep their identity and remain leaves requiring grad
    assert isinstance(b.fc.w, nn.Parameter) and b.fc.w.requires_grad and b.fc.w.is_leaf
    # loading copies (no aliasing with the source)
    a.fc.w.data.fill_(7.0)
    assert b.fc.w.detach().numpy()[0, 0] != 7.0


def test_load_strict_errors_message_layout():
    net = Net()
    sd = net.state_dict()
    del sd["fc.b"]
    sd["fc.extra"] = cl.ones(1)
    sd["nothere.w"] = cl.ones(1)
    with pytest.raises(RuntimeError) as ei:
        net.load_state_dict(sd)
    msg = str(ei.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:\n\t")
    assert '\tMissing key(s) in state_dict: "fc.b". ' in msg
    assert 'Unexpected key(s) in state_dict: "nothere.w", "fc.extra". ' in msg
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc.b"]
    assert sorted(res.unexpected_keys) == ["fc.extra", "nothere.w"]
    assert "IncompatibleKeys(missing_keys=['fc.b']" in repr(res)
    mk, uk = res
    assert mk == ["fc.b"]


def test_load_size_mismatch_message():
    net = Net()
    sd = net.state_dict()
    sd["fc.w"] = cl.zeros(4, 5)
    for strict in (True, False):
        with pytest.raises(RuntimeError) as ei:
            net.load_state_dict(sd, strict=strict)
        msg = str(ei.value)
        assert msg.startswith("Error(s) in loading state_dict for Net:\n\tsize mismatch for fc.w: "
                              "copying a param with shape ")
        assert "[4, 5]" in msg and "[3, 5]" in msg
        assert msg.endswith("the shape in current model is corelib.Size([3, 5]).")


def test_load_state_dict_messages_match_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def build(mod, lin):
        class N(mod.Module):
            def __init__(self):
                super().__init__()
                self.fc = lin()
                self.register_buffer("rm", (torch if mod is tnn else cl).zeros(2))
        N.__name__ = "Net"
        return N()

    m = build(nn, lambda: Affine(2, 3))
    t = build(tnn, lambda: _torch_affine(torch, 2, 3))
    sd_m, sd_t = m.state_dict(), t.state_dict()
    assert list(sd_m) == list(sd_t)
    for sd in (sd_m, sd_t):
        del sd["fc.b"]
    sd_m["zz"] = cl.ones(1)
    sd_t["zz"] = torch.ones(1)
    sd_m["fc.w"] = cl.ones(4, 2)
    sd_t["fc.w"] = torch.ones(4, 2)
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(sd_m)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(sd_t)
    assert str(em.value).replace("corelib.Size", "torch.Size") == str(et.value)
    rm = m.load_state_dict(sd_m, strict=False) if False else None  # size mismatch raises either way
    del sd_m["fc.w"], sd_t["fc.w"]
    rm = m.load_state_dict(sd_m, strict=False)
    rt = t.load_state_dict(sd_t, strict=False)
    assert (rm.missing_keys, rm.unexpected_keys) == (rt.missing_keys, rt.unexpected_keys)


def _torch_affine(torch, i, o):
    class TAffine(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(o, i))
            self.b = torch.nn.Parameter(torch.ones(o))
    return TAffine()


def test_load_state_dict_assign_and_mapping_check():
    net = Affine(2, 2)
    new = {"w": cl.full((2, 2), 5.0), "b": cl.zeros(2)}
    net.load_state_dict(new, assign=True)
    assert isinstance(net.w, nn.Parameter) and net.w.requires_grad
    assert np.shares_memory(net.w.detach().numpy(), new["w"].numpy())
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


def test_load_from_state_dict_override_and_hooks():
    class Versioned(Affine):
        _version = 2

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                                  unexpected_keys, error_msgs):
            version = local_metadata.get("version", None)
            if version is None or version < 2:
                key = prefix + "counter"
                if key not in state_dict:
                    state_dict[key] = cl.tensor(0)
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                          unexpected_keys, error_msgs)

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.v = Versioned(2, 2)
            self.v.register_buffer("counter", cl.tensor(5))

    o = Outer()
    sd = o.state_dict()
    assert sd._metadata["v"] == {"version": 2}
    del sd["v.counter"]
    sd._metadata["v"]["version"] = 1       # an "old checkpoint" without the buffer
    o.load_state_dict(sd)
    assert o.v.counter.item() == 0
    calls = []
    h = o.register_load_state_dict_post_hook(lambda mod, keys: calls.append(list(keys.missing_keys)))
    o.v.register_load_state_dict_pre_hook(lambda *a: calls.append(a[2]))
    o.load_state_dict(o.state_dict())
    assert calls == ["v.", []]
    h.remove()
    seen = []
    o.register_state_dict_pre_hook(lambda mod, prefix, keep: seen.append(prefix))
    o.state_dict()
    assert seen == [""]


# ---- modes, apply, conversion, grads --------------------------------------------------------
def test_train_eval_propagate():
    net = Net()
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.features.train(False)
    assert not net.features[0].training and net.fc.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_apply_order():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Affine", "Tanh", "Sequential", "Stat", "Affine", "Net"]


def test_to_dtype_keeps_parameter_identity_and_grads():
    net = Net()
    w = net.fc.w
    net(cl.randn(2, 4)).sum().backward()
    net.register_buffer("steps", cl.tensor(3))
    assert net.double() is net
    assert net.fc.w is w and w.dtype == cl.float64 and isinstance(w, nn.Parameter) and w.requires_grad
    assert w.grad.dtype == cl.float64
    assert net.stat.running_mean.dtype == cl.float64
    assert net.steps.dtype == cl.int64                   # integer buffers untouched
    net.to(cl.float32)
    assert w.dtype == cl.float32 and w.grad.dtype == cl.float32
    net.half()
    assert w.dtype == cl.float16
    net.float()
    net.to("cpu")
    net.to(device="cpu", dtype=cl.float64)
    assert w.dtype == cl.float64
    net.to(cl.zeros(1))
    assert w.dtype == cl.float32
    net.cpu()
    net.type(cl.float64)
    assert w.dtype == cl.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        net.to(cl.int64)
    out = net(cl.randn(2, 4, dtype=cl.float64))
    assert out.dtype == cl.float64


def test_zero_grad_and_requires_grad_():
    net = Net()
    net(cl.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and float(abs(p.grad).sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


# ---- repr, dir, copy, pickle -----------------------------------------------------------------
def test_repr_nesting_matches_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def build(mod, lin, act, params):
        class Inner(mod.Module):
            def __init__(self):
                super().__init__()
                self.features = mod.Sequential(OrderedDict([("conv1", lin()), ("act", act())]))
                self.heads = mod.ModuleList([lin() for _ in range(3)] + [act()])
                self.choice = mod.ModuleDict({"a": act(), "b": lin()})
                self.plist = mod.ParameterList([params(2, 3), params(4)])
                self.pdict = mod.ParameterDict(OrderedDict(x=params(1)))
                self.empty = mod.Sequential()
        Inner.__name__ = "Net"
        return Inner()

    class ALin(Affine):
        def __init__(self):
            super().__init__(3, 2)

        def _get_name(self):
            return "Linear"

    class TLin(tnn.Linear):
        def __init__(self):
            super().__init__(3, 2)

        def _get_name(self):
            return "Linear"

        def extra_repr(self):
            return "in_features=3, out_features=2, bias=True"

    class TTanh(tnn.Module):
        def forward(self, x):
            return x.tanh()
    TTanh.__name__ = "Tanh"

    m = build(nn, ALin, Tanh, lambda *s: nn.Parameter(cl.ones(*s)))
    t = build(tnn, TLin, TTanh, lambda *s: tnn.Parameter(torch.ones(*s)))
    assert repr(m) == repr(t).replace("torch.", "corelib.")


def test_repr_format_literal():
    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(OrderedDict(fc1=Affine(2, 3), act=Tanh()))

        def extra_repr(self):
            return "k=1"
    assert repr(Inner()) == (
        "Inner(\n"
        "  k=1\n"
        "  (features): Sequential(\n"
        "    (fc1): Affine(in_features=2, out_features=3, bias=True)\n"
        "    (act): Tanh()\n"
        "  )\n"
        ")")


def test_dir_contains_members():
    net = Net()
    d = dir(net)
    for name in ("features", "stat", "fc", "forward", "state_dict", "training"):
        assert name in d
    assert "running_mean" in dir(net.stat) and "scale" in dir(net.stat)


def test_deepcopy_and_pickle_module():
    net = Net()
    net2 = copy.deepcopy(net)
    assert net2.fc.w is not net.fc.w and isinstance(net2.fc.w, nn.Parameter)
    np.testing.assert_array_equal(net2.fc.w.detach().numpy(), net.fc.w.detach().numpy())
    x = cl.randn(3, 4)
    np.testing.assert_allclose(net2(x).detach().numpy(), net(x).detach().numpy())
    net3 = pickle.loads(pickle.dumps(net))
    assert isinstance(net3.fc.w, nn.Parameter) and net3.fc.w.requires_grad
    np.testing.assert_allclose(net3(x).detach().numpy(), net(x).detach().numpy())
    assert "stat.scratch" not in net3.state_dict() and "scratch" in net3.stat._buffers
    assert net.share_memory() is net


def test_call_overhead_fast_path():
    import timeit

    class Id(nn.Module):
        def forward(self, x):
            return x

    m = Id()
    x = cl.ones(1)
    n = 20000
    best = min(timeit.repeat(lambda: m(x), number=n, repeat=5)) / n
    base = min(timeit.repeat(lambda: m.forward(x), number=n, repeat=5)) / n
    assert best - base < 3e-6          # ~0.3 us here; loose bound for slow CI machines


def test_loss_bases():
    import warnings
    from corelib.nn.modules.loss import _Loss, _WeightedLoss
    assert _Loss().reduction == "mean"
    assert _Loss(reduction="sum").reduction == "sum"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert _Loss(size_average=False).reduction == "sum"
        assert _Loss(reduce=False).reduction == "none"
        assert _Loss(size_average=True, reduce=True).reduction == "mean"
    assert any("reduction='sum'" in str(x.message) for x in w)
    wl = _WeightedLoss(weight=cl.ones(3))
    assert "weight" in wl._buffers and list(wl.state_dict()) == ["weight"]
    assert _WeightedLoss().weight is None and list(_WeightedLoss().state_dict()) == []
    wl.double()
    assert wl.weight.dtype == cl.float64
