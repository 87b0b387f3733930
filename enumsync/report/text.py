"""Human report: one rich table per pair (member, values, verdict, file:line), then the findings."""
from __future__ import annotations

import io
import os
import shutil
import sys

from . import counts

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


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


def console(buf):
    from rich.console import Console
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((120, 24)).columns if tty else int(os.environ.get("COLUMNS", 120))
    return Console(file=buf, force_terminal=tty, no_color=not tty, width=max(width, 80), highlight=False,
                   soft_wrap=False)


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


def _verdict(findings) -> str:
    live = [f for f in findings if not f.suppressed]
    if not live:
        return "[dim]suppressed[/]" if findings else "[green]ok[/]"
    order = {"error": 0, "warning": 1, "info": 2}
    live.sort(key=lambda f: order[f.severity.value])
    return ", ".join(dict.fromkeys(f"[{_STYLE[f.severity.value]}]{f.rule} {f.name}[/]" for f in live))


def render_pair(con, r) -> None:
    from rich.markup import escape
    from rich.table import Table
    cpp, py = r.cpp, r.python
    title = (f"[bold]{escape(cpp.qualname)}[/]" + (f" : {escape(cpp.underlying)}" if cpp.underlying else "")
             + f"  [dim]{escape(where(cpp.path, cpp.line))}[/]\n"
             f"vs [bold]{escape(py.name)}[/]({escape(py.underlying or '')})  [dim]{escape(where(py.path, py.line))}[/]")
    if not cpp.members and any(f.rule == "ES010" for f in r.findings):   # scan: nothing to compare with
        con.print(f"{escape(py.name)}  [dim]{escape(where(py.path, py.line))}[/]: not checked")
        for n in r.notes:
            con.print(f"[dim]source: {escape(n)}[/]")
        return
    t = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    t.add_column("member")
    t.add_column("C++", justify="right")
    t.add_column("Python", justify="right")
    t.add_column("verdict")
    show_meaning = any(m.meaning is not None and m.meaning.known for m in cpp.members)
    if show_meaning:
        t.add_column("meaning (C++)", style="dim")
    t.add_column("where")
    for name, c, p, fs in _member_rows(r):
        cv = "—" if c is None else str(c.value)
        pv = "—" if p is None else ("?" if p.value is None else str(p.value))
        if p is not None and p.alias_of:
            pv += f" (= {p.alias_of})"
        meaning = (c.meaning.summary() if c is not None and c.meaning else "")
        loc = where(py.path, p.line, False) if p is not None else where(cpp.path, c.line, False)
        cells = [escape(name), cv, escape(pv), _verdict(fs)] + ([escape(meaning)] if show_meaning else []) + [escape(loc)]
        t.add_row(*cells)
    con.print(t)
    for n in r.notes:
        con.print(f"[dim]source: {escape(n)}[/]")


def render_findings(con, findings) -> None:
    from rich.markup import escape
    for f in findings:
        sev = f.severity.value
        if f.suppressed:
            con.print(f"  [dim]{sev:7} {f.rule} {f.name}  {escape(where(f.path, f.line))}  "
                      f"{escape(f.message)}  (suppressed: {escape(f.suppressed)})[/]")
            continue
        con.print(f"  [{_STYLE[sev]}]{sev:7}[/] [bold]{f.rule}[/] {f.name}  {escape(where(f.path, f.line))}")
        con.print(f"          {escape(f.message)}")
        if "cpp_meaning" in f.extra:
            con.print(f"          C++    : {escape(f.extra['cpp_meaning'])}   [dim]// {escape(f.extra.get('cpp_comment', ''))}[/]")
            con.print(f"          Python : {escape(f.extra['python_meaning'])}   [dim]# {escape(f.extra.get('python_comment', ''))}[/]")
        if f.hint:
            con.print(f"          [dim]→ {escape(f.hint)}[/]")


def summary_line(results) -> str:
    c = counts(results)
    sup = f", {c['suppressed']} suppressed" if c["suppressed"] else ""
    if c["errors"]:
        return f"[bold red]✗ {c['errors']} error(s)[/], {c['warnings']} warning(s){sup}"
    if c["warnings"]:
        return f"[yellow]! 0 errors, {c['warnings']} warning(s)[/]{sup}"
    return f"[green]✓ in sync[/]{sup}"


def render(results) -> str:
    buf = io.StringIO()
    con = console(buf)
    from rich.markup import escape
    for origin in dict.fromkeys(r.origin for r in results if r.origin):
        con.print(escape(origin), soft_wrap=True)
    for r in results:
        render_pair(con, r)
        if r.findings:
            render_findings(con, r.findings)
        con.print()
    con.print(summary_line(results))
    return buf.getvalue()
