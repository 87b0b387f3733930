"""enumsync: keep Python copies of GPU-kernel enums in step with their C++ originals."""
__version__ = "0.1.0"
