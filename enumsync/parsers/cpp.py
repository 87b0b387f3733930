"""Read one C++/CUDA enum with libclang: values as the compiler computes them, lines, comments.

First a fast parse: the header's ``#include`` lines blanked (and, in a big header, the function
definitions no enum can use: ``cpp_prune``), a small prelude that declares the
fixed-width integer types, function bodies skipped (constexpr ones are kept: clang needs them
to evaluate). That parse is trusted only when the enum and the declarations its values rest on
(``_usage``) parse cleanly and nothing the includes define can change it (``cpp_depends``).
Otherwise the header is parsed again with the includes found beside it or under ``-I``
directories (``cpp_includes``: no other file is ever read), and
a value that still depends on a missing include or on a declaration that does not compile, does
not fit its type, or sits in a truncated body is exit 2, never a guess (``cpp_diagnostics``).
"""
from __future__ import annotations

import atexit
import re

from ..model import EnumSpec, EnumsyncError, Member
from .comments import cpp_member_comments
from .cpp_depends import Reason, reasons
from .cpp_diagnostics import fail, trouble
from .cpp_directives import INCLUDE_LIKE, Directive, scan, spells_enum
from .cpp_includes import Sources, blank_includes, with_includes
from .source import read_source

PRUNE_MIN_BYTES = 64 * 1024   # below this libclang parses a header in a few ms: nothing to prune
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
# -w (not -Wno-everything): warnings off, but errors that are warnings by name (narrowing) stay errors.
# -nostdinc: libclang searches no directory; every include it sees was resolved by cpp_includes.
_ARGS = ["-x", "c++", "-std=c++17", "-ferror-limit=0", "-w", "-nostdinc", "-nostdinc++",
         "-include", _PRELUDE, *_CUDA_DEFINES]
_DEFINITION = re.compile(r"enum\s+(?:(?:class|struct)\s+)?(?:(?:\[\[.*?\]\]|__attribute__\s*\(\(.*?\)\)|"
                         r"alignas\s*\(.*?\))\s*)*(?:[A-Za-z_][\w:]*\s*)?[:{]", re.S)

_index = None


def _clang():
    global _index
    import clang.cindex as ci
    if _index is None:
        try:
            _index = ci.Index.create()
        except Exception as e:  # libclang shared library missing or broken
            raise EnumsyncError(f"libclang could not be loaded ({e}); reinstall it: pip install libclang") from e
        atexit.register(_drop_index)   # before cindex itself is torn down (its __del__ would then fail)
    return ci, _index


def _drop_index() -> None:
    global _index
    _index = None


def _qualname(cursor) -> str:
    import clang.cindex as ci
    parts = []
    c = cursor
    while c is not None and c.kind != ci.CursorKind.TRANSLATION_UNIT:
        parts.append(c.spelling or "(anonymous)")
        c = c.semantic_parent
    return "::".join(reversed(parts))


def _parse(ci, index, path: str, text: str, unsaved: dict[str, str], skip_bodies: bool = True):
    opts = ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES if skip_bodies else 0
    files = [(path, text), (_PRELUDE, _PRELUDE_TEXT), *unsaved.items()]
    try:
        return index.parse(path, args=_ARGS, unsaved_files=files, options=opts)
    except ci.TranslationUnitLoadError as e:
        raise EnumsyncError(f"{path}: libclang could not parse this file ({e})") from e


def _enums(ci, tu, path: str, text: str, ds: list[Directive], walk: bool = False) -> list:
    """Every enum definition in the main file, in source order.

    Found from each ``enum`` keyword's location (a few libclang calls, not a walk over every
    declaration). When a keyword that starts a definition does not give an enum cursor (a
    macro spells ``enum``, or error recovery around unknown macros hid it), or ``walk`` says that
    an included file defines a macro that spells ``enum``, walk everything.
    """
    out, seen = [], set()
    ascii_ = text.isascii()
    for at in _keyword_offsets(text, "enum"):
        c = ci.Cursor.from_location(tu, tu.get_location(path, at if ascii_ else len(text[:at].encode())))
        if c.kind == ci.CursorKind.ENUM_DECL and c.is_definition():
            key = (c.location.line, c.location.column)
            if key not in seen:
                seen.add(key)
                out.append(c)
        elif _DEFINITION.match(text, at):
            return _walk_enums(ci, tu, path)
    if walk or spells_enum(ds):
        return _walk_enums(ci, tu, path)
    return out


