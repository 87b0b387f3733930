"""The compiler's diagnostics about one enum: which errors touch it, and the one-line message.

A header whose includes are blanked can have an error on every line (unknown types), so the
diagnostics are sifted with raw libclang calls, and only the few that are kept are wrapped.
"""
from __future__ import annotations

from collections.abc import Container
from ctypes import byref, c_char_p, c_int, c_uint, c_void_p

from ..model import EnumsyncError
from .cpp_includes import Sources

_RANGE = ("cannot be narrowed", "not representable in the underlying type", "outside the range")
_BRACES = ("expected '}'", "expected ';' after enum", "extraneous closing brace")


_UNTERMINATED = "unterminated conditional directive"


def trouble(ci, tu, cur, last_line: int, error_lines: frozenset = frozenset(),
            inner_includes: frozenset = frozenset(), used: Container[int] = ()) -> list:
    """Errors that touch the enum: inside its lines, fatal ones, unclosed braces at the end, and the
    errors that make the whole header fail to compile (an active ``#error`` on one of
    ``error_lines``, an unterminated ``#if``), since the compiler gives no values then; the
    errors in the files that the ``#include`` lines ``inner_includes`` (inside the braces) bring in;
    and the errors on the ``used`` lines (the declarations the enum's values rest on). An error
    spelled by a macro counts at the line where the main file expands it.

    A header whose includes are blanked can have an error per line (unknown types), so this
    loop makes a few raw libclang calls per diagnostic and wraps only the ones it keeps.
    """
    start, end = cur.extent.start.line, cur.extent.end.line
    tail = max(start, last_line - 1)
    api = _diag_api(ci)
    line, col, off, f = c_uint(), c_uint(), c_uint(), c_void_p()
    main = api.file(tu.obj, cur.location.file.name.encode())
    out: list = []
    inner = None
    for i in range(ci.conf.lib.clang_getNumDiagnostics(tu)):
        p = api.get(tu.obj, i)
        sev = api.severity(p)
        if sev >= 4:
            out.append(api.wrap(p))
            continue
        n = 0
        if sev == 3:
            api.expansion(api.location(p), byref(f), byref(line), byref(col), byref(off))
            if f.value == main:
                n = line.value
            elif inner_includes:   # an X-macro file included inside the braces: its errors are the enum's
                d = api.wrap(p)
                inner = _included_by(tu, cur.location.file.name, inner_includes) if inner is None else inner
                if d.location.file is not None and d.location.file.name in inner:
                    out.append(d)
                continue
        if n and (start <= n <= end or n >= tail or n in error_lines or n in used):
            d = api.wrap(p)   # disposed when dropped
            if n <= end or d.spelling.startswith(_BRACES) or n in error_lines or d.spelling == _UNTERMINATED:
                out.append(d)
        else:
            api.dispose(p)
    return out


def _included_by(tu, path: str, lines: frozenset) -> set[str]:
    """Names of the files that the ``#include`` lines ``lines`` of ``path`` bring in, transitively."""
    edges = [(i.source.name, i.location.line, i.include.name) for i in tu.get_includes() if i.source is not None]
    out = {inc for src, ln, inc in edges if src == path and ln in lines}
    grew = True
    while grew:
        more = {inc for src, _, inc in edges if src in out} - out
        out |= more
        grew = bool(more)
    return out


class _DiagAPI:
    """Raw prototypes of the six diagnostic calls (not cindex's wrappers: no object per call)."""

    def __init__(self, ci):
        import ctypes
        lib = ci.conf.lib
        Loc = ci.SourceLocation

        def fn(name, res, *args):
            return ctypes.CFUNCTYPE(res, *args)(ctypes.cast(getattr(lib, name), c_void_p).value)
        self.get = fn("clang_getDiagnostic", c_void_p, c_void_p, c_uint)
        self.severity = fn("clang_getDiagnosticSeverity", c_int, c_void_p)
        self.location = fn("clang_getDiagnosticLocation", Loc, c_void_p)
        self.file = fn("clang_getFile", c_void_p, c_void_p, c_char_p)
        self.expansion = fn("clang_getExpansionLocation", None, Loc, ctypes.POINTER(c_void_p),
                            ctypes.POINTER(c_uint), ctypes.POINTER(c_uint), ctypes.POINTER(c_uint))
        self.dispose = fn("clang_disposeDiagnostic", None, c_void_p)
        self.wrap = lambda p: ci.Diagnostic(ctypes.cast(p, ci.c_object_p))


_diag = None


def _diag_api(ci) -> _DiagAPI:
    global _diag
    if _diag is None:
        _diag = _DiagAPI(ci)
    return _diag


def _member_at(ci, cur, loc) -> str | None:
    for c in cur.get_children():
        if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL and c.extent.start.line <= loc.line <= c.extent.end.line \
                and _name(c.extent.start.file) == _name(loc.file):
            return c.spelling
    return None


def _name(f) -> str | None:
    return f.name if f is not None else None


def _at(d, path: str) -> str:
    """``path:line`` of a diagnostic; the included file's own name when it is in one (an X-macro file)."""
    f = _name(d.location.file)
    return f"{f if f is not None and f != path else path}:{d.location.line}"


def fail(ci, cur, qualname: str, path: str, errs: list, src: Sources | None,
         error_lines: frozenset = frozenset(), used: dict[int, tuple[str, str | None]] | None = None) -> None:
    """Raise the one-line error for the first diagnostic that stops the enum's values.

    ``used``: each line of the declarations the values rest on -> (name declared, member using it).
    """
    q = qualname
    rng = [d for d in errs if any(s in d.spelling for s in _RANGE)]
    brace = [d for d in errs if d.spelling.startswith(_BRACES)]
    if rng:
        d = rng[0]
        who = _member_at(ci, cur, d.location) or "a member"
        raise EnumsyncError(f"{_at(d, path)}: {q}::{who} does not fit the enum's underlying type "
                            f"(compiler: {d.spelling}); fix the value or widen the type")
    whole = [d for d in errs if d.spelling == _UNTERMINATED or d.location.line in error_lines]
    if whole:
        d = whole[0]
        what = d.spelling if d.spelling == _UNTERMINATED else f"#error {d.spelling}"
        raise EnumsyncError(f"{path}:{d.location.line}: the header does not compile ({what}), so {q} has no "
                            "values; fix the header, or pass --include-dir if the condition depends on an include")
    if brace:
        d = brace[0]
        raise EnumsyncError(f"{path}:{d.location.line}: {q} is truncated or its braces do not close "
                            f"(compiler: {d.spelling}); pass a complete header")
    d = errs[0]
    where = _at(d, path) if d.location.file is not None else path
    missing = [i.spelled for i in src.missing] if src else []
    found = f" (not found: {', '.join(missing[:4])})" if missing else ""
    n = d.location.line
    if used and n in used and _name(d.location.file) == path and not cur.extent.start.line <= n <= cur.extent.end.line:
        decl, member = used[n]
        who = f"{q}::{member}" if member else f"the underlying type of {q}"
        fix = f"pass --include-dir for the headers it needs{found}" if missing else "fix the declaration"
        raise EnumsyncError(f"{path}:{n}: {who} uses {decl}, declared here, which does not compile "
                            f"(compiler: {d.spelling}); {fix}")
    hint = f"pass --include-dir for the headers that define it{found}"
    raise EnumsyncError(f"{where}: cannot compute the values of {q}: {d.spelling}; {hint}")
