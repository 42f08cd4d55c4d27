"""Fine-tuning (notes chapter 15): train a network on one task, load its state_dict into a new
network with a replaced output layer, then train it on a second task twice:

1. with the pretrained features frozen (requires_grad=False);
2. with a smaller learning rate for the features, through parameter groups.

    python examples/finetune.py [--steps 200]

Needs the layers and losses bundles (nn.Linear, nn.ReLU, nn.CrossEntropyLoss).
"""
import argparse

import numpy as np

import corelib
import corelib.nn as nn


def make_task(n_classes, seed, n=512):
    """Points in 2-D labelled by angle sector (the tasks share their features: the angle)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    ang = (np.arctan2(x[:, 1], x[:, 0]) + np.pi) / (2 * np.pi)
    y = np.minimum((ang * n_classes).astype(np.int64), n_classes - 1)
    return corelib.tensor(x), corelib.tensor(y)


class Net(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.features(x))


def train(net, opt, x, y, steps):
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
    return float(loss)


def accuracy(net, x, y):
    with corelib.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


def main(steps=200, seed=0):
    corelib.manual_seed(seed)
    # 1. pretrain on task A (4 sectors)
    xa, ya = make_task(4, seed)
    source = Net(4)
    train(source, corelib.optim.Adam(source.parameters(), lr=1e-2), xa, ya, steps)
    state = source.state_dict()

    xb, yb = make_task(8, seed + 1)
    results = {"pretrained_acc": accuracy(source, xa, ya)}

    # 2a. load the weights, replace the output layer, freeze the features
    frozen = Net(4)
    frozen.load_state_dict(state)
    frozen.fc = nn.Linear(32, 8)
    for p in frozen.features.parameters():
        p.requires_grad = False
    before = [p.detach().numpy().copy() for p in frozen.features.parameters()]
    opt = corelib.optim.SGD(frozen.fc.parameters(), lr=0.1, momentum=0.9)
    train(frozen, opt, xb, yb, steps)
    results["frozen_acc"] = accuracy(frozen, xb, yb)
    results["features_unchanged"] = all(
        np.array_equal(b, p.detach().numpy()) for b, p in zip(before, frozen.features.parameters()))

    # 2b. smaller lr for the features through parameter groups
    tuned = Net(4)
    tuned.load_state_dict(state)
    tuned.fc = nn.Linear(32, 8)
    opt = corelib.optim.SGD([
        {"params": tuned.features.parameters(), "lr": 0.01},
        {"params": tuned.fc.parameters()},
    ], lr=0.1, momentum=0.9)
    train(tuned, opt, xb, yb, steps)
    results["groups_acc"] = accuracy(tuned, xb, yb)
    results["group_lrs"] = [g["lr"] for g in opt.param_groups]
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    for k, v in main(ap.parse_args().steps).items():
        print(f"{k}: {v}")