def _walk_enums(ci, tu, path: str) -> list:
    return [c for c in tu.cursor.walk_preorder() if c.kind == ci.CursorKind.ENUM_DECL and c.is_definition()
            and c.location.file is not None and c.location.file.name == path]


def _keyword_offsets(text: str, word: str) -> list[int]:
    """Offsets of ``word`` as a whole identifier (str.find: memchr speed, unlike ``\\b`` regexes)."""
    out, i = [], text.find(word)
    while i >= 0:
        before = text[i - 1:i]
        after = text[i + len(word):i + len(word) + 1]
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            out.append(i)
        i = text.find(word, i + 1)
    return out


def _select(cands, name: str, qualname: str | None, path: str, required: bool = True):
    if qualname:
        q = qualname.lstrip(":")
        hits = [c for c in cands if _qualname(c) == q or _qualname(c).endswith("::" + q)]
    else:
        hits = [c for c in cands if c.spelling == name]
    wanted = qualname or name
    if not hits:
        if not required:
            return None
        have = ", ".join(sorted({_qualname(c) for c in cands if c.spelling})) or "none"
        raise EnumsyncError(f"{path}: no enum named {wanted} (enums here: {have}); pass --cpp-enum")
    if len({_qualname(c) for c in hits}) > 1:
        quals = ", ".join(f"{_qualname(c)} (line {c.location.line})" for c in hits)
        raise EnumsyncError(f"{path}: enum name {wanted} is ambiguous: {quals}; pass --cpp-enum QUALNAME")
    return hits[0]


class Usage:
    """What the enum's values rest on, as the parse shows it (``_usage``); a plain class: a
    dataclass would compile its methods at import time."""
    __slots__ = ("names", "lines", "decls")

    def __init__(self) -> None:
        self.names: set[str] = set()   # identifiers in the enum's tokens and those of the declarations it uses
        self.lines: set[int] = set()   # lines (in this file) where those declarations are named
        self.decls: dict[int, tuple[str, str | None]] = {}   # each line they span -> (name, member using it)


def _usage(ci, cur, path: str, limit: int = 64) -> Usage:
    """Identifiers the enum's values rest on, and the declarations (in this file) they use.

    Transitive: a constant, constexpr function, type or other enum the enum refers to (and the
    typedef that names its underlying type) brings its own tokens (macros in its initializer or
    body) and its own references (up to ``limit`` declarations). ``decls`` maps every line of
    those declarations to the name declared and the member that uses it (None: the underlying type).
    """
    K = ci.CursorKind
    refs = (K.DECL_REF_EXPR, K.CALL_EXPR, K.TYPE_REF)
    out = Usage()
    todo = [(cur, None)]
    under = cur.enum_type.get_declaration()
    seen = {(cur.location.line, cur.location.column)}

    def follow(r, member):
        if r is None or r.location.file is None or r.location.file.name != path:
            return
        name = r.spelling
        if r.kind == K.ENUM_CONSTANT_DECL:
            r = r.semantic_parent   # another enum's member: its value rests on the members before it
        if (r.location.line, r.location.column) in seen:
            return
        out.lines.add(r.location.line)
        for n in range(r.extent.start.line, r.extent.end.line + 1):
            out.decls.setdefault(n, (name, member))
        todo.append((r, member))

    follow(under, None)
    while todo and len(seen) < limit:
        c, member = todo.pop()
        key = (c.location.line, c.location.column)
        if key in seen and c is not cur:
            continue
        seen.add(key)
        out.names.update(t.spelling for t in c.get_tokens() if t.kind == ci.TokenKind.IDENTIFIER)
        if c.kind in (K.TYPEDEF_DECL, K.TYPE_ALIAS_DECL):
            follow(c.underlying_typedef_type.get_declaration(), member)
        for k in c.walk_preorder():
            if k.kind == K.ENUM_CONSTANT_DECL and c is cur:
                member = k.spelling
            if k.kind in refs:
                follow(k.referenced, member)
    return out


_STD_HEADER = re.compile(r"^<(c?std\w*|c\w+|\w+\.h|type_traits|limits|array|string|vector|utility|"
                         r"memory|tuple|algorithm|functional|iostream|ostream|sstream|map|set|optional)>$")
