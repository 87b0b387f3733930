"""The build tools: nvcc and the CUDA toolkit behind it, and tvm_ffi's headers (none imported)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..sources import package_dir
from . import Unsupported


def find_nvcc(nvcc: str | None = None) -> tuple[str, Path]:
    """(nvcc, CUDA toolkit root): the given nvcc, else $NVCC, PATH, $CUDA_HOME/bin; else ``Unsupported``."""
    cand = nvcc or os.environ.get("NVCC") or shutil.which("nvcc")
    if not cand:
        home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"
        p = Path(home) / "bin" / "nvcc"
        cand = str(p) if p.is_file() else None
    if not cand or not Path(cand).exists():
        raise Unsupported("nvcc was not found (set CUDA_HOME or NVCC, or build on a machine with the CUDA "
                          "toolkit and carry the build directory)")
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH")
    return cand, Path(home) if home else _toolkit_root(cand)


def _toolkit_root(nvcc: str) -> Path:
    """The CUDA toolkit behind ``nvcc`` (which may be a wrapper script): nvcc's own ``TOP``."""
    try:
        r = subprocess.run([nvcc, "--dryrun", "-c", "-x", "cu", os.devnull, "-o", os.devnull],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"^#\$ TOP=(.+)$", r.stdout + r.stderr, re.M)
        if m and Path(m.group(1).strip()).is_dir():
            return Path(m.group(1).strip()).resolve()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return Path(nvcc).resolve().parent.parent


def nvcc_version(nvcc: str) -> str:
    """nvcc's full version (``13.0.88``), or ``unknown``."""
    try:
        out = subprocess.run([nvcc, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    m = re.search(r"release ([\d.]+), V([\d.]+)", out)
    return m.group(2) if m else "unknown"


def find_tvm_ffi_includes() -> list[Path]:
    """tvm_ffi's include and dlpack include dirs, located without importing tvm_ffi."""
    root = package_dir("tvm_ffi")
    if root is None:
        raise Unsupported("apache-tvm-ffi is not installed; its headers are needed to build the routing module "
                          "(pip install 'apache-tvm-ffi>=0.1.11,<0.2', or the enumsync-kernels[gpu] extra)")
    inc = root / "include"
    out = [inc]
    for d in (root / "3rdparty" / "dlpack" / "include", inc):
        if (d / "dlpack" / "dlpack.h").is_file():
            if d not in out:
                out.append(d)
            break
    if not (inc / "tvm" / "ffi").is_dir():
        raise Unsupported(f"apache-tvm-ffi at {root} has no include/tvm/ffi headers")
    return out
