"""Turn CLI options and config into the C++/Python pairs to check, then check them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .model import EnumSpec, EnumsyncError, PairResult

DEFAULT_ENUM = "RoutingMethodType"


@dataclass
class PairSpec:
    """One C++ enum and its Python copy, with everything needed to check them."""

    cpp: Path
    python: Path
    enum: str = DEFAULT_ENUM
    cpp_enum: str | None = None
    python_enum: str | None = None
    include_dirs: tuple[str, ...] = ()
    extensions: dict[str, str] = field(default_factory=dict)
    suppress: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class PairOptions:
    """The pair options shared by ``check`` and ``fix`` (see ``commands/options.py``)."""

    cpp: str | None = None
    python: str | None = None
    enum: str | None = None
    cpp_enum: str | None = None
    python_enum: str | None = None
    flashinfer: str | None = None
    preset: str | None = None
    config: str | None = None
    include_dirs: tuple[str, ...] = ()


def _flashinfer(spec: str | None, cwd: Path):
    """The flashinfer files for ``spec`` (installed | pinned | VERSION | SPECIFIER | None=default)."""
    from . import sources
    if spec is None:
        return sources.default_flashinfer()
    return sources.resolve_flashinfer(spec, cwd)


def resolve_pairs(opts: PairOptions, cwd: Path | None = None) -> tuple[list[PairSpec], Config | None]:
    """The pairs to check, in this order of precedence: explicit files, preset, config, flashinfer."""
    cwd = (cwd or Path.cwd()).resolve()
    cfg = load_config(opts.config, cwd)
    enum = opts.enum or DEFAULT_ENUM
    base_ext = dict(cfg.extensions) if cfg else {}
    base_sup = list(cfg.suppress) if cfg else []
    fi_spec = opts.flashinfer or (cfg.flashinfer if cfg else None)
    preset = opts.preset or (cfg.preset if cfg and not cfg.pairs else None)

    def cpp_side(notes: list[str]) -> Path:
        if opts.cpp:
            return Path(opts.cpp)
        fi = _flashinfer(fi_spec, cfg.root if cfg else cwd)
        notes.append(fi.describe())
        return fi.runner_h

    if opts.cpp or opts.python:
        notes: list[str] = []
        cpp = cpp_side(notes)
        ext = dict(base_ext)
        if opts.python:
            py = Path(opts.python)
        elif preset:
            pf = _preset(preset, cwd)
            py, ext = pf.python, {**pf.extensions, **ext}
            notes.append(f"preset {preset}: {py}")
        else:
            fi = _flashinfer(fi_spec, cwd)
            py = fi.enum_py
            notes.append(f"Python side: {fi.describe()}")
        return [PairSpec(cpp, py, enum, opts.cpp_enum, opts.python_enum, tuple(opts.include_dirs), ext,
                         base_sup, label=enum, notes=notes)], cfg

    if preset:
        pf = _preset(preset, cwd)
        notes = [f"preset {preset}: {pf.python}"]
        if opts.cpp:
            cpp = Path(opts.cpp)
        elif fi_spec is None and getattr(pf, "cpp", None) is not None:
            cpp = pf.cpp  # a flashinfer checkout or package: its own runner.h
            notes.append(f"C++ side: {cpp} (preset {preset})")
        else:
            # `--flashinfer pinned` reads the pin files of the preset's checkout
            root = pf.pin_root if fi_spec == "pinned" and getattr(pf, "pin_root", None) else cwd
            fi = _flashinfer(fi_spec, root)
            notes.append(fi.describe())
            cpp = fi.runner_h
        return [PairSpec(cpp, pf.python, enum, opts.cpp_enum, opts.python_enum, tuple(opts.include_dirs),
                         {**pf.extensions, **base_ext}, base_sup, label=f"{preset}:{enum}", notes=notes)], cfg

    if cfg and cfg.pairs:
        return config_pairs(cfg, opts, fi_spec), cfg

    fi = _flashinfer(fi_spec, cfg.root if cfg else cwd)
    return [PairSpec(fi.runner_h, fi.enum_py, enum, opts.cpp_enum, opts.python_enum, tuple(opts.include_dirs),
                     base_ext, base_sup, label=f"flashinfer {fi.version}", notes=[fi.describe()])], cfg


def config_pairs(cfg: Config, opts: PairOptions, fi_spec: str | None = None) -> list[PairSpec]:
    """The config's ``[[tool.enumsync.pairs]]``, each as a :class:`PairSpec`."""
    out = []
    for i, p in enumerate(cfg.pairs):
        notes = []
        if p.get("cpp"):
            cpp = cfg.root / p["cpp"]
        else:
            fi = _flashinfer(p.get("flashinfer", fi_spec or cfg.flashinfer), cfg.root)
            notes.append(fi.describe())
            cpp = fi.runner_h
        out.append(PairSpec(cpp, cfg.root / p["python"], p.get("enum", opts.enum or DEFAULT_ENUM),
                            p.get("cpp_enum", opts.cpp_enum), p.get("python_enum", opts.python_enum),
                            tuple(cfg.root / d for d in p.get("include_dirs", [])) + tuple(opts.include_dirs),
                            {**cfg.extensions, **p.get("extensions", {})}, list(cfg.suppress),
                            label=p.get("name", f"pair {i + 1}"), notes=notes))
    return out


def _preset(name: str, cwd: Path):
    from .presets import locate_preset
    return locate_preset(name, cwd)


def parse_pair(spec: PairSpec) -> tuple[EnumSpec, EnumSpec]:
    """Both enums of a pair, parsed."""
    from .parsers.cpp import parse_cpp_enum
    from .parsers.python_enum import parse_python_enum
    if not spec.python.suffix == ".py" and spec.python.is_file():
        raise EnumsyncError(f"{spec.python}: expected a Python file (.py) for the Python side")
    cpp = parse_cpp_enum(spec.cpp, spec.enum, spec.cpp_enum, spec.include_dirs)
    py = parse_python_enum(spec.python, spec.python_enum or spec.enum)
    return cpp, py


def check_pair(spec: PairSpec, today: date | None = None) -> PairResult:
    """Parse a pair, run every pair rule, and apply suppressions."""
    from .rules import Context, run_pair_rules
    cpp, py = parse_pair(spec)
    findings = run_pair_rules(cpp, py, Context(extensions=spec.extensions))
    findings = _suppress(findings, spec, py, today or date.today())
    return PairResult(cpp=cpp, python=py, findings=findings, label=spec.label, notes=list(spec.notes))


def _suppress(findings, spec: PairSpec, py: EnumSpec, today: date):
    from .suppressions import apply_suppressions
    return apply_suppressions(findings, spec.suppress, py, today)
