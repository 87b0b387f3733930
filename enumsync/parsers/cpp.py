"""Read one C++/CUDA enum with libclang: values as the compiler computes them, lines, comments.

The header is parsed with its ``#include`` lines blanked and a small prelude that declares the
fixed-width integer types, so a header whose includes are missing (the usual case for a header
taken out of a wheel) still parses in milliseconds. If a member's value then does not compute
(e.g. it needs a macro from an include), the header is parsed again with the includes that can
be found, and only a clean result is trusted.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..model import EnumSpec, EnumsyncError, Member
from .comments import cpp_member_comments
from .source import read_source

_INCLUDE = re.compile(r"^[ \t]*#[ \t]*(include|include_next|import)\b.*$", re.M)
_PRELUDE = "/enumsync-virtual/prelude.h"  # an unsaved (in-memory) file; absolute, so clang finds it
_PRELUDE_TEXT = """
typedef signed char int8_t; typedef unsigned char uint8_t;
typedef short int16_t; typedef unsigned short uint16_t;
typedef int int32_t; typedef unsigned int uint32_t;
typedef long long int64_t; typedef unsigned long long uint64_t;
typedef unsigned long size_t; typedef long ptrdiff_t; typedef long intptr_t; typedef unsigned long uintptr_t;
namespace std { using ::int8_t; using ::uint8_t; using ::int16_t; using ::uint16_t; using ::int32_t;
  using ::uint32_t; using ::int64_t; using ::uint64_t; using ::size_t; using ::ptrdiff_t; }
"""
# CUDA keywords, so .cu/.cuh headers parse as plain C++
_CUDA_DEFINES = ["-D__device__=", "-D__host__=", "-D__global__=", "-D__shared__=", "-D__constant__=",
                 "-D__forceinline__=inline", "-D__noinline__=", "-D__managed__=", "-D__launch_bounds__(...)=",
                 "-D__restrict__=", "-D__grid_constant__="]
_ARGS = ["-x", "c++", "-std=c++17", "-fparse-all-comments", "-ferror-limit=0", "-Wno-everything"]

_index = None


def _clang():
    global _index
    import clang.cindex as ci
    if _index is None:
        try:
            _index = ci.Index.create()
        except Exception as e:  # libclang shared library missing or broken
            raise EnumsyncError(f"libclang could not be loaded ({e}); reinstall it: pip install libclang") from e
    return ci, _index


def _qualname(cursor) -> str:
    parts = []
    c = cursor
    import clang.cindex as ci
    while c is not None and c.kind != ci.CursorKind.TRANSLATION_UNIT:
        parts.append(c.spelling or "(anonymous)")
        c = c.semantic_parent
    return "::".join(reversed(parts))


def _parse(ci, index, path: str, text: str, extra_args: list[str]):
    opts = ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES | ci.TranslationUnit.PARSE_INCOMPLETE
    try:
        return index.parse(path, args=_ARGS + _CUDA_DEFINES + extra_args,
                           unsaved_files=[(path, text), (_PRELUDE, _PRELUDE_TEXT)], options=opts)
    except ci.TranslationUnitLoadError as e:
        raise EnumsyncError(f"{path}: libclang could not parse this file ({e})") from e


def _enums(ci, tu, path: str):
    """All enum definitions in the main file (not in includes), in source order."""
    out = []
    for c in tu.cursor.walk_preorder():
        if c.kind == ci.CursorKind.ENUM_DECL and c.is_definition():
            f = c.location.file
            if f is not None and f.name == path:
                out.append(c)
    return out


def _errors_in(tu, start: int, end: int) -> list:
    return [d for d in tu.diagnostics if d.severity >= 3 and d.location.file is not None
            and start <= d.location.line <= end]


_INCLUDE_NAME = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]')


def _keep_found_includes(text: str, dirs: list[str]) -> str:
    """Blank the ``#include`` lines whose header is not in ``dirs``; keep the others."""
    def repl(m):
        n = _INCLUDE_NAME.match(m.group(0))
        if n and any((Path(d) / n.group(1)).is_file() for d in dirs):
            return m.group(0)
        return ""
    return _INCLUDE.sub(repl, text)


def _fatal(tu) -> list:
    return [d for d in tu.diagnostics if d.severity >= 4]


def _decl_tokens(cursor) -> tuple[str, str | None]:
    """(kind, underlying type as written) from the tokens of ``enum [class] Name : T {``."""
    toks = []
    for t in cursor.get_tokens():
        if t.spelling == "{":
            break
        toks.append(t.spelling)
    kind = "enum class" if len(toks) > 1 and toks[1] in ("class", "struct") else "enum"
    if ":" in toks:
        i = toks.index(":")
        under = " ".join(toks[i + 1:]).replace(" :: ", "::").replace(":: ", "::")
        return kind, under or None
    return kind, None


