"""Rewrite a Python enum class body so it matches the C++ enum, keeping the file's own style.

What ``fix_source`` does, and nothing more:

- corrects the value of every member whose name is in C++ (the literal is replaced in place,
  so ``(9,)`` stays a tuple, ``9`` stays plain, ``0x9`` stays hex);
- inserts each C++ member missing from Python right after its nearest C++ predecessor that
  Python has (so C++ order is kept), with the C++ comment written in the class's comment style
  (above the member, or beside it), its indentation, value form and blank-line rhythm;
- keeps extensions (Python-only members declared in config or detected by a preset) and
  aliases written as references (``Alias = Default``);
- touches no byte outside the class body: edits are spliced into the file's bytes at the offsets
  of the AST nodes, on the lines as Python's tokenizer splits them (``\n``, ``\r\n``, ``\r``), so a
  form feed, ``\x0b``, ``\x1c``-``\x1e``, ``\x85``, U+2028/U+2029, a BOM, CRLF, a PEP 263
  encoding and a missing final newline cannot shift an edit or change a byte around it.

It refuses (``FixRefused``, exit 2) rather than guess when:

- a member that needs a new value is not written as an integer literal (``1 << 3``, ``A + 1``,
  a constant, a multi-line value);
- the class uses ``auto()`` (an insertion or renumbering would shift later members);
- a member's value cannot be computed;
- Python has a member that C++ lacks and that is not an extension (fix would have to delete or
  rename code: do that by hand, or declare it an extension);
- members are assigned in a form it cannot rewrite one by one (``A = B = 1``, ``A, B = 1, 2``,
  two statements on one line);
- a C++ value is unknown.
"""
from __future__ import annotations

import ast
import codecs
import io
import keyword
import re
import textwrap
import tokenize
from collections import Counter
from dataclasses import dataclass, field

from .model import EnumSpec, EnumsyncError, Member


class FixRefused(EnumsyncError):
    """The class holds something fix cannot rewrite safely."""


@dataclass
class FixResult:
    text: str                   # the new text (decoded, no BOM)
    changes: list[str] = field(default_factory=list)   # "Unspecified: 9 -> 10", "+TopKSigmoid = 9"
    data: bytes = b""           # the new file's bytes (BOM, line ends and encoding kept)


LINE_BREAK = re.compile(rb"\r\n|\r|\n")     # the only line breaks of Python's tokenizer


@dataclass
class Source:
    """A Python file's bytes and its physical lines, split where Python's tokenizer splits them."""

    raw: bytes
    encoding: str               # the codec of the bytes after the BOM
    text: str                   # the decoded text (no BOM), what ``ast.parse`` reads
    starts: list[int]           # byte offset in ``raw`` where each line begins, then ``len(raw)``
    lines: list[str]            # decoded lines with their own line ends

    @classmethod
    def read(cls, raw: bytes, where: str, encoding: str | None = None) -> "Source":
        bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
        if encoding is None:
            try:
                encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
            except SyntaxError as e:
                raise FixRefused(f"{where}: {e.msg}; fix the coding line first") from e
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        try:
            text = raw[bom:].decode(encoding)
        except (UnicodeDecodeError, LookupError) as e:
            raise FixRefused(f"{where}: cannot decode it as {encoding} ({e}); fix the file first") from e
        starts = [bom] + [m.end() for m in LINE_BREAK.finditer(raw, bom)]
        if starts[-1] != len(raw):
            starts.append(len(raw))
        lines = [raw[a:b].decode(encoding) for a, b in zip(starts, starts[1:])]
        return cls(raw, encoding, text, starts, lines)

    def offset(self, lineno: int, col: int) -> int:
        """Byte offset in ``raw`` of an AST position (1-based line, UTF-8 byte column)."""
        head = self.lines[lineno - 1].encode("utf-8")[:col]
        if self.encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
            head = head.decode("utf-8").encode(self.encoding)
        return self.starts[lineno - 1] + len(head)

    def line_start(self, index: int) -> int:
        """Byte offset where the 0-based line ``index`` begins (``len(raw)`` past the last line)."""
        return self.starts[min(index, len(self.starts) - 1)]

    def ends_with_break(self) -> bool:
        return not self.lines or self.lines[-1].endswith(("\n", "\r"))

    def splice(self, edits: list[tuple[int, int, str]], where: str) -> bytes:
        """``raw`` with each (start, end, text) span replaced; every other byte is kept."""
        out, last = [], 0
        for a, b, text in sorted(edits):
            try:
                data = text.encode(self.encoding)
            except UnicodeEncodeError as e:
                raise FixRefused(f"{where}: {text.strip()[:40]!r} cannot be written in the file's encoding "
                                 f"({self.encoding}); add it by hand") from e
            out += [self.raw[last:a], data]
            last = b
        out.append(self.raw[last:])
        return b"".join(out)



