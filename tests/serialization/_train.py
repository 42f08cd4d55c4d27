"""A tiny model trained with core ops only (shared by the resume test and its child process)."""
import numpy as np

import corelib as cl

LR, MOMENTUM, GAMMA = 0.1, 0.9, 0.5


def build(seed=0):
    """Parameters (corelib RNG, seeded), a fixed dataset and an empty optimizer state."""
    cl.manual_seed(seed)
    params = [cl.randn(4, 8, requires_grad=True), cl.zeros(8, requires_grad=True),
              cl.randn(8, 1, requires_grad=True), cl.zeros(1, requires_grad=True)]
    rs = np.random.RandomState(0)
    data = (cl.from_numpy(rs.randn(64, 4).astype(np.float32)),
            cl.from_numpy(rs.randn(64, 1).astype(np.float32)))
    return params, data, {"state": {}, "param_groups": [{"lr": LR, "momentum": MOMENTUM,
                                                       "params": [0, 1, 2, 3]}]}


def lr_at(epoch):                       # a StepLR(step_size=2, gamma=0.5)-like schedule
    return LR * GAMMA ** (epoch // 2)


def step(params, data, optim, epoch):
    x, y = data
    idx = cl.randint(0, 64, (16,))      # minibatch and noise come from corelib's RNG
    xb = x[idx] + 0.01 * cl.randn(16, 4)
    w1, b1, w2, b2 = params
    loss = (((xb @ w1 + b1).tanh() @ w2 + b2 - y[idx]) ** 2).mean()
    for p in params:
        p.grad = None
    loss.backward()
    group = optim["param_groups"][0]
    group["lr"] = lr_at(epoch)
    with cl.no_grad():
        for i, p in enumerate(params):
            st = optim["state"].setdefault(i, {"momentum_buffer": cl.zeros_like(p), "step": 0})
            st["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
            st["step"] += 1
            p.sub_(group["lr"] * st["momentum_buffer"])


def checkpoint(params, optim, epoch):
    return {"model_state_dict": {f"p{i}": p for i, p in enumerate(params)},
            "optimizer_state_dict": optim,
            "scheduler_state_dict": {"last_epoch": epoch, "base_lrs": [LR], "gamma": GAMMA,
                                     "step_size": 2, "_last_lr": [lr_at(epoch)]},
            "epoch": epoch, "rng_state": cl.random.get_rng_state()}


def resume(path, steps):
    """What a fresh process does: rebuild, load the checkpoint, train ``steps`` more."""
    params, data, _ = build(seed=123)   # a different init, overwritten by the checkpoint
    ck = cl.load(path)
    with cl.no_grad():
        for i, p in enumerate(params):
            p.copy_(ck["model_state_dict"][f"p{i}"])
    optim = ck["optimizer_state_dict"]
    cl.random.set_rng_state(ck["rng_state"])
    for epoch in range(ck["epoch"], ck["epoch"] + steps):
        step(params, data, optim, epoch)
    return [p.detach().numpy().copy() for p in params]


if __name__ == "__main__":              # child: python _train.py CHECKPOINT STEPS OUT
    import sys
    final = resume(sys.argv[1], int(sys.argv[2]))
    np.savez(sys.argv[3], *final)
