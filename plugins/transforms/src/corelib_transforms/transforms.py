"""The transform classes of torchvision.transforms (v1), for PIL images and CHW tensors.

Random parameters come from corelib's RNG (``corelib.random.numpy_rng()``), so
``corelib.manual_seed`` makes a pipeline reproducible.

Beyond torchvision: calling a transform with several images, ``t(image, mask)``, draws the
random parameters once and applies them to every image; the result is a tuple. ``Compose``
passes the tuple through each step (a plain callable in a Compose is applied to each image
on its own). Photometric transforms (ColorJitter, Normalize, ...) change every image given,
and resampling uses each transform's interpolation for all of them (PIL "P" images, the usual
segmentation masks, are always resized with NEAREST by PIL) -- pick NEAREST when a mask must
keep its labels.
"""
import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np
from corelib.nn import Module
from corelib.random import numpy_rng as _numpy_rng

from . import functional as F
from .functional import InterpolationMode, _to_mode

__all__ = [
    "Transform", "Compose", "ToTensor", "PILToTensor", "ToPILImage", "Normalize", "Resize",
    "CenterCrop", "Pad", "Lambda", "RandomTransforms", "RandomApply", "RandomOrder",
    "RandomChoice", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
    "RandomResizedCrop", "FiveCrop", "TenCrop", "LinearTransformation", "ColorJitter",
    "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale", "RandomErasing",
    "GaussianBlur", "ConvertImageDtype", "InterpolationMode",
]


# ---------------------------------------------------------------- randomness

def _rng():
    return _numpy_rng()


def _rand():
    """torch.rand(1).item()"""
    return float(_rng().random())


def _uniform(low, high):
    """torch.empty(1).uniform_(low, high).item()"""
    return float(low + (high - low) * _rng().random())


def _randint(low, high):
    """torch.randint(low, high, (1,)).item(): high is exclusive."""
    return int(_rng().integers(low, high))


# ---------------------------------------------------------------- base classes

class Transform(Module):
    """Base class: ``__call__(*imgs)`` draws the random parameters once and applies them all.

    Subclasses implement ``_params(img)`` (random draws; default none) and
    ``_transform(img, params)``. A subclass may instead override ``forward(img)`` as in
    torchvision (each image then goes through ``forward`` on its own).

    Transforms are ``nn.Module``s, as torchvision's are, so ``nn.Sequential(Resize(32),
    Normalize(m, s))`` works; ``__call__`` is their own (several images share one draw).
    """

    def __new__(cls, *args, **kwargs):
        # NOTE: Module's attribute machinery must exist before a subclass's __init__ sets
        # anything, and transforms do not call super().__init__().
        obj = object.__new__(cls)
        Module.__init__(obj)
        return obj

    def _params(self, img):
        return None

    def _transform(self, img, params):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(img) or "
                                  f"_transform(img, params)")

    def forward(self, img):
        return self._transform(img, self._params(img))

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError(f"{type(self).__name__}() needs at least one image")
        if type(self).forward is not Transform.forward:  # torchvision-style subclass
            out = tuple(self.forward(im) for im in imgs)
        else:
            params = self._params(imgs[0])
            out = tuple(self._transform(im, params) for im in imgs)
        return out[0] if len(imgs) == 1 else out

    def __repr__(self):
        return f"{self.__class__.__name__}()"


def _call_joint(t, imgs):
    """Apply t to a tuple of images with shared random parameters when t supports it."""
    if isinstance(t, Transform):
        out = t(*imgs)
        return out if len(imgs) > 1 else (out,)
    return tuple(t(im) for im in imgs)


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else " or ".join([str(s) for s in req_sizes])
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x, name, req_sizes=(2,)):
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _deprecated_interpolation(interpolation, resample, cls):
    if resample is not None:
        warnings.warn(f"{cls}: the parameter 'resample' is deprecated (torchvision removed it "
                      f"in 0.13); use 'interpolation' instead", DeprecationWarning, stacklevel=3)
        return _to_mode(int(resample))
    return _to_mode(interpolation)


# ---------------------------------------------------------------- containers

class Compose(Transform):
    """Chain transforms: ``Compose([CenterCrop(10), ToTensor()])``.

    ``Compose(...)(image, mask)`` runs every step on both with shared random parameters.
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError("Compose() needs at least one image")
        if len(imgs) == 1:
            img = imgs[0]
            for t in self.transforms:
                img = t(img)
            return img
        for t in self.transforms:
            imgs = _call_joint(t, imgs)
        return imgs

    def __repr__(self):
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += "\n"
            s += f"    {t}"
        s += "\n)"
        return s


class Lambda(Transform):
    """Apply a user function: ``Lambda(lambda crops: corelib.stack([...]))``."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def _transform(self, img, params):
        return self.lambd(img)


