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
    """One known project: everything enumsync knows about it, in one row of ``PRESETS``."""

    name: str
    title: str                        # how the project calls itself ("vLLM")
    package: str                      # top-level import name of the installed package
    project_names: tuple[str, ...]    # [project] name in its pyproject.toml (detection)
    project_files: tuple[str, ...]    # where that pyproject.toml sits, checkout-relative
    python_paths: tuple[str, ...]     # the Python copy, relative to a checkout root
    package_paths: tuple[str, ...]    # the Python copy, relative to the installed package's parent
    pin_files: tuple[str, ...]        # where the project pins flashinfer (globs, checkout-relative)
    model_dirs: tuple[str, ...] = ()  # model routing code, checkout- or site-packages-relative
    cpp_paths: tuple[str, ...] = ()   # the C++ header inside the checkout itself (flashinfer only)
    extension_from: int | None = None  # members with values >= this never reach the kernels
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

    def evidence(self, d: Path) -> str | None:
        """Why ``d`` is the root of a checkout of this project (files only, nothing imported), or None."""
        for rel in self.project_files:
            name = _project_name(d / rel)
            if name is not None and _canon(name) in {_canon(n) for n in self.project_names}:
                return f"project name {name!r} in {rel}"
        for rel in self.python_paths[:1]:
            if (d / rel).is_file() and (not self.cpp_paths or (d / self.cpp_paths[0]).is_file()):
                return f"{rel} exists"
        return None


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project_name(pyproject: Path) -> str | None:
    """``[project] name`` of a pyproject.toml, or None (absent, unreadable or not TOML)."""
    if not pyproject.is_file():
        return None
    from .tomlfile import load
    try:
        name = load(pyproject).get("project", {}).get("name")
    except EnumsyncError:
        return None
    return name if isinstance(name, str) else None


def _find_top(package: str):
    try:
        spec = importlib.util.find_spec(package)   # a top-level name: imports nothing
    except (ImportError, ValueError):
        return None
    return spec if spec is not None and spec.submodule_search_locations else None


# The one preset registry: CLI choices, config validation, `models --preset`, detection and the
# README list (tests/test_presets.py keeps it current) all read this table.
PRESETS: dict[str, Preset] = {
    "flashinfer": Preset(
        "flashinfer", "flashinfer", "flashinfer",
        project_names=("flashinfer-python", "flashinfer"), project_files=("pyproject.toml",),
        python_paths=("flashinfer/tllm_enums.py", "flashinfer/fused_moe/core.py"),
        package_paths=("flashinfer/tllm_enums.py", "flashinfer/fused_moe/core.py"),
        pin_files=(),
        cpp_paths=("include/flashinfer/trtllm/fused_moe/runner.h",
                   "flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h"),
        doc="flashinfer's own copy (`flashinfer/tllm_enums.py`; `fused_moe/core.py` before 0.6.7) against "
            "the checkout's own `include/.../runner.h`"),
    "sglang": Preset(
        "sglang", "sglang", "sglang",
        project_names=("sglang",), project_files=("python/pyproject.toml", "pyproject.toml"),
        python_paths=("python/sglang/srt/layers/moe/utils.py", "sglang/srt/layers/moe/utils.py"),
        package_paths=("sglang/srt/layers/moe/utils.py",),
        pin_files=("python/pyproject.toml", "pyproject.toml"),
        model_dirs=("python/sglang/srt/models", "sglang/srt/models"),
        doc="`python/sglang/srt/layers/moe/utils.py`; pins `flashinfer_python` in `python/pyproject.toml`"),
    "vllm": Preset(
        "vllm", "vLLM", "vllm",
        project_names=("vllm",), project_files=("pyproject.toml",),
        python_paths=("vllm/model_executor/layers/fused_moe/config.py",),
        package_paths=("vllm/model_executor/layers/fused_moe/config.py",),
        pin_files=("requirements/*.txt", "requirements.txt"),
        model_dirs=("vllm/model_executor/layers/fused_moe", "vllm/model_executor/models"),
        extension_from=100,
        doc="`vllm/model_executor/layers/fused_moe/config.py`; pins `flashinfer-python` in `requirements/*.txt`; "
            "members >= 100 (\"not passed to FlashInfer kernels\") are extensions"),
}


