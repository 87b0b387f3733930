"""Which Python enum mirrors which C++ enum: config, then mirror comments, then names.

Every pair says how it was found. A mirror comment whose file or enum cannot be found, or a
name that matches several C++ enums equally well, gives an unresolved pair with the reason
(listed, never guessed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..rules import norm_name
from .cindex import CPP_SUFFIXES, CppEnumRef
from .pyindex import PyEnumRef

_PATH = re.compile(r"[\w./-]*\w\.(?:" + "|".join(s[1:] for s in CPP_SUFFIXES) + r")\b")
_TICKED = re.compile(r"(`{1,2})([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)\1(?!`)")
_NAMED = re.compile(r"\b(?:see|enum(?:\s+class)?)\s+([A-Za-z_]\w*)\b|\b([A-Za-z_]\w*)\s+enum\b", re.I)
_NOT_NAMES = {"the", "this", "a", "an", "class", "values", "value", "it", "these"}
MIN_SHARE = 0.5     # "most member names match": at least half of the Python members, after normalising


@dataclass
class Found:
    """One Python enum and the C++ enum it mirrors (``cpp`` None: unresolved, ``reason`` says why)."""

    py: PyEnumRef
    cpp: CppEnumRef | None
    how: str                     # "config" | "mirror comment" | "name match"
    detail: str = ""             # the comment, or the share of matching member names
    reason: str = ""             # why it is unresolved
    candidates: list[CppEnumRef] = field(default_factory=list)


def share(py_members, cpp_members) -> float:
    """The fraction of Python member names that a C++ member matches after normalising."""
    if not py_members:
        return 0.0
    keys = {norm_name(n) for n in cpp_members}
    return sum(norm_name(n) in keys for n in py_members) / len(py_members)


_SCOPE = re.compile(r"\b([A-Z][A-Za-z]+)\s+(?:values|members|modes)\s+(?:must|should|need to)\b")


def hint_scope(hint: str) -> str | None:
    """The word a mirror comment limits itself to ("Fused values must be aligned with ..." -> ``Fused``)."""
    m = _SCOPE.search(hint)
    return m.group(1) if m and m.group(1).lower() not in {"the", "these", "its", "all", "enum"} else None


def scoped_extensions(hint: str, py_members, where: str) -> dict[str, str]:
    """Python members outside the comment's scope (no ``FUSED_``-like prefix): Python-only, not mirrored."""
    scope = hint_scope(hint)
    if not scope:
        return {}
    key = norm_name(scope)
    inside = [m for m in py_members if norm_name(m).startswith(key)]
    if len(inside) < 2:
        return {}
    return {m: f"outside the mirror comment's scope ({scope} values only, {where})"
            for m in py_members if not norm_name(m).startswith(key)}


def hint_targets(hint: str) -> tuple[list[str], list[str]]:
    """(file paths, C++ enum names) named by a mirror comment."""
    paths = list(dict.fromkeys(_PATH.findall(hint)))
    names = []
    for m in _TICKED.finditer(hint):
        n = m.group(2)
        if not _PATH.fullmatch(n):
            names.append(n.split("::")[-1])
    for m in _NAMED.finditer(hint):
        n = m.group(1) or m.group(2)
        if n and n.lower() not in _NOT_NAMES and n[0].isupper():
            names.append(n)
    return paths, list(dict.fromkeys(names))


class CppIndex:
    """The C++ enums found in the scanned roots, by name and by file."""

    def __init__(self, refs: list[CppEnumRef]):
        self.refs = refs
        self.by_name: dict[str, list[CppEnumRef]] = {}
        self.by_file: dict[str, list[CppEnumRef]] = {}
        for r in refs:
            self.by_name.setdefault(r.name, []).append(r)
            self.by_file.setdefault(r.path, []).append(r)
        self.files = sorted(self.by_file)

    def resolve_path(self, written: str, all_files: list[str]) -> list[str]:
        """Files whose path ends with the longest suffix of ``written`` that any file has."""
        parts = PurePosixPath(written.lstrip("./")).parts
        for i in range(len(parts)):
            tail = "/" + "/".join(parts[i:])
            hits = [f for f in all_files if f.endswith(tail)]
            if hits:
                return hits
        return []


