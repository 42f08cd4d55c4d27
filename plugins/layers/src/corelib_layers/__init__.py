"""corelib-layers: torch.nn's layer Modules on corelib (reached as ``corelib.nn.Conv2d`` etc.
through the registry kind "layer")."""
__version__ = "0.1.0"
