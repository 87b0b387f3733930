"""enumsync: keep Python copies of GPU-kernel enums in step with their C++ originals."""
__version__ = "0.2.0"   # the one source of the version (pyproject reads it)
