"""Function definitions the fast parse can leave out: no enum can depend on them.

libclang spends its time on declarations, not bodies: a header of 40,000 small inline functions
costs ~0.27 s to parse even with bodies skipped, and ~5 ms once they are gone. The fast parse
(includes blanked, ``cpp.py``) is handed the header with such definitions blanked (newlines
kept, so every line number is the same), when all of this holds for a definition:

- its shape is ``[inline|static|extern|CUDA] T name(T p, ...) [noexcept] { ... }`` starting a
  line, at namespace scope (only ``namespace``/``extern "C"`` braces around it), right after a
  ``;``, a namespace brace, a function body or another such definition. No templates, ``auto``,
  ``constexpr``, ``operator``, ``decltype``, qualified names, default arguments or attributes
  with arguments: its body is one clang skips (``PARSE_SKIP_FUNCTION_BODIES``), and declaring
  it instantiates nothing (when the header declares templates, its types must be builtins or
  names the kept text never mentions, i.e. not declared in this parse);
- the name it declares appears nowhere in the text that stays (so no lookup, overload set or
  redefinition error changes; a definition that stays brings its own words), and it holds no
  macro of this file, ``_Pragma`` or ``__COUNTER__`` (so the preprocessor does the same);
- it holds no directive, and its braces, parentheses and brackets nest (so clang's body skip
  ends where ours does); it does not touch the header's last two lines (where ``trouble``
  looks for unclosed braces).

Anything read with doubt (a splice outside a directive, digraphs, a literal that does not close,
brackets that do not nest or differ between the branches of an ``#if``, a macro with unbalanced
braces) leaves the text whole. A definition whose head is an error in the fast parse (an unknown
type from a blanked include) only ever gave errors outside the enum, which the fast parse ignores
by design; blanking it gives the parse the compiler makes of a function. The work is linear in
the text (bounded heads, atomic regexes, a worklist for the names). ``cpp.py`` calls it only
for headers of ``cpp.PRUNE_MIN_BYTES`` or more, and nothing is left out unless the definitions
found are ``MIN_SHARE`` of the text.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .cpp_directives import INCLUDE_LIKE, Directive, blank
from .cpp_includes import blank_includes

MIN_SHARE = 0.5         # prune only when the definitions found are at least half the text

_KEYWORDS = frozenset((
    "alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t "
    "class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield "
    "decltype default delete do double dynamic_cast else enum explicit export extern false float for friend "
    "goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private "
    "protected public register reinterpret_cast requires return short signed sizeof static static_assert "
    "static_cast struct switch template this thread_local throw true try typedef typeid typename typeof union "
    "unsigned using virtual void volatile wchar_t while xor xor_eq").split())
_BUILTIN = "unsigned signed short long int char char8_t char16_t char32_t wchar_t bool float double void".split()
_CUDA = ("__device__", "__host__", "__forceinline__", "__global__")   # -D'd to nothing or `inline` in cpp.py
_ALLOWED = frozenset(_BUILTIN) | {"inline", "static", "extern", "const", "volatile", "noexcept", *_CUDA}
_STATEFUL = ("_Pragma", "__pragma", "__COUNTER__")                     # expanded even in a skipped body
_RESERVED = re.compile(r"(?<![\w])_[_A-Z]\w*")


def _head_regex() -> str:
    """A head's exact shape (keywords are checked apart, by ``_allowed``)."""
    ident = r"(?!_[_A-Z])[A-Za-z_]\w*+"
    cv = r"(?:(?:const|volatile)\b\s*)*+"
    qual = rf"(?:(?:inline|static|extern|const|volatile|{'|'.join(_CUDA)})\b\s*)*+"
    typ = rf"(?>(?:(?:{'|'.join(_BUILTIN)})\b\s*)++|(?:::\s*)?{ident}(?:\s*::\s*{ident})*+\s*)"
    ptr = rf"(?:[*&]\s*{cv})*+"
    param = rf"(?>{cv}{typ}{cv}{ptr}(?:{ident}\s*)?(?:\[\s*\d*\s*\]\s*)?)"   # atomic: linear on any text
    return (rf"\s*(?:\[\[[\w\s:,]*\]\]\s*)*{qual}{typ}{cv}{ptr}(?P<name>{ident})\s*"
            rf"\(\s*(?:void\s*|{param}(?:,\s*{param})*)?\)\s*(?:noexcept\b\s*)?")


