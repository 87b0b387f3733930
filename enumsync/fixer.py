"""Rewrite a Python enum class body so it matches the C++ enum, keeping the file's own style.

What ``fix_source`` does, and nothing more:

- corrects the value of every member whose name is in C++ (the literal is replaced in place,
  so ``(9,)`` stays a tuple, ``9`` stays plain, ``0x9`` stays hex);
- inserts each C++ member missing from Python right after its nearest C++ predecessor that
  Python has (so C++ order is kept), with the C++ comment written in the class's comment style
  (above the member, or beside it), its indentation, value form and blank-line rhythm;
- keeps extensions (Python-only members declared in config or detected by a preset) and
  aliases written as references (``Alias = Default``);
- touches no byte outside the class body.

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
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from .model import EnumSpec, EnumsyncError, Member


class FixRefused(EnumsyncError):
    """The class holds something fix cannot rewrite safely."""


@dataclass
class FixResult:
    text: str
    changes: list[str] = field(default_factory=list)   # "Unspecified: 9 -> 10", "+TopKSigmoid = 9"


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
    """0-based index of the first comment line directly above 1-based ``stmt_line`` (> floor)."""
    i = stmt_line - 2
    while i >= floor and lines[i].lstrip().startswith("#"):
        i -= 1
    return i + 1


def fix_source(py_text: str, py: EnumSpec, cpp: EnumSpec, extensions=()) -> str:
    """``py_text`` with the body of class ``py`` rewritten to match ``cpp`` (see the module doc)."""
    return plan_fix(py_text, py, cpp, extensions).text


def plan_fix(py_text: str, py: EnumSpec, cpp: EnumSpec, extensions=()) -> FixResult:
    """Like :func:`fix_source`, and also says what changed."""
    where = py.path or "<python>"
    try:
        tree = ast.parse(py_text)
    except SyntaxError as e:
        raise FixRefused(f"{where}:{e.lineno}: Python syntax error: {e.msg}; fix the file first") from e
    cls = _find_class(tree, py)
    lines = py_text.splitlines(keepends=True)
    nl = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    ext = set(extensions or ())
    pm = py.by_name()

    # --- what the class holds, and what fix refuses ---------------------------------------
    stmts: dict[str, ast.stmt] = {}
    line_owner: Counter = Counter()
    for n in cls.body:
        for ln in range(n.lineno, (n.end_lineno or n.lineno) + 1):
            line_owner[ln] += 1
        if isinstance(n, ast.Assign):
            names = [t.id for t in n.targets if isinstance(t, ast.Name)]
            tuple_targets = [t for t in n.targets if isinstance(t, (ast.Tuple, ast.List))]
            if (len(n.targets) > 1 and any(x in pm for x in names)) or tuple_targets:
                raise FixRefused(f"{where}:{n.lineno}: `{ast.get_source_segment(py_text, n)}` assigns several "
                                 f"members at once; write one member per line, then run fix again")
            if len(names) == 1 and names[0] in pm:
                stmts[names[0]] = n
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.target.id in pm:
            stmts[n.target.id] = n
    for name, n in stmts.items():
        if line_owner[n.lineno] > 1 or line_owner[n.end_lineno or n.lineno] > 1:
            raise FixRefused(f"{where}:{n.lineno}: member {name} shares its line with another statement; "
                             "put it on its own line, then run fix again")
    autos = [m for m in py.members if m.expr.replace(" ", "").endswith("auto()")]
    if not stmts:
        raise FixRefused(f"{where}:{py.line}: class {py.name} has no members to take the style from; "
                         "add the first member by hand")

    from .rules import match_members
    match = match_members(cpp, py)      # same matching as the rules: `FAST` stands for C++ `Fast`
    cm, cp = match.py_to_cpp, match.cpp_to_py
    for c in cpp.canonical():
        if c.value is None:
            raise FixRefused(f"{cpp.path}:{c.line}: the C++ value of {c.name} is unknown ({c.error}); cannot fix")
    for m in py.members:
        if m.name in cm or m.name in ext:
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
    edits: list[tuple[int, int, int, str]] = []    # (0-based line, start byte, end byte, text)
    changes: list[str] = []
    forms: Counter = Counter()
    for name, n in stmts.items():
        lit = _literal_node(n.value)
        if lit:
            forms[lit[1]] += 1
    for m in py.members:
        c = cm.get(m.name)
        if c is None or m.name not in stmts:
            continue
        if m.value is None:
            raise FixRefused(f"{where}:{m.line}: cannot compute {m.name} = {m.expr} ({m.error}); "
                             f"write it as a literal (C++ has {c.value}), then run fix again")
        if m.value == c.value or "ES001" in m.ignore or "ES002" in m.ignore:
            continue
        n = stmts[m.name]
        lit = _literal_node(n.value)
        if lit is None or lit[0].lineno != lit[0].end_lineno:
            raise FixRefused(f"{where}:{m.line}: {m.name} = {m.expr} must become {c.value}, but its value is not "
                             "an integer literal; change it by hand")
        node = lit[0]
        raw = lines[node.lineno - 1].encode("utf-8")
        old = raw[node.col_offset:node.end_col_offset].decode("utf-8")
        edits.append((node.lineno - 1, node.col_offset, node.end_col_offset, _fmt(c.value, old)))
        changes.append(f"{m.name}: {m.value} -> {c.value}")

    # --- insertions -------------------------------------------------------------------------
    missing = [c for c in cpp.canonical() if c.name not in cp]
    if (edits or missing) and autos:
        raise FixRefused(f"{where}:{autos[0].line}: {py.name} uses auto() ({autos[0].name}); inserting or "
                         "renumbering members would shift the values auto() gives; write the values as literals")
    ordered = [stmts[m.name] for m in py.members if m.name in stmts]
    first_stmt = min(ordered, key=lambda s: s.lineno)
    indent_line = lines[first_stmt.lineno - 1]
    indent = indent_line[: len(indent_line) - len(indent_line.lstrip())]
    form = "tuple" if forms["tuple"] > forms["plain"] else "plain" if forms["plain"] else "tuple"
    above = inline = 0
    prefix = "# "
    for s in ordered:
        first = _comment_lines_above(lines, s.lineno, cls.lineno)
        if first < s.lineno - 1:
            above += 1
            c_line = lines[first].lstrip()
            prefix = "#" + (" " if c_line[1:2] == " " else "")
        m = pm[[k for k, v in stmts.items() if v is s][0]]
        if "#" in lines[(s.end_lineno or s.lineno) - 1].split("=", 1)[-1] and m.comment:
            inline += 1
    style = "inline" if inline > above else "above"
    gaps = []
    by_line = sorted(ordered, key=lambda s: s.lineno)
    for a, b in zip(by_line, by_line[1:]):
        start_b = _comment_lines_above(lines, b.lineno, cls.lineno)
        gap = lines[(a.end_lineno or a.lineno):start_b]
        gaps.append(1 if gap and all(not g.strip() for g in gap) else 0)
    blank = bool(gaps) and sum(gaps) * 2 > len(gaps)
    body_lines = lines[cls.lineno - 1:(cls.end_lineno or cls.lineno)]
    width = max([79] + [len(l.rstrip("\r\n")) for l in body_lines])

    def render(c: Member) -> list[str]:
        val = f"({c.value},)" if form == "tuple" else str(c.value)
        comment = " ".join((c.comment or "").split())
        out = [nl] if blank else []
        stmt = f"{indent}{c.name} = {val}"
        if comment and style == "inline":
            return out + [f"{stmt}  {prefix}{comment}{nl}"]
        if comment:
            for piece in textwrap.wrap(comment, width=max(20, width - len(indent) - len(prefix))) or [comment]:
                out.append(f"{indent}{prefix}{piece}{nl}")
        return out + [f"{stmt}{nl}"]

    inserts: dict[int, list[str]] = {}     # 0-based line index to insert before -> lines
    anchor: ast.stmt | None = None
    pending_head: list[Member] = []
    def stmt_of(c: Member):
        return stmts.get(cp[c.name].name) if c.name in cp else None

    for c in cpp.canonical():
        if stmt_of(c) is not None:
            anchor = stmt_of(c)
            continue
        if c.name in cp:
            continue     # present but not a rewritable statement (cannot happen for plain members)
        if anchor is None:
            pending_head.append(c)
            continue
        at = anchor.end_lineno or anchor.lineno
        inserts.setdefault(at, []).extend(render(c))
        changes.append(f"+{c.name} = {c.value}")
    if pending_head:
        first_cpp_present = next((stmt_of(c) for c in cpp.canonical() if stmt_of(c) is not None), first_stmt)
        at = _comment_lines_above(lines, first_cpp_present.lineno, cls.lineno)
        block: list[str] = []
        for c in pending_head:
            r = render(c)
            block.extend(r[1:] if blank and r and r[0] == nl else r)
            if blank:
                block.append(nl)
            changes.insert(0, f"+{c.name} = {c.value}")
        inserts.setdefault(at, [])
        inserts[at] = block + inserts[at]

    if not edits and not inserts:
        return FixResult(py_text, [])
    out = list(lines)
    for li, a, b, text in sorted(edits, reverse=True):
        raw = out[li].encode("utf-8")
        out[li] = (raw[:a] + text.encode("utf-8") + raw[b:]).decode("utf-8")
    if out and not out[-1].endswith(("\n", "\r")) and max(inserts, default=-1) >= len(out):
        out[-1] += nl
    for at in sorted(inserts, reverse=True):
        out[at:at] = inserts[at]
    new = "".join(out)
    try:
        ast.parse(new)
    except SyntaxError as e:   # a bug in fix, never the user's: refuse rather than write it
        raise FixRefused(f"{where}: the rewritten class would not compile ({e.msg} at line {e.lineno}); "
                         "nothing was written; please report this") from e
    return FixResult(new, changes)