def _pick_in_files(py: PyEnumRef, files: list[str], names: list[str], idx: CppIndex, includes) -> tuple:
    """(the C++ enum, reason if none) for a mirror comment that names ``files`` (and maybe ``names``)."""
    refs = [r for f in files for r in idx.by_file.get(f, [])]
    if not refs:   # e.g. mixed_comm.cuh, whose enums sit in mixed_comm_decl.cuh, which it includes
        refs = [r for f in files for g in includes(f) for r in idx.by_file.get(g, [])]
    for want in [*names, py.name]:
        hits = [r for r in refs if r.name == want]
        if len(hits) == 1:
            return hits[0], ""
        if len(hits) > 1:
            return None, f"{want} is defined {len(hits)} times in {', '.join(sorted({h.path for h in hits}))}"
    if len(refs) == 1:
        return refs[0], ""
    good = [r for r in refs if share(py.members, r.members) >= MIN_SHARE and share(r.members, py.members) >= MIN_SHARE]
    if len(good) == 1:
        return good[0], ""
    have = ", ".join(sorted({r.name for r in refs})) or "none"
    wanted = " or ".join(dict.fromkeys([*names, py.name]))
    return None, f"{', '.join(files)} defines no enum {wanted} (enums there: {have})"


def by_mirror(py: PyEnumRef, idx: CppIndex, all_files: list[str], includes) -> Found | None:
    """The pair a mirror comment names, or an unresolved pair; None when the comment names nothing."""
    paths, names = hint_targets(py.hint)
    if not paths and not names:
        return None
    if paths:
        missing, files = [], []
        for p in paths:
            hits = idx.resolve_path(p, all_files)
            (files.extend(hits) if hits else missing.append(p))
        if files:
            ref, why = _pick_in_files(py, sorted(set(files)), names, idx, includes)
            return Found(py, ref, "mirror comment", py.hint, why)
        if not names or not any(n in idx.by_name for n in names):
            return Found(py, None, "mirror comment", py.hint,
                         f"{', '.join(missing)} is not in the scanned tree, its shipped headers or the -I dirs"
                         + _hint_for(missing))
    cands = [r for n in names for r in idx.by_name.get(n, [])]
    ref, why = _best(py, cands)
    if ref is None and not why:
        why = f"no C++ enum named {' or '.join(names)} in the scanned tree, its shipped headers or the -I dirs"
    f = Found(py, ref, "mirror comment", py.hint, why)
    if ref is None:
        f.candidates = cands
    return f


def _hint_for(missing: list[str]) -> str:
    if any("trtllmGen_bmm_export" in m for m in missing):
        return ("; flashinfer-python does not ship trtllmGen_bmm_export: it comes with flashinfer-cubin "
                "(pass -I .../include, the folder that holds trtllmGen_bmm_export)")
    return "; pass -I DIR for the folder that holds it"


def _best(py: PyEnumRef, cands: list[CppEnumRef]) -> tuple[CppEnumRef | None, str]:
    """The candidate whose member names match best (at least :data:`MIN_SHARE`); ties are listed."""
    scored = sorted(((share(py.members, c.members), c) for c in cands), key=lambda x: -x[0])
    scored = [(s, c) for s, c in scored if s >= MIN_SHARE]
    if not scored:
        return None, ""
    top = [c for s, c in scored if s == scored[0][0]]
    if len(top) > 1:
        where = ", ".join(f"{c.path}:{c.line}" for c in top)
        return None, f"ambiguous: {len(top)} C++ enums {py.name if top[0].name == py.name else top[0].name} " \
                     f"match equally well ({where}); name one in [[tool.enumsync.pairs]]"
    return top[0], ""


def by_name(py: PyEnumRef, idx: CppIndex) -> Found | None:
    """A C++ enum of the same name whose member names mostly match (None when there is none).

    Python enums with string values, or numbered only by ``auto()``, are tags of their own,
    not copies of C++ values: they pair only through a mirror comment or the config.
    """
    if py.strings or py.counted:
        return None
    cands = idx.by_name.get(py.name, [])
    ref, why = _best(py, cands)
    if ref is None and not why:
        return None
    s = share(py.members, ref.members) if ref else 0
    f = Found(py, ref, "name match", f"{round(s * 100)}% of the member names match" if ref else "", why)
    if ref is None:
        f.candidates = cands
    return f