def _body_regex(depth: int = 4) -> str:
    """A body whose (), [] and {} nest, ``depth`` levels inside its braces: clang's body skip
    (which pairs all three) then ends at the same ``}``."""
    plain = r"[^{}()\[\]#]*+"
    inner = plain
    for _ in range(depth):
        inner = rf"{plain}(?:(?:\{{{inner}\}}|\({inner}\)|\[{inner}\]){plain})*+"
    return rf"\{{{inner}\}}"


_compiled: dict[str, re.Pattern] = {}
_PRE_MAX = 300   # characters before a definition's name: bounds the work at every line start


def _definition() -> re.Pattern:
    """A line that starts a head (words, ``*&:,[]``, the name, one ``(...)``) and then a body;
    compiled on first use (a few ms), since only big headers need it."""
    if "def" not in _compiled:
        pre = r"\n[ \t]*+([\w \t\n*&:\[\]]{0,%d})(?<![\w])([A-Za-z_]\w*+)" % _PRE_MAX
        _compiled["def"] = re.compile(pre + r"(\s*+\([\w\s*&:\[\],]*+\)[\w\s]*+)" + _body_regex(), re.A)
    return _compiled["def"]


_HEAD = re.compile(_head_regex(), re.A)
_NAMESPACE = re.compile(r"\s*+(?:(?:inline\s++)?namespace(?:\s++[A-Za-z_]\w*+(?:\s*+::\s*+[A-Za-z_]\w*+)*+)?"
                        r"|extern)\s*+")   # extern "C", its string masked
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CHAR = re.compile(r"'(?:[^'\\\n]|\\.)+'")
_RAW = re.compile(r'R"([^()\\\s"]{0,16})\(')
_IDENT = re.compile(r"[A-Za-z_]\w*")
_NOT_NEWLINE = re.compile(r"[^\n]")
_BRACKET = re.compile(r"[{}()\[\]]")


@dataclass
class _Defs:
    """The candidate definitions, in order: code offsets, declared names, and heads as (what comes
    before the name, what comes after it)."""
    starts: list[int]
    ends: list[int]
    names: list[str]
    shapes: list[tuple[str, str]]


@dataclass(frozen=True)
class _Run:
    """Definitions ``i..j-1`` of ``_Defs``, one after another with only whitespace between."""
    i: int
    j: int


def fast_text(text: str, ds: list[Directive]) -> str:
    """``text`` for the fast parse: includes blanked, and the definitions no enum can use."""
    spans = unused_definitions(text, ds)
    if not spans:
        return blank_includes(text, ds)
    return blank(text, [(d.start, d.end, "") for d in ds if d.name in INCLUDE_LIKE] + [(s, e, "") for s, e in spans])


def unused_definitions(text: str, ds: list[Directive]) -> list[tuple[int, int]]:
    """(start, end) of the function definitions the fast parse can leave out, neighbours joined
    (see the module's docstring)."""
    code = _code_only(text, ds)
    if code is None or "%" in code and any(s in code for s in ("<%", "%>", "%:")) or _unbalanced_macro(ds):
        return []
    defs, runs = _candidates(code)
    if sum(defs.ends[r.j - 1] - defs.starts[r.i] for r in runs) < MIN_SHARE * len(text):
        return []
    runs = _at_namespace_scope(code, defs, runs, ds)
    if runs is None:
        return []
    clean_ = _clean_check(code, defs, ds, _tail_offset(text))
    clean = []
    for r in runs:
        clean += [r] if clean_(r) else [p for p in _singles(r) if clean_(p)]
    return _joined(text, defs, _unused(text, defs, clean))


def _candidates(code: str) -> tuple[_Defs, list[_Run]]:
    """Every definition of an allowed shape, grouped into runs of neighbours."""
    starts, ends, names, shapes = [], [], [], []
    for m in _definition().finditer("\n" + code):   # offsets in "\n" + code: m.start() is the line's start in code
        starts.append(m.start())
        ends.append(m.end() - 1)
        pre, name, rest = m.groups()
        names.append(name)
        shapes.append((pre, rest))
    good = {sh: _allowed(sh) for sh in set(shapes)}      # once per shape: the head without its name
    bad = {n for n in set(names) if n in _KEYWORDS or _RESERVED.fullmatch(n)}
    ok = [good[sh] and n not in bad for sh, n in zip(shapes, names)]
    runs, i = [], None
    for k in range(len(starts) + 1):
        joins = k < len(starts) and ok[k] and i is not None and (starts[k] == ends[k - 1] + 1
                                                                 or code[ends[k - 1]:starts[k]].isspace())
        if i is not None and not joins:
            runs.append(_Run(i, k))
            i = None
        if k < len(starts) and ok[k] and i is None:
            i = k
    return _Defs(starts, ends, names, shapes), runs


