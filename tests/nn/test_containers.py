from collections import OrderedDict

import numpy as np
import pytest

import corelib as cl
from corelib import nn
from nn_helpers import Affine, Tanh


def _names(m):
    return list(m._modules)


# ---- Sequential --------------------------------------------------------------------------
def test_sequential_positional_and_ordereddict():
    a, b, c = Affine(3, 4), Tanh(), Affine(4, 2)
    s = nn.Sequential(a, b, c)
    assert _names(s) == ["0", "1", "2"] and len(s) == 3
    x = cl.randn(5, 3)
    np.testing.assert_allclose(s(x).detach().numpy(), c(b(a(x))).detach().numpy(), rtol=1e-6)
    s2 = nn.Sequential(OrderedDict([("fc1", a), ("act", b), ("fc2", c)]))
    assert _names(s2) == ["fc1", "act", "fc2"] and s2.fc1 is a
    assert [n for n, _ in s2.named_parameters()] == ["fc1.w", "fc1.b", "fc2.w", "fc2.b"]
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.Sequential({"a": a})          # a plain dict is not accepted (as PyTorch)


def test_sequential_indexing_slicing():
    mods = [Affine(2, 2) for _ in range(4)]
    s = nn.Sequential(OrderedDict((f"l{i}", m) for i, m in enumerate(mods)))
    assert s[0] is mods[0] and s[-1] is mods[3] and s[-4] is mods[0]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        s[4]
    with pytest.raises(IndexError):
        s[-5]
    sub = s[1:3]
    assert type(sub) is nn.Sequential and _names(sub) == ["l1", "l2"] and sub[0] is mods[1]
    assert _names(s[::-1]) == ["l3", "l2", "l1", "l0"]
    assert list(s) == mods


def test_sequential_mutation():
    a, b, c, d = (Affine(2, 2) for _ in range(4))
    s = nn.Sequential(a, b)
    assert s.append(c) is s and _names(s) == ["0", "1", "2"] and s[2] is c
    s.insert(1, d)
    assert list(s) == [a, d, b, c]
    s.insert(-1, a)
    assert list(s) == [a, d, b, a, c]
    with pytest.raises(IndexError):
        s.insert(10, a)
    del s[3]
    assert list(s) == [a, d, b, c] and _names(s) == ["0", "1", "2", "3"]
    del s[1:3]
    assert list(s) == [a, c] and _names(s) == ["0", "1"]
    s[1] = b
    assert list(s) == [a, b]
    assert s.pop(0) is a and list(s) == [b] and _names(s) == ["0"]
    s.extend([c, d])
    assert list(s) == [b, c, d]
    t = s + nn.Sequential(a)
    assert list(t) == [b, c, d, a] and list(s) == [b, c, d]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential"):
        s + [a]
    s += nn.Sequential(a)
    assert list(s) == [b, c, d, a]
    assert list(nn.Sequential(a, b) * 2) == [a, b, a, b]
    assert "0" not in dir(s)


def test_sequential_matches_torch_semantics():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def ops(mod, mk):
        s = mod.Sequential(*[mk() for _ in range(3)])
        log = []
        s.insert(0, mk()); log.append(list(s._modules))
        del s[-2]; log.append(list(s._modules))
        s.append(mk()); log.append(list(s._modules))
        log.append(list(s[1:]._modules))
        s.pop(-1); log.append(list(s._modules))
        return log

    assert ops(nn, Tanh) == ops(tnn, tnn.Tanh)


# ---- ModuleList --------------------------------------------------------------------------
def test_modulelist():
    layers = nn.ModuleList([Affine(2, 2) for _ in range(3)])
    assert len(layers) == 3 and _names(layers) == ["0", "1", "2"]
    assert len(list(layers.parameters())) == 6
    a, b = Affine(2, 2), Affine(2, 2)
    layers.append(a)
    assert layers[-1] is a and layers[3] is a
    layers.extend([b])
    assert layers[4] is b
    layers.insert(0, b)
    assert layers[0] is b and layers[5] is b and len(layers) == 6
    layers.insert(-1, a)                              # before the last, like list.insert
    assert layers[5] is a and layers[6] is b
    sl = layers[1:3]
    assert type(sl) is nn.ModuleList and len(sl) == 2
    del layers[0]
    assert _names(layers) == [str(i) for i in range(6)]
    layers += [Tanh()]
    assert isinstance(layers[-1], Tanh)
    assert layers.pop(-1).__class__ is Tanh
    layers[0] = a
    assert layers[0] is a
    with pytest.raises(IndexError):
        layers[10]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        layers.extend(3)
    both = nn.ModuleList([a]) + nn.ModuleList([b])
    assert list(both) == [a, b]
    with pytest.raises(NotImplementedError):
        layers(cl.ones(1))


