"""torch's top-level linear-algebra and special functions (det, inverse, lgamma, ...); the
namespaces corelib.linalg and corelib.special re-export them under torch's names there.
Names in __all__ are re-exported by corelib."""
__all__ = []
