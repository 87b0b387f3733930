"""A cheap index of the C++ enums in a tree: a byte search and a regex, no compiler.

Only files that name ``enum`` are read further; each definition gives its name, line,
underlying type and member names (the first identifier of each top-level item). libclang runs
later, and only on the files that hold an enum a pair needs. Entries are cached per file, keyed
by mtime and size, so a warm scan of a 600 MB tree only stats its files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .walk import cached_entries

CPP_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".cuh", ".cu", ".inl", ".cpp", ".cc", ".cxx")

_ENUM = re.compile(rb"\benum[ \t\r\n]+(?:(?:class|struct)[ \t\r\n]+)?(?:\[\[[^\]]*\]\][ \t\r\n]*)?"
                   rb"([A-Za-z_]\w*)[ \t\r\n]*(?::[ \t\r\n]*([\w:<> \t]+?))?[ \t\r\n]*\{")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_PREPROC = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
_IDENT = re.compile(r"\s*([A-Za-z_]\w*)")


@dataclass(frozen=True)
class CppEnumRef:
    """One enum definition found by the token pass: enough to pick candidates, not to check."""

    path: str
    name: str
    line: int
    underlying: str | None
    members: tuple[str, ...]


def _body(text: bytes, start: int) -> bytes:
    """The bytes between the ``{`` at ``start - 1`` and its matching ``}``."""
    depth, i = 1, start
    while depth and i < len(text):
        j = min((k for k in (text.find(b"{", i), text.find(b"}", i)) if k >= 0), default=-1)
        if j < 0:
            return text[start:]
        depth += 1 if text[j:j + 1] == b"{" else -1
        i = j + 1
    return text[start:i - 1]


def member_names(body: str) -> tuple[str, ...]:
    """The first identifier of each top-level comma-separated item of an enum body."""
    body = _PREPROC.sub("", _COMMENT.sub("", body))
    out, depth, item = [], 0, []
    for ch in body + ",":
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth <= 0:
            m = _IDENT.match("".join(item))
            if m:
                out.append(m.group(1))
            item = []
        else:
            item.append(ch)
    return tuple(out)


def index_file(path: str, data: bytes) -> list[CppEnumRef]:
    """Every named enum definition in one file's bytes."""
    if b"enum" not in data:
        return []
    out = []
    for m in _ENUM.finditer(data):
        body = _body(data, m.end()).decode("utf-8", "replace")
        under = m.group(2).decode().strip() if m.group(2) else None
        out.append(CppEnumRef(path, m.group(1).decode(), data.count(b"\n", 0, m.start()) + 1, under,
                              member_names(body)))
    return out


def index_tree(roots) -> tuple[list[CppEnumRef], list[str]]:
    """The enums of every C++/CUDA file under ``roots`` (files or folders), and every such file."""
    rows, files = cached_entries("cpp", roots, CPP_SUFFIXES, _encode_file)
    return [CppEnumRef(p, *e[:3], tuple(e[3])) for p, es in rows for e in es], files


def _encode_file(path: str, data: bytes) -> list:
    return [[r.name, r.line, r.underlying, list(r.members)] for r in index_file(path, data)]