def _is_int_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)


def _literal_node(value: ast.expr) -> tuple[ast.expr, str] | None:
    """The int literal to rewrite, and the member's form: ``tuple`` for ``(N,)``, ``plain`` for ``N``."""
    if isinstance(value, ast.Tuple) and len(value.elts) == 1 and _is_int_literal(value.elts[0]):
        return value.elts[0], "tuple"
    if _is_int_literal(value):
        return value, "plain"
    return None


def _find_class(tree: ast.Module, py: EnumSpec) -> ast.ClassDef:
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == py.name]
    exact = [n for n in hits if n.lineno == py.line]
    if not (exact or hits):
        raise FixRefused(f"{py.path}: class {py.name} not found")
    return (exact or hits)[0]


def _fmt(value: int, old_text: str) -> str:
    t = old_text.strip().lstrip("+-").lower()
    if t.startswith("0x"):
        return ("-" if value < 0 else "") + hex(abs(value))
    return str(value)


def _comment_lines_above(lines: list[str], stmt_line: int, floor: int) -> int:
    """0-based index of the first comment line directly above 1-based ``stmt_line`` (not above ``floor``)."""
    i = stmt_line - 2
    while i >= floor and lines[i].lstrip(" \t\f").startswith("#"):
        i -= 1
    return i + 1


def _py_name(name: str) -> str:
    """A C++ enumerator name as a Python member name: ``None`` becomes ``None_`` (as Python copies write it)."""
    return name + "_" if keyword.iskeyword(name) else name


def fix_source(py_text: str, py: EnumSpec, cpp: EnumSpec, extensions=()) -> str:
    """``py_text`` with the body of class ``py`` rewritten to match ``cpp`` (see the module doc)."""
    return plan_fix(py_text, py, cpp, extensions).text


def plan_fix(py_text: str, py: EnumSpec, cpp: EnumSpec, extensions=()) -> FixResult:
    """Like :func:`fix_source`, and also says what changed (``py_text`` is taken as UTF-8 text)."""
    res = plan_fix_bytes(py_text.encode("utf-8"), py, cpp, extensions, encoding="utf-8")
    return FixResult(py_text, []) if not res.changes else res


def plan_fix_bytes(raw: bytes, py: EnumSpec, cpp: EnumSpec, extensions=(), encoding: str | None = None) -> FixResult:
    """The fix of a file's bytes: ``data`` differs from ``raw`` only inside the class body."""
    where = py.path or "<python>"
    src = Source.read(raw, where, encoding)
    try:
        tree = ast.parse(src.text)
    except SyntaxError as e:
        at = f"{where}:{e.lineno}" if e.lineno else where      # null bytes: no line (Python >= 3.11.4)
        raise FixRefused(f"{at}: Python syntax error: {e.msg}; fix the file first") from e
    except ValueError as e:      # null bytes (Python < 3.12)
        raise FixRefused(f"{where}: not Python source ({e}); fix the file first") from e
    cls = _find_class(tree, py)
    plan = _Plan(src, cls, py, cpp, set(extensions or ()), where)
    edits, changes = plan.build()
    if not edits:
        return FixResult(src.text, [], raw)
    data = src.splice(edits, where)
    _verify(src, data, cls, where)
    return FixResult(Source.read(data, where, src.encoding).text, changes, data)