def _expr(cursor) -> str:
    toks = [t.spelling for t in cursor.get_tokens()]
    if "=" in toks:
        return " ".join(toks[toks.index("=") + 1:]).rstrip(",").strip()
    return ""


def _select(cands, name: str, qualname: str | None, path: str):
    if qualname:
        q = qualname.lstrip(":")
        hits = [c for c in cands if _qualname(c) == q or _qualname(c).endswith("::" + q)]
    else:
        hits = [c for c in cands if c.spelling == name]
    wanted = qualname or name
    if not hits:
        have = ", ".join(sorted({_qualname(c) for c in cands if c.spelling})) or "none"
        raise EnumsyncError(f"{path}: no enum named {wanted} (enums here: {have}); pass --cpp-enum")
    if len({_qualname(c) for c in hits}) > 1:
        quals = ", ".join(f"{_qualname(c)} (line {c.location.line})" for c in hits)
        raise EnumsyncError(f"{path}: enum name {wanted} is ambiguous: {quals}; pass --cpp-enum QUALNAME")
    return hits[0]


def list_cpp_enums(path: str | Path) -> list[str]:
    """Qualified names of every enum defined in the file."""
    ci, index = _clang()
    p, text = read_source(path)
    tu = _parse(ci, index, p, _INCLUDE.sub("", text), ["-include", _PRELUDE, "-nostdinc", "-nostdinc++"])
    return [_qualname(c) for c in _enums(ci, tu, p)]


def parse_cpp_enum(path: str | Path, name: str = "RoutingMethodType", qualname: str | None = None,
                   include_dirs: list[str] | tuple[str, ...] = ()) -> EnumSpec:
    """The enum ``qualname`` (or the one enum called ``name``) from a C++/CUDA header."""
    ci, index = _clang()
    p, text = read_source(path)
    blanked = _INCLUDE.sub("", text)
    tu = _parse(ci, index, p, blanked, ["-include", _PRELUDE, "-nostdinc", "-nostdinc++"])
    cur = _select(_enums(ci, tu, p), name, qualname, p)
    start, end = cur.extent.start.line, cur.extent.end.line
    errs = _errors_in(tu, start, end) + _fatal(tu)
    if errs:
        # values need something from the includes: parse again with them
        dirs = [str(Path(p).parent), *map(str, include_dirs)]
        tu2 = _parse(ci, index, p, _keep_found_includes(text, dirs), ["-include", _PRELUDE] + [f"-I{d}" for d in dirs])
        cur2 = _select(_enums(ci, tu2, p), name, qualname, p)
        errs2 = _errors_in(tu2, cur2.extent.start.line, cur2.extent.end.line)
        if errs2 or _fatal(tu2):
            d = (errs2 or errs)[0]
            raise EnumsyncError(f"{p}:{d.location.line}: cannot compute the values of {_qualname(cur)}: "
                                f"{d.spelling}; pass --include-dir for the headers that define it")
        tu, cur = tu2, cur2
    kind, under = _decl_tokens(cur)
    unsigned = cur.enum_type.get_canonical().kind in _UNSIGNED(ci)
    consts = [c for c in cur.get_children() if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL]
    lines = text.splitlines()
    comments = cpp_member_comments(lines, [c.location.line for c in consts], cur.location.line)
    members = tuple(
        Member(name=c.spelling, value=_value(ci, c, unsigned), line=c.location.line, comment=comments[i],
               expr=_expr(c), end_line=c.extent.end.line)
        for i, c in enumerate(consts))
    from ..meaning import parse_meaning
    members = tuple(_with_meaning(m, parse_meaning) for m in members)
    return EnumSpec(language="cpp", path=p, name=cur.spelling, qualname=_qualname(cur), members=members,
                    line=cur.location.line, end_line=end, underlying=under, kind=kind)


def _UNSIGNED(ci):
    K = ci.TypeKind
    return {K.BOOL, K.CHAR_U, K.UCHAR, K.CHAR16, K.CHAR32, K.USHORT, K.UINT, K.ULONG, K.ULONGLONG, K.UINT128}


def _value(ci, cursor, unsigned: bool) -> int:
    """The constant's value, read as unsigned when the (canonical) underlying type is unsigned."""
    if unsigned:
        return ci.conf.lib.clang_getEnumConstantDeclUnsignedValue(cursor)
    return ci.conf.lib.clang_getEnumConstantDeclValue(cursor)


def _with_meaning(m: Member, parse_meaning) -> Member:
    from dataclasses import replace
    return replace(m, meaning=parse_meaning(m.comment)) if m.comment else m