def names() -> list[str]:
    """Preset names, for CLI choices and error messages."""
    return list(PRESETS)


def markdown_list() -> str:
    """The README's preset list, generated from the registry."""
    return "\n".join(f"- `{p.name}` ({p.title}): {p.doc}" for p in PRESETS.values()) + "\n"


def get_preset(name: str | None) -> Preset | None:
    if not name:
        return None
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise EnumsyncError(f"--preset {name}: unknown preset; choose one of {', '.join(PRESETS)}") from None


@dataclass(frozen=True)
class Detected:
    """A known project found around the working directory."""

    preset: Preset
    root: Path
    evidence: str           # "project name 'sglang' in python/pyproject.toml"

    def describe(self) -> str:
        return f"{self.preset.title} checkout at {self.root}"


def detect_project(start: Path) -> Detected | None:
    """The known project whose checkout holds ``start`` (or any folder above it, up to the git root).

    Reads files only: ``[project] name`` in the preset's pyproject.toml, else the preset's
    Python copy at its known path. The outermost matching folder wins, so ``python/`` inside an
    sglang checkout resolves to the checkout root.
    """
    found: Detected | None = None
    for d in [start, *start.parents]:
        for preset in PRESETS.values():
            if found is not None and preset is not found.preset:
                continue
            why = preset.evidence(d)
            if why:
                found = Detected(preset, d, why)
                break
        if (d / ".git").exists():
            break
    return found


def find_root(preset: Preset, cwd: Path) -> Path:
    """The root of ``preset``'s checkout that holds ``cwd``, else ``cwd`` itself."""
    d = detect_project(Path(cwd).resolve())
    return d.root if d is not None and d.preset is preset else Path(cwd)


def detect_extensions(py: EnumSpec, text: str | None = None, preset: Preset | None = None) -> dict[str, str]:
    """Members declared Python-only by a comment in the class, e.g. vLLM's
    ``# other routing types (not passed to FlashInfer kernels)``: member -> the comment (the reason).

    Every member below such a comment line, inside the class, counts.
    """
    if text is None:
        from .parsers.source import read_source
        try:
            text = read_source(py.path, python=True)[1]
        except EnumsyncError:
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
    if preset is not None and preset.extension_from is not None:
        for m in py.members:
            if m.value is not None and m.value >= preset.extension_from and m.name not in out:
                out[m.name] = f"{preset.title}: values >= {preset.extension_from} are not passed to FlashInfer kernels"
    return out


@dataclass(frozen=True)
class LocatedPreset:
    """A preset resolved in a directory: the Python copy, its extensions, and where pins are read."""

    preset: Preset
    python: Path
    extensions: dict
    pin_root: Path | None      # the checkout root whose pin files pin flashinfer (None: no pin file)
    cpp: Path | None = None    # the checkout's own header (flashinfer preset)


def preset_extensions(preset: Preset, python: Path, enum: str | None = None) -> dict[str, str]:
    """The extensions ``preset`` knows of in the Python file ``python`` (also for an explicit --python)."""
    from .parsers.python_enum import parse_python_enum
    return detect_extensions(parse_python_enum(Path(python), enum or preset.enum), preset=preset)


def locate_preset(name: str, cwd: Path) -> LocatedPreset:
    """Find preset ``name``'s Python copy in the checkout around ``cwd``, or installed, with its extensions."""
    preset = get_preset(name)
    root = find_root(preset, Path(cwd))
    py_path = preset.find_python(root)
    has_pins = any(p.is_file() for rel in preset.pin_files for p in root.glob(rel))
    cpp = preset.find_cpp(root)
    if cpp is None and preset.name == "flashinfer":   # the installed package: its own runner.h
        from .sources import RUNNER_H
        base = py_path.parent if py_path.name == "tllm_enums.py" else py_path.parent.parent
        cpp = base / RUNNER_H if (base / RUNNER_H).is_file() else None
    return LocatedPreset(preset, py_path, preset_extensions(preset, py_path), root if has_pins else None, cpp)
