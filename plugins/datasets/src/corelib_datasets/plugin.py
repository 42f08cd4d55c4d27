"""Entry point of the corelib-datasets bundle: lazy registrations only."""
from corelib.hookspecs import hookimpl


@hookimpl
def corelib_register_datasets():
    return {
        "digits": "corelib_datasets.digits:Digits",
        "shapes": "corelib_datasets.shapes:Shapes",
        "dataset_folder": "corelib_datasets.folder:DatasetFolder",
        "image_folder": "corelib_datasets.folder:ImageFolder",
        "mnist": "corelib_datasets.mnist:MNIST",
        "fashion_mnist": "corelib_datasets.mnist:FashionMNIST",
        "cifar10": "corelib_datasets.cifar:CIFAR10",
    }
