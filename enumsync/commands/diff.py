"""``enumsync diff OLD NEW``: the C++ enum between two flashinfer versions or two headers."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import guarded, report_options

STYLE = {"added": "green", "removed": "red", "renumbered": "yellow", "renamed": "cyan",
         "meaning": "magenta", "comment": "dim"}


def _side(arg: str, enum: str, qualname: str | None, header: str | None = None):
    """(EnumSpec, label) for a header path, ``installed``, or a flashinfer-python version."""
    from ..model import EnumsyncError
    from ..parsers.cpp import parse_cpp_enum
    p = Path(arg)
    if p.is_file():
        return parse_cpp_enum(p, enum, qualname), str(p)
    from ..sources import _is_version, resolve_flashinfer
    if arg == "installed" or _is_version(arg.lstrip("=")):
        from ..scan.locate import enum_header
        fi = resolve_flashinfer(arg, Path.cwd())
        path, name = enum_header(fi, enum, qualname, header)
        return parse_cpp_enum(path, name, qualname), f"flashinfer-python {fi.version}"
    raise EnumsyncError(f"{arg}: neither a header file nor a flashinfer-python version; "
                        "pass two headers or two versions (e.g. 0.6.12 0.7.2)")


def render_text(changes, old_label, new_label, old, new, style) -> str:
    """A summary line, then one row per change (kind, member, old, new, what it means)."""
    from ..enumdiff import summary
    from ..report.layout import Column, table, wrap
    counts = {k: v for k, v in summary(changes).items() if v}
    lines = [style.paint(x, "bold") for x in wrap(f"{new.qualname}: {old_label} → {new_label}", style.width)]
    if not changes:
        return "\n".join(lines + ["no changes"]) + "\n"
    if not style.quiet:
        lines.append(", ".join(style.paint(f"{v} {k}", STYLE[k]) for k, v in counts.items()))
    rows = []
    for c in changes:
        name = f"{c.old_name} → {c.member}" if c.old_name else c.member
        note = c.impact or ""
        if c.detail:
            note = f"{c.detail}" + (f"; {note}" if note else "")
        if c.kind in ("meaning", "comment"):
            note += f"\nold: {c.old_comment}\nnew: {c.new_comment}"
        rows.append([(c.kind, STYLE[c.kind]), (name, "bold"), "" if c.old_value is None else str(c.old_value),
                     "" if c.new_value is None else str(c.new_value), note])
    lines += table([Column("change", keep=True), Column("member", keep=True), Column("old", keep=True, right=True),
                    Column("new", keep=True, right=True), Column("what it means for a copy of the old enum", min=24)],
                   rows, style)
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--enum", default="RoutingMethodType", show_default=True,
              help="Enum name: any C++ enum of the package (or the Python name of a tllm_enums.py copy).")
@click.option("--cpp-enum", metavar="QUALNAME", help="Qualified name, when the name is ambiguous.")
@click.option("--header", metavar="PATH", help="The header inside the package (e.g. include/flashinfer/fp4_layout.cuh), "
              "when the enum is not in runner.h and its copy's comment does not say.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed (like `git diff --exit-code`).")
@report_options(findings=False)
@guarded
def diff(old: str, new: str, enum: str, cpp_enum: str | None, header: str | None, exit_code: bool,
         out) -> None:
    """Show how a C++ enum changed between OLD and NEW.

    Each of OLD and NEW is a header file, `installed`, or a flashinfer-python version
    (downloaded once, cached). Lists members added, removed, renumbered, renamed and changed
    in meaning, and what each change does to a Python copy that matched OLD.
    """
    from ..enumdiff import diff_enums, summary
    a, la = _side(old, enum, cpp_enum, header)
    b, lb = _side(new, enum, cpp_enum, header)
    changes = diff_enums(a, b)
    from ..report import Report, emit
    body = {"old": {"label": la, "path": a.path, "qualname": a.qualname},
            "new": {"label": lb, "path": b.path, "qualname": b.qualname},
            "changes": [c.to_json() for c in changes], "summary": summary(changes)}
    emit(Report("diff", lambda style: render_text(changes, la, lb, a, b, style), lambda: body), out)
    sys.exit(1 if exit_code and changes else 0)
