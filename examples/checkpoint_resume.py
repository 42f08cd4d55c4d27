"""Resuming training from a checkpoint (notes 14.2, 断点续训练).

A checkpoint holds everything the next epoch depends on: the model's and the optimizer's
state_dicts, the scheduler's, the epoch and the RNG state. Here training "crashes" after
``stop_at`` epochs; a fresh model and optimizer load the checkpoint and finish the job, and
the result is bit-identical to an uninterrupted run.

    python examples/checkpoint_resume.py

Needs the layers, losses, optim and schedulers bundles.
"""
import os
import tempfile

import numpy as np

import corelib
import corelib.nn as nn


def make_data(n=256):
    rs = np.random.RandomState(0)
    x = rs.randn(n, 8).astype(np.float32)
    y = (x[:, :4].sum(1) > x[:, 4:].sum(1)).astype(np.int64)
    return corelib.from_numpy(x), corelib.from_numpy(y)


def build():
    net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
    opt = corelib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    sched = corelib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    return net, opt, sched


def train(net, opt, sched, data, start, end, path=None, stop_at=None):
    x, y = data
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(start, end):
        if stop_at is not None and epoch == stop_at:
            return "crashed"                     # power cut: the checkpoint is all that is left
        perm = corelib.randperm(len(y))          # shuffling and dropout draw from the RNG
        for i in range(0, len(y), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss_fn(net(x[idx]), y[idx]).backward()
            opt.step()
        sched.step()
        if path is not None:
            checkpoint = {"model_state_dict": net.state_dict(),
                          "optimizer_state_dict": opt.state_dict(),
                          "scheduler_state_dict": sched.state_dict(),
                          "epoch": epoch + 1,
                          "rng_state": corelib.random.get_rng_state()}
            corelib.save(checkpoint, path)       # atomic: a crash mid-save keeps the old file
    return "done"


def main(epochs=8, stop_at=5, verbose=True):
    """Train ``epochs`` epochs twice (uninterrupted, and crash + resume); returns whether the
    final parameters are bit-identical."""
    data = make_data()
    corelib.manual_seed(0)
    net, opt, sched = build()
    train(net, opt, sched, data, 0, epochs)
    reference = [p.detach().numpy().copy() for p in net.parameters()]

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        corelib.manual_seed(0)
        net, opt, sched = build()
        status = train(net, opt, sched, data, 0, epochs, path=path, stop_at=stop_at)

        corelib.manual_seed(1234)                # a new process: different init, different RNG
        net, opt, sched = build()
        ck = corelib.load(path)
        net.load_state_dict(ck["model_state_dict"])
        opt.load_state_dict(ck["optimizer_state_dict"])
        sched.load_state_dict(ck["scheduler_state_dict"])
        corelib.random.set_rng_state(ck["rng_state"])
        train(net, opt, sched, data, ck["epoch"], epochs, path=path)
    same = all(np.array_equal(a, p.detach().numpy()) for a, p in zip(reference, net.parameters()))
    if verbose:
        print(f"first run {status} at epoch {stop_at}; resumed from epoch {ck['epoch']} to {epochs}; "
              f"bit-identical to the uninterrupted run: {same}")
    return same


if __name__ == "__main__":
    main()