def test_modulelist_repr_compresses_like_torch():
    torch = pytest.importorskip("torch")
    m = nn.ModuleList([Tanh() for _ in range(20)] + [nn.Sequential(Tanh())])
    t = torch.nn.ModuleList([torch.nn.Tanh() for _ in range(20)] + [torch.nn.Sequential(torch.nn.Tanh())])
    assert repr(m) == repr(t)
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_notes_modulelist_20_layers():
    class ModuleListNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.linears = nn.ModuleList([Affine(10, 10) for i in range(20)])

        def forward(self, x):
            for i, linear in enumerate(self.linears):
                x = linear(x)
            return x

    net = ModuleListNet()
    assert len(list(net.parameters())) == 40
    out = net(cl.randn(2, 10))
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


# ---- ModuleDict --------------------------------------------------------------------------
def test_moduledict():
    a, b, c = Affine(2, 2), Tanh(), Affine(2, 3)
    d = nn.ModuleDict({"conv": a, "act": b})
    assert list(d.keys()) == ["conv", "act"] and d["conv"] is a and len(d) == 2
    assert "act" in d and "nope" not in d
    assert list(d) == ["conv", "act"]
    assert list(d.values()) == [a, b] and list(d.items()) == [("conv", a), ("act", b)]
    d["fc"] = c
    assert d.fc is c
    assert d.pop("act") is b and "act" not in d
    d.update([("x", b)])
    d.update(OrderedDict(y=Tanh()))
    d.update(nn.ModuleDict({"z": Tanh()}))
    assert list(d.keys()) == ["conv", "fc", "x", "y", "z"]
    del d["z"]
    assert "z" not in d
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        d.update([("a", b, c)])
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        d.update(3)
    d.clear()
    assert len(d) == 0 and list(d.parameters()) == []


def test_notes_moduledict_choice():
    class ModuleDictNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.choices = nn.ModuleDict({"a": Affine(4, 4), "b": Affine(4, 4, bias=False)})
            self.activations = nn.ModuleDict({"tanh": Tanh(), "id": nn.Sequential()})

        def forward(self, x, choice, act):
            return self.activations[act](self.choices[choice](x))

    net = ModuleDictNet()
    x = cl.randn(2, 4)
    out = net(x, "b", "tanh")
    np.testing.assert_allclose(out.detach().numpy(), np.tanh(x.numpy() @ net.choices.b.w.detach().numpy().T),
                               rtol=1e-5)
    assert net(x, "a", "id").shape == (2, 4)


# ---- ParameterList / ParameterDict -----------------------------------------------------------
def test_parameterlist():
    pl = nn.ParameterList([nn.Parameter(cl.ones(2)), cl.zeros(3)])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    assert pl[1].shape == (3,) and pl[-1] is pl[1]
    pl.append(cl.ones(1))
    pl.extend([cl.ones(4)])
    pl += [cl.ones(5)]
    assert len(pl) == 5 and [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3", "4"]
    sl = pl[1:3]
    assert type(sl) is nn.ParameterList and sl[0] is pl[1]
    pl[0] = cl.full((2,), 3.0)
    assert isinstance(pl[0], nn.Parameter) and float(pl[0][0]) == 3.0
    with pytest.raises(TypeError):
        pl.extend(cl.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(1)
    m = nn.Module()
    m.plist = pl
    assert len(list(m.parameters())) == 5
    assert "plist.0" in m.state_dict()


def test_parameterdict():
    pd = nn.ParameterDict({"b": cl.ones(1), "a": nn.Parameter(cl.zeros(2))})
    assert list(pd.keys()) == ["a", "b"]            # plain dicts are sorted (as PyTorch)
    pd2 = nn.ParameterDict(OrderedDict(b=cl.ones(1), a=cl.zeros(1)))
    assert list(pd2.keys()) == ["b", "a"]
    assert isinstance(pd["b"], nn.Parameter) and "a" in pd and len(pd) == 2
    pd["c"] = cl.ones(3)
    assert list(pd) == ["a", "b", "c"]
    assert pd.pop("a").shape == (2,) and "a" not in pd
    assert pd.get("zz") is None
    assert [k for k, _ in pd.items()] == ["b", "c"]
    assert pd.setdefault("d", cl.ones(1)) is pd["d"]
    del pd["d"]
    assert list(pd.values())[0] is pd["b"]
    with pytest.raises(TypeError, match="cannot be used as a key"):
        pd[1] = cl.ones(1)
    pd.clear()
    assert len(pd) == 0
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pd(1)


def test_parameter_containers_repr_like_torch():
    torch = pytest.importorskip("torch")
    pl = nn.ParameterList([cl.ones(2, 3), cl.ones(4)])
    tpl = torch.nn.ParameterList([torch.ones(2, 3), torch.ones(4)])
    assert repr(pl) == repr(tpl).replace("torch.", "corelib.")
    pd = nn.ParameterDict(OrderedDict(x=cl.ones(2), y=cl.ones(1, 1)))
    tpd = torch.nn.ParameterDict(OrderedDict(x=torch.ones(2), y=torch.ones(1, 1)))
    assert repr(pd) == repr(tpd).replace("torch.", "corelib.")
