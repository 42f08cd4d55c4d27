"""corelib-schedulers: PyTorch's learning-rate schedulers for corelib.

Use them through the facade::

    from corelib.optim import lr_scheduler
    sched = lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)

The base class ``LRScheduler`` lives in the core (``corelib.optim.lr_scheduler``).
"""
__version__ = "0.1.0"
