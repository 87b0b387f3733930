"""GPU arch names: ``sm_90a`` from any spelling, its major version, nvcc's -gencode, the local GPU's."""
from __future__ import annotations

import re
import shutil
import subprocess

from ..model import EnumsyncError

_ARCH_RE = re.compile(r"^sm_(\d+)([af]?)$")


def normalize_arch(arch: str) -> str:
    """``sm_90a``, ``90a``, ``9.0`` or ``sm90a`` -> ``sm_90a``; Hopper/Blackwell get the ``a`` suffix."""
    a = arch.strip().lower().replace("sm", "").lstrip("_")
    if re.fullmatch(r"\d+\.\d+", a):
        major, minor = a.split(".")
        a = f"{major}{minor}"
        if int(major) >= 9:
            a += "a"
    if not re.fullmatch(r"\d+[af]?", a):
        raise EnumsyncError(f"--arch {arch!r} is not an arch like sm_90a or 9.0")
    return f"sm_{a}"


def arch_major(arch: str) -> int:
    """``sm_90a`` -> 9, ``sm_100a`` -> 10."""
    digits = _ARCH_RE.match(arch).group(1)
    return int(digits[:-1])


def gencode(arch: str) -> str:
    """nvcc's ``-gencode`` flag for one arch."""
    num = arch[len("sm_"):]
    return f"-gencode=arch=compute_{num},code=sm_{num}"


def local_gpu_arch() -> str | None:
    """The first local GPU's arch from ``nvidia-smi`` (no torch import), or None without a GPU."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return None
    try:
        r = subprocess.run([smi, "--query-gpu=compute_cap", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    caps = [l.strip() for l in r.stdout.splitlines() if re.fullmatch(r"\d+\.\d+", l.strip())]
    return normalize_arch(caps[0]) if r.returncode == 0 and caps else None

