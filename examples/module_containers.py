"""The container examples of the notes (sections 5.2.1.3 and 5.2.1.4).

ModuleList: 20 Linear layers built in one line and applied in a loop.
ModuleDict: pick the convolution/pooling layer and the activation by name at call time.
Needs the layers bundle (corelib-layers):

    python examples/module_containers.py
"""
import corelib as torch
import corelib.nn as nn


class ModuleList(nn.Module):
    def __init__(self):
        super(ModuleList, self).__init__()
        # 容易构造出 20 层全连接层 (20 fully connected layers, easily)
        self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(20)])

    def forward(self, x):
        for i, linear in enumerate(self.linears):
            x = linear(x)
        return x


class ModuleDict(nn.Module):
    def __init__(self):
        super(ModuleDict, self).__init__()
        self.choices = nn.ModuleDict({
            'conv': nn.Conv2d(10, 10, 3),
            'pool': nn.MaxPool2d(3)
        })

        self.activations = nn.ModuleDict({
            'relu': nn.ReLU(),
            'prelu': nn.PReLU()
        })

    def forward(self, x, choice, act):
        x = self.choices[choice](x)
        x = self.activations[act](x)
        return x


def main(verbose=True):
    """Run both examples forward and backward; returns their outputs."""
    torch.manual_seed(0)
    net = ModuleList()
    fake_data = torch.ones((10, 10))
    out_list = net(fake_data)
    out_list.sum().backward()
    if verbose:
        print(net)
        print("ModuleList output shape:", tuple(out_list.shape))

    net = ModuleDict()
    fake_img = torch.randn((4, 10, 32, 32))
    output = net(fake_img, 'conv', 'relu')
    output.sum().backward()
    pooled = net(fake_img, 'pool', 'prelu')
    pooled.mean().backward()
    if verbose:
        print(net)
        print("ModuleDict conv+relu output shape:", tuple(output.shape))
        print("ModuleDict pool+prelu output shape:", tuple(pooled.shape))
    return out_list, output, pooled


if __name__ == "__main__":
    main()
