"""Turn CLI options and config into the C++/Python pairs to check, then check them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .model import EnumSpec, EnumsyncError, Finding, PairResult

DEFAULT_ENUM = "RoutingMethodType"


@dataclass
class PairSpec:
    """One C++ enum and its Python copy, with everything needed to check them."""

    cpp: Path | None
    python: Path
    enum: str = DEFAULT_ENUM
    cpp_enum: str | None = None
    python_enum: str | None = None
    include_dirs: tuple[str, ...] = ()
    extensions: dict[str, str] = field(default_factory=dict)
    suppress: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""
    notes: list[str] = field(default_factory=list)
    origin: str = ""                       # one sentence: where this run found its pair (zero config)
    cpp_locked: EnumSpec | None = None     # the C++ enum from enumsync.lock (no header to parse)
    findings: list[Finding] = field(default_factory=list)   # found while resolving (ES011 stale lock)
    flashinfer_version: str | None = None  # when the C++ side is a flashinfer release
    pinned: str = ""                       # the pin that chose that release (lockable pairs only)
    project_root: Path | None = None       # where enumsync.lock lives: the config's folder or the checkout root


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
    use_lock: bool = True          # take the C++ enum from enumsync.lock when the pin still matches
    verify_lock: bool = False      # re-derive the lock's enums from the real wheels


@dataclass
class CppSide:
    """Where a pair's C++ enum comes from: a header, or a locked EnumSpec."""

    path: Path | None
    note: str
    locked: EnumSpec | None = None
    version: str | None = None
    pin_where: str = ""            # file:line of the pin that chose the version
    findings: list[Finding] = field(default_factory=list)
    pin: str = ""                  # the pin, described


def _flashinfer(spec: str | None, cwd: Path):
    """The flashinfer files for ``spec`` (installed | pinned | VERSION | SPECIFIER | None=default)."""
    from . import sources
    if spec is None:
        return sources.default_flashinfer()
    return sources.resolve_flashinfer(spec, cwd)


def _from_files(fi) -> CppSide:
    return CppSide(fi.runner_h, fi.describe(), version=fi.version)


def flashinfer_cpp(fi_spec: str | None, root: Path, preset, enum: str, cpp_enum: str | None,
                   opts: PairOptions, lock=None) -> CppSide:
    """The C++ side from a flashinfer release; ``pinned`` uses ``lock`` while the pin still matches it."""
    if fi_spec != "pinned":
        return _from_files(_flashinfer(fi_spec, root))
    from . import sources
    from .lock import pin_matches, stale_finding, verify_entry
    from .pinned import find_pin
    pin = find_pin(root, preset)
    entry = lock.find(enum, cpp_enum) if lock is not None and (opts.use_lock or opts.verify_lock) else None
    if entry is not None and pin_matches(pin, entry.version) and not opts.verify_lock:
        return CppSide(None, f"C++ enum from {lock.display} (flashinfer-python {entry.version}, runner.h sha256 "
                             f"{entry.sha256[:12]}...; {pin.describe()})", locked=entry.cpp, version=entry.version,
                       pin_where=pin.where, pin=pin.describe())
    stale = [stale_finding(lock, entry, pin)] if entry is not None and not pin_matches(pin, entry.version) else []
    try:
        if pin.exact:
            fi = sources.fetch_version(pin.exact, selected=f"pinned: {pin.describe()}")
        else:
            version, how = sources.newest_matching(str(pin.specifier))
            fi = sources.fetch_version(version, selected=f"pinned: {pin.describe()}; {how}")
    except EnumsyncError as e:
        if stale:
            raise EnumsyncError(f"{stale[0].message}, and the new version cannot be fetched here ({e}); "
                                f"{stale[0].hint}") from e
        raise
    side = CppSide(fi.runner_h, fi.describe(), version=fi.version, pin_where=pin.where, findings=stale,
                   pin=pin.describe())
    if entry is not None and opts.verify_lock and not stale:
        side.findings.extend(verify_entry(lock, entry, fi.runner_h))
    return side