def _allowed(shape: tuple[str, str]) -> bool:
    """The head ``pre N rest`` has the allowed shape: no keyword but the allowed ones, no
    reserved name but CUDA's."""
    head = shape[0] + "N" + shape[1]
    h = _HEAD.fullmatch(head)
    if h is None or h.group("name") != "N":
        return False
    return not any(w in _KEYWORDS and w not in _ALLOWED for w in _IDENT.findall(head)) \
        and all(w in _CUDA for w in _RESERVED.findall(head))


def _singles(r: _Run) -> list[_Run]:
    return [_Run(k, k + 1) for k in range(r.i, r.j)]


def _code_only(text: str, ds: list[Directive]) -> str | None:
    """``text`` with comments and literals as spaces and directives as ``#`` (newlines kept);
    None where the lexing is not certain."""
    out, last = [], 0
    for d in ds:
        seg = _mask_literals(text, last, d.start)
        if seg is None:
            return None
        out += [seg, _NOT_NEWLINE.sub("#", text[d.start:d.end])]
        last = d.end
    seg = _mask_literals(text, last, len(text))
    return None if seg is None else "".join(out + [seg])


def _mask_literals(text: str, start: int, end: int) -> str | None:
    out, pos = [], start
    nxt = {c: text.find(c, pos, end) for c in "/\"'\\"}   # next offset of each char that may start one
    while True:
        live = [p for p in nxt.values() if p >= 0]
        if not live:
            out.append(text[pos:end])
            return "".join(out)
        a = min(live)
        b = _lexeme_end(text, a, end)
        if b is None:
            return None
        if b > a:
            out += [text[pos:a], _NOT_NEWLINE.sub(" ", text[a:b])]
            pos = b
        for k, p in nxt.items():
            if 0 <= p < max(b, a + 1):
                nxt[k] = text.find(k, max(b, a + 1), end)


def _lexeme_end(text: str, a: int, end: int) -> int | None:
    """End of the comment or literal that starts at ``a`` (``a`` itself: nothing starts there, as
    for a division or a digit separator); None where unsure."""
    c = text[a]
    if c == "/":
        nx = text[a + 1:a + 2]
        if nx == "/":
            b = text.find("\n", a, end)
            b = end if b < 0 else b
            return None if text[a:b].rstrip(" \t\r").endswith("\\") else b   # a spliced // comment
        if nx == "*":
            b = text.find("*/", a + 2, end)
            return None if b < 0 else b + 2
        return a
    if c == "\\":
        return None                              # a splice or a UCN outside any literal
    return _literal_end(text, a, end)


def _literal_end(text: str, a: int, end: int) -> int | None:
    """End of the string or character literal whose quote is at ``a``; ``a`` for a digit separator."""
    j = a
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_.'"):
        j -= 1
    prefix = text[j:a]
    if text[a] == "'":
        if prefix[:1].isdigit() or prefix[:1] == "." and prefix[1:2].isdigit():
            return a
        m = _CHAR.match(text, a, end) if prefix in ("", "u8", "u", "U", "L") else None
        return m.end() if m else None
    if prefix in ("R", "LR", "uR", "UR", "u8R"):
        m = _RAW.match(text, a - 1, end)
        if not m:
            return None
        b = text.find(")" + m.group(1) + '"', m.end(), end)
        return None if b < 0 else b + len(m.group(1)) + 2
    m = _STRING.match(text, a, end)
    return m.end() if m else None


def _unbalanced_macro(ds: list[Directive]) -> bool:
    return any(d.args.count("{") != d.args.count("}") for d in ds if d.name == "define")


_OPEN, _CLOSE = "{([", "})]"
_IF, _ELSE, _ENDIF = {"if", "ifdef", "ifndef"}, {"elif", "elifdef", "elifndef", "else"}, {"endif"}


def _at_namespace_scope(code: str, defs: _Defs, runs: list[_Run], ds: list[Directive]) -> list[_Run] | None:
    """The runs that sit at namespace scope right after a declaration, or None when the brackets
    outside them do not nest, or do not nest alike in every branch of an ``#if`` (each branch
    must close what it opens and close nothing it did not open)."""
    scope = _Scope(code, ds)
    out, prev_end = [], 0
    for r in [*runs, None]:
        s = len(code) if r is None else defs.starts[r.i]
        if scope.conds or _BRACKET.search(code, prev_end, s):
            for m in _BRACKET.finditer(code, prev_end, s):
                if not scope.bracket(m.start(), m.group(0)):
                    return None
            if not scope.directives_before(s):
                return None
        if r is None:
            break
        if not scope.other and _follows_declaration(code, s, scope.ok_before):
            out.append(r)
            scope.ok_before.add(defs.ends[r.j - 1] - 1)
        prev_end = scope.last = defs.ends[r.j - 1]
    return out if not scope.stack and not scope.groups else None


