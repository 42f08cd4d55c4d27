"""PyTorch's optimizers on corelib tensors: SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax,
NAdam, RAdam, SparseAdam, ASGD and Rprop (LBFGS lives in ``lbfgs.py``).

Each class validates its arguments with PyTorch's messages, builds ``defaults`` with PyTorch's
defaults, keeps PyTorch's state keys (``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, a float32
0-dim ``step`` tensor, ...) and updates the parameters in place on their numpy arrays, repeating
the operation order of PyTorch's ``_single_tensor_*`` functions in the parameter's dtype.
Arguments that only select a PyTorch implementation (``foreach``, ``fused``, ``capturable``,
``differentiable``) are accepted and kept in the groups for state-dict compatibility.
"""
from __future__ import annotations

import math

import numpy as np

import corelib
from corelib._creation import _wrap
from corelib._tensor import Tensor
from corelib.optim.optimizer import Optimizer

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "SparseAdam", "ASGD", "Rprop"]

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# --------------------------------------------------------------------------- helpers


def _to_scalar(x):
    if isinstance(x, Tensor):
        return x.item()
    return x


def _arr(t):
    """The array behind a tensor (state tensors are made C-contiguous): numpy on cpu; on cuda
    a device array, updated by the same sequence of in-place array ops (each one a device
    kernel), while the cpu's fused numba kernels run only on numpy arrays."""
    if t._device.type not in ("cpu", "cuda"):
        raise NotImplementedError(
            f"corelib-optim updates cpu and cuda tensors; got a tensor on {t.device}. Move the "
            f"model to the cpu (model.cpu()) before creating the optimizer.")
    return t._data


def _host(a):
    return isinstance(a, np.ndarray)


def _bump(t):
    t._vc[0] += 1


def _zeros_like(p):
    return _wrap(np.zeros(p._data.shape, dtype=p._data.dtype), p._device)


def _full_like(p, value):
    return _wrap(np.full(p._data.shape, value, dtype=p._data.dtype), p._device)


def _scalar(value):
    """A float32 0-dim tensor (PyTorch's ``step``/``eta``/``mu`` counters)."""
    return _wrap(np.array(value, dtype=np.float32))


def _state_arr(t):
    a = t._data
    if not a.flags.c_contiguous:          # e.g. loaded from a state dict with other strides
        a = t._data = np.ascontiguousarray(a) if _host(a) else a.copy()
    return a


def _is_tensor(x):
    return isinstance(x, Tensor)


def _lerp_(a, b, w):
    """``a.lerp_(b, w)`` with PyTorch's formula (w a Python float)."""
    dt = a.dtype.type
    wf = dt(w)
    if abs(wf) < 0.5:
        a += wf * (b - a)
    else:
        np.subtract(b, (b - a) * (dt(1) - wf), out=a)


