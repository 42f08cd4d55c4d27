"""Hook implementations of corelib-transforms (lazy targets only: nothing is imported here)."""
from corelib.hookspecs import hookimpl

_M = "corelib_transforms.transforms"

_CLASSES = {
    "compose": "Compose",
    "to_tensor": "ToTensor",
    "pil_to_tensor": "PILToTensor",
    "to_pil_image": "ToPILImage",
    "convert_image_dtype": "ConvertImageDtype",
    "normalize": "Normalize",
    "resize": "Resize",
    "center_crop": "CenterCrop",
    "pad": "Pad",
    "lambda": "Lambda",
    "random_apply": "RandomApply",
    "random_order": "RandomOrder",
    "random_choice": "RandomChoice",
    "random_crop": "RandomCrop",
    "random_horizontal_flip": "RandomHorizontalFlip",
    "random_vertical_flip": "RandomVerticalFlip",
    "random_resized_crop": "RandomResizedCrop",
    "five_crop": "FiveCrop",
    "ten_crop": "TenCrop",
    "linear_transformation": "LinearTransformation",
    "color_jitter": "ColorJitter",
    "random_rotation": "RandomRotation",
    "random_affine": "RandomAffine",
    "grayscale": "Grayscale",
    "random_grayscale": "RandomGrayscale",
    "random_erasing": "RandomErasing",
    "gaussian_blur": "GaussianBlur",
}


@hookimpl
def corelib_register_transforms():
    return {name: f"{_M}:{cls}" for name, cls in _CLASSES.items()}
