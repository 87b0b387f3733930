"""Known projects that keep a Python copy of flashinfer's RoutingMethodType.

A preset says where the Python copy lives in a checkout or an installed package, where the
project pins flashinfer (for ``--flashinfer pinned``), and which Python-only members are
extensions. Extensions are read from the file itself: members below a comment saying they are
"not passed to FlashInfer" (vLLM's wording upstream) are extensions, with that comment as reason.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from .model import EnumSpec, EnumsyncError

ENUM = "RoutingMethodType"
EXTENSION_MARKER = re.compile(r"not\s+passed\s+to\s+flashinfer", re.I)


@dataclass(frozen=True)
class Preset:
    name: str
    package: str                      # top-level import name of the installed package
    python_paths: tuple[str, ...]     # the Python copy, relative to a checkout root
    package_paths: tuple[str, ...]    # the Python copy, relative to the installed package's parent
    pin_files: tuple[str, ...]        # where the project pins flashinfer (globs, checkout-relative)
    cpp_paths: tuple[str, ...] = ()   # the C++ header inside the checkout itself (flashinfer only)
    enum: str = ENUM
    doc: str = ""

    def find_python(self, cwd: Path) -> Path:
        """The Python copy: in the checkout at ``cwd`` first, else in the installed package."""
        cwd = Path(cwd)
        for rel in self.python_paths:
            if (cwd / rel).is_file():
                return cwd / rel
        spec = _find_top(self.package)
        if spec is not None:
            base = Path(list(spec.submodule_search_locations)[0]).parent
            for rel in self.package_paths:
                if (base / rel).is_file():
                    return base / rel
        looked = ", ".join(self.python_paths)
        raise EnumsyncError(f"--preset {self.name}: no {looked} under {cwd}, and {self.package} is not installed; "
                            f"run inside a {self.name} checkout, or pass --python FILE")

    def find_cpp(self, cwd: Path) -> Path | None:
        """The checkout's own C++ header (only the flashinfer preset has one), or None."""
        for rel in self.cpp_paths:
            if (Path(cwd) / rel).is_file():
                return Path(cwd) / rel
        return None


def _find_top(package: str):
    try:
        spec = importlib.util.find_spec(package)   # a top-level name: imports nothing
    except (ImportError, ValueError):
        return None
    return spec if spec is not None and spec.submodule_search_locations else None


PRESETS: dict[str, Preset] = {
    "flashinfer": Preset(
        "flashinfer", "flashinfer",
        python_paths=("flashinfer/tllm_enums.py", "flashinfer/fused_moe/core.py"),
        package_paths=("flashinfer/tllm_enums.py", "flashinfer/fused_moe/core.py"),
        pin_files=(),
        cpp_paths=("include/flashinfer/trtllm/fused_moe/runner.h",
                   "flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h"),
        doc="flashinfer's own copy (tllm_enums.py; fused_moe/core.py before 0.6.7) against its runner.h"),
    "sglang": Preset(
        "sglang", "sglang",
        python_paths=("python/sglang/srt/layers/moe/utils.py", "sglang/srt/layers/moe/utils.py"),
        package_paths=("sglang/srt/layers/moe/utils.py",),
        pin_files=("python/pyproject.toml", "pyproject.toml"),
        doc="sglang: python/sglang/srt/layers/moe/utils.py; pins flashinfer_python in python/pyproject.toml"),
    "vllm": Preset(
        "vllm", "vllm",
        python_paths=("vllm/model_executor/layers/fused_moe/config.py",),
        package_paths=("vllm/model_executor/layers/fused_moe/config.py",),
        pin_files=("requirements/*.txt", "requirements.txt"),
        doc="vLLM: vllm/model_executor/layers/fused_moe/config.py (members after the 'not passed to FlashInfer "
            "kernels' comment are extensions); pins flashinfer-python in requirements/*.txt"),
}


def get_preset(name: str | None) -> Preset | None:
    if not name:
        return None
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise EnumsyncError(f"--preset {name}: unknown preset; choose one of {', '.join(PRESETS)}") from None


def detect_extensions(py: EnumSpec, text: str | None = None) -> dict[str, str]:
    """Members declared Python-only by a comment in the class, e.g. vLLM's
    ``# other routing types (not passed to FlashInfer kernels)``: member -> the comment (the reason).

    Every member below such a comment line, inside the class, counts.
    """
    if text is None:
        try:
            text = Path(py.path).read_text(encoding="utf-8")
        except OSError:
            return {}
    lines = text.splitlines()
    end = py.end_line or len(lines)
    marks = []
    for i in range(py.line, min(end, len(lines))):
        s = lines[i].strip()
        if s.startswith("#") and EXTENSION_MARKER.search(s):
            marks.append((i + 1, s.lstrip("#").strip()))
    out: dict[str, str] = {}
    for m in py.members:
        above = [reason for ln, reason in marks if ln < m.line]
        if above:
            out[m.name] = f"{above[-1]} ({Path(py.path).name}:{[ln for ln, _ in marks if ln < m.line][-1]})"
    return out


@dataclass(frozen=True)
class LocatedPreset:
    """A preset resolved in a directory: the Python copy, its extensions, and where pins are read."""

    preset: Preset
    python: Path
    extensions: dict
    pin_root: Path | None      # the folder whose pyproject/requirements pin flashinfer (a checkout)
    cpp: Path | None = None    # the checkout's own header (flashinfer preset)


def locate_preset(name: str, cwd: Path) -> LocatedPreset:
    """Find preset ``name``'s Python copy under ``cwd`` (a checkout) or installed, with its extensions."""
    from .parsers.python_enum import parse_python_enum
    preset = get_preset(name)
    cwd = Path(cwd)
    py_path = preset.find_python(cwd)
    py = parse_python_enum(py_path, preset.enum)
    pin_root = None
    for rel in preset.pin_files:
        hits = sorted(cwd.glob(rel))
        if hits:
            pin_root = hits[0].parent if rel.endswith("pyproject.toml") else cwd
            break
    cpp = preset.find_cpp(cwd)
    if cpp is None and preset.name == "flashinfer":   # the installed package: its own runner.h
        from .sources import RUNNER_H
        root = py_path.parent if py_path.name == "tllm_enums.py" else py_path.parent.parent
        cpp = root / RUNNER_H if (root / RUNNER_H).is_file() else None
    return LocatedPreset(preset, py_path, detect_extensions(py), pin_root, cpp)