def _check_lr(lr, strict=False):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if (not 0.0 < lr) if strict else (not 0.0 <= lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check(cond, msg):
    if not cond:
        raise ValueError(msg)


def _check_adam_args(lr, eps, betas, weight_decay):
    """The Adam family's argument checks, in PyTorch's order."""
    _check_lr(lr)
    _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
    _check_betas(betas)
    _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


def _penalised_grad(g, pa, maximize, wd):
    """The gradient an update uses: negated to maximize, plus the L2 penalty wd * p."""
    if maximize:
        g = -g
    if wd != 0:
        g = g + pa.dtype.type(wd) * pa
    return g


def _axpy_(pa, alpha, g):
    """pa += alpha * g: one kernel where the array type has one (cuda), two numpy passes else."""
    f = getattr(pa, "_axpy_", None)
    if f is not None:
        f(alpha, g)
    else:
        pa += alpha * g


def _check_fused(fused, foreach, differentiable):
    """PyTorch's checks of ``fused`` (which only picks an implementation there)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class _Base(Optimizer):
    """Shared step plumbing: the closure runs with grad enabled, the update without."""

    def _closure(self, closure):
        if closure is None:
            return None
        with corelib.enable_grad():
            return closure()

    def _params_with_grad(self, group, name):
        out = []
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if getattr(g, "is_sparse", False) and name is not None:
                raise RuntimeError(f"{name} does not support sparse gradients")
            out.append(p)
        return out

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)


def _grad_arr(p):
    g = _arr(p.grad)
    return g


def _flat(a):
    """(1-D C-contiguous view or copy, needs_write_back)."""
    if a.flags.c_contiguous:
        return a.reshape(-1), False
    return np.ascontiguousarray(a).reshape(-1), True


# --------------------------------------------------------------------------- SGD


class SGD(_Base):
    """Stochastic gradient descent, optionally with momentum (PyTorch's formulation)::

        b = momentum * b + (1 - dampening) * g      (b = g at the first step)
        p = p - lr * (g + momentum * b if nesterov else b)

    Args: params, lr (default 1e-3), momentum (0), dampening (0), weight_decay (0, L2 penalty),
    nesterov (False), maximize (False); foreach/differentiable/fused are accepted.

    Example::

        opt = corelib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        opt.zero_grad(); loss_fn(net(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss, optional)."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            wd = _to_scalar(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                pa = _arr(p)
                ga = _grad_arr(p)
                # no state entry at all without momentum (self.state is a defaultdict), as PyTorch
                buf_t = self.state[p].get("momentum_buffer") if momentum != 0 else None
                init = momentum != 0 and buf_t is None
                if init:
                    buf_t = _zeros_like(p)
                if pa.dtype in _KERNEL_DTYPES and _host(pa):
                    from corelib_optim._kernels import sgd_kernel
                    dt = pa.dtype.type
                    pf, wb = _flat(pa)
                    gf = np.ascontiguousarray(ga, dtype=pa.dtype).reshape(-1)
                    bf = _state_arr(buf_t).reshape(-1) if buf_t is not None else pf
                    sgd_kernel(pf, gf, bf, bool(maximize), wd != 0, dt(wd), momentum != 0, init,
                               dt(momentum), dt(1 - dampening), bool(nesterov), dt(-lr))
                    if wb:
                        pa[...] = pf.reshape(pa.shape)
                else:
                    self._numpy_update(pa, ga, buf_t, init, lr, wd, momentum, dampening,
                                       nesterov, maximize)
                if momentum != 0:
                    self.state[p]["momentum_buffer"] = buf_t
                _bump(p)
        return loss

    @staticmethod
    def _numpy_update(pa, ga, buf_t, init, lr, wd, momentum, dampening, nesterov, maximize):
        dt = pa.dtype.type
        g = _penalised_grad(ga, pa, maximize, wd)
        if momentum != 0:
            buf = _state_arr(buf_t)
            if init:
                buf[...] = g
            else:
                buf *= dt(momentum)
                buf += dt(1 - dampening) * g
            g = g + dt(momentum) * buf if nesterov else buf
        _axpy_(pa, dt(-lr), g)


# --------------------------------------------------------------------------- Adagrad


class Adagrad(_Base):
    """Adagrad: per-coordinate learning rates from the running sum of squared gradients.

    Args: params, lr (1e-2), lr_decay (0), weight_decay (0), initial_accumulator_value (0),
    eps (1e-10), foreach, maximize (False), differentiable, fused.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar(0.0)
                state["sum"] = _full_like(p, initial_accumulator_value)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            wd, lr_decay, eps = group["weight_decay"], group["lr_decay"], group["eps"]
            for p in self._params_with_grad(group, None):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                step_t = state["step"]._data
                step_t += 1
                step = float(step_t)
                g = _penalised_grad(g, pa, group["maximize"], wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                ssum = _state_arr(state["sum"])
                ssum += dt(1) * g * g
                std = np.sqrt(ssum)
                std += dt(eps)
                pa += dt(-clr) * g / std
                _bump(p)
        return loss


# --------------------------------------------------------------------------- RMSprop


class RMSprop(_Base):
    """RMSprop (Hinton): divide the gradient by a running RMS of recent gradients.

    Args: params, lr (1e-2), alpha (0.99), eps (1e-8), weight_decay (0), momentum (0),
    centered (False), capturable, foreach, maximize (False), differentiable.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered = group["momentum"], group["centered"]
            for p in self._params_with_grad(group, "RMSprop"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                state["step"]._data += 1
                g = _penalised_grad(g, pa, group["maximize"], wd)
                sq = _state_arr(state["square_avg"])
                sq *= dt(alpha)
                sq += dt(1 - alpha) * g * g
                if centered:
                    ga = _state_arr(state["grad_avg"])
                    _lerp_(ga, g, 1 - alpha)
                    avg = np.sqrt(sq + dt(-1) * ga * ga)
                else:
                    avg = np.sqrt(sq)
                avg += dt(eps)
                if momentum > 0:
                    buf = _state_arr(state["momentum_buffer"])
                    buf *= dt(momentum)
                    buf += dt(1) * g / avg
                    pa += dt(-lr) * buf
                else:
                    pa += dt(-lr) * g / avg
                _bump(p)
        return loss


# --------------------------------------------------------------------------- Adadelta


class Adadelta(_Base):
    """Adadelta (Zeiler): step sizes from running averages of squared gradients and updates.

    Args: params, lr (1.0), rho (0.9), eps (1e-6), weight_decay (0), foreach, capturable,
    maximize (False), differentiable.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            rho, eps, wd = group["rho"], group["eps"], group["weight_decay"]
            for p in self._params_with_grad(group, "Adadelta"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                state["step"]._data += 1
                g = _penalised_grad(g, pa, group["maximize"], wd)
                sq = _state_arr(state["square_avg"])
                acc = _state_arr(state["acc_delta"])
                sq *= dt(rho)
                sq += dt(1 - rho) * g * g
                std = np.sqrt(sq + dt(eps))
                delta = np.sqrt(acc + dt(eps))
                delta /= std
                delta *= g
                acc *= dt(rho)
                acc += dt(1 - rho) * delta * delta
                pa += dt(-lr) * delta
                _bump(p)
        return loss


# --------------------------------------------------------------------------- Adam / AdamW


class Adam(_Base):
    """Adam (Kingma & Ba), with AMSGrad and decoupled weight decay options::

        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Args: params, lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0), amsgrad (False),
    foreach, maximize (False), capturable, differentiable, fused, decoupled_weight_decay (False).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_adam_args(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(map(_to_scalar, betas))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("capturable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            eps, wd, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
            decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
            for p in self._params_with_grad(group, "Adam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                pa, ga = _arr(p), _grad_arr(p)
                step_t = state["step"]._data
                step_t += 1
                step = float(step_t)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bc2_sqrt = bias_correction2 ** 0.5
                m = _state_arr(state["exp_avg"])
                v = _state_arr(state["exp_avg_sq"])
                vmax = _state_arr(state["max_exp_avg_sq"]) if amsgrad else None
                dt = pa.dtype.type
                if pa.dtype in _KERNEL_DTYPES and _host(pa):
                    from corelib_optim._kernels import adam_kernel
                    w1 = dt(1 - beta1)
                    pf, wb = _flat(pa)
                    gf = np.ascontiguousarray(ga, dtype=pa.dtype).reshape(-1)
                    mode = 0 if wd == 0 else (2 if decoupled else 1)
                    adam_kernel(pf, gf, m.reshape(-1), v.reshape(-1),
                                vmax.reshape(-1) if amsgrad else m.reshape(-1), bool(maximize),
                                mode, dt(wd), dt(1 - lr * wd), bool(abs(w1) < 0.5), w1,
                                dt(1) - w1, dt(beta2), dt(1 - beta2), bool(amsgrad), dt(bc2_sqrt),
                                dt(eps), dt(-step_size))
                    if wb:
                        pa[...] = pf.reshape(pa.shape)
                else:
                    g = -ga if maximize else ga
                    if wd != 0:
                        if decoupled:
                            pa *= dt(1 - lr * wd)
                        else:
                            g = g + dt(wd) * pa
                    _lerp_(m, g, 1 - beta1)
                    v *= dt(beta2)
                    v += dt(1 - beta2) * g * g
                    if amsgrad:
                        np.maximum(vmax, v, out=vmax)
                        denom = np.sqrt(vmax) / dt(bc2_sqrt)
                    else:
                        denom = np.sqrt(v) / dt(bc2_sqrt)
                    denom += dt(eps)
                    pa += dt(-step_size) * m / denom
                _bump(p)
        return loss


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (default 1e-2).

    Args: params, lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (1e-2),
    amsgrad (False), maximize, foreach, capturable, differentiable, fused.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


# --------------------------------------------------------------------------- Adamax


class Adamax(_Base):
    """Adamax: Adam with the infinity norm in place of the second moment.

    Args: params, lr (2e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0), foreach,
    maximize (False), differentiable, capturable.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd = group["eps"], group["weight_decay"]
            for p in self._params_with_grad(group, "Adamax"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                step_t = state["step"]._data
                step_t += 1
                g = _penalised_grad(g, pa, group["maximize"], wd)
                m = _state_arr(state["exp_avg"])
                u = _state_arr(state["exp_inf"])
                _lerp_(m, g, 1 - beta1)
                u *= dt(beta2)
                np.maximum(u, np.abs(g) + dt(eps), out=u)
                clr = lr / (1 - beta1 ** float(step_t))
                pa += dt(-clr) * m / u
                _bump(p)
        return loss


# --------------------------------------------------------------------------- NAdam


class NAdam(_Base):
    """NAdam (Dozat): Adam with Nesterov momentum and a momentum-decay schedule.

    Args: params, lr (2e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0),
    momentum_decay (4e-3), decoupled_weight_decay (False), foreach, maximize, capturable,
    differentiable. State: step, mu_product, exp_avg, exp_avg_sq.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd, md = group["eps"], group["weight_decay"], group["momentum_decay"]
            for p in self._params_with_grad(group, "NAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["mu_product"] = _scalar(1.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                step_t = state["step"]._data
                step_t += 1
                step = float(step_t)
                if group["maximize"]:
                    g = -g
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        pa *= dt(1 - lr * wd)
                    else:
                        g = g + dt(wd) * pa
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
                mp = state["mu_product"]._data
                mp *= np.float32(mu)
                m = _state_arr(state["exp_avg"])
                v = _state_arr(state["exp_avg_sq"])
                _lerp_(m, g, 1 - beta1)
                v *= dt(beta2)
                v += dt(1 - beta2) * g * g
                denom = np.sqrt(v / dt(bias_correction2))
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                denom += dt(eps)
                pa += dt(-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
                pa += dt(-lr * mu_next / (1.0 - mu_product_next)) * m / denom
                _bump(p)
        return loss


# --------------------------------------------------------------------------- RAdam


class RAdam(_Base):
    """RAdam (Liu et al.): Adam with a rectified adaptive learning rate.

    Args: params, lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0),
    decoupled_weight_decay (False), foreach, maximize, capturable, differentiable.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd = group["eps"], group["weight_decay"]
            for p in self._params_with_grad(group, "RAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                step_t = state["step"]._data
                step_t += 1
                step = float(step_t)
                if group["maximize"]:
                    g = -g
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        pa *= dt(1 - lr * wd)
                    else:
                        g = g + dt(wd) * pa
                m = _state_arr(state["exp_avg"])
                v = _state_arr(state["exp_avg_sq"])
                _lerp_(m, g, 1 - beta1)
                v *= dt(beta2)
                v += dt(1 - beta2) * g * g
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected = m / dt(bias_correction1)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    sq = np.sqrt(v)
                    sq += dt(eps)
                    adaptive = dt(bias_correction2 ** 0.5) / sq
                    pa += dt(-1.0) * (bias_corrected * dt(lr) * adaptive * dt(rect))
                else:
                    pa += dt(-1.0) * (bias_corrected * dt(lr))
                _bump(p)
        return loss


# --------------------------------------------------------------------------- SparseAdam


class SparseAdam(_Base):
    """Adam for sparse gradients (e.g. of an Embedding): only the rows (entries along dim 0)
    whose gradient is non-zero are updated, moments included (lazy Adam).

    Args: params, lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), maximize (False).
    State: step (an int), exp_avg, exp_avg_sq.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr, strict=True)
        _check(0.0 < eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, maximize = group["eps"], group.get("maximize", False)
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                state["step"] += 1
                step = state["step"]
                pa, ga = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                if pa.ndim == 0:
                    pa2, g2 = pa.reshape(1, 1), ga.reshape(1, 1)
                else:
                    pa2, g2 = pa.reshape(pa.shape[0], -1), ga.reshape(ga.shape[0], -1)
                rows = np.flatnonzero(np.any(g2 != 0, axis=1))
                if rows.size == 0:
                    continue
                gv = g2[rows]
                if maximize:
                    gv = -gv
                m = _state_arr(state["exp_avg"])
                v = _state_arr(state["exp_avg_sq"])
                m2 = m.reshape(pa2.shape)
                v2 = v.reshape(pa2.shape)
                old_m = m2[rows]
                m_upd = (gv - old_m) * dt(1 - beta1)
                m2[rows] = old_m + m_upd
                old_v = v2[rows]
                v_upd = (gv ** 2 - old_v) * dt(1 - beta2)
                v2[rows] = old_v + v_upd
                numer = m_upd + old_m
                denom = np.sqrt(v_upd + old_v)
                denom += dt(eps)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr * math.sqrt(bias_correction2) / bias_correction1
                upd = dt(-step_size) * (numer / denom)
                if not np.shares_memory(pa2, pa):   # reshape copied (non-contiguous p)
                    flat = pa2.copy()
                    flat[rows] += upd
                    pa[...] = flat.reshape(pa.shape)
                else:
                    pa2[rows] = pa2[rows] + upd
                _bump(p)
        return loss


# --------------------------------------------------------------------------- ASGD


class ASGD(_Base):
    """Averaged SGD (Polyak & Juditsky); ``state[p]["ax"]`` holds the averaged parameter.

    Args: params, lr (1e-2), lambd (1e-4), alpha (0.75), t0 (1e6), weight_decay (0), foreach,
    maximize (False), differentiable, capturable. State: step, eta, mu, ax.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lambd, alpha, t0, wd = group["lambd"], group["alpha"], group["t0"], group["weight_decay"]
            for p in self._params_with_grad(group, "ASGD"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["eta"] = _scalar(lr)
                    state["mu"] = _scalar(1.0)
                    state["ax"] = _zeros_like(p)
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                step_t = state["step"]._data
                step_t += 1
                g = _penalised_grad(g, pa, group["maximize"], wd)
                eta_value = float(state["eta"]._data)
                pa *= dt(1 - lambd * eta_value)
                pa += dt(-eta_value) * g
                ax = _state_arr(state["ax"])
                mu = state["mu"]._data
                if float(mu) != 1:
                    ax += (pa - ax) * dt(float(mu))
                else:
                    ax[...] = pa
                step = float(step_t)
                state["eta"]._data[...] = lr / (1 + lambd * lr * step) ** alpha
                state["mu"]._data[...] = 1 / max(1, step - t0)
                _bump(p)
        return loss


# --------------------------------------------------------------------------- Rprop


class Rprop(_Base):
    """Resilient backpropagation: per-coordinate step sizes grown by etas[1] while the
    gradient's sign holds, shrunk by etas[0] when it flips, clamped to step_sizes.

    Args: params, lr (1e-2, the initial step size), etas ((0.5, 1.2)), step_sizes ((1e-6, 50)),
    capturable, foreach, maximize (False), differentiable. State: step, prev, step_size.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p in self._params_with_grad(group, "Rprop"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _scalar(0.0)
                    state["prev"] = _zeros_like(p)
                    state["step_size"] = _full_like(p, _to_scalar(group["lr"]))
                pa, g = _arr(p), _grad_arr(p)
                dt = pa.dtype.type
                state["step"]._data += 1
                if group["maximize"]:
                    g = -g
                prev = _state_arr(state["prev"])
                step_size = _state_arr(state["step_size"])
                sign = np.sign(g * prev)
                if not _host(pa):                # device arrays: the same values via where
                    from corelib.backends.cuda import xp
                    sign = xp.where(sign > 0, dt(etaplus), xp.where(sign < 0, dt(etaminus), dt(1)))
                    step_size *= sign
                    step_size[...] = xp.clip(step_size, dt(step_size_min), dt(step_size_max))
                    g = xp.where(sign == dt(etaminus), dt(0), g)
                    pa += dt(-1) * np.sign(g) * step_size
                    prev[...] = g
                    _bump(p)
                    continue
                gt, lt, eq = sign > 0, sign < 0, sign == 0
                sign[gt] = etaplus
                sign[lt] = etaminus
                sign[eq] = 1
                step_size *= sign
                np.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
                g = np.array(g, copy=True)
                g[sign == dt(etaminus)] = 0
                pa += dt(-1) * np.sign(g) * step_size
                prev[...] = g
                _bump(p)
        return loss
