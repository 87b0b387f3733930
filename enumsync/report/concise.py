"""One line per finding, as ruff and mypy print them: ``path:line: RULE name: message``.

Suppressed findings are left out; the last line is the summary."""
from __future__ import annotations


def _path(path: str) -> str:
    """A path an editor can open: relative to the working directory when inside it, else as given."""
    import os
    try:
        rel = os.path.relpath(path)
        return path if rel.startswith("..") else rel
    except ValueError:
        return path


def render(report) -> str:
    from . import count_findings
    lines = []
    for f, _label in report.findings:
        if f.suppressed:
            continue
        loc = (f"{_path(f.path)}:{f.line}" if f.line else _path(f.path)) if f.path else "-"
        lines.append(f"{loc}: {f.rule} {f.name}: {f.message}")
    c = count_findings(f for f, _ in report.findings)
    lines.append(f"Found {c['errors']} error(s), {c['warnings']} warning(s)"
                 + (f", {c['suppressed']} suppressed" if c["suppressed"] else "") + ".")
    return "\n".join(lines) + "\n"