_STD_MACRO = re.compile(r"^(U?INT\w*_(MAX|MIN|C)|SIZE_MAX|PTRDIFF_\w+|[SU]?CHAR_\w+|U?SHRT_\w+|U?LONG_\w+|"
                        r"U?LLONG_\w+|WCHAR_\w+|NULL|EOF|_[A-Z]\w*)$")


def _check_includes(cur, path: str, rs: list[Reason], src: Sources) -> None:
    """Exit 2 when a reason to distrust the blanked parse rests on an include that was not found."""
    missing = src.missing
    for r in rs:
        d = r.directive
        if d.name in INCLUDE_LIKE:
            if d.name != "include" or not any(i.resolved for i in src.includes
                                              if i.file == path and i.line == d.line):
                raise EnumsyncError(f"{path}:{d.line}: members of {_qualname(cur)} come from {r.spelled()}, "
                                    "which is not in the header's directory or an --include-dir; "
                                    "pass --include-dir DIR for the directory that holds it")
            continue
        open_ = r.unknown - src.defines
        could = [i.spelled for i in missing
                 if not (_STD_HEADER.match(i.spelled) and not any(_STD_MACRO.match(m) for m in open_))]
        if open_ and could:
            raise EnumsyncError(
                f"{path}:{d.line}: the values of {_qualname(cur)} depend on `{r.spelled()}` ({r.what}), and "
                f"{', '.join(sorted(open_))} may come from an include that was not found "
                f"({', '.join(could[:4])}); pass --include-dir DIR for the directory that holds it")


def _whole_file_error_lines(ds: list[Directive]) -> frozenset:
    """Lines whose errors stop the whole header: ``#error`` directives and unterminated ``#if``s."""
    lines, open_ifs = {d.line for d in ds if d.name == "error"}, []
    for d in ds:
        if d.name in ("if", "ifdef", "ifndef"):
            open_ifs.append(d.line)
        elif d.name == "endif" and open_ifs:
            open_ifs.pop()
    return frozenset(lines | set(open_ifs))


def _inner_includes(cur, ds: list[Directive]) -> frozenset:
    """Lines of the include directives inside the enum's braces (X-macro files)."""
    start, end = cur.extent.start.line, cur.extent.end.line
    return frozenset(d.line for d in ds if d.name in INCLUDE_LIKE and start <= d.line <= end)


def _fast_text(text: str, ds: list[Directive]) -> str:
    """The fast parse's text: includes blanked and, in a big header, the definitions no enum can use
    (``cpp_prune``, loaded only then: its regexes cost ~7 ms, a tenth of ``python -c pass``)."""
    if len(text) < PRUNE_MIN_BYTES:
        return blank_includes(text, ds)
    from .cpp_prune import fast_text
    return fast_text(text, ds)


def _find_enum(path: str, text: str, name: str, qualname: str | None, include_dirs):
    """(translation unit, enum cursor) from the parse that shows the compiler's view of the enum."""
    ci, index = _clang()
    ds = scan(text)
    last_line = text.count("\n") + 1
    errs = _whole_file_error_lines(ds)
    blanked = _fast_text(text, ds)
    tu = _parse(ci, index, path, blanked, {})
    cur = _select(_enums(ci, tu, path, blanked, ds), name, qualname, path, required=not ds)
    if cur is not None:
        u = _usage(ci, cur, path)
        problems = trouble(ci, tu, cur, last_line, errs, used=u.decls)
        rs = reasons(ds, cur.extent.start.line, cur.extent.end.line, u.names, u.lines)
        if not problems and not rs:
            return ci, tu, cur
    src = with_includes(path, text, include_dirs, ds)
    tu, cur, u, problems = _full_parse(ci, index, path, name, qualname, ds, src, last_line, errs)
    if problems and any("constant expression" in d.spelling for d in problems):
        tu, cur, u, problems = _full_parse(ci, index, path, name, qualname, ds, src, last_line, errs, False)
    if problems:
        fail(ci, cur, _qualname(cur), path, problems, src, errs, u.decls)
    _check_includes(cur, path, reasons(ds, cur.extent.start.line, cur.extent.end.line, u.names, u.lines), src)
    return ci, tu, cur


