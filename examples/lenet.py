"""LeNet built from Sequentials of OrderedDicts, as in the notes (section 5.2.1.2).

Each layer is named, so it can be reached as ``net.features.conv1`` and shows up as
``features.conv1.weight`` in ``state_dict()``. Needs the layers bundle (corelib-layers):

    python examples/lenet.py
"""
from collections import OrderedDict

import corelib as torch
import corelib.nn as nn


class LeNetSequentialOrderDict(nn.Module):
    def __init__(self, classes):
        super(LeNetSequentialOrderDict, self).__init__()

        # 每一层可以命名，方便索引 (every layer gets a name, handy for indexing)
        self.features = nn.Sequential(OrderedDict({
            'conv1': nn.Conv2d(3, 6, 5),
            'relu1': nn.ReLU(inplace=True),
            'pool1': nn.MaxPool2d(kernel_size=2, stride=2),

            'conv2': nn.Conv2d(6, 16, 5),
            'relu2': nn.ReLU(inplace=True),
            'pool2': nn.MaxPool2d(kernel_size=2, stride=2),
        }))

        self.classifier = nn.Sequential(OrderedDict({
            'fc1': nn.Linear(16*5*5, 120),
            'relu3': nn.ReLU(),

            'fc2': nn.Linear(120, 84),
            'relu4': nn.ReLU(inplace=True),

            'fc3': nn.Linear(84, classes),
        }))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size()[0], -1)
        x = self.classifier(x)
        return x


def main(batch_size=4, classes=2, verbose=True):
    """Forward and backward one random batch of 32x32 RGB images; returns (net, output)."""
    torch.manual_seed(0)
    net = LeNetSequentialOrderDict(classes=classes)
    fake_img = torch.randn((batch_size, 3, 32, 32))
    output = net(fake_img)
    loss = output.pow(2).mean()
    loss.backward()
    if verbose:
        print(net)
        print("output shape:", tuple(output.shape))
        print("conv1.weight grad norm: %.4f" % net.features.conv1.weight.grad.norm().item())
    return net, output


if __name__ == "__main__":
    main()
