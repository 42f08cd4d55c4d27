"""corelib.linalg: torch.linalg's names (implemented in corelib/ops/extra_linalg.py)."""
__all__ = []
