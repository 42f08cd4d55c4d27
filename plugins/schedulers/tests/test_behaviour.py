"""Scheduler behaviour beyond the sequences: warnings, state dicts, validation, registry."""
import warnings

import pytest

import corelib
from corelib import registry
from corelib.optim import lr_scheduler


def _opt(lr=0.1):
    return corelib.optim.SGD([corelib.zeros(2, requires_grad=True)], lr=lr, momentum=0.9)


def test_registry_names():
    for name in ["step_lr", "multi_step_lr", "exponential_lr", "cosine_annealing_lr",
                 "reduce_lr_on_plateau", "lambda_lr", "multiplicative_lr", "linear_lr",
                 "constant_lr", "polynomial_lr", "cosine_annealing_warm_restarts", "cyclic_lr",
                 "one_cycle_lr", "sequential_lr", "chained_scheduler"]:
        cls = registry.get("scheduler", name)
        assert issubclass(cls, lr_scheduler.LRScheduler)
        assert getattr(lr_scheduler, cls.__name__) is cls


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt()
    s = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()


def test_no_warning_in_the_right_order():
    opt = _opt()
    s = lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        s.step()
    assert opt._step_count == 1


def test_lambda_state_dict_skips_functions():
    opt = _opt()

    class Rule:
        def __init__(self):
            self.k = 0.5

        def __call__(self, e):
            return self.k ** e

    s = lr_scheduler.LambdaLR(opt, lr_lambda=Rule())
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"k": 0.5}]
    s2 = lr_scheduler.LambdaLR(_opt(), lr_lambda=lambda e: 1.0)
    assert s2.state_dict()["lr_lambdas"] == [None]


def test_get_lr_outside_step_warns():
    s = lr_scheduler.ExponentialLR(_opt(), gamma=0.9)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()


@pytest.mark.parametrize("build,msg", [
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), "Factor should be < 1.0."),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="avg"), "mode avg is unknown!"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2), "between 0 and 1"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), "Expected positive integer T_0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), "You must define either total_steps"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="bad"), "mode is invalid"),
])
def test_validation(build, msg):
    with pytest.raises(ValueError, match=msg):
        build(_opt())


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), 3)


def test_verbose_accepted_and_last_epoch_resume():
    opt = _opt()
    lr_scheduler.ReduceLROnPlateau(opt, verbose=False)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(_opt(), 3, last_epoch=4)
    s = lr_scheduler.StepLR(opt, 3)
    assert s.base_lrs == [0.1] and s.last_epoch == 0 and s.get_last_lr() == [0.1]
    assert isinstance(s, lr_scheduler._LRScheduler) or issubclass(lr_scheduler._LRScheduler, lr_scheduler.LRScheduler)
