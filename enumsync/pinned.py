"""The repository's own requirement on flashinfer-python, read with maintained parsers.

Read, in this order (a preset first adds the places its project keeps them: sglang
``python/pyproject.toml``, vLLM ``requirements/*.txt``):

- ``pyproject.toml``: ``[project] dependencies``, ``[project.optional-dependencies]`` and
  ``[dependency-groups]`` (PEP 735; ``{include-group = ...}`` entries name groups read anyway);
- ``setup.cfg``: ``install_requires`` and ``extras_require`` (``configparser``);
- ``requirements*.txt`` and ``requirements/*.txt`` with pip's own line rules
  (``pip-requirements-parser``: ``\\`` continuations, ``--hash``, markers, ``-r``/``-c`` includes);
- lock files ``uv.lock``, ``poetry.lock``, ``pylock.toml``/``pylock.*.toml`` (PEP 751): the exact
  locked version beats a range, and must satisfy it.

Requirements are parsed with ``packaging`` and names compared canonically
(``flashinfer_python[cu13]==0.7.2`` is flashinfer-python ==0.7.2). Environment markers are
kept but not evaluated: a pin is the project's, not this machine's. Every requirement found must
agree: they are intersected.
"""
from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

from .model import EnumsyncError
from .parsers.source import read_text

DIST = "flashinfer-python"
REQUIREMENT_FILES = ("requirements*.txt", "requirements/*.txt")
LOCK_FILES = ("uv.lock", "poetry.lock", "pylock.toml", "pylock.*.toml")


@dataclass
class Pin:
    """Where and how the repository pins flashinfer-python."""

    specifier: object                         # packaging.specifiers.SpecifierSet
    sources: list[tuple[str, str]] = field(default_factory=list)   # (file:line, requirement text)
    locked: str | None = None                 # the version a lock file resolved
    locked_in: str = ""                       # that lock file, file:line

    @property
    def exact(self) -> str | None:
        """The version when the pin is a single ``==X`` (or ``===X``) or a lock file fixes it, else None."""
        if self.locked:
            return self.locked
        specs = list(self.specifier)
        eq = {s.version for s in specs if s.operator in ("==", "===") and "*" not in s.version}
        if len(eq) == 1:
            v = next(iter(eq))
            if self.specifier.contains(v, prereleases=True):
                return v
        return None

    @property
    def where(self) -> str:
        """file:line of the pin that decides the version (the lock file, else the first requirement)."""
        return self.locked_in or (self.sources[0][0] if self.sources else "")

    def describe(self) -> str:
        where = ", ".join(f"{w} ({t})" for w, t in self.sources)
        lock = f"; locked to {self.locked} in {self.locked_in}" if self.locked else ""
        return f"flashinfer-python{self.specifier} from {where}{lock}"


def _canon(name: str) -> str:
    from packaging.utils import canonicalize_name
    return canonicalize_name(name)


def _parse_req(text: str, where: str):
    from packaging.requirements import InvalidRequirement, Requirement
    try:
        return Requirement(text)
    except InvalidRequirement as e:
        if "flashinfer" in text.lower().replace("_", "-"):
            raise EnumsyncError(f"{where}: cannot read the requirement {text!r} ({e})") from e
        return None