def resolve_pairs(opts: PairOptions, cwd: Path | None = None) -> tuple[list[PairSpec], Config | None]:
    """The pairs to check, in this order of precedence: explicit files, preset, config, a detected
    checkout (zero config), the installed flashinfer's own pair."""
    cwd = (cwd or Path.cwd()).resolve()
    cfg = load_config(opts.config, cwd)
    enum = opts.enum or DEFAULT_ENUM
    base_ext = dict(cfg.extensions) if cfg else {}
    base_sup = list(cfg.suppress) if cfg else []
    fi_spec = opts.flashinfer or (cfg.flashinfer if cfg else None)
    preset = opts.preset or (cfg.preset if cfg and not cfg.pairs else None)
    origin, detected = "", None
    if not (opts.cpp or opts.python or preset or (cfg and cfg.pairs)):
        from .presets import detect_project
        detected = detect_project(cwd)
        if detected is not None:
            preset = detected.preset.name
            if fi_spec is None and detected.preset.pin_files:
                fi_spec = "pinned"
    root = cfg.root if cfg else (_preset_root(preset, cwd) if preset else cwd)
    lock = _lock(opts, root)

    def pair(cpp: CppSide, py: Path, ext: dict, label: str, notes: list[str]) -> PairSpec:
        return PairSpec(cpp.path, py, enum, opts.cpp_enum, opts.python_enum, tuple(opts.include_dirs), ext,
                        base_sup, label=label, notes=[*notes, cpp.note], origin=origin, cpp_locked=cpp.locked,
                        findings=list(cpp.findings), flashinfer_version=cpp.version, pinned=cpp.pin,
                        project_root=root)

    if opts.cpp or opts.python:
        cpp = CppSide(Path(opts.cpp), f"C++ side: {opts.cpp}") if opts.cpp else \
            flashinfer_cpp(fi_spec, cfg.root if cfg else cwd, None, enum, opts.cpp_enum, opts, lock)
        notes, ext = [], dict(base_ext)
        if opts.python:
            py = Path(opts.python)
            if preset:   # --preset with an explicit --python keeps the preset's knowledge
                from .presets import get_preset, preset_extensions
                ext = {**preset_extensions(get_preset(preset), py, opts.python_enum or opts.enum), **ext}
        elif preset:
            pf = _preset(preset, cwd)
            py, ext = pf.python, {**pf.extensions, **ext}
            notes.append(f"preset {preset}: {py}")
        else:
            fi = _flashinfer(fi_spec, cwd)
            py = fi.enum_py
            notes.append(f"Python side: {fi.describe()}")
        return [pair(cpp, py, ext, enum, notes)], cfg

    if preset:
        pf = _preset(preset, detected.root if detected else cwd)
        if opts.cpp:
            cpp = CppSide(Path(opts.cpp), f"C++ side: {opts.cpp}")
        elif fi_spec is None and getattr(pf, "cpp", None) is not None:
            cpp = CppSide(pf.cpp, f"C++ side: {pf.cpp} (preset {preset})")  # a flashinfer checkout: its own runner.h
        else:
            root = pf.pin_root if fi_spec == "pinned" and pf.pin_root else cwd
            cpp = flashinfer_cpp(fi_spec, root, pf.preset, enum, opts.cpp_enum, opts, lock)
        if detected is not None:
            origin = _origin(detected, cpp, pf, fi_spec)
        return [pair(cpp, pf.python, {**pf.extensions, **base_ext}, f"{preset}:{enum}",
                     [f"preset {preset}: {pf.python}"])], cfg

    if cfg and cfg.pairs:
        return config_pairs(cfg, opts, fi_spec, lock), cfg

    fi = _flashinfer(fi_spec, cfg.root if cfg else cwd)
    if cfg is None:
        from .presets import PRESETS
        known = ", ".join(p.title for p in PRESETS.values())
        origin = (f"no project copy found: no {known} checkout at or above {cwd} and no [tool.enumsync] config; "
                  f"checking flashinfer-python {fi.version}'s own pair (pass --python FILE or --preset NAME "
                  "to check yours)")
    return [PairSpec(fi.runner_h, fi.enum_py, enum, opts.cpp_enum, opts.python_enum, tuple(opts.include_dirs),
                     base_ext, base_sup, label=f"flashinfer {fi.version}", notes=[fi.describe()], origin=origin,
                     flashinfer_version=fi.version, project_root=root)], cfg


def pinned_cpp(opts: PairOptions, cwd: Path | None = None) -> CppSide:
    """The C++ side ``check`` takes from the pinned flashinfer: the same pin files (preset, config or
    the detected checkout) and the same enumsync.lock. For commands with no Python pair (``models``)."""
    from .presets import detect_project, get_preset
    cwd = (cwd or Path.cwd()).resolve()
    cfg = load_config(opts.config, cwd)
    preset = opts.preset or (cfg.preset if cfg else None)
    if not preset and cfg is None:
        found = detect_project(cwd)
        preset = found.preset.name if found is not None else None
    root = cfg.root if cfg else (_preset_root(preset, cwd) if preset else cwd)
    return flashinfer_cpp("pinned", root, get_preset(preset), opts.enum or DEFAULT_ENUM, opts.cpp_enum, opts,
                          _lock(opts, root))


def detected_python(cwd: Path | None = None) -> tuple[Path, str] | None:
    """Zero config for commands that take only a Python copy (``verify``): the copy of the checkout
    around ``cwd`` and the report's first line, or None outside a known checkout (or with a config
    that names pairs or a preset: the config wins)."""
    from .presets import detect_project, locate_preset
    cwd = (cwd or Path.cwd()).resolve()
    cfg = load_config(None, cwd)
    if cfg is not None and (cfg.pairs or cfg.preset):
        return None
    found = detect_project(cwd)
    if found is None:
        return None
    pf = locate_preset(found.preset.name, found.root)
    return pf.python, f"{found.describe()}: {pf.python.relative_to(found.root)}"


