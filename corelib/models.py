"""A small model zoo for ``corelib train`` and the examples: ``lenet`` and ``mlp``.

Layers come from the registry at construction time (``corelib.nn.Conv2d`` ... resolve to
the layers bundle), so importing this module imports no bundle; building a model without
the layers bundle raises the registry's "pip install corelib-layers" error.

    >>> from corelib.models import create_model
    >>> net = create_model("lenet", in_channels=1, num_classes=10)
"""
from collections import OrderedDict

import corelib.nn as nn

__all__ = ["LeNet", "MLP", "MODELS", "create_model", "list_models"]


class LeNet(nn.Module):
    """LeNet-5 as in the notes (5.2.1.2, ``LeNetSequentialOrderDict``): named layers in two
    Sequentials, for ``in_channels x 32 x 32`` inputs. The ReLUs are not in-place so that
    forward hooks see each layer's own output (Grad-CAM hooks ``features.relu2``)."""

    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.features = nn.Sequential(OrderedDict({
            "conv1": nn.Conv2d(in_channels, 6, 5),
            "relu1": nn.ReLU(),
            "pool1": nn.MaxPool2d(kernel_size=2, stride=2),
            "conv2": nn.Conv2d(6, 16, 5),
            "relu2": nn.ReLU(),
            "pool2": nn.MaxPool2d(kernel_size=2, stride=2),
        }))
        self.classifier = nn.Sequential(OrderedDict({
            "fc1": nn.Linear(16 * 5 * 5, 120),
            "relu3": nn.ReLU(),
            "fc2": nn.Linear(120, 84),
            "relu4": nn.ReLU(),
            "fc3": nn.Linear(84, num_classes),
        }))

    #: the layer Grad-CAM looks at by default (the last convolution)
    cam_layer = "features.relu2"

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size()[0], -1)
        return self.classifier(x)


class MLP(nn.Module):
    """A tiny multilayer perceptron: flatten, one hidden layer, output layer."""

    cam_layer = None     # no convolution: Grad-CAM falls back to the input

    def __init__(self, num_classes=10, in_channels=3, image_size=32, hidden=128):
        super().__init__()
        self.net = nn.Sequential(OrderedDict({
            "flatten": nn.Flatten(),
            "fc1": nn.Linear(in_channels * image_size * image_size, hidden),
            "relu1": nn.ReLU(),
            "fc2": nn.Linear(hidden, num_classes),
        }))

    def forward(self, x):
        return self.net(x)


MODELS = {"lenet": LeNet, "mlp": MLP}


def list_models():
    """The names ``create_model`` accepts."""
    return sorted(MODELS)


def create_model(name, num_classes=10, in_channels=3, image_size=32):
    """Build model ``name`` (see :func:`list_models`) for ``in_channels x image_size x
    image_size`` inputs and ``num_classes`` outputs."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {list_models()}") from None
    if cls is LeNet:
        if image_size != 32:
            raise ValueError(f"lenet needs 32x32 inputs, got image_size={image_size}")
        return LeNet(num_classes=num_classes, in_channels=in_channels)
    return cls(num_classes=num_classes, in_channels=in_channels, image_size=image_size)
