"""The one JSON emitter: every command's document is ``{"schema": SCHEMA, "command": ..., ...}``.

``check`` (DESIGN.md §4): ``results`` (one per pair, each with ``cpp``, ``python``,
``findings``) and ``summary``. Other commands add their own keys next to ``schema`` and
``command``; every finding anywhere is :meth:`Finding.to_json`.
"""
from __future__ import annotations

import json

SCHEMA = 1


def document(command: str, body: dict) -> dict:
    """``body`` with the schema version and the command name first."""
    return {"schema": SCHEMA, "command": command, **body}


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, default=str) + "\n"


def emit_json(command: str, body: dict) -> str:
    return dumps(document(command, body))


def render(report) -> str:
    return emit_json(report.command, report.body())


def enum_json(spec) -> dict:
    return {"language": spec.language, "path": spec.path, "name": spec.name, "qualname": spec.qualname,
            "line": spec.line, "underlying": spec.underlying, "kind": spec.kind,
            "members": [{"name": m.name, "value": m.value, "line": m.line, "comment": m.comment,
                         "alias_of": m.alias_of,
                         "meaning": m.meaning.summary() if m.meaning else None} for m in spec.members]}


def results_json(results) -> dict:
    """``results`` and ``summary`` of pair results (check, verify)."""
    from . import counts
    return {"results": [{"label": r.label, "origin": r.origin, "notes": r.notes,
                         **({"found": r.found} if r.found else {}),
                         "cpp": enum_json(r.cpp), "python": enum_json(r.python),
                         "findings": [f.to_json() for f in r.findings]} for r in results],
            "summary": counts(results)}
