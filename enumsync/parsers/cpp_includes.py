"""Which files libclang may read: the header, and the includes found under allowed directories.

libclang never opens a file by itself. Every ``#include`` is either resolved by us to a regular
file inside the header's directory or an ``-I`` directory (after following symlinks) and
rewritten to that absolute path, whose text we read (``read_source``) and hand to libclang as an
unsaved file, or it is blanked. An absolute path, a ``..`` that leaves the allowed directories,
a computed ``#include MACRO``, ``#include_next`` and ``#import`` are never read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import EnumsyncError
from .cpp_directives import INCLUDE_LIKE, Directive, blank, scan, spells_enum
from .source import read_source

_HEADER_NAME = re.compile(r'^("([^"\n]+)"|<([^>\n]+)>)$')
MAX_FILES = 500   # included files read for one parse


@dataclass(frozen=True)
class Include:
    """One include-like directive of one file."""
    file: str               # the including file
    line: int
    spelled: str            # as written: "x.h" or <x.h> (or the raw text of a computed include)
    resolved: str | None    # absolute path when found under an allowed directory


@dataclass
class Sources:
    """The main text and the unsaved files to hand to libclang, and what was not found."""
    main: str
    unsaved: dict[str, str] = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)
    defines: set[str] = field(default_factory=set)   # macro names #defined in the included files
    seen: set[str] = field(default_factory=set)      # files read (or queued), the header included
    spells_enum: bool = False                        # an included file #defines a macro that spells `enum`

    @property
    def missing(self) -> list[Include]:
        return [i for i in self.includes if i.resolved is None]


def blank_includes(text: str, directives: list[Directive]) -> str:
    """``text`` with every include-like directive blanked (lines kept)."""
    return blank(text, [(d.start, d.end, "") for d in directives if d.name in INCLUDE_LIKE])


def _inside_any(p: Path, roots: list[Path]) -> bool:
    return any(p == r or r in p.parents for r in roots)


def _resolve(spelled: str, includer_dir: Path, roots: list[Path]) -> str | None:
    m = _HEADER_NAME.match(spelled)
    if not m:
        return None
    name = m.group(2) or m.group(3)
    if Path(name).is_absolute():   # (``~`` is not expanded: "~/x.h" is a directory named ~, as for g++)
        return None
    search = ([includer_dir] if m.group(2) else []) + roots
    for d in search:
        cand = (d / name)
        try:
            real = cand.resolve()
        except (OSError, RuntimeError):
            continue
        if _inside_any(real, roots) and real.is_file() and '"' not in str(real):
            return str(real)
    return None


def with_includes(path: str, text: str, include_dirs, directives: list[Directive] | None = None) -> Sources:
    """``text`` of ``path`` with its includes rewritten to the allowed files (read recursively)."""
    roots = []   # the search order after the includer's own directory: the --include-dirs as given, then
    # the header's directory (a fallback, so a `<x.h>` in an --include-dir wins over one beside the header, as for g++)
    for d in [*map(Path, include_dirs), Path(path).parent]:
        try:
            r = d.resolve()
        except (OSError, RuntimeError) as e:   # RuntimeError: a symlink loop (Python < 3.13); g++ refuses it too
            raise EnumsyncError(f"{d}: this include directory cannot be resolved ({e}); "
                                "pass --include-dir with a directory that exists") from e
        if r.is_dir() and r not in roots:
            roots.append(r)
    src = Sources(main="", seen={path})
    queue: list[str] = []
    src.main = _rewrite(path, text, scan(text) if directives is None else directives, roots, src, queue)
    while queue:
        f = queue.pop(0)
        _, t = read_source(f)
        ds = scan(t)
        src.defines.update(n.group(0) for d in ds if d.name == "define" and (n := re.match(r"[A-Za-z_]\w*", d.args)))
        src.spells_enum |= spells_enum(ds)
        src.unsaved[f] = _rewrite(f, t, ds, roots, src, queue)
    return src


def _rewrite(path: str, text: str, directives: list[Directive], roots: list[Path], src: Sources,
             queue: list[str]) -> str:
    """``text`` with each include rewritten to its resolved absolute path, or blanked."""
    spans = []
    for d in directives:
        if d.name not in INCLUDE_LIKE:
            continue
        found = _resolve(d.args, Path(path).parent, roots) if d.name == "include" else None
        if found and found not in src.seen:
            if len(src.seen) >= MAX_FILES:
                found = None          # past the budget: treated as not found, so never read unchecked
            else:
                src.seen.add(found)
                queue.append(found)
        src.includes.append(Include(path, d.line, d.args if d.name == "include" else f"#{d.name} {d.args}", found))
        spans.append((d.start, d.end, f'#include "{found}"' if found else ""))
    return blank(text, spans)