def _verify(src: Source, data: bytes, cls: ast.ClassDef, where: str) -> None:
    """Refuse (never write) a result that changed a byte outside the class body or does not compile."""
    head = src.raw[:src.line_start(cls.lineno)]
    tail = src.raw[src.line_start(cls.end_lineno or cls.lineno):]
    bad = None
    if not data.startswith(head) or not data.endswith(tail):
        bad = "it would change bytes outside the class"
    else:
        try:
            ast.parse(Source.read(data, where, src.encoding).text)
        except (SyntaxError, ValueError) as e:
            bad = f"the rewritten class would not compile ({getattr(e, 'msg', e)} at line {getattr(e, 'lineno', '?')})"
    if bad:   # a bug in fix, never the user's: refuse rather than write it
        raise FixRefused(f"{where}: {bad}; nothing was written; please report this")


class _Plan:
    """The edits that make one class match C++: value corrections and inserted members."""

    def __init__(self, src: Source, cls: ast.ClassDef, py: EnumSpec, cpp: EnumSpec, ext: set, where: str):
        self.src, self.lines, self.cls, self.py, self.cpp, self.ext, self.where = \
            src, src.lines, cls, py, cpp, ext, where
        self.pm = py.by_name()

    # --- what the class holds, and what fix refuses ---------------------------------------
    def statements(self) -> dict[str, ast.stmt]:
        """Member name -> its one assignment statement; refuses forms it cannot rewrite one by one."""
        stmts: dict[str, ast.stmt] = {}
        line_owner: Counter = Counter()
        pm, where = self.pm, self.where
        for n in self.cls.body:
            for ln in range(n.lineno, (n.end_lineno or n.lineno) + 1):
                line_owner[ln] += 1
            if isinstance(n, ast.Assign):
                names = [t.id for t in n.targets if isinstance(t, ast.Name)]
                tuple_targets = [t for t in n.targets if isinstance(t, (ast.Tuple, ast.List))]
                if (len(n.targets) > 1 and any(x in pm for x in names)) or tuple_targets:
                    raise FixRefused(f"{where}:{n.lineno}: `{ast.get_source_segment(self.src.text, n)}` assigns "
                                     "several members at once; write one member per line, then run fix again")
                if len(names) == 1 and names[0] in pm:
                    stmts[names[0]] = n
            elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id in pm:
                stmts[n.target.id] = n
        for name, n in stmts.items():
            shared = line_owner[n.lineno] > 1 or line_owner[n.end_lineno or n.lineno] > 1
            if shared or self._prefix(n).strip(" \t\f"):
                raise FixRefused(f"{where}:{n.lineno}: member {name} shares its line with another statement; "
                                 "put it on its own line, then run fix again")
        if not stmts:
            raise FixRefused(f"{where}:{self.py.line}: class {self.py.name} has no members to take the style from; "
                             "add the first member by hand")
        return stmts

    def _prefix(self, n: ast.AST) -> str:
        """The text of the node's first line before the node."""
        return self.lines[n.lineno - 1].encode("utf-8")[:n.col_offset].decode("utf-8")

    def _floor(self, stmt: ast.stmt) -> int:
        """0-based index of the first line a comment block above ``stmt`` may start at."""
        before = [n for n in self.cls.body if (n.end_lineno or n.lineno) < stmt.lineno]
        return max([self.cls.lineno] + [n.end_lineno or n.lineno for n in before])

    def _refuse_unfixable(self, cm: dict, cp: dict) -> None:
        py, cpp, where, pm = self.py, self.cpp, self.where, self.pm
        for c in cpp.canonical():
            if c.value is None:
                raise FixRefused(f"{cpp.path}:{c.line}: the C++ value of {c.name} is unknown ({c.error}); cannot fix")
        for m in py.members:
            if m.name in cm or m.name in self.ext:
                continue
            if m.alias_of is not None and m.expr.strip() in pm:
                continue   # `Alias = Default`: an alias by reference, kept
            if "ES004" in m.ignore:
                continue
            renamed = [c.name for c in cpp.canonical() if c.value == m.value and c.name not in cp]
            hint = f" (it looks like C++ {renamed[0]} renamed; rename it by hand)" if renamed else ""
            raise FixRefused(f"{where}:{m.line}: {py.name}.{m.name} = {m.value} is not in C++ {cpp.qualname}{hint}; "
                             "fix does not delete code: remove it, or declare it an extension, then run fix again")

    # --- value corrections ----------------------------------------------------------------
    def corrections(self, stmts: dict, cm: dict) -> tuple[list[tuple[int, int, str]], list[str]]:
        edits, changes, where = [], [], self.where
        for m in self.py.members:
            c = cm.get(m.name)
            if c is None or m.name not in stmts:
                continue
            if m.value is None:
                raise FixRefused(f"{where}:{m.line}: cannot compute {m.name} = {m.expr} ({m.error}); "
                                 f"write it as a literal (C++ has {c.value}), then run fix again")
            if m.value == c.value or "ES001" in m.ignore or "ES002" in m.ignore:
                continue
            lit = _literal_node(stmts[m.name].value)
            if lit is None or lit[0].lineno != lit[0].end_lineno:
                raise FixRefused(f"{where}:{m.line}: {m.name} = {m.expr} must become {c.value}, but its value is "
                                 "not an integer literal; change it by hand")
            node = lit[0]
            a = self.src.offset(node.lineno, node.col_offset)
            b = self.src.offset(node.end_lineno, node.end_col_offset)
            old = self.src.raw[a:b].decode(self.src.encoding)
            edits.append((a, b, _fmt(c.value, old)))
            changes.append(f"{m.name}: {m.value} -> {c.value}")
        return edits, changes

    # --- the class's style ----------------------------------------------------------------
    def style(self, stmts: dict) -> dict:
        """Indentation, value form, comment placement and prefix, blank-line rhythm, width, line end."""
        lines, cls = self.lines, self.cls
        ordered = sorted(stmts.values(), key=lambda s: s.lineno)
        forms = Counter(lit[1] for n in ordered if (lit := _literal_node(n.value)))
        above = inline = 0
        prefix = "# "
        name_of = {id(v): k for k, v in stmts.items()}
        for s in ordered:
            first = _comment_lines_above(lines, s.lineno, self._floor(s))
            if first < s.lineno - 1:
                above += 1
                c_line = lines[first].lstrip(" \t\f")
                prefix = "#" + (" " if c_line[1:2] == " " else "")
            if "#" in lines[(s.end_lineno or s.lineno) - 1].split("=", 1)[-1] and self.pm[name_of[id(s)]].comment:
                inline += 1
        gaps = []
        for a, b in zip(ordered, ordered[1:]):
            start_b = _comment_lines_above(lines, b.lineno, self._floor(b))
            gap = lines[(a.end_lineno or a.lineno):start_b]
            gaps.append(1 if gap and all(not g.strip() for g in gap) else 0)
        body = lines[cls.lineno - 1:(cls.end_lineno or cls.lineno)]
        header = lines[cls.lineno - 1]
        return {
            "indent": self._prefix(ordered[0]).rsplit("\f", 1)[-1],
            "form": "tuple" if forms["tuple"] > forms["plain"] else "plain" if forms["plain"] else "tuple",
            "inline": inline > above, "prefix": prefix,
            "blank": bool(gaps) and sum(gaps) * 2 > len(gaps),
            "width": max([79] + [len(line.rstrip("\r\n")) for line in body]),
            "nl": header[len(header.rstrip("\r\n")):] or "\n",
        }

    @staticmethod
    def render(c: Member, st: dict) -> list[str]:
        """The lines of one inserted member (a leading blank line when the class spaces its members)."""
        indent, prefix, nl = st["indent"], st["prefix"], st["nl"]
        val = f"({c.value},)" if st["form"] == "tuple" else str(c.value)
        comment = " ".join((c.comment or "").split())
        out = [nl] if st["blank"] else []
        stmt = f"{indent}{_py_name(c.name)} = {val}"
        if comment and st["inline"]:
            return out + [f"{stmt}  {prefix}{comment}{nl}"]
        if comment:
            width = max(20, st["width"] - len(indent) - len(prefix))
            for piece in textwrap.wrap(comment, width=width) or [comment]:
                out.append(f"{indent}{prefix}{piece}{nl}")
        return out + [f"{stmt}{nl}"]

    # --- insertions -------------------------------------------------------------------------
    def insertions(self, stmts: dict, cp: dict, st: dict) -> tuple[dict[int, list[str]], list[str], list[str]]:
        """0-based line index to insert before -> lines; the change notes (head ones apart)."""
        inserts: dict[int, list[str]] = {}
        changes: list[str] = []
        head_changes: list[str] = []
        anchor: ast.stmt | None = None
        pending_head: list[Member] = []

        def stmt_of(c: Member):
            return stmts.get(cp[c.name].name) if c.name in cp else None

        for c in self.cpp.canonical():
            if stmt_of(c) is not None:
                anchor = stmt_of(c)
                continue
            if c.name in cp:
                continue     # present but not a rewritable statement (cannot happen for plain members)
            if anchor is None:
                pending_head.append(c)
                continue
            inserts.setdefault(anchor.end_lineno or anchor.lineno, []).extend(self.render(c, st))
            changes.append(f"+{_py_name(c.name)} = {c.value}")
        if pending_head:
            first_stmt = min(stmts.values(), key=lambda s: s.lineno)
            first = next((stmt_of(c) for c in self.cpp.canonical() if stmt_of(c) is not None), first_stmt)
            at = _comment_lines_above(self.lines, first.lineno, self._floor(first))
            block: list[str] = []
            for c in pending_head:
                r = self.render(c, st)
                block.extend(r[1:] if st["blank"] and r and r[0] == st["nl"] else r)
                if st["blank"]:
                    block.append(st["nl"])
                head_changes.append(f"+{_py_name(c.name)} = {c.value}")
            inserts[at] = block + inserts.get(at, [])
        return inserts, head_changes, changes

    def build(self) -> tuple[list[tuple[int, int, str]], list[str]]:
        """All edits as (start byte, end byte, text), and the change notes."""
        stmts = self.statements()
        from .rules import match_members
        match = match_members(self.cpp, self.py)      # same matching as the rules: `FAST` stands for C++ `Fast`
        cm, cp = match.py_to_cpp, match.cpp_to_py
        self._refuse_unfixable(cm, cp)
        edits, changes = self.corrections(stmts, cm)
        missing = [c for c in self.cpp.canonical() if c.name not in cp]
        autos = [m for m in self.py.members if m.expr.replace(" ", "").endswith("auto()")]
        if (edits or missing) and autos:
            raise FixRefused(f"{self.where}:{autos[0].line}: {self.py.name} uses auto() ({autos[0].name}); "
                             "inserting or renumbering members would shift the values auto() gives; "
                             "write the values as literals")
        if not missing:
            return edits, changes
        st = self.style(stmts)
        inserts, head, tail = self.insertions(stmts, cp, st)
        for at, block in inserts.items():
            text = "".join(block)
            if at >= len(self.lines) and not self.src.ends_with_break():
                text = st["nl"] + text[:-len(st["nl"])]     # at the end of a file without a final newline
            pos = self.src.line_start(at)
            edits.append((pos, pos, text))
        return edits, head + changes + tail
