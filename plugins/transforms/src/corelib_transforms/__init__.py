"""corelib-transforms: torchvision.transforms (v1 API) for corelib.

Use it through the facade::

    from corelib import transforms
    import corelib.transforms.functional as F

Importing this package is cheap; ``transforms`` and ``functional`` load on first use.
"""
__version__ = "0.1.0"
