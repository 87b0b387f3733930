"""Reporters: ``Finding``s in, text out. They know nothing about parsing."""
from __future__ import annotations

import importlib

_MODULES = {"text": "text", "json": "jsonfmt", "github": "github", "sarif": "sarif", "markdown": "markdown"}


def render(results, fmt: str = "text") -> str:
    """Render ``list[PairResult]`` in one of text | json | github | sarif | markdown."""
    mod = importlib.import_module(f"{__name__}.{_MODULES[fmt]}")
    return mod.render(results)


def counts(results) -> dict[str, int]:
    """Unsuppressed findings of every ``PairResult`` by severity, plus the suppressed ones."""
    return count_findings(f for r in results for f in r.findings)


def count_findings(findings) -> dict[str, int]:
    """Unsuppressed findings by severity, plus the suppressed ones."""
    out = {"errors": 0, "warnings": 0, "infos": 0, "suppressed": 0}
    for f in findings:
        if f.suppressed:
            out["suppressed"] += 1
        else:
            out[{"error": "errors", "warning": "warnings", "info": "infos"}[f.severity.value]] += 1
    return out
