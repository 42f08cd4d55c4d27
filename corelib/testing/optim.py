"""``check_optimizer``: a conformance check for optimizers (first-party and third-party).

    from corelib.testing import check_optimizer
    check_optimizer(MyOptimizer, lr=0.1)

It builds fresh parameters for a convex quadratic and asserts, with messages that say what is
wrong, that the optimizer

1. decreases the loss over ``steps`` steps;
2. continues identically after ``state_dict`` -> ``load_state_dict`` into a fresh instance;
3. ``zero_grad()`` sets the gradients to None (and to zeros with ``set_to_none=False``);
4. honours param groups with different learning rates (``lr=0`` freezes its group);
5. accepts ``add_param_group`` with the defaults filled in, and refuses a parameter that is
   already in a group.

Closure-based optimizers (``LBFGS``) are stepped with a closure. Returns a dict with the losses.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_optimizer", "OptimizerCheckError"]


class OptimizerCheckError(AssertionError):
    """An optimizer failed a conformance check (the message says which and why)."""


def _problem(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((6, 4))
    hess = m.T @ m / 6 + 0.5 * np.eye(4)
    target = rng.standard_normal(4)
    return hess, target


def _params(seed=1):
    import corelib
    rng = np.random.default_rng(seed)
    return [corelib.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True),
            corelib.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)]


def _loss_fn(params, hess, target):
    import corelib
    h = corelib.tensor(hess.astype(np.float32))
    t = corelib.tensor(target.astype(np.float32))
    total = None
    for p in params:
        r = p - t
        q = 0.5 * (r * (h @ r)).sum()
        total = q if total is None else total + q
    return total


def _step(opt, params, hess, target, closure_based):
    def closure():
        opt.zero_grad()
        loss = _loss_fn(params, hess, target)
        loss.backward()
        return loss
    if closure_based:
        return float(opt.step(closure))
    loss = closure()
    opt.step()
    return float(loss)


def _fail(cls, what):
    raise OptimizerCheckError(f"{cls.__name__}: {what}")


def check_optimizer(cls, steps=20, closure=None, **kwargs):
    """Run the conformance checks on optimizer class ``cls`` built with ``**kwargs``.

    Args:
        cls: an ``Optimizer`` subclass.
        steps (int): steps per phase (default 20).
        closure (bool or None): step with a closure; ``None`` guesses (True for LBFGS-like
            optimizers whose ``step`` requires one).
        **kwargs: hyper-parameters for ``cls`` (e.g. ``lr=0.1``).

    Raises:
        OptimizerCheckError: naming the failed property.
    """
    import inspect

    import corelib
    from corelib.optim.optimizer import Optimizer

    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise TypeError(f"check_optimizer expects an Optimizer subclass, got {cls!r}")
    if closure is None:
        sig = inspect.signature(cls.step)
        p = sig.parameters.get("closure")
        closure = p is not None and p.default is inspect.Parameter.empty
    hess, target = _problem()

    # 1. decreases a convex quadratic
    params = _params()
    opt = cls(params, **kwargs)
    losses = [_step(opt, params, hess, target, closure) for _ in range(steps)]
    final = float(_loss_fn(params, hess, target))
    if not np.isfinite(final) or not final < losses[0]:
        _fail(cls, f"did not decrease a convex quadratic in {steps} steps "
                   f"(loss {losses[0]:.6g} -> {final:.6g}); check the update's sign and lr")

    # 2. state_dict round trip continues identically
    sd = opt.state_dict()
    if set(sd) != {"state", "param_groups"}:
        _fail(cls, f"state_dict() keys are {sorted(sd)}, expected ['param_groups', 'state']")
    fresh = [corelib.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = cls(fresh, **kwargs)
    opt2.load_state_dict(sd)
    for i in range(max(3, steps // 4)):
        _step(opt, params, hess, target, closure)
        _step(opt2, fresh, hess, target, closure)
        for a, b in zip(params, fresh):
            if not np.array_equal(a.detach().numpy(), b.detach().numpy()):
                _fail(cls, f"after state_dict()/load_state_dict() into a fresh optimizer the "
                           f"parameters differ at continuation step {i + 1}: the state dict "
                           f"misses state or hyper-parameters, or load_state_dict does not copy")

    # 3. zero_grad
    _loss_fn(params, hess, target).backward()
    opt.zero_grad()
    if any(p.grad is not None for p in params):
        _fail(cls, "zero_grad() must set .grad to None by default (set_to_none=True)")
    _loss_fn(params, hess, target).backward()
    opt.zero_grad(set_to_none=False)
    if any(p.grad is None or np.any(p.grad.numpy() != 0) for p in params):
        _fail(cls, "zero_grad(set_to_none=False) must zero the gradients in place")

    # 4. param groups with different learning rates: each group behaves as if alone
    if not closure:
        lr = kwargs.get("lr", opt.defaults.get("lr"))
        lr2 = lr * 0.5
        gp = _params(seed=2)
        alone = [corelib.tensor(p.detach().numpy().copy(), requires_grad=True) for p in gp]
        gopt = cls([{"params": [gp[0]]}, {"params": [gp[1]], "lr": lr2}], **kwargs)
        if gopt.param_groups[1]["lr"] != lr2 or gopt.param_groups[0]["lr"] != lr:
            _fail(cls, "a group's own lr must override the default, others take the default")
        kw2 = dict(kwargs, lr=lr2)
        o0, o1 = cls([alone[0]], **kwargs), cls([alone[1]], **kw2)
        for _ in range(steps):
            _step(gopt, gp, hess, target, False)
            _step(o0, alone[:1], hess, target, False)
            _step(o1, alone[1:], hess, target, False)
        for a, b in zip(gp, alone):
            if not np.allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7):
                _fail(cls, "param groups with different lrs do not behave like separate "
                           "optimizers with those lrs: each group must use its own options")

    # 5. add_param_group
    if not closure:
        extra = corelib.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
        opt.add_param_group({"params": [extra]})
        g = opt.param_groups[-1]
        missing = [k for k in opt.defaults if k not in g]
        if missing:
            _fail(cls, f"add_param_group did not fill in the defaults {missing}")
        try:
            opt.add_param_group({"params": [params[0]]})
        except ValueError:
            pass
        else:
            _fail(cls, "add_param_group accepted a parameter that is already in a group")
    return {"losses": losses, "final_loss": final}
