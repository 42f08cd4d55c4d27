"""corelib-losses: torch.nn's losses for corelib, reached as ``corelib.nn.CrossEntropyLoss`` and
``corelib.nn.functional.cross_entropy`` once installed (nothing is imported at plugin load)."""
__version__ = "0.1.0"
