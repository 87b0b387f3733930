"""Where the flashinfer files come from: the installed package, a pinned or given version.

Nothing here imports flashinfer: the package is located through its distribution metadata.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .model import EnumsyncError

RUNNER_H = "data/include/flashinfer/trtllm/fused_moe/runner.h"
ENUM_PY_CANDIDATES = ("tllm_enums.py", "fused_moe/core.py")   # 0.6.7+, then older


@dataclass(frozen=True)
class FlashinferFiles:
    """The C++ header and the Python enum file of one flashinfer-python version."""

    version: str
    origin: str          # "installed" | "download" | "cache"
    root: Path           # the package directory (``.../flashinfer``)
    runner_h: Path
    enum_py: Path

    def describe(self) -> str:
        return f"flashinfer-python {self.version} ({self.origin}: {self.root})"


def enum_py_in(root: Path) -> Path:
    """The Python file that holds RoutingMethodType in a flashinfer package tree."""
    for rel in ENUM_PY_CANDIDATES:
        p = root / rel
        if p.is_file() and "class RoutingMethodType" in p.read_text(encoding="utf-8", errors="replace"):
            return p
    raise EnumsyncError(f"{root}: no RoutingMethodType in {' or '.join(ENUM_PY_CANDIDATES)}")


def installed_root() -> Path | None:
    """The installed ``flashinfer`` package directory, found without importing it."""
    try:
        spec = importlib.util.find_spec("flashinfer")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def installed_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    for dist in ("flashinfer-python", "flashinfer_python", "flashinfer"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None


def locate_installed() -> FlashinferFiles | None:
    """The installed flashinfer-python's runner.h and enum file, or None if not installed."""
    root = installed_root()
    if root is None:
        return None
    runner = root / RUNNER_H
    if not runner.is_file():
        raise EnumsyncError(f"{root}: flashinfer is installed but has no {RUNNER_H}; "
                            "reinstall flashinfer-python or pass --cpp")
    return FlashinferFiles(installed_version() or "unknown", "installed", root, runner, enum_py_in(root))