def _origin(detected, cpp: CppSide, pf, fi_spec: str | None) -> str:
    """The first line of a zero-config report: which checkout, and which flashinfer it pins."""
    head = f"{detected.describe()}"
    if fi_spec not in (None, "pinned"):
        return f"{head}, flashinfer-python {cpp.version} (--flashinfer {fi_spec})"
    if cpp.locked is not None:
        return f"{head}, flashinfer-python {cpp.version} pinned in {cpp.pin_where} (C++ enum from enumsync.lock)"
    if cpp.pin_where:
        return f"{head}, flashinfer-python {cpp.version} pinned in {cpp.pin_where}"
    if cpp.version is None or pf.cpp is not None and cpp.path == pf.cpp:
        return f"{head}: its own {cpp.path.relative_to(detected.root) if cpp.path else 'header'}"
    return f"{head}, flashinfer-python {cpp.version}"


def _lock(opts: PairOptions, root: Path):
    """The enumsync.lock at ``root`` (validated), or None; ``--verify-lock`` needs one."""
    from .lock import LOCK_NAME, read_lock
    path = root / LOCK_NAME
    if not path.is_file():
        if opts.verify_lock:
            raise EnumsyncError(f"--verify-lock: no {LOCK_NAME} in {root}; create it with `enumsync lock`")
        return None
    return read_lock(path) if (opts.use_lock or opts.verify_lock) else None


def lock_root(cfg: Config | None, specs: list[PairSpec]) -> Path:
    """The folder of enumsync.lock for these pairs."""
    return cfg.root if cfg else (specs[0].project_root or Path.cwd())


def _preset_root(name: str, cwd: Path) -> Path:
    from .presets import find_root, get_preset
    return find_root(get_preset(name), cwd)


def config_pairs(cfg: Config, opts: PairOptions, fi_spec: str | None = None, lock=None) -> list[PairSpec]:
    """The config's ``[[tool.enumsync.pairs]]``, each as a :class:`PairSpec` (``pinned`` ones use ``lock``)."""
    out = []
    for i, p in enumerate(cfg.pairs):
        e = p.get("enum", opts.enum or DEFAULT_ENUM)
        if p.get("cpp"):
            cpp = CppSide(cfg.root / p["cpp"], f"C++ side: {p['cpp']}")
        else:
            cpp = flashinfer_cpp(p.get("flashinfer", fi_spec or cfg.flashinfer), cfg.root, None, e,
                                 p.get("cpp_enum", opts.cpp_enum), opts, lock)
        out.append(PairSpec(cpp.path, cfg.root / p["python"], e,
                            p.get("cpp_enum", opts.cpp_enum), p.get("python_enum", opts.python_enum),
                            tuple(cfg.root / d for d in p.get("include_dirs", [])) + tuple(opts.include_dirs),
                            {**cfg.extensions, **p.get("extensions", {})}, list(cfg.suppress),
                            label=p.get("name", f"pair {i + 1}"), notes=[cpp.note], cpp_locked=cpp.locked,
                            findings=list(cpp.findings), flashinfer_version=cpp.version, pinned=cpp.pin,
                            project_root=cfg.root))
    return out


def _preset(name: str, cwd: Path):
    from .presets import locate_preset
    return locate_preset(name, cwd)


def parse_pair(spec: PairSpec) -> tuple[EnumSpec, EnumSpec]:
    """Both enums of a pair, parsed (the C++ one taken from enumsync.lock when the pair has it)."""
    from .parsers.python_enum import parse_python_enum
    if not spec.python.suffix == ".py" and spec.python.is_file():
        raise EnumsyncError(f"{spec.python}: expected a Python file (.py) for the Python side")
    if spec.cpp_locked is not None:
        cpp = spec.cpp_locked
    else:
        from .parsers.cpp import parse_cpp_enum
        cpp = parse_cpp_enum(spec.cpp, spec.enum, spec.cpp_enum, spec.include_dirs)
    py = parse_python_enum(spec.python, spec.python_enum or spec.enum)
    return cpp, py


def check_pair(spec: PairSpec, today: date | None = None) -> PairResult:
    """Parse a pair, run every pair rule, and apply suppressions."""
    from .rules import Context, run_pair_rules
    cpp, py = parse_pair(spec)
    findings = list(spec.findings) + run_pair_rules(cpp, py, Context(extensions=spec.extensions))
    findings = _suppress(findings, spec, py, today or date.today())
    return PairResult(cpp=cpp, python=py, findings=findings, label=spec.label, notes=list(spec.notes),
                      origin=spec.origin)


def _suppress(findings, spec: PairSpec, py: EnumSpec, today: date):
    from .suppressions import apply_suppressions
    return apply_suppressions(findings, spec.suppress, py, today)
