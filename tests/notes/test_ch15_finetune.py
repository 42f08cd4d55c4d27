"""Notes chapter 十五 (模型微调) against PyTorch.

Steps: get pretrained parameters, load them (load_state_dict), replace the output layer; train
either with the pretrained parameters frozen (requires_grad=False, or lr=0) or with a smaller
learning rate for the feature extractor through parameter groups. Each step is run with corelib
and with PyTorch from the same weights and compared.
"""
import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import corelib as cl  # noqa: E402
import corelib.nn as cnn  # noqa: E402

rng = np.random.default_rng(0)
X = rng.standard_normal((8, 3, 8, 8)).astype(np.float32)
Y = rng.integers(0, 2, 8).astype(np.int64)


def _make(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self, classes=10):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
            self.fc = nn.Linear(4 * 3 * 3, classes)

        def forward(self, x):
            return self.fc(self.features(x).flatten(1))
    return Net


def _pretrained():
    """A 'pretrained' corelib state dict and the same weights in torch."""
    cl.manual_seed(0)
    net = _make(cl)()
    sd = net.state_dict()
    return sd, {k: torch.tensor(v.numpy().copy()) for k, v in sd.items()}


def _load_pair(classes=2):
    sd, tsd = _pretrained()
    cnet, tnet = _make(cl)(), _make(torch)()
    # step 2: load the parameters (through save/load, as a downloaded .pth would be)
    buf = io.BytesIO()
    cl.save(sd, buf)
    buf.seek(0)
    cnet.load_state_dict(cl.load(buf, map_location="cpu"))
    tnet.load_state_dict(tsd)
    # step 3: replace the output layer
    cl.manual_seed(1)
    num_ftrs = cnet.fc.in_features
    assert num_ftrs == tnet.fc.in_features == 36
    cnet.fc = cnn.Linear(num_ftrs, classes)
    tnet.fc = torch.nn.Linear(num_ftrs, classes)
    with torch.no_grad():
        tnet.fc.weight.copy_(torch.tensor(cnet.fc.weight.detach().numpy()))
        tnet.fc.bias.copy_(torch.tensor(cnet.fc.bias.detach().numpy()))
    return cnet, tnet


def _train(net, opt, lib, loss_cls, steps=4, sched=None):
    net.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_cls()(net(lib.tensor(X)), lib.tensor(Y))
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return losses


def _assert_same(cnet, tnet, rtol=1e-4, atol=1e-5):
    tsd = tnet.state_dict()
    csd = cnet.state_dict()
    assert list(csd) == list(tsd)
    for k in tsd:
        np.testing.assert_allclose(csd[k].numpy(), tsd[k].numpy(), rtol=rtol, atol=atol, err_msg=k)


def test_replace_fc_layer():
    cnet, tnet = _load_pair()
    assert isinstance(cnet.fc, cnn.Linear)
    assert repr(cnet) == repr(tnet)
    out, ref = cnet(cl.tensor(X)), tnet(torch.tensor(X))
    assert tuple(out.shape) == tuple(ref.shape) == (8, 2)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    _assert_same(cnet, tnet)
    names = [n for n, _ in cnet.named_parameters()]
    assert names == [n for n, _ in tnet.named_parameters()]
    assert "fc.weight" in names and cnet.fc.weight.requires_grad


def test_load_pretrained_into_modified_model_strict_false():
    sd, tsd = _pretrained()
    cnet, tnet = _make(cl)(classes=2), _make(torch)(classes=2)
    del sd["fc.weight"], sd["fc.bias"]
    del tsd["fc.weight"], tsd["fc.bias"]
    rm = cnet.load_state_dict(sd, strict=False)
    rt = tnet.load_state_dict(tsd, strict=False)
    assert rm.missing_keys == rt.missing_keys == ["fc.weight", "fc.bias"]
    assert rm.unexpected_keys == rt.unexpected_keys == []
    with pytest.raises(RuntimeError, match="Missing key"):
        _make(cl)(classes=2).load_state_dict(sd)
    # a pretrained dict with the old 10-class head does not fit a 2-class head
    full, _ = _pretrained()
    with pytest.raises(RuntimeError, match="size mismatch"):
        _make(cl)(classes=2).load_state_dict(full)


