"""Markdown report: a summary table per run, then one row per finding (for ``$GITHUB_STEP_SUMMARY``)."""
from __future__ import annotations

from . import counts


def _cell(s) -> str:
    return str(s if s is not None else "—").replace("|", "\\|").replace("\n", " ")


def _where(path: str | None, line: int | None) -> str:
    from .github import _rel
    if not path:
        return ""
    return f"`{_cell(_rel(path))}:{line}`" if line else f"`{_cell(_rel(path))}`"


def render(report) -> str:
    """Any report with findings; the pair table when the report has checked pairs."""
    from . import count_findings
    results = report.results
    c = count_findings(f for f, _ in report.findings)
    verdict = (f"❌ {c['errors']} error(s), {c['warnings']} warning(s)" if c["errors"]
               else f"⚠️ {c['warnings']} warning(s)" if c["warnings"] else "✅ in sync")
    out = [f"### enumsync: {verdict}", ""]
    out += [f"{_cell(o)}" for o in dict.fromkeys(report.origins)]
    if results:
        out += ["", "| pair | C++ enum | Python enum | errors | warnings | suppressed |", "|---|---|---|---|---|---|"]
    for r in results:
        rc = counts([r])
        out.append(f"| {_cell(r.label)} | {_where(r.cpp.path, r.cpp.line)} | {_where(r.python.path, r.python.line)} "
                   f"| {rc['errors']} | {rc['warnings']} | {rc['suppressed']} |")
    live = [f for f, _ in report.findings if not f.suppressed]
    if live:
        out += ["", "| severity | rule | member | C++ | Python | where | message |", "|---|---|---|---|---|---|---|"]
        for f in live:
            out.append(f"| {f.severity.value} | {f.rule} {f.name} | {_cell(f.member)} | {_cell(f.cpp_value)} "
                       f"| {_cell(f.python_value)} | {_where(f.path, f.line)} | {_cell(f.message)} |")
    return "\n".join(out) + "\n"
