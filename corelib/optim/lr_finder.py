"""The LR range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017).

Train for ``num_iter`` mini-batches while the learning rate grows (exponentially by default)
from ``start_lr`` to ``end_lr``; record the smoothed loss; stop early when it diverges. The
model and the optimizer are restored afterwards, so the test leaves no trace::

    finder = LRFinder(model, optimizer, criterion)
    history = finder.range_test(train_loader, start_lr=1e-7, end_lr=10, num_iter=100)
    lr = finder.suggestion()          # where the smoothed loss falls fastest
"""
from __future__ import annotations

import copy
import math

import numpy as np

__all__ = ["LRFinder"]


class LRFinder:
    """LR range test over ``model`` trained by ``optimizer`` on ``criterion``.

    Args:
        model: a callable model (``corelib.nn.Module`` or any callable); its ``state_dict`` is
            saved and restored when it has one.
        optimizer: a ``corelib.optim.Optimizer`` over the model's parameters.
        criterion: ``criterion(output, target) -> scalar loss tensor``.

    Attributes:
        history (dict): ``{"lr": [...], "loss": [...]}`` of the last ``range_test`` (smoothed loss).
    """

    def __init__(self, model, optimizer, criterion):
        self.model = model
        self.optimizer = optimizer
        self.criterion = criterion
        self.history = {"lr": [], "loss": []}
        self.best_loss = None

    # -------------------------------------------------------------- save / restore
    def _snapshot(self):
        params = [p for g in self.optimizer.param_groups for p in g["params"]]
        model_state = (copy.deepcopy(self.model.state_dict())
                       if hasattr(self.model, "state_dict") else None)
        return (model_state, copy.deepcopy(self.optimizer.state_dict()),
                [p.detach().numpy().copy() if p.device.type == "cpu" else p.detach().clone()
                 for p in params], params)

    def _restore(self, snap):
        model_state, opt_state, datas, params = snap
        for p, d in zip(params, datas):
            if isinstance(d, np.ndarray):
                p._data[...] = d
                p._vc[0] += 1
            else:
                p.data = d
        if model_state is not None:
            self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(opt_state)

    def reset(self):
        """Kept for torch-lr-finder compatibility: ``range_test`` already restores the state."""

    # -------------------------------------------------------------- the test
    def range_test(self, train_loader, start_lr=1e-7, end_lr=10, num_iter=100, step_mode="exp",
                   smooth_f=0.05, diverge_th=5, val_loader=None, accumulation_steps=1):
        """Run the test and return ``history`` (``{"lr": [...], "loss": [...]}``).

        Args:
            train_loader: an iterable of ``(inputs, targets)`` batches (a DataLoader or a list);
                re-iterated from the start when exhausted.
            start_lr (float): the first learning rate (default 1e-7).
            end_lr (float): the last learning rate (default 10).
            num_iter (int): number of mini-batches (default 100).
            step_mode (str): ``"exp"`` (geometric sweep) or ``"linear"``.
            smooth_f (float): exponential smoothing of the loss, in [0, 1) (default 0.05).
            diverge_th (float): stop when the smoothed loss exceeds ``diverge_th`` times the
                best one (default 5).
        """
        if step_mode not in ("exp", "linear"):
            raise ValueError(f"expected one of (exp, linear), got {step_mode!r}")
        if not 0 <= smooth_f < 1:
            raise ValueError("smooth_f is outside the range [0, 1)")
        if num_iter < 2:
            raise ValueError(f"num_iter must be at least 2, got {num_iter}")
        if not 0 < start_lr < end_lr:
            raise ValueError(f"expected 0 < start_lr < end_lr, got start_lr={start_lr}, "
                             f"end_lr={end_lr}")
        self.history = {"lr": [], "loss": []}
        self.best_loss = None
        snap = self._snapshot()
        try:
            it = iter(train_loader)
            for i in range(num_iter):
                frac = i / (num_iter - 1)
                lr = (start_lr * (end_lr / start_lr) ** frac if step_mode == "exp"
                      else start_lr + (end_lr - start_lr) * frac)
                for g in self.optimizer.param_groups:
                    g["lr"] = lr
                loss = 0.0
                self.optimizer.zero_grad()
                for _ in range(accumulation_steps):
                    try:
                        inputs, targets = next(it)
                    except StopIteration:
                        it = iter(train_loader)
                        inputs, targets = next(it)
                    out = self.criterion(self.model(inputs), targets)
                    (out / accumulation_steps).backward()
                    loss += float(out.item()) / accumulation_steps
                self.optimizer.step()
                if i > 0:
                    loss = smooth_f * loss + (1 - smooth_f) * self.history["loss"][-1]
                if self.best_loss is None or loss < self.best_loss:
                    self.best_loss = loss
                self.history["lr"].append(lr)
                self.history["loss"].append(loss)
                if not math.isfinite(loss) or loss > diverge_th * self.best_loss:
                    break
        finally:
            self._restore(snap)
        return self.history

    def suggestion(self, skip_start=10, skip_end=5):
        """The lr where the smoothed loss falls fastest (most negative gradient), skipping the
        first ``skip_start`` and last ``skip_end`` points."""
        lrs, losses = self.history["lr"], self.history["loss"]
        if not lrs:
            raise RuntimeError("run range_test() first")
        n = len(lrs)
        lo, hi = min(skip_start, max(n - 2, 0)), max(n - skip_end, min(skip_start, max(n - 2, 0)) + 2)
        lrs, losses = lrs[lo:hi], np.asarray(losses[lo:hi], dtype=np.float64)
        if len(losses) < 2:
            return lrs[0]
        losses = np.where(np.isfinite(losses), losses, np.nanmax(losses[np.isfinite(losses)]))
        return float(lrs[int(np.gradient(losses).argmin())])
