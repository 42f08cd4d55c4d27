"""Feature maps and convolution kernels in TensorBoard (notes chapters 10 and 11).

Forward hooks (``Module.register_forward_hook``, notes 11.1.2) catch the output of every
Conv2d of LeNet while one Digits image goes through it; ``make_grid`` tiles the kernels and
the feature maps and ``SummaryWriter.add_image`` logs them (notes 10.1.4 / 10.2), next to
the model graph (``add_graph``) and the torchsummary table (notes 10.3).

    python examples/feature_maps.py [--checkpoint runs/<run>/checkpoints/epoch_012.pt]
    tensorboard --logdir runs/feature_maps

Without ``--checkpoint`` the LeNet has its random initial weights; pass a checkpoint
written by ``corelib train`` to see trained filters. Needs the layers, transforms,
datasets and loggers bundles.
"""
import argparse

import corelib
import corelib.transforms as transforms
from corelib.models import create_model
from corelib.utils import make_grid, summary
from corelib.utils.tensorboard import SummaryWriter


def digit(index=0):
    """Test image ``index`` of Digits as a 1 x 1 x 32 x 32 batch (and its label)."""
    tf = transforms.Compose([transforms.Resize(32), transforms.ToTensor(),
                             transforms.Normalize((0.306,), (0.324,))])
    img, label = corelib.datasets.Digits(train=False, transform=tf)[index]
    return img.unsqueeze(0), label


def main(logdir="runs/feature_maps", checkpoint=None, index=0, verbose=True):
    """Log kernels and feature maps of every Conv2d; returns {layer name: feature-map shape}."""
    corelib.manual_seed(0)
    net = create_model("lenet", in_channels=1, num_classes=10)
    if checkpoint:
        net.load_state_dict(corelib.load(checkpoint)["model_state_dict"])
    net.eval()
    x, label = digit(index)

    feature_maps = {}
    handles = []
    for name, module in net.named_modules():
        if isinstance(module, corelib.nn.Conv2d):
            def hook(m, inputs, output, name=name):            # notes 11.1.2
                feature_maps[name] = output.detach()
            handles.append(module.register_forward_hook(hook))
    with corelib.no_grad():
        pred = int(net(x).argmax(1).item())
    for h in handles:
        h.remove()

    with SummaryWriter(log_dir=logdir, comment="_feature_maps") as writer:
        writer.add_image("input", make_grid(x, normalize=True), 0)
        for name, fmap in feature_maps.items():
            # feature maps: 1 x C x H x W -> C single-channel images in one grid
            grid = make_grid(fmap.transpose(0, 1), nrow=8, normalize=True, scale_each=True)
            writer.add_image(f"{name}/feature_maps", grid, 0)
            # kernels: out x in x k x k -> every (out, in) kernel as one small image
            w = dict(net.named_modules())[name].weight.detach()
            o, i, kh, kw = w.shape
            kernels = w.reshape(o * i, 1, kh, kw)
            writer.add_image(f"{name}/kernels", make_grid(kernels, nrow=i if i > 1 else 6,
                                                          normalize=True, scale_each=True, padding=1), 0)
        writer.add_graph(net, x)
    if verbose:
        summary(net, (1, 32, 32), device="cpu")
        print(f"digit {label}, predicted {pred}; logged to {logdir}")
        for name, fmap in feature_maps.items():
            print(f"  {name}: feature maps {tuple(fmap.shape)}")
    return {name: tuple(f.shape) for name, f in feature_maps.items()}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--logdir", default="runs/feature_maps")
    p.add_argument("--checkpoint", default=None, help="a corelib train checkpoint of LeNet on Digits")
    p.add_argument("--index", type=int, default=0, help="which test digit to show")
    a = p.parse_args()
    main(a.logdir, a.checkpoint, a.index)
