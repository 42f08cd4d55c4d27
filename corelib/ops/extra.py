"""More of torch's top-level functions (shape, reduction, set and elementwise helpers), composed
from the core ops so autograd comes for free; each is checked against torch in
tests/core/test_extra_ops_vs_torch.py. Names in __all__ are re-exported by corelib."""
__all__ = []
