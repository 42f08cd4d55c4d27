"""corelib.special: torch.special's names (implemented in corelib/ops/extra_linalg.py)."""
__all__ = []
