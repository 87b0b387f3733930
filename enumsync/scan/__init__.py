"""``enumsync scan``: find every C++/Python enum pair in a tree, then check them as ``check`` does.

Pairs come from, in order: the config's ``[[tool.enumsync.pairs]]`` (always wins); a mirror
comment on the Python enum ("keep in sync with include/.../runner.h"), resolved against the
tree, flashinfer's shipped headers and the ``-I`` dirs; a Python enum with the name of a C++
enum whose member names mostly match. C++ enums are indexed by a cheap token pass
(``cindex``); libclang parses only the headers of the pairs found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..model import EnumSpec, EnumsyncError, PairResult
from .discover import CppIndex, Found, by_mirror, by_name


@dataclass
class Tree:
    """What to scan: Python roots, C++ roots (the tree, shipped headers, -I dirs), and notes."""

    py_roots: list[Path]
    cpp_roots: list[Path]
    include_dirs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    py_exclude: list[Path] = field(default_factory=list)   # e.g. a flashinfer package's vendored data/


def flashinfer_package(root: Path) -> bool:
    """A flashinfer-python package folder (installed, or unpacked from a wheel)."""
    return (root / "data" / "include" / "flashinfer").is_dir() and (root / "__init__.py").is_file()


def shipped_headers(root: Path) -> list[Path]:
    """flashinfer's header folders inside a package or checkout (``data/include``, ``data/csrc``, ...)."""
    out = []
    for base in (root, root / "flashinfer", root / "data", root / "flashinfer" / "data"):
        for sub in ("include", "csrc"):
            if (base / sub).is_dir():
                out.append(base / sub)
    return out


_INC = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*["<]([^">]+)[">]', re.M)


def _includes_of(all_files: list[str]):
    def includes(path: str) -> list[str]:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return []
        out = []
        for m in _INC.finditer(data):
            tail = "/" + m.group(1).decode(errors="replace").lstrip("./")
            out += [f for f in all_files if f.endswith(tail)]
        return out
    return includes


def discover(tree: Tree, taken: set[tuple[str, str]] = frozenset()) -> list[Found]:
    """Every mirrored pair in ``tree`` (mirror comments, then names); ``taken`` (path, class) skipped."""
    from . import cindex, pyindex
    refs, files = cindex.index_tree([*tree.cpp_roots, *tree.include_dirs])
    idx = CppIndex(refs)
    own = tuple(f"{r}/" for r in tree.cpp_roots)     # name matches: the tree's own headers, not -I dirs
    named = CppIndex([r for r in refs if r.path.startswith(own)])
    includes = _includes_of(files)
    out = []
    for py in pyindex.index_tree(tree.py_roots, tree.py_exclude):
        if (str(Path(py.path).resolve()), py.name) in taken or py.strings:
            continue   # named in the config, or string values: not a copy of C++ integers
        f = (by_mirror(py, idx, files, includes) if py.hint else None) or by_name(py, named)
        if f is not None:
            out.append(f)
    return out


def to_spec(f: Found, tree: Tree):
    """The ``check`` pair of a resolved :class:`Found`."""
    from ..pairs import PairSpec
    from ..parsers.python_enum import parse_python_enum
    from ..presets import detect_extensions
    from .discover import scoped_extensions
    where = f"{f.py.path}:{f.py.line}"
    ext = detect_extensions(parse_python_enum(f.py.path, f.py.name))   # "not passed to FlashInfer kernels"
    if f.how == "mirror comment":   # "Fused values must be aligned with ...": the other members are Python's own
        ext = {**scoped_extensions(f.detail, f.py.members, where), **ext}
    note = f"found by {f.how} ({where}" + (f": {_clip(f.detail)})" if f.detail else ")")
    return PairSpec(Path(f.cpp.path), Path(f.py.path), f.cpp.name, None, f.py.name,
                    tuple(map(str, tree.include_dirs)), ext, [], label=f"{f.py.name} ~ {f.cpp.name}",
                    notes=[*tree.notes, note] + ([f"Python-only: {', '.join(ext)}"] if ext else []))


def _clip(s: str, n: int = 140) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def unresolved(f: Found, why: str, tree: Tree) -> PairResult:
    """A pair that cannot be checked: its Python enum as parsed, and one ES010 finding with the reason."""
    from ..parsers.python_enum import parse_python_enum
    from ..rules import make
    try:
        py = parse_python_enum(f.py.path, f.py.name)
    except EnumsyncError:
        py = EnumSpec("python", f.py.path, f.py.name, f.py.name, (), f.py.line, kind=f.py.kind)
    name = f.cpp.name if f.cpp else f.py.name
    cpp = EnumSpec("cpp", f.cpp.path if f.cpp else "", name, name, (), f.cpp.line if f.cpp else 0)
    cands = "; candidates: " + ", ".join(f"{c.path}:{c.line}" for c in f.candidates) \
        if f.candidates and "ambiguous" not in why else ""
    finding = make("ES010", f"{f.py.name} is not checked: {why}{cands}", path=f.py.path, line=f.py.line,
                   hint="pass -I for the folder that holds the header, or name the pair in [[tool.enumsync.pairs]]",
                   extra={"found": f.how, "comment": f.detail})
    note = f"found by {f.how} ({f.py.path}:{f.py.line}" + (f": {_clip(f.detail)})" if f.detail else ")")
    return PairResult(cpp=cpp, python=py, findings=[finding], label=f"{f.py.name} ~ ?",
                      notes=[*tree.notes, note], found=f.how)


def check_found(found: list[Found], tree: Tree, today: date | None = None) -> list[PairResult]:
    """Check each resolved pair as ``check`` does; an unresolved or unparsable one gives ES010."""
    from ..pairs import check_pair
    out = []
    for f in found:
        if f.cpp is None:
            out.append(unresolved(f, f.reason, tree))
            continue
        try:
            r = check_pair(to_spec(f, tree), today)
        except EnumsyncError as e:
            out.append(unresolved(f, str(e), tree))
            continue
        r.found = f.how
        out.append(r)
    return out
