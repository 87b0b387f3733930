"""The GPU check: build flashinfer's routing kernels, launch them, compare them with references."""
from ..model import EnumsyncError


class Unsupported(EnumsyncError):
    """The GPU check cannot run here; ``verify`` turns this into ES303 (exit 0)."""