def _full_parse(ci, index, path, name, qualname, ds, src: Sources, last_line: int, errs: frozenset,
                skip_bodies: bool = True):
    """(translation unit, enum cursor, usage, errors that touch the enum) with the includes found."""
    tu = _parse(ci, index, path, src.main, src.unsaved, skip_bodies)
    cur = _select(_enums(ci, tu, path, src.main, ds, src.spells_enum), name, qualname, path)
    u = _usage(ci, cur, path)
    return tu, cur, u, trouble(ci, tu, cur, last_line, errs, _inner_includes(cur, ds), u.decls)


def list_cpp_enums(path) -> list[str]:
    """Qualified names of every enum defined in the file (fast parse, includes blanked)."""
    ci, index = _clang()
    p, text = read_source(path)
    ds = scan(text)
    blanked = _fast_text(text, ds)
    tu = _parse(ci, index, p, blanked, {})
    return [_qualname(c) for c in _enums(ci, tu, p, blanked, ds)]


def parse_cpp_enum(path, name: str = "RoutingMethodType", qualname: str | None = None,
                   include_dirs=()) -> EnumSpec:
    """The enum ``qualname`` (or the one enum called ``name``) from a C++/CUDA header."""
    p, text = read_source(path)
    ci, tu, cur = _find_enum(p, text, name, qualname, include_dirs)
    _refuse_templated(ci, cur, p)
    kind, under = _decl_tokens(cur)
    consts = [c for c in cur.get_children() if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL]
    lo, hi = _bounds(ci, cur)
    unsigned = lo == 0
    # clang breaks lines at \n only (splitlines would also break at \f, \v, \x1c.., \x85, U+2028)
    comments = cpp_member_comments(text.split("\n"), [c.location.line for c in consts], cur.location.line)
    members = []
    for i, c in enumerate(consts):
        v = _value(ci, c, unsigned)
        if not lo <= v <= hi:
            raise EnumsyncError(f"{p}:{c.location.line}: {_qualname(cur)}::{c.spelling} = {v} does not fit the "
                                f"enum's underlying type ({lo}..{hi}); fix the value or widen the type")
        members.append(Member(name=c.spelling, value=v, line=c.location.line, comment=comments[i],
                              expr=_expr(c), end_line=c.extent.end.line))
    from ..meaning import parse_meaning
    members = tuple(_with_meaning(m, parse_meaning) for m in members)
    return EnumSpec(language="cpp", path=p, name=cur.spelling, qualname=_qualname(cur), members=members,
                    line=cur.location.line, end_line=cur.extent.end.line, underlying=under, kind=kind)


def _refuse_templated(ci, cur, path: str) -> None:
    """Exit 2 for an enum inside a template: its values exist only per instantiation (libclang
    gives 0 for every member of the template's own enum)."""
    K = ci.CursorKind
    templates = (K.CLASS_TEMPLATE, K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION, K.FUNCTION_TEMPLATE)
    c = cur.semantic_parent
    while c is not None and c.kind != K.TRANSLATION_UNIT:
        if c.kind in templates:
            raise EnumsyncError(f"{path}:{cur.location.line}: {_qualname(cur)} is declared inside the template "
                                f"{_qualname(c)} (line {c.location.line}), so its values exist only per "
                                "instantiation; pass an enum declared outside any template")
        c = c.semantic_parent


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


def _UNSIGNED(ci):
    K = ci.TypeKind
    return {K.BOOL, K.CHAR_U, K.UCHAR, K.CHAR16, K.CHAR32, K.USHORT, K.UINT, K.ULONG, K.ULONGLONG, K.UINT128}


def _bounds(ci, cur) -> tuple[int, int]:
    """The range of the enum's (canonical) underlying type."""
    t = cur.enum_type.get_canonical()
    bits = 8 * t.get_size()
    if t.kind == ci.TypeKind.BOOL:
        return 0, 1
    if t.kind in _UNSIGNED(ci):
        return 0, (1 << bits) - 1
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def _value(ci, cursor, unsigned: bool) -> int:
    """The constant's value, read as unsigned when the (canonical) underlying type is unsigned."""
    if unsigned:
        return ci.conf.lib.clang_getEnumConstantDeclUnsignedValue(cursor)
    return ci.conf.lib.clang_getEnumConstantDeclValue(cursor)


def _with_meaning(m: Member, parse_meaning) -> Member:
    from dataclasses import replace
    return replace(m, meaning=parse_meaning(m.comment)) if m.comment else m
