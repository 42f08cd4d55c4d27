"""Custom transform from the notes (section 4.6): AddPepperNoise, salt-and-pepper noise.

Salt-and-pepper (impulse) noise sets random pixels to white (salt) or black (pepper).
The signal-to-noise rate ``snr`` is the fraction of pixels kept. A custom transform is any
callable taking one image and returning one image, so it drops into a Compose:

    python examples/add_pepper_noise.py [--out noisy.png]
"""
import argparse

import numpy as np
from PIL import Image, ImageDraw

import corelib.random
from corelib import transforms


class AddPepperNoise(object):
    """Add salt-and-pepper noise to a PIL image with probability p.

    Args:
        snr (float): signal-to-noise rate, the fraction of pixels left untouched (0..1).
        p (float): probability of adding noise at all.
    """

    def __init__(self, snr, p=0.9):
        if not (isinstance(snr, float) and 0.0 <= snr <= 1.0):
            raise ValueError(f"snr should be a float in [0, 1], got {snr!r}")
        self.snr = snr      # 信噪比
        self.p = p          # 依概率增加噪声

    def __call__(self, img):
        rng = corelib.random.numpy_rng()         # corelib's RNG: manual_seed makes it repeat
        if rng.random() >= self.p:
            return img
        img_ = np.array(img).copy()
        h, w = img_.shape[:2]
        noise_pct = 1.0 - self.snr
        # 0: signal, 1: salt (white), 2: pepper (black); one draw per pixel for all channels
        mask = rng.choice((0, 1, 2), size=(h, w), p=[self.snr, noise_pct / 2.0, noise_pct / 2.0])
        img_[mask == 1] = 255   # 盐噪声
        img_[mask == 2] = 0     # 椒噪声
        return Image.fromarray(img_.astype("uint8")).convert(img.mode)

    def __repr__(self):
        return f"{self.__class__.__name__}(snr={self.snr}, p={self.p})"


def demo_image(size=64):
    img = Image.new("RGB", (size, size), (120, 160, 200))
    draw = ImageDraw.Draw(img)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(230, 120, 40))
    return img


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="save the noisy image here")
    parser.add_argument("--snr", type=float, default=0.9)
    args = parser.parse_args()

    corelib.random.manual_seed(0)
    norm_mean, norm_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    train_transform = transforms.Compose([
        transforms.Resize((32, 32)),
        AddPepperNoise(args.snr, p=1.0),
        transforms.ToTensor(),
        transforms.Normalize(norm_mean, norm_std),
    ])
    print(train_transform)

    img = demo_image()
    noisy = transforms.Compose(train_transform.transforms[:2])(img)
    a = np.asarray(noisy)
    salt = int(np.all(a == 255, axis=-1).sum())
    pepper = int(np.all(a == 0, axis=-1).sum())
    print(f"{salt} salt and {pepper} pepper pixels out of {a.shape[0] * a.shape[1]} "
          f"(expected about {(1 - args.snr) / 2 * a.shape[0] * a.shape[1]:.0f} each)")
    if args.out:
        noisy.save(args.out)
        print(f"saved {args.out}")

    x = train_transform(img)
    print("tensor:", tuple(x.shape), x.dtype)


if __name__ == "__main__":
    main()
