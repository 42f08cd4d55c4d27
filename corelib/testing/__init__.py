from corelib.testing.plugins import check_plugin
from corelib.testing.gradcheck import gradcheck, gradgradcheck, GradcheckError
from corelib.testing.optim import check_optimizer, OptimizerCheckError
from corelib.testing.losses import check_loss, LossCheckReport
