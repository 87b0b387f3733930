"""Could blanking the includes have changed an enum? Decided from the header's directives.

The fast parse blanks every ``#include``, so a macro that an include defines is undefined
there. That matters for the enum when a directive inside its braces includes or tests
something, when the enum itself sits in a conditional block, or when a macro or declaration
the enum uses is defined in one, and the condition names a macro this header has not defined
before it (``#if 0`` and ``#ifdef LOCAL_MACRO`` do not count; nor does the include guard).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cpp_directives import INCLUDE_LIKE, Directive, identifiers

_CONDITIONAL = {"if", "ifdef", "ifndef", "elif", "elifdef", "elifndef"}
_NOT_MACROS = {"defined", "__has_include", "__has_include_next", "__has_cpp_attribute", "__has_attribute",
               "__has_builtin", "__has_feature", "__has_extension", "true", "false"}
_PREDEFINED = {"_WIN32", "_WIN64", "_MSC_VER", "_MSC_FULL_VER", "_M_X64", "_M_IX86", "_M_ARM64", "_M_AMD64"}


@dataclass(frozen=True)
class Reason:
    """A directive that makes the enum depend on what the includes define."""
    directive: Directive
    unknown: frozenset[str]   # the macros it tests that this header does not define before it
    what: str                 # "in the enum's braces", "around the enum", "around macro X", ...

    def spelled(self) -> str:
        return f"#{self.directive.name} {self.directive.args}".strip()


def _guards(ds: list[Directive]) -> set[int]:
    """Offsets of include guards: ``#ifndef X`` (or ``#if !defined(X)``) right before ``#define X``.

    Only an include of this very file could define X first.
    """
    out = set()
    for i, (d, nxt) in enumerate(zip(ds, ds[1:])):
        m = re.fullmatch(r"(?:!\s*defined\s*\(?\s*)?(\w+)\s*\)?", d.args) if d.name in ("ifndef", "if") else None
        if not (m and (d.name == "ifndef" or d.args.startswith("!")) and nxt.name == "define"
                and nxt.args.split()[:1] == [m.group(1)]):
            continue
        # `#ifndef N / #define N 8 / #endif` is a default an include can override, not a guard
        default = len(nxt.args.split()) > 1 and (i + 2 >= len(ds) or ds[i + 2].name == "endif")
        if not default:
            out.add(d.start)
    return out


def _defined_before(ds: list[Directive], line: int) -> set[str]:
    out = set()
    for d in ds:
        if d.line >= line:
            break
        if d.name == "define" and d.args:
            out.add(re.match(r"\w*", d.args).group(0))
    return out


def _open_conditions(ds: list[Directive], line: int, guards: set[int]) -> list[Directive]:
    """The ``#if``/``#elif`` directives of the conditional blocks open at ``line``."""
    stack: list[list[Directive]] = []
    for d in ds:
        if d.line >= line:
            break
        if d.name in ("if", "ifdef", "ifndef"):
            stack.append([d])
        elif d.name in ("elif", "elifdef", "elifndef", "else") and stack:
            stack[-1].append(d)
        elif d.name == "endif" and stack:
            stack.pop()
    return [d for block in stack for d in block if d.start not in guards and d.name != "else"]


def _unknown(ds: list[Directive], d: Directive) -> frozenset[str]:
    names = identifiers(re.sub(r"<[^>]*>|\"[^\"]*\"", " ", d.args)) - _NOT_MACROS
    names = {n for n in names if not n.startswith("__") and n not in _PREDEFINED}   # the compiler's own
    return frozenset(names - _defined_before(ds, d.line))


def _macro_closure(ds: list[Directive], used: set[str]) -> dict[str, list[Directive]]:
    """The main file's ``#define``/``#undef`` directives of the macros ``used`` needs, transitively."""
    defs: dict[str, list[Directive]] = {}
    for d in ds:
        if d.name in ("define", "undef") and d.args:
            defs.setdefault(re.match(r"\w*", d.args).group(0), []).append(d)
    out: dict[str, list[Directive]] = {}
    todo = [n for n in used if n in defs]
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out[n] = defs[n]
        for d in defs[n]:
            todo.extend(m for m in identifiers(d.args) if m in defs and m not in out)
    return out


def reasons(ds: list[Directive], start: int, end: int, used: set[str], decl_lines: set[int]) -> list[Reason]:
    """Why the blanked parse may not show the compiler's view of the enum on lines start..end.

    ``used``: identifiers in the enum's tokens; ``decl_lines``: lines (in this file) of the
    declarations its values refer to.
    """
    guards = _guards(ds)
    out: list[Reason] = []

    def add(d: Directive, what: str, always: bool = False):
        unknown = _unknown(ds, d)
        if (unknown or always) and all(r.directive is not d for r in out):
            out.append(Reason(d, unknown, what))

    for d in ds:
        if start <= d.line <= end and (d.name in _CONDITIONAL or d.name in INCLUDE_LIKE):
            add(d, "inside the enum's braces", always=d.name in INCLUDE_LIKE)
    for d in _open_conditions(ds, start, guards):
        add(d, "around the enum")
    for name, defs in _macro_closure(ds, used).items():
        for dd in defs:
            for d in _open_conditions(ds, dd.line, guards):
                add(d, f"around the definition of macro {name}")
    for line in sorted(decl_lines):
        for d in _open_conditions(ds, line, guards):
            add(d, f"around the declaration on line {line}")
    return out
