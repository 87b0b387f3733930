"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding.

Each carries ``file``, ``line`` and a ``title`` of rule ID and name, so the finding shows on
the PR diff. Suppressed findings are not annotated; a final ``::notice`` counts them.
"""
from __future__ import annotations

import os

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _rel(path: str) -> str:
    """Workspace-relative path when inside it (GitHub needs that to place annotations)."""
    base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def render(report) -> str:
    from . import count_findings
    lines = [f"::notice title=enumsync::{_data(o)}" for o in dict.fromkeys(report.origins)]
    for f, _label in report.findings:
        if f.suppressed:
            continue
        props = []
        if f.path:
            props.append(f"file={_prop(_rel(f.path))}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_prop(f'{f.rule} {f.name}')}")
        msg = f.message + (f" (hint: {f.hint})" if f.hint else "")
        lines.append(f"::{LEVEL[f.severity.value]} {','.join(props)}::{_data(msg)}")
    c = count_findings(f for f, _ in report.findings)
    tail = f"enumsync {report.command}: {c['errors']} error(s), {c['warnings']} warning(s)"
    if c["suppressed"]:
        tail += f", {c['suppressed']} suppressed"
    lines.append(f"::notice title=enumsync::{_data(tail)}")
    return "\n".join(lines) + "\n"