class _Scope:
    """The brackets open outside the runs, and the ``#if`` groups open, at some offset."""

    def __init__(self, code: str, ds: list[Directive]):
        self.code = code
        self.conds = [d for d in ds if d.name in _IF | _ELSE | _ENDIF]
        self.macros = _macro_names(ds)
        self.stack: list[str] = []       # kind of each open bracket: ns, fn, {, (, [
        self.other = 0                   # how many of them are not namespaces
        self.groups: list[int] = []      # len(stack) at each open #if
        self.ok_before: set[int] = set() # offsets of `{`/`}` of namespaces and ends of bodies and runs
        self.last = 0                    # just past the last `{`/`}` or run seen
        self.ci = 0                      # conditional directives passed

    def directives_before(self, p: int) -> bool:
        """Pass the conditional directives before ``p``; False when a branch that ends there left
        the brackets changed."""
        while self.ci < len(self.conds) and self.conds[self.ci].start < p:
            name, depth = self.conds[self.ci].name, len(self.stack)
            self.ci += 1
            if name in _IF:
                self.groups.append(depth)
            elif self.groups:
                if depth != self.groups[-1]:
                    return False
                if name in _ENDIF:
                    self.groups.pop()
        return True

    def bracket(self, p: int, c: str) -> bool:
        """One bracket at ``p``; False when it closes one that is not open here."""
        if not self.directives_before(p):
            return False
        if c in _OPEN:
            kind = _brace_kind(self.code, p, self.last, self.macros) if c == "{" else c
            self.stack.append(kind)
            self.other += kind != "ns"
            if kind == "ns":
                self.ok_before.add(p)
        else:
            if len(self.stack) <= (self.groups[-1] if self.groups else 0) or _OPENER[self.stack[-1]] != _OPENER[c]:
                return False
            kind = self.stack.pop()
            self.other -= kind != "ns"
            if kind in ("ns", "fn"):
                self.ok_before.add(p)    # after a namespace or a function body a declaration starts
        if c in "{}":
            self.last = p + 1
        return True


_OPENER = {"ns": "{", "fn": "{", "{": "{", "}": "{", "(": "(", ")": "(", "[": "[", "]": "["}
_AFTER_PARAMS = re.compile(r"\s*+(?:(?:const|volatile|noexcept|override|final|mutable)\b\s*+|&&?\s*+)*+"
                           r"(?:->[^=;{}]*+)?")
_ANGLES = re.compile(r"<[^<>]*>")
_CLASS_KEY = re.compile(r"\b(?:struct|class|union|enum|namespace|typedef|using)\b")


def _brace_kind(code: str, p: int, lo: int, macros: set[str]) -> str:
    """``ns`` for a namespace's or ``extern "C"``'s brace, ``fn`` for a function body's (a head
    that ends in ``)`` [qualifiers] [-> type], with no ``=``, class key or macro of this file),
    else ``{``."""
    head = _head(code, p, lo)
    if _NAMESPACE.fullmatch(head):
        return "ns"
    close = head.rfind(")")
    if close < 0 or "=" in head or not _AFTER_PARAMS.fullmatch(head, close + 1) \
            or not macros.isdisjoint(_IDENT.findall(head)):
        return "{"
    for _ in range(16):   # a class key inside <...> is a template parameter's; a class's own never is
        bare = _ANGLES.sub(" ", head)
        if bare == head:
            return "{" if _CLASS_KEY.search(head) else "fn"
        head = bare
    return "{"            # nested deeper than that: not worth reading


def _macro_names(ds: list[Directive]) -> set[str]:
    return {m.group(0) for d in ds if d.name == "define" and (m := _IDENT.match(d.args))}


def _head(code: str, p: int, lo: int) -> str:
    """The code between the previous ';', '{' or '}' and ``p`` (none of them lies between the
    last bracket before ``p``, at ``lo`` or before, and ``p`` but a ';')."""
    b = max(code.rfind(";", lo, p), lo - 1)
    return code[b + 1:p].replace("#", " ")


def _follows_declaration(code: str, s: int, ok_before: set[int]) -> bool:
    """What comes before ``s`` (past spaces and directives) ends a declaration."""
    j = s - 1
    while j >= 0 and code[j] in " \t\n\r\f\v#":
        j -= 1
    return j < 0 or code[j] == ";" or j in ok_before


_FEW_NAMES = 16   # up to this many macros, find each one (str.find); beyond, read each run's words


