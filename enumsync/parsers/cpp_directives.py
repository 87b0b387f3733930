"""Preprocessing directives of a C++ source, found the way the preprocessor finds them.

A directive is a ``#`` (or ``%:``) that starts a logical line, outside comments and string
literals; it runs to the first newline that is neither escaped (``\\``) nor inside a comment.
Only lines with a '#', '%:', '/*' or a raw string are lexed, so a 4 MB header costs milliseconds. It over-approximates
where C++ is subtle: a ``#`` it calls a directive is never one the preprocessor would ignore.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# comments and literals on one line, in which a '#' means nothing to the preprocessor
_MASKED = re.compile(
    r'//[^\n]*'
    r'|/\*.*?(?:\*/|$)'
    r'|(?<=R)"([^()\\\s"]{0,16})\(.*?(?:\)\1"|$)'
    r'|"(?:\\.|[^"\\\n])*"?'
    r"|'(?<![\w']')(?:\\.|[^'\\\n])*'?")
_LEAD = re.compile(r"[ \t\f\v]*(?:/\*.*?\*/[ \t\f\v]*)*")
_SPLICE = re.compile(r"\\[ \t\f\v]*\n")   # clang also splices over trailing blanks
_BLANKS = " \t\f\v"
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_NAME = re.compile(r"\s*([A-Za-z_]\w*)\s*(.*)", re.S)


INCLUDE_LIKE = frozenset({"include", "include_next", "import", "embed"})   # directives that read a file


@dataclass(frozen=True)
class Directive:
    name: str        # "include", "ifdef", "define", ... ("" for a null directive)
    args: str        # the rest of the logical line, splices joined and comments removed
    start: int       # offset of the '#'
    end: int         # offset of the newline that ends it (or len(text))
    line: int        # 1-based line of the '#'
    end_line: int    # 1-based line of its last character


def _find_all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _masked_at(text: str, pos: int, from_: int) -> tuple[int, int] | None:
    """The comment or literal (start, end) that holds ``pos``, lexing its line from ``from_``."""
    le = text.find("\n", pos)
    line = text[from_:len(text) if le < 0 else le]
    for m in _MASKED.finditer(line):
        if m.start() <= pos - from_ < m.end():
            s = from_ + m.start()
            tok = m.group(0)
            if tok.startswith("/*") and not tok.endswith("*/") or tok == "/*/":
                e = text.find("*/", s + 2)
                return s, len(text) if e < 0 else e + 2
            if m.group(1) is not None and not tok.endswith(")" + m.group(1) + '"'):
                e = text.find(")" + m.group(1) + '"', s)
                return s, len(text) if e < 0 else e + len(m.group(1)) + 2
            e = from_ + m.end()
            while tok.startswith("//") and text[s:e].rstrip(_BLANKS).endswith("\\") and e < len(text):
                nl = text.find("\n", e + 1)   # a // comment that ends in a splice goes on
                e = len(text) if nl < 0 else nl
            return s, e
        if m.start() > pos - from_:
            break
    return None


def _directive_end(text: str, h: int) -> int:
    """The newline that ends the directive at ``h`` (splices and block comments continue it)."""
    pos = h
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            return len(text)
        crossed, cm = None, text.find("/*", pos, nl)
        while cm >= 0:
            span = _masked_at(text, cm, pos)
            if span and span[0] == cm and span[1] > nl:
                crossed = span[1]
                break
            cm = text.find("/*", span[1] if span else cm + 2, nl)
        if crossed is not None:
            pos = crossed
        elif text[pos:nl].rstrip(_BLANKS).endswith("\\"):
            pos = nl + 1
        else:
            return nl


def scan(text: str) -> list[Directive]:
    """Every preprocessing directive in ``text`` (``\\n`` line ends), in order.

    Only the lines with a '#', '%:', '/*', a raw string or a splice are lexed, so a 4 MB header
    of code costs a few milliseconds.
    """
    hashes = _find_all(text, "#") + _find_all(text, "%:")
    if not hashes:
        return []
    events = sorted([(p, 1) for p in hashes] + [(p, 0) for p in _find_all(text, "/*")]
                    + [(p, 0) for p in _find_all(text, 'R"')] + [(m.start(), 0) for m in _SPLICE.finditer(text)])
    out: list[Directive] = []
    skip, at, line = 0, 0, 1
    for p, is_hash in events:
        if p < skip:
            continue
        ls = max(text.rfind("\n", 0, p) + 1, skip)
        q = p + (text[p] == "R")   # a raw string's literal starts at its quote
        span = _masked_at(text, q, ls)
        if not is_hash:
            starts = span is not None and (span[0] == q or text[p] == "\\" and text.startswith("//", span[0]))
            if starts and span[1] > text.find("\n", p) >= 0:
                skip = span[1]   # a block comment, raw string or spliced // comment that runs over lines
            continue
        if span is not None or _LEAD.match(text, ls).end() != p:
            continue
        end = _directive_end(text, p)
        marker = 1 if text[p] == "#" else 2
        body = _COMMENT.sub(" ", _SPLICE.sub("", text[p + marker:end]))
        n = _NAME.match(body)
        name, args = (n.group(1), n.group(2).strip()) if n else ("", body.strip())
        line += text.count("\n", at, p)
        at = p
        out.append(Directive(name, args, p, end, line, line + text.count("\n", p, end)))
        skip = end
    return out


def blank(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` span replaced, keeping every newline.

    The replacement goes on the span's first line; the span's other lines become empty, so
    line numbers do not move.
    """
    parts, last = [], 0
    for start, end, repl in sorted(spans):
        parts.append(text[last:start])
        parts.append(repl + "\n" * text.count("\n", start, end))
        last = end
    parts.append(text[last:])
    return "".join(parts)


_IDENT = re.compile(r"[A-Za-z_]\w*")


def identifiers(s: str) -> set[str]:
    return set(_IDENT.findall(s))


def spells_enum(ds: list[Directive]) -> bool:
    """Whether one of these ``#define``s spells ``enum`` (then the keyword search misses enums)."""
    return any(d.name == "define" and "enum" in identifiers(d.args) for d in ds)
