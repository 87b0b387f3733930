"""Human report of ``check``: a table per pair (member, values, rule IDs, meaning, file:line),
then each finding (severity, rule ID and name, path:line, message, hint), then one summary line.

Plain text with optional ANSI colour (no rich: it cost more than the rest of ``check``), laid
out to fit the width without cutting a member name, a rule ID or a file name (``layout.py``).
"""
from __future__ import annotations

import os
import re

from . import count_findings, counts
from .layout import Column, block, table, wrap
from .style import Style, cells


def short(path: str) -> str:
    """A path as a reader wants it: relative to the working directory, or inside its package."""
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            return rel
    except ValueError:
        pass
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            return path.split(marker, 1)[1]
    parts = path.split("/files/", 1)
    if len(parts) == 2 and parts[1].count("/") >= 2:  # enumsync cache: files/<dist>/<version>-<sha>/...
        dist, ver, rest = parts[1].split("/", 2)
        return f"{dist}=={ver.rsplit('-', 1)[0]}/{rest}"
    return path


def where(path: str | None, line: int | None, full: bool = True) -> str:
    """``path:line`` (shortened); only the file name when ``full`` is False."""
    if not path:
        return ""
    p = short(path) if full else os.path.basename(path)
    return f"{p}:{line}" if line else p


def fit_path(text: str, width: int) -> str:
    """``text`` (a path, maybe with ``:line``) shortened from the left to ``width``, never
    cutting its last component: ``…/moe/utils.py:1001``."""
    if cells(text) <= width:
        return text
    parts = text.split("/")
    keep = parts[-1]
    for p in reversed(parts[:-1]):
        if cells(f"…/{p}/{keep}") > width:
            break
        keep = f"{p}/{keep}"
    return f"…/{keep}"


def _member_rows(r):
    """(name, cpp member, python member, findings) in C++ order, then Python-only members."""
    by_member: dict[str, list] = {}
    for f in r.findings:
        if f.member:
            by_member.setdefault(f.member, []).append(f)
    from ..rules import match_members
    cp = match_members(r.cpp, r.python).cpp_to_py     # `Fast` and `FAST` share a row
    rows, seen = [], set()
    for c in r.cpp.members:
        p = cp.get(c.name)
        name = c.name if p is None or p.name == c.name else f"{c.name} ~ {p.name}"
        rows.append((name, c, p, by_member.get(c.name, []) + (by_member.get(p.name, []) if p and p.name != c.name else [])))
        seen.add(p.name if p else c.name)
    for p in r.python.members:
        if p.name not in seen:
            rows.append((p.name, None, p, by_member.get(p.name, [])))
    return rows


ANSI = re.compile(r"\x1b\[[0-9;]*m")
ORDER = {"error": 0, "warning": 1, "info": 2}


def verdict(findings) -> tuple[str, str | None]:
    """The rule IDs of a member's live findings, worst first, and the worst one's style."""
    from .style import SEVERITY
    live = sorted((f for f in findings if not f.suppressed), key=lambda f: ORDER[f.severity.value])
    if not live:
        return ("suppressed", "dim") if findings else ("ok", "green")
    return " ".join(dict.fromkeys(f.rule for f in live)), SEVERITY[live[0].severity.value]


def heading(label: str, name: str, path: str | None, line: int | None, style: Style) -> list[str]:
    """``label name  path:line`` on one line when it fits, else the path on its own line."""
    loc = where(path, line)
    one = f"{label}{name}  {loc}"
    if cells(one) <= style.width:
        return [style.paint(f"{label}{name}", "bold") + "  " + style.paint(loc, "dim")]
    return [style.paint(f"{label}{name}", "bold"), "    " + style.paint(fit_path(loc, style.width - 4), "dim")]


def render_pair(r, style: Style) -> list[str]:
    cpp, py = r.cpp, r.python
    lines = heading("C++     ", cpp.qualname + (f" : {cpp.underlying}" if cpp.underlying else ""),
                    cpp.path, cpp.line, style)
    if not cpp.members and any(f.rule == "ES010" for f in r.findings):   # scan: nothing to compare with
        lines = heading("", py.name, py.path, py.line, style)
        lines[-1] += ": not checked"
        return lines + [style.paint(x, "dim") for n in r.notes for x in block(f"source: {n}", style, 2)]
    lines += heading("Python  ", f"{py.name}({py.underlying or ''})", py.path, py.line, style)
    show_meaning = any(m.meaning is not None and m.meaning.known for m in cpp.members)
    drawn = _member_table(r, style, show_meaning, short_where=False)
    if max(cells(ANSI.sub("", x)) for x in drawn) > style.width:  # long names: only line numbers in `where`
        drawn = _member_table(r, style, show_meaning, short_where=True)
    lines += drawn
    lines += [style.paint(x, "dim") for n in r.notes for x in block(f"source: {n}", style, 2)]
    return lines


