"""The repository's own requirement on flashinfer-python, read with ``packaging``.

Looked for, in this order: ``pyproject.toml`` (``[project] dependencies`` and
``optional-dependencies``), ``setup.cfg`` (``install_requires`` and ``extras_require``),
``requirements*.txt`` and ``requirements/*.txt`` (following ``-r`` / ``-c`` includes). A preset
adds the places its project keeps them (sglang: ``python/pyproject.toml``; vLLM:
``requirements/*.txt``). Every requirement found must agree: they are intersected.
"""
from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import EnumsyncError

NAMES = {"flashinfer-python", "flashinfer_python"}


@dataclass
class Pin:
    """Where and how the repository pins flashinfer-python."""

    specifier: object                         # packaging.specifiers.SpecifierSet
    sources: list[tuple[str, str]] = field(default_factory=list)   # (file:line, requirement text)

    @property
    def exact(self) -> str | None:
        """The version when the pin is a single ``==X`` (or ``===X``), else None."""
        specs = list(self.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            return specs[0].version
        eq = {s.version for s in specs if s.operator in ("==", "===") and "*" not in s.version}
        if len(eq) == 1:
            v = next(iter(eq))
            if self.specifier.contains(v, prereleases=True):
                return v
        return None

    def describe(self) -> str:
        where = ", ".join(f"{w} ({t})" for w, t in self.sources)
        return f"flashinfer-python{self.specifier} from {where}"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse_req(text: str, where: str):
    from packaging.requirements import InvalidRequirement, Requirement
    try:
        return Requirement(text)
    except InvalidRequirement as e:
        if any(n in text.lower() for n in ("flashinfer-python", "flashinfer_python")):
            raise EnumsyncError(f"{where}: cannot read the requirement {text!r} ({e})") from e
        return None


def _rel(p: Path, cwd: Path) -> str:
    try:
        return str(p.relative_to(cwd))
    except ValueError:
        return str(p)


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return 0


def _from_pyproject(p: Path, cwd: Path):
    import tomllib
    text = p.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise EnumsyncError(f"{_rel(p, cwd)}: not valid TOML ({e}); fix it, or pass --flashinfer VERSION") from e
    proj = data.get("project", {})
    reqs = list(proj.get("dependencies", []))
    for extra in proj.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    for r in reqs:
        yield r, f"{_rel(p, cwd)}:{_line_of(text, r)}"


def _from_setup_cfg(p: Path, cwd: Path):
    text = p.read_text(encoding="utf-8")
    cp = configparser.ConfigParser()
    try:
        cp.read_string(text)
    except configparser.Error as e:
        raise EnumsyncError(f"{_rel(p, cwd)}: cannot read it ({e})") from e
    chunks = []
    if cp.has_option("options", "install_requires"):
        chunks.append(cp.get("options", "install_requires"))
    if cp.has_section("options.extras_require"):
        chunks.extend(v for _, v in cp.items("options.extras_require"))
    for chunk in chunks:
        for r in chunk.splitlines():
            r = r.strip()
            if r and not r.startswith("#"):
                yield r, f"{_rel(p, cwd)}:{_line_of(text, r)}"


def _from_requirements(p: Path, cwd: Path, seen: set[Path]):
    p = p.resolve()
    if p in seen:
        return
    seen.add(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise EnumsyncError(f"{_rel(p, cwd)}: cannot read it ({e.strerror})") from e
    for i, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        m = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if m:
            inc = (p.parent / m.group(2))
            if not inc.is_file():
                raise EnumsyncError(f"{_rel(p, cwd)}:{i}: includes {m.group(2)}, which does not exist")
            yield from _from_requirements(inc, cwd, seen)
            continue
        if line.startswith("-"):
            continue        # --index-url, -e ., --extra-index-url, ...
        yield line, f"{_rel(p, cwd)}:{i}"


def candidate_files(cwd: Path, preset=None) -> list[Path]:
    """The files that may pin flashinfer, in the order they are read."""
    rels = list(getattr(preset, "pin_files", ()) or ())
    rels += ["pyproject.toml", "setup.cfg", "requirements*.txt", "requirements/*.txt"]
    out: list[Path] = []
    for rel in rels:
        for p in sorted(cwd.glob(rel)):
            if p.is_file() and p.resolve() not in {q.resolve() for q in out}:
                out.append(p)
    return out


def find_pin(cwd: Path, preset=None) -> Pin:
    """The intersection of every flashinfer-python requirement found under ``cwd``."""
    from packaging.specifiers import SpecifierSet
    cwd = Path(cwd)
    files = candidate_files(cwd, preset)
    found: list[tuple[object, str, str]] = []
    seen: set[Path] = set()
    for p in files:
        if p.name == "pyproject.toml":
            items = _from_pyproject(p, cwd)
        elif p.name == "setup.cfg":
            items = _from_setup_cfg(p, cwd)
        else:
            items = _from_requirements(p, cwd, seen)
        for text, where in items:
            req = _parse_req(text, where)
            if req is not None and _norm(req.name) in {_norm(n) for n in NAMES}:
                if req.url:
                    raise EnumsyncError(f"{where}: flashinfer-python is pinned to a URL ({req.url}); "
                                        "pass --flashinfer VERSION")
                found.append((req, where, text.strip()))
    if not found:
        looked = ", ".join(_rel(p, cwd) for p in files) or "no pyproject.toml, setup.cfg or requirements*.txt"
        raise EnumsyncError(f"--flashinfer pinned: no requirement on flashinfer-python in {cwd} (looked in {looked}); "
                            "add one, or pass --flashinfer VERSION")
    spec = SpecifierSet()
    for req, _, _ in found:
        spec &= req.specifier
    pin = Pin(spec, [(w, t) for _, w, t in found])
    if not str(spec):
        raise EnumsyncError(f"--flashinfer pinned: flashinfer-python is required without a version ({pin.sources[0][0]}); "
                            "pin it, or pass --flashinfer VERSION")
    eq = {s.version for s in spec if s.operator in ("==", "===")}
    if len(eq) > 1:
        raise EnumsyncError(f"--flashinfer pinned: the pins disagree ({'; '.join(f'{w}: {t}' for w, t in pin.sources)}); "
                            "make them agree, or pass --flashinfer VERSION")
    return pin
