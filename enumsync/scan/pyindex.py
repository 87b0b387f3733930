"""The Python enum classes of a tree, with what their comments say they mirror.

A regex picks the files that define an enum class; only those are parsed (``ast``, never
imported). For each class: name, line, kind, member names, whether its values are strings,
and its *mirror hint*: the comment block above the class, its docstring and the comments in
its body before the first member, when they say "keep in sync with", "copied from", "must
match", "mirrors", "aligned with", "same definition as" or "See X from <file>".
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .walk import cached_entries

_CLASS = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*(?:Enum|Flag)", re.M)
# an enum base under another name: ``from enum import IntEnum as IE``, ``IE = enum.IntEnum``
_ALIAS = re.compile(rb"^[ \t]*from[ \t]+enum[ \t]+import[^\n]*\bas\b|^\w+[ \t]*=[ \t]*(?:\w+\.)?\w*(?:Enum|Flag)\b", re.M)
_IMPORTS_ENUM = re.compile(rb"^[ \t]*(?:from[ \t]+enum[ \t]+import|import[ \t]+enum\b)", re.M)
MIRROR = re.compile(r"(?:\bin\s+sync\b|\bsync(?:ed)?\s+with\b|\bcopied\s+from\b|\bmust\s+match\b|"
                    r"\bmust\s+be\s+aligned\s+with\b|\baligned\s+with\b|\bmirror(?:s|ing|ed)?\b|"
                    r"\bsame\s+definition\s+as\b|\bsee\s+\w+\s+(?:from|in)\b|\bcounterpart\b)", re.I)


@dataclass(frozen=True)
class PyEnumRef:
    path: str
    name: str
    line: int
    kind: str
    members: tuple[str, ...]
    strings: bool          # some member value is a str literal: not an integer mirror
    counted: bool          # every value is auto(): Python numbers it itself (a tag, not an ABI copy)
    hint: str              # the mirror sentence(s), "" when none
    hint_line: int


def _comment_block_above(lines: list[str], lineno: int) -> tuple[str, int]:
    """The contiguous ``#`` comment lines (decorators skipped) right above line ``lineno``."""
    i = lineno - 2
    while i >= 0 and lines[i].lstrip().startswith("@"):
        i -= 1
    got = []
    while i >= 0 and lines[i].lstrip().startswith("#"):
        got.append(lines[i].lstrip()[1:].strip())
        i -= 1
    return " ".join(reversed(got)), i + 2


def _body_comments(lines: list[str], cls: ast.ClassDef, first_member: int | None) -> str:
    end = first_member or cls.end_lineno or cls.lineno
    return " ".join(l.split("#", 1)[1].strip() for l in lines[cls.lineno:end] if l.lstrip().startswith("#"))


def _mirror_sentences(text: str) -> str:
    parts = re.split(r"(?<=[.;:])\s+|\s+(?=[*-]\s)|\s+(?=(?:Please|Note|Keep|See|Copied)\b)", " ".join(text.split()))
    return " ".join(p for p in parts if MIRROR.search(p))


def _other_names(tree) -> tuple[set[str], set[str]]:
    """(module-level names an import or assignment binds: where a base under another name may come
    from, ``IE = enum.IntEnum``; enum base names the file binds to something else: ``class IntEnum``)."""
    import ast
    from ..parsers.module_scope import bound_names
    from ..parsers.python_enum import ENUM_BASES
    origins: set[str] = set()
    shadows: set[str] = set()
    for st in tree.body:
        names = bound_names(st)
        if not isinstance(st, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            origins |= names
        if not (isinstance(st, ast.ImportFrom) and st.module == "enum"):
            shadows |= names & ENUM_BASES
    return origins, shadows


def _root(base) -> str | None:
    """The name a base expression starts with (``IE``, ``en`` of ``en.IntEnum``)."""
    import ast
    while isinstance(base, (ast.Attribute, ast.Subscript)):
        base = base.value
    return base.id if isinstance(base, ast.Name) else None


def index_module(path: str, data: bytes) -> list[list]:
    """Every enum class of one file, as JSON-able rows (see :class:`PyEnumRef`)."""
    if b"Enum" not in data and b"Flag" not in data or not _CLASS.search(data) and not _ALIAS.search(data):
        return []   # every enum base is named Enum or Flag somewhere: in its import, at least
    follow = (b"from enum" in data or b"import enum" in data) and _IMPORTS_ENUM.search(data) is not None
    from ..model import EnumsyncError
    from ..parsers.module_scope import scope_for
    from ..parsers.python_enum import _classes, _member_nodes, class_info, enum_kind
    from ..parsers.source import decode_source, parse_python
    try:
        text = decode_source(path, data, python=True)
        tree = parse_python(text, path)
    except (SyntaxError, ValueError, EnumsyncError):
        return []
    lines = text.splitlines()
    out = []
    origins, shadows = _other_names(tree) if follow else (set(), set())
    for cls in _classes(tree):
        kind = enum_kind(cls)
        roots = {_root(b) for b in cls.bases}
        if follow and (kind is None and roots & origins or kind is not None and roots & shadows):
            kind = class_info(cls, scope_for(tree, cls, text)).kind
        if not kind:
            continue
        origins.add(cls.name)   # a class of the file that is an enum: its subclasses are enums too
        nodes = list(_member_nodes(cls))
        names = [n for n, _, _ in nodes]
        strings = any(isinstance(v, ast.Constant) and isinstance(v.value, str) for _, v, _ in nodes)
        counted = bool(nodes) and all(isinstance(v, ast.Call) and not v.args and ast.unparse(v.func).endswith("auto")
                                      for _, v, _ in nodes)
        above, above_line = _comment_block_above(lines, cls.lineno)
        doc = ast.get_docstring(cls) or ""
        body = _body_comments(lines, cls, nodes[0][2].lineno if nodes else None)
        hint = _mirror_sentences(" ".join((above, doc, body)))
        line = above_line if hint and _mirror_sentences(above) else cls.lineno
        out.append([cls.name, cls.lineno, kind, names, strings, counted, hint, line])
    return out


def index_tree(roots, exclude=()) -> list[PyEnumRef]:
    """Every enum class in the ``.py`` files under ``roots`` but not ``exclude`` (cached per file)."""
    rows, _ = cached_entries("py", roots, (".py",), index_module, exclude)
    return [PyEnumRef(p, e[0], e[1], e[2], tuple(e[3]), *e[4:]) for p, es in rows for e in es]