def _clean_check(code: str, defs: _Defs, ds: list[Directive], tail: int):
    """A test of a run: it ends before ``tail`` and holds no macro of this file, ``_Pragma`` or
    ``__COUNTER__`` (which the preprocessor expands even in a skipped body)."""
    names = _macro_names(ds) | set(_STATEFUL)
    if len(names) > _FEW_NAMES:
        def clean(r: _Run) -> bool:
            s, e = defs.starts[r.i], defs.ends[r.j - 1]
            return e <= tail and names.isdisjoint(_IDENT.findall(code, s, e))
        return clean
    at = _positions(code, names)

    def clean(r: _Run) -> bool:
        s, e = defs.starts[r.i], defs.ends[r.j - 1]
        k = bisect_left(at, s)
        return e <= tail and not (k < len(at) and at[k] < e)
    return clean


def _positions(code: str, names: set[str]) -> list[int]:
    """Sorted offsets of ``names`` as whole identifiers in ``code``."""
    out = []
    for n in names:
        i = code.find(n)
        while i >= 0:
            before, after = code[i - 1:i], code[i + len(n):i + len(n) + 1]
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                out.append(i)
            i = code.find(n, i + 1)
    return sorted(out)


def _tail_offset(text: str) -> int:
    """Offset where the header's next-to-last line starts (``trouble`` reads errors from there)."""
    last = text.rfind("\n")
    return text.rfind("\n", 0, last) + 1 if last >= 0 else 0


def _unused(text: str, defs: _Defs, runs: list[_Run]) -> list[_Run]:
    """The definitions whose names the rest of the text never mentions (and, when the header
    declares templates, whose types the rest never mentions either: they are then builtins or
    names this parse does not declare, so declaring the function instantiates nothing). A
    definition that stays brings its own words into the rest (a worklist: each is read once)."""
    kept = set(_IDENT.findall(_outside(text, defs, runs)))
    if not any(_mentioned(defs, range(r.i, r.j), kept) for r in runs):
        return runs                      # the usual case: one set test per run
    live = {k for r in runs for k in range(r.i, r.j)}
    by_word: dict[str, list[int]] = {}
    for k in live:
        for w in (defs.names[k], *_type_words(defs.shapes[k])):
            by_word.setdefault(w, []).append(k)
    todo = [k for k in live if _mentioned(defs, (k,), kept)]
    while todo:
        k = todo.pop()
        if k not in live:
            continue
        live.discard(k)
        new = set(_IDENT.findall(text, defs.starts[k], defs.ends[k])) - kept
        kept |= new
        if "template" in new:
            todo += [j for j in live if _mentioned(defs, (j,), kept)]
        todo += [j for w in new for j in by_word.get(w, ()) if j in live and _mentioned(defs, (j,), kept)]
    return [_Run(k, k + 1) for k in sorted(live)]


def _mentioned(defs: _Defs, ks, kept: set[str]) -> bool:
    """Whether the rest mentions one of the names of definitions ``ks``, or (with templates)
    one of their types."""
    if not kept.isdisjoint(defs.names[k] for k in ks):
        return True
    return "template" in kept and any(not kept.isdisjoint(_type_words(sh)) for sh in {defs.shapes[k] for k in ks})


_type_words_of: dict[tuple[str, str], frozenset[str]] = {}


def _type_words(shape: tuple[str, str]) -> frozenset[str]:
    """The names a head uses as types: its words but the allowed keywords and parameter names
    (the last word of a parameter of two words or more)."""
    words = _type_words_of.get(shape)
    if words is None:
        pre, rest = shape
        params = rest[rest.index("(") + 1:rest.rindex(")")].split(",")
        names = set()
        for p in params:
            ws = _IDENT.findall(p)
            if len(ws) > 1 and ws[-1] not in _ALLOWED:
                names.add(ws[-1])
        words = _type_words_of[shape] = frozenset(set(_IDENT.findall(pre + " " + rest)) - _ALLOWED - names)
    return words


def _outside(text: str, defs: _Defs, runs: list[_Run]) -> str:
    parts, last = [], 0
    for r in runs:
        parts.append(text[last:defs.starts[r.i]])
        last = defs.ends[r.j - 1]
    parts.append(text[last:])
    return " ".join(parts)


def _joined(text: str, defs: _Defs, runs: list[_Run]) -> list[tuple[int, int]]:
    """The runs' spans, neighbours with only whitespace between them joined."""
    out: list[list[int]] = []
    for r in runs:
        s, e = defs.starts[r.i], defs.ends[r.j - 1]
        if out and (s == out[-1][1] or text[out[-1][1]:s].isspace()):
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
