"""AlexNet (notes 5.1.2): ReLU, Local Response Normalization, Dropout, with torchvision's
layer sizes and an AdaptiveAvgPool2d((6, 6)) so any input of at least 63x63 works.

LRN (size=5, alpha=1e-4, beta=0.75, k=2, as in the paper) follows the first two ReLUs. The
classifier holds most of the ~61M parameters (9216*4096 + 4096*4096 + 4096*classes).
Needs the layers bundle (corelib-layers):

    python examples/alexnet.py [--size 224]
"""
import argparse
import time

import corelib as torch
import corelib.nn as nn


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super(AlexNet, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.classifier(x)
        return x


def main(size=224, batch_size=1, num_classes=1000, verbose=True):
    """Forward and backward one random batch; returns (net, output).

    size: input height/width (>= 63; 224 is the ImageNet size)."""
    torch.manual_seed(0)
    net = AlexNet(num_classes=num_classes)
    x = torch.randn(batch_size, 3, size, size)
    t0 = time.perf_counter()
    output = net(x)
    t1 = time.perf_counter()
    output.logsumexp(1).mean().backward()
    t2 = time.perf_counter()
    if verbose:
        print(net)
        print("parameters: %d" % sum(p.numel() for p in net.parameters()))
        print("output shape:", tuple(output.shape))
        print("forward %.3f s, backward %.3f s" % (t1 - t0, t2 - t1))
    return net, output


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch-size", type=int, default=1)
    args = ap.parse_args()
    main(size=args.size, batch_size=args.batch_size)