def _rel(p: Path, root: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(p)


def _line_of(text: str, needle: str, start: int = 1) -> int:
    for i, line in enumerate(text.splitlines()[start - 1:], start):
        if needle in line:
            return i
    return 0


# --- readers: each yields (requirement text, "file:line") ---------------------------------

def _from_pyproject(p: Path, root: Path):
    from .tomlfile import loads
    text = read_text(p, "fix it, or pass --flashinfer VERSION")
    data = loads(text, _rel(p, root), "fix it, or pass --flashinfer VERSION")
    proj = data.get("project", {})
    reqs = list(proj.get("dependencies", []))
    for extra in proj.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    for group in data.get("dependency-groups", {}).values():
        reqs.extend(r for r in group if isinstance(r, str))   # {include-group = ...}: that group is read too
    for r in reqs:
        if isinstance(r, str):
            yield r, f"{_rel(p, root)}:{_line_of(text, r)}"


def _from_setup_cfg(p: Path, root: Path):
    text = read_text(p, "fix it, or pass --flashinfer VERSION")
    cp = configparser.ConfigParser()
    try:
        cp.read_string(text)
    except configparser.Error as e:
        raise EnumsyncError(f"{_rel(p, root)}: cannot read it ({e})") from e
    chunks = []
    if cp.has_option("options", "install_requires"):
        chunks.append(cp.get("options", "install_requires"))
    if cp.has_section("options.extras_require"):
        chunks.extend(v for _, v in cp.items("options.extras_require"))
    for chunk in chunks:
        for r in chunk.splitlines():
            r = r.strip()
            if r and not r.startswith("#"):
                yield r, f"{_rel(p, root)}:{_line_of(text, r)}"


def _from_requirements(p: Path, root: Path, seen: set[Path]):
    """pip's requirement-file rules via pip-requirements-parser, includes followed once each."""
    from pip_requirements_parser import InstallationError, RequirementsFile
    p = p.resolve()
    if p in seen:
        return
    read_text(p, "fix it, or pass --flashinfer VERSION")   # a regular UTF-8 file, or one line
    try:
        rf = RequirementsFile.from_file(str(p), include_nested=True)
    except (UnicodeDecodeError, OSError) as e:
        raise EnumsyncError(f"{_rel(p, root)}: cannot read it or a file it includes ({e}); fix it, "
                            "or pass --flashinfer VERSION") from None
    except InstallationError as e:
        missing = str(e).split(":", 1)[-1].split("|", 1)[0].strip()
        raise EnumsyncError(f"{_rel(p, root)}: includes {_rel(Path(missing), p.parent)}, which does not exist; "
                            "fix the -r/-c line") from e
    fresh = {Path(r.requirement_line.filename).resolve() for r in [*rf.requirements, *rf.invalid_lines]} - seen
    fresh.add(p)
    seen.update(fresh)
    for bad in rf.invalid_lines:
        line = bad.requirement_line
        if Path(line.filename).resolve() in fresh and "flashinfer" in line.line.lower().replace("_", "-"):
            raise EnumsyncError(f"{_rel(Path(line.filename), root)}:{line.line_number}: cannot read the requirement "
                                f"{line.line.strip()!r} ({bad.error_message.splitlines()[0]})")
    for r in rf.requirements:
        if r.name is None or Path(r.filename).resolve() not in fresh:
            continue          # -e ., a bare path or URL without a name
        if r.link is not None:
            yield f"{r.name} @ {r.link.url}", f"{_rel(Path(r.filename), root)}:{r.line_number}"
            continue
        text = str(r.req)
        if r.marker and ";" not in text:
            text += f" ; {r.marker}"
        yield text, f"{_rel(Path(r.filename), root)}:{r.line_number}"


def _locked(p: Path, root: Path) -> tuple[str, str] | None:
    """(version, file:line) of flashinfer-python in a uv.lock, poetry.lock or pylock.toml, or None."""
    from .tomlfile import loads
    text = read_text(p, "fix it, or pass --flashinfer VERSION")
    data = loads(text, _rel(p, root), "fix it, or pass --flashinfer VERSION")
    for pkg in data.get("package", []) + data.get("packages", []):
        if isinstance(pkg, dict) and _canon(str(pkg.get("name", ""))) == DIST and pkg.get("version"):
            line = _line_of(text, f'"{pkg["name"]}"')
            return str(pkg["version"]), f"{_rel(p, root)}:{line or 1}"
    return None


def candidate_files(cwd: Path, preset=None) -> list[Path]:
    """The files that may pin flashinfer, in the order they are read."""
    rels = list(getattr(preset, "pin_files", ()) or ())
    rels += ["pyproject.toml", "setup.cfg", *REQUIREMENT_FILES]
    out: list[Path] = []
    for rel in rels:
        for p in sorted(cwd.glob(rel)):
            if p.is_file() and p.resolve() not in {q.resolve() for q in out}:
                out.append(p)
    return out


def _requirements(files: list[Path], root: Path):
    seen: set[Path] = set()
    for p in files:
        if p.name == "pyproject.toml":
            yield from _from_pyproject(p, root)
        elif p.name == "setup.cfg":
            yield from _from_setup_cfg(p, root)
        else:
            yield from _from_requirements(p, root, seen)


def find_pin(cwd: Path, preset=None) -> Pin:
    """The intersection of every flashinfer-python requirement found under ``cwd``, and any locked version."""
    from packaging.specifiers import SpecifierSet
    cwd = Path(cwd)
    files = candidate_files(cwd, preset)
    found: list[tuple[object, str, str]] = []
    for text, where in _requirements(files, cwd):
        req = _parse_req(text, where)
        if req is not None and _canon(req.name) == DIST:
            if req.url:
                raise EnumsyncError(f"{where}: flashinfer-python is pinned to a URL ({req.url}); "
                                    "pass --flashinfer VERSION")
            found.append((req, where, text.strip()))
    dirs = dict.fromkeys([cwd, *(p.parent for p in files if p.name == "pyproject.toml")])  # lock beside pyproject
    locks = [p for d in dirs for rel in LOCK_FILES for p in sorted(d.glob(rel)) if p.is_file()]
    locked = next((hit for hit in (_locked(p, cwd) for p in locks) if hit), None)
    if not found and locked is None:
        looked = ", ".join(_rel(p, cwd) for p in files + locks) or "no pyproject.toml, setup.cfg or requirements*.txt"
        raise EnumsyncError(f"--flashinfer pinned: no requirement on flashinfer-python in {cwd} (looked in {looked}); "
                            "add one, or pass --flashinfer VERSION")
    spec = SpecifierSet()
    for req, _, _ in found:
        spec &= req.specifier
    pin = Pin(spec, [(w, t) for _, w, t in found])
    if locked is not None:
        pin.locked, pin.locked_in = locked
        if not spec.contains(pin.locked, prereleases=True):
            raise EnumsyncError(f"--flashinfer pinned: {pin.locked_in} locks flashinfer-python {pin.locked}, outside "
                                f"{spec} ({pin.sources[0][0]}); update the lock file, or pass --flashinfer VERSION")
        return pin
    if not str(spec):
        raise EnumsyncError(f"--flashinfer pinned: flashinfer-python is required without a version ({pin.sources[0][0]}); "
                            "pin it, or pass --flashinfer VERSION")
    eq = {s.version for s in spec if s.operator in ("==", "===")}
    if len(eq) > 1:
        raise EnumsyncError(f"--flashinfer pinned: the pins disagree ({'; '.join(f'{w}: {t}' for w, t in pin.sources)}); "
                            "make them agree, or pass --flashinfer VERSION")
    return pin