def _member_table(r, style: Style, show_meaning: bool, short_where: bool) -> list[str]:
    cpp, py = r.cpp, r.python
    cols = [Column("member", keep=True), Column("C++", keep=True, right=True),
            Column("Python", keep=True, right=True), Column("rules", keep=True)]
    if show_meaning:
        cols.append(Column("meaning (C++)", optional=1, min=16))
    cols.append(Column("line" if short_where else "where", keep=True, right=short_where))
    rows = []
    for name, c, p, fs in _member_rows(r):
        cv = "—" if c is None else str(c.value)
        pv = "—" if p is None else ("?" if p.value is None else str(p.value))
        if p is not None and p.alias_of:
            pv += f" (= {p.alias_of})"
        if short_where:   # the file names are in the heading above the table
            loc = str(p.line) if p is not None else f"C++ {c.line}"
        else:
            loc = where(py.path, p.line, False) if p is not None else where(cpp.path, c.line, False)
        row = [(name, "bold" if fs else None), cv, pv, verdict(fs)]
        if show_meaning:
            row.append(((c.meaning.summary() if c is not None and c.meaning else ""), "dim"))
        rows.append(row + [(loc, "dim")])
    return table(cols, rows, style)


def render_findings(findings, style: Style) -> list[str]:
    """Each finding: ``severity RULE name  path:line``, then its message and hint, indented."""
    out = []
    for f in findings:
        sev = f.severity.value
        loc = where(f.path, f.line)
        head = f"{sev:7} {f.rule} {f.name}"
        if f.suppressed:
            out += [style.paint(x, "dim") for x in
                    block(f"{head}  {loc}  {f.message} (suppressed: {f.suppressed})", style, 10, "")]
            continue
        first = "  " + style.severity(f"{sev:7}", sev) + " " + style.paint(f.rule, "bold") + f" {f.name}"
        if cells(f"  {head}  {loc}") <= style.width:
            out.append(first + "  " + loc)
        else:
            out += [first, " " * 10 + fit_path(loc, style.width - 10)]
        out += [" " * 10 + x for x in wrap(f.message, max(20, style.width - 10))]
        if "cpp_meaning" in f.extra:
            out += [" " * 10 + x for x in wrap(f"C++    : {f.extra['cpp_meaning']}", max(20, style.width - 10))]
            out += [" " * 10 + x for x in wrap(f"Python : {f.extra['python_meaning']}", max(20, style.width - 10))]
        if f.hint:
            out += [" " * 10 + style.paint(x, "dim") for x in wrap(f"→ {f.hint}", max(20, style.width - 10))]
    return out


def summary(c: dict, style: Style, what: str = "") -> str:
    sup = f", {c['suppressed']} suppressed" if c.get("suppressed") else ""
    if c["errors"]:
        return style.paint(f"✗ {c['errors']} error(s)", "bold red") + f", {c['warnings']} warning(s){sup}{what}"
    if c["warnings"]:
        return style.paint(f"! 0 errors, {c['warnings']} warning(s)", "yellow") + f"{sup}{what}"
    return style.paint("✓ in sync" if not what else "✓ no errors or warnings", "green") + f"{sup}{what}"


def summary_line(results, style: Style | None = None) -> str:
    return summary(counts(results), style or Style())


def render(results, style: Style) -> str:
    """The check report (``style.quiet``: only the findings and the summary line)."""
    lines: list[str] = []
    if not style.quiet:   # zero config: which project and pin were checked, first
        for origin in dict.fromkeys(getattr(r, "origin", "") for r in results if getattr(r, "origin", "")):
            lines += wrap(origin, style.width)
    for r in results:
        if not style.quiet:
            lines += render_pair(r, style)
        if r.findings:
            lines += render_findings(r.findings, style)
        if not style.quiet:
            lines.append("")
    lines.append(summary_line(results, style))
    return "\n".join(lines) + "\n"


def findings_summary(findings, style: Style, what: str = "") -> str:
    return summary(count_findings(findings), style, what)
