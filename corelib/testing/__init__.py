from corelib.testing.plugins import check_plugin
from corelib.testing.gradcheck import gradcheck, gradgradcheck, GradcheckError