class RandomTransforms(Transform):
    """Base class for a list of transformations with randomness."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def _run(self, transforms, imgs):
        for t in transforms:
            imgs = _call_joint(t, imgs)
        return imgs[0] if len(imgs) == 1 else imgs

    def __repr__(self):
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += "\n"
            s += f"    {t}"
        s += "\n)"
        return s


class RandomApply(RandomTransforms):
    """Apply the list of transforms with probability p (one draw for the whole list)."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms)
        self.p = p

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError("RandomApply() needs at least one image")
        if self.p < _rand():
            return imgs[0] if len(imgs) == 1 else imgs
        return self._run(self.transforms, imgs)

    def __repr__(self):
        s = self.__class__.__name__ + "("
        s += f"\n    p={self.p}"
        for t in self.transforms:
            s += "\n"
            s += f"    {t}"
        s += "\n)"
        return s


class RandomOrder(RandomTransforms):
    """Apply the transforms in a random order."""

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError("RandomOrder() needs at least one image")
        order = _rng().permutation(len(self.transforms))
        return self._run([self.transforms[i] for i in order], imgs)


class RandomChoice(RandomTransforms):
    """Apply one transform picked at random (weights p, uniform by default)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: "
                             f"{len(p)} != {len(transforms)}")
        self.p = p

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError("RandomChoice() needs at least one image")
        if self.p is None:
            idx = int(_rng().integers(len(self.transforms)))
        else:
            cum = np.cumsum(np.asarray(self.p, dtype=np.float64))
            idx = int(np.searchsorted(cum, _rng().random() * cum[-1], side="right"))
            idx = min(idx, len(self.transforms) - 1)
        return self._run([self.transforms[idx]], imgs)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


# ---------------------------------------------------------------- conversion

class ToTensor(Transform):
    """PIL image / HWC ndarray in [0, 255] -> CHW float tensor in [0.0, 1.0]."""

    def _transform(self, img, params):
        return F.to_tensor(img)


class PILToTensor(Transform):
    """PIL image -> CHW tensor of the same dtype (no scaling)."""

    def _transform(self, img, params):
        return F.pil_to_tensor(img)


class ToPILImage(Transform):
    """CHW tensor or HWC ndarray -> PIL image (mode inferred from channels and dtype)."""

    def __init__(self, mode=None):
        self.mode = mode

    def _transform(self, img, params):
        return F.to_pil_image(img, self.mode)

    def __repr__(self):
        s = self.__class__.__name__ + "("
        if self.mode is not None:
            s += f"mode={self.mode}"
        return s + ")"


class ConvertImageDtype(Transform):
    """Convert a tensor image to dtype, rescaling its values."""

    def __init__(self, dtype):
        self.dtype = dtype

    def _transform(self, img, params):
        return F.convert_image_dtype(img, self.dtype)


class Normalize(Transform):
    """``output[channel] = (input[channel] - mean[channel]) / std[channel]`` on tensors."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def _transform(self, img, params):
        return F.normalize(img, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


# ---------------------------------------------------------------- geometry

class Resize(Transform):
    """Resize to (h, w), or the smaller edge to an int size (longer edge capped by max_size)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        if not isinstance(size, (int, Sequence)) and size is not None:
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _to_mode(interpolation)
        self.antialias = antialias

    def _transform(self, img, params):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, interpolation="
                f"{self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias})")


class CenterCrop(Transform):
    """Crop the centre (size: int for a square, or (h, w)); pads with 0 when too small."""

    def __init__(self, size):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def _transform(self, img, params):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class Pad(Transform):
    """Pad each border: a, (left/right a, top/bottom b) or (left, top, right, bottom)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in [1, 2, 4]:
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def _transform(self, img, params):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return (f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")


class RandomCrop(Transform):
    """Crop at a random position, after optional padding (and pad_if_needed)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        """(i, j, h, w) for ``crop`` of a random crop of output_size (h, w)."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = _randint(0, h - th + 1)
        j = _randint(0, w - tw + 1)
        return i, j, th, tw

    def _pad(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return img

    def __call__(self, *imgs):
        if not imgs:
            raise TypeError("RandomCrop() needs at least one image")
        if type(self).forward is not RandomCrop.forward:  # torchvision-style subclass
            return super().__call__(*imgs)
        padded = [self._pad(im) for im in imgs]
        i, j, h, w = self.get_params(padded[0], self.size)
        out = tuple(F.crop(im, i, j, h, w) for im in padded)
        return out[0] if len(out) == 1 else out

    def forward(self, img):  # noqa: D401 - single-image form, as torchvision's
        return RandomCrop.__call__(self, img)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(Transform):
    """Flip left-right with probability p."""

    def __init__(self, p=0.5):
        self.p = p

    def _params(self, img):
        return _rand() < self.p

    def _transform(self, img, flip):
        return F.hflip(img) if flip else img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip top-bottom with probability p."""

    def _transform(self, img, flip):
        return F.vflip(img) if flip else img


class RandomResizedCrop(Transform):
    """Crop a random area (scale) and aspect ratio (ratio), then resize to size."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        self.interpolation = _to_mode(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """(i, j, h, w) of a random crop: 10 attempts, then a central crop as fallback."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = _randint(0, height - h + 1)
                j = _randint(0, width - w + 1)
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w = width
            h = height
        i = (height - h) // 2
        j = (width - w) // 2
        return i, j, h, w

    def _params(self, img):
        return self.get_params(img, self.scale, self.ratio)

    def _transform(self, img, params):
        i, j, h, w = params
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation,
                              antialias=self.antialias)

    def __repr__(self):
        s = self.__class__.__name__ + f"(size={self.size}"
        s += f", scale={tuple(round(v, 4) for v in self.scale)}"
        s += f", ratio={tuple(round(r, 4) for r in self.ratio)}"
        s += f", interpolation={self.interpolation.value}"
        s += f", antialias={self.antialias})"
        return s


class FiveCrop(Transform):
    """The four corner crops and the centre crop: (tl, tr, bl, br, center)."""

    def __init__(self, size):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def _transform(self, img, params):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class TenCrop(Transform):
    """FiveCrop of the image and of its horizontal (vertical_flip=True: vertical) flip."""

    def __init__(self, size, vertical_flip=False):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def _transform(self, img, params):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


class RandomRotation(Transform):
    """Rotate by an angle drawn from (-degrees, degrees) or (min, max)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0, *, resample=None):
        self.interpolation = _deprecated_interpolation(interpolation, resample, "RandomRotation")
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        self.expand = expand
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill

    @staticmethod
    def get_params(degrees):
        return _uniform(float(degrees[0]), float(degrees[1]))

    def _params(self, img):
        return self.get_params(self.degrees)

    def _transform(self, img, angle):
        fill = self.fill
        if F._is_tensor(img):
            fill = F._tensor_fill(fill, img)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        s = self.__class__.__name__ + f"(degrees={self.degrees}"
        s += f", interpolation={self.interpolation.value}"
        s += f", expand={self.expand}"
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


class RandomAffine(Transform):
    """Random rotation, translation, scale and shear (1, 2 or 4 values) about the centre."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None, *,
                 resample=None, fillcolor=None):
        self.interpolation = _deprecated_interpolation(interpolation, resample, "RandomAffine")
        if fillcolor is not None:
            warnings.warn("RandomAffine: the parameter 'fillcolor' is deprecated (torchvision "
                          "removed it in 0.13); use 'fill' instead", DeprecationWarning,
                          stacklevel=2)
            fill = fillcolor
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not (0.0 <= t <= 1.0):
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else None
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty), scale, (shear_x, shear_y)); img_size is [width, height]."""
        angle = _uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            tx = int(round(_uniform(-max_dx, max_dx)))
            ty = int(round(_uniform(-max_dy, max_dy)))
            translations = (tx, ty)
        else:
            translations = (0, 0)
        scale = _uniform(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def _params(self, img):
        _, height, width = F.get_dimensions(img)
        return self.get_params(self.degrees, self.translate, self.scale, self.shear,
                               [width, height])

    def _transform(self, img, params):
        fill = self.fill
        if F._is_tensor(img):
            fill = F._tensor_fill(fill, img)
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill,
                        center=self.center)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        s += (f", interpolation={self.interpolation.value}"
              if self.interpolation != InterpolationMode.NEAREST else "")
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


# ---------------------------------------------------------------- colour

class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, applied in a random order.

    Each is a number a (factor from [max(0, 1 - a), 1 + a]; hue from [-a, a], a <= 0.5) or
    a range (min, max).
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5),
                                     clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float("inf")), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """(fn_idx, b, c, s, h): the order of the four adjustments and their factors."""
        fn_idx = _rng().permutation(4)
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return fn_idx, b, c, s, h

    def _params(self, img):
        return self.get_params(self.brightness, self.contrast, self.saturation, self.hue)

    def _transform(self, img, params):
        fn_idx, b, c, s, h = params
        for fn_id in fn_idx:
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(brightness={self.brightness}, "
                f"contrast={self.contrast}, saturation={self.saturation}, hue={self.hue})")


class Grayscale(Transform):
    """To grayscale with 1 or 3 output channels (PIL 'L' conversion; tensors 0.2989/0.587/0.114)."""

    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def _transform(self, img, params):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(Transform):
    """To grayscale with probability p, keeping the number of channels.

    ``num_output_channels`` (keyword-only, not in torchvision; the notes list it): 1 or 3
    forces that many channels in the grayscale result; None (default) keeps the input's.
    """

    def __init__(self, p=0.1, *, num_output_channels=None):
        if num_output_channels not in (None, 1, 3):
            raise ValueError(f"num_output_channels should be either 1 or 3, got "
                             f"{num_output_channels!r}")
        self.p = p
        self.num_output_channels = num_output_channels

    def _params(self, img):
        return _rand() < self.p

    def _transform(self, img, gray):
        if not gray:
            return img
        n = self.num_output_channels
        if n is None:
            n = F.get_dimensions(img)[0]
        return F.rgb_to_grayscale(img, num_output_channels=n)

    def __repr__(self):
        if self.num_output_channels is None:
            return f"{self.__class__.__name__}(p={self.p})"
        return (f"{self.__class__.__name__}(p={self.p}, "
                f"num_output_channels={self.num_output_channels})")


class LinearTransformation(Transform):
    """Flatten (C*H*W), subtract mean_vector, multiply by the square transformation_matrix."""

    def __init__(self, transformation_matrix, mean_vector):
        m, v = transformation_matrix, mean_vector
        if m.shape[0] != m.shape[1]:
            raise ValueError(f"transformation_matrix should be square. Got {tuple(m.shape)} "
                             f"rectangular matrix.")
        if v.shape[0] != m.shape[0]:
            raise ValueError(f"mean_vector should have the same length {v.shape[0]} as any one "
                             f"of the dimensions of the transformation_matrix [{tuple(m.shape)}]")
        if getattr(m, "dtype", None) != getattr(v, "dtype", None):
            raise ValueError(f"Input tensors should have the same dtype. Got {m.dtype} and "
                             f"{v.dtype}")
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def _transform(self, tensor, params):
        shape = tuple(tensor.shape)
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != "
                             f"{self.transformation_matrix.shape[0]}")
        a = F._np(tensor)
        flat = a.reshape(-1, n) - F._np(self.mean_vector)
        out = flat @ F._np(self.transformation_matrix).astype(flat.dtype)
        return F._wrap(out.reshape(shape), like=tensor)

    def __repr__(self):
        return (f"{self.__class__.__name__}(transformation_matrix="
                f"{self.transformation_matrix.tolist()}, mean_vector={self.mean_vector.tolist()})")


class _NotATensorImage(TypeError, AttributeError):
    """A PIL image given to a tensor-only transform (torchvision fails with AttributeError)."""


class RandomErasing(Transform):
    """Erase a random rectangle of a tensor image with probability p.

    value: a number, a per-channel sequence, or "random" (normal noise per pixel).
    """

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(i, j, h, w, v): the region and its values; the whole image when 10 tries fail."""
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = _rng().standard_normal((img_c, h, w)).astype(np.float32)
            else:
                v = np.asarray(value, dtype=np.float32)[:, None, None]
            i = _randint(0, img_h - h + 1)
            j = _randint(0, img_w - w + 1)
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def _params(self, img):
        if not F._is_tensor(img):
            raise _NotATensorImage(
                f"RandomErasing works on tensor images (..., C, H, W), got {type(img).__name__}; "
                f"put transforms.ToTensor() before it")
        if not _rand() < self.p:
            return None
        if isinstance(self.value, (int, float)):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             f"{img.shape[-3]} (number of input channels)")
        return self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)

    def _transform(self, img, params):
        if params is None:
            return img
        x, y, h, w, v = params
        if v is not None and not isinstance(v, np.ndarray):  # fallback: v is the image itself
            return img
        return F.erase(img, x, y, h, w, v.astype(F._np(img).dtype), self.inplace)

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")


class GaussianBlur(Transform):
    """Blur with a gaussian kernel of kernel_size and sigma drawn from (min, max)."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _uniform(sigma_min, sigma_max)

    def _params(self, img):
        return self.get_params(self.sigma[0], self.sigma[1])

    def _transform(self, img, sigma):
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f"{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"
