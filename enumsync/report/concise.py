"""One line per finding, as ruff and mypy print them: ``path:line: RULE name: message``.

Suppressed findings are left out; the last line is the summary."""
from __future__ import annotations


def render(report) -> str:
    from . import count_findings
    from .text import where
    lines = []
    for f, _label in report.findings:
        if f.suppressed:
            continue
        loc = where(f.path, f.line) or "-"
        lines.append(f"{loc}: {f.rule} {f.name}: {f.message}")
    c = count_findings(f for f, _ in report.findings)
    lines.append(f"Found {c['errors']} error(s), {c['warnings']} warning(s)"
                 + (f", {c['suppressed']} suppressed" if c["suppressed"] else "") + ".")
    return "\n".join(lines) + "\n"