def test_freeze_with_requires_grad_false():
    cnet, tnet = _load_pair()
    # freeze everything, then replace the head (its new parameters train)
    for net in (cnet, tnet):
        for p in net.features.parameters():
            p.requires_grad = False
    before = {k: v.numpy().copy() for k, v in cnet.features.state_dict().items()}
    copt = cl.optim.SGD(filter(lambda p: p.requires_grad, cnet.parameters()), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(filter(lambda p: p.requires_grad, tnet.parameters()), lr=0.1, momentum=0.9)
    assert len(copt.param_groups[0]["params"]) == len(topt.param_groups[0]["params"]) == 2
    lc = _train(cnet, copt, cl, cnn.CrossEntropyLoss)
    lt = _train(tnet, topt, torch, torch.nn.CrossEntropyLoss)
    np.testing.assert_allclose(lc, lt, rtol=1e-4)
    for p in cnet.features.parameters():
        assert p.grad is None and not p.requires_grad
    after = cnet.features.state_dict()
    for k in ("0.weight", "0.bias", "1.weight", "1.bias"):
        np.testing.assert_array_equal(after[k].numpy(), before[k])
    # BatchNorm running stats still update in train mode (as in torch)
    _assert_same(cnet, tnet)


def test_frozen_params_in_optimizer_are_skipped():
    cnet, tnet = _load_pair()
    for net in (cnet, tnet):
        for p in net.features.parameters():
            p.requires_grad_(False)
    copt = cl.optim.Adam(cnet.parameters(), lr=0.01, weight_decay=0.1)
    topt = torch.optim.Adam(tnet.parameters(), lr=0.01, weight_decay=0.1)
    _train(cnet, copt, cl, cnn.CrossEntropyLoss)
    _train(tnet, topt, torch, torch.nn.CrossEntropyLoss)
    _assert_same(cnet, tnet)
    assert len(copt.state) == len([p for p in topt.state if len(topt.state[p])])


def test_freeze_with_lr_zero_group():
    cnet, tnet = _load_pair()
    before = cnet.features[0].weight.detach().numpy().copy()
    opts = []
    for net, lib in ((cnet, cl), (tnet, torch)):
        fc_ids = list(map(id, net.fc.parameters()))
        base = filter(lambda p: id(p) not in fc_ids, net.parameters())
        opts.append(lib.optim.SGD([{"params": base, "lr": 0}, {"params": net.fc.parameters(), "lr": 0.1}],
                                  momentum=0.9))
    copt, topt = opts
    assert repr(copt) == repr(topt)
    _train(cnet, copt, cl, cnn.CrossEntropyLoss)
    _train(tnet, topt, torch, torch.nn.CrossEntropyLoss)
    np.testing.assert_array_equal(cnet.features[0].weight.detach().numpy(), before)
    assert cnet.features[0].weight.grad is not None           # gradients flow, lr 0 stops the update
    _assert_same(cnet, tnet)


def test_smaller_lr_for_features_with_param_groups_and_scheduler():
    cnet, tnet = _load_pair()
    lr = 0.1
    opts, scheds = [], []
    for net, lib in ((cnet, cl), (tnet, torch)):
        fc_ids = list(map(id, net.fc.parameters()))
        base = filter(lambda p: id(p) not in fc_ids, net.parameters())
        opt = lib.optim.SGD([{"params": base, "lr": lr * 0.1}, {"params": net.fc.parameters(), "lr": lr}],
                            momentum=0.9, weight_decay=1e-4)
        opts.append(opt)
        scheds.append(lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5))
    copt, topt = opts
    assert [g["lr"] for g in copt.param_groups] == [g["lr"] for g in topt.param_groups] == [lr * 0.1, lr]
    assert [len(g["params"]) for g in copt.param_groups] == [len(g["params"]) for g in topt.param_groups] == [4, 2]
    assert repr(copt) == repr(topt)
    lc = _train(cnet, copt, cl, cnn.CrossEntropyLoss, steps=5, sched=scheds[0])
    lt = _train(tnet, topt, torch, torch.nn.CrossEntropyLoss, steps=5, sched=scheds[1])
    np.testing.assert_allclose(lc, lt, rtol=1e-4)
    assert scheds[0].get_last_lr() == pytest.approx(scheds[1].get_last_lr())
    assert scheds[0].base_lrs == pytest.approx(scheds[1].base_lrs)
    _assert_same(cnet, tnet)
    assert copt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_checkpoint_resume_of_finetune():
    # 14.2 + 15: model + optimizer + epoch in one checkpoint, then resume
    cnet, _ = _load_pair()
    opt = cl.optim.SGD([{"params": cnet.features.parameters(), "lr": 0.01},
                        {"params": cnet.fc.parameters(), "lr": 0.1}], momentum=0.9)
    _train(cnet, opt, cl, cnn.CrossEntropyLoss, steps=2)
    ck = {"model_state_dict": cnet.state_dict(), "optimizer_state_dict": opt.state_dict(), "epoch": 2}
    buf = io.BytesIO()
    cl.save(ck, buf)
    buf.seek(0)
    ck2 = cl.load(buf)
    net2, _ = _load_pair()
    net2.load_state_dict(ck2["model_state_dict"])
    opt2 = cl.optim.SGD([{"params": net2.features.parameters()}, {"params": net2.fc.parameters()}], lr=1.0,
                        momentum=0.9)
    opt2.load_state_dict(ck2["optimizer_state_dict"])
    assert ck2["epoch"] == 2 and [g["lr"] for g in opt2.param_groups] == [0.01, 0.1]
    l1 = _train(cnet, opt, cl, cnn.CrossEntropyLoss, steps=2)
    l2 = _train(net2, opt2, cl, cnn.CrossEntropyLoss, steps=2)
    np.testing.assert_allclose(l1, l2, rtol=1e-6)
