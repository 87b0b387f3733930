"""JSON report: ``{"schema": 1, "results": [...], "summary": {...}}`` (DESIGN.md §4)."""
from __future__ import annotations

import json

from . import counts

SCHEMA = 1


def enum_json(spec) -> dict:
    return {"language": spec.language, "path": spec.path, "name": spec.name, "qualname": spec.qualname,
            "line": spec.line, "underlying": spec.underlying, "kind": spec.kind,
            "members": [{"name": m.name, "value": m.value, "line": m.line, "comment": m.comment,
                         "alias_of": m.alias_of,
                         "meaning": m.meaning.summary() if m.meaning else None} for m in spec.members]}


def render(results) -> str:
    doc = {"schema": SCHEMA,
           "results": [{"label": r.label, "origin": r.origin, "notes": r.notes,
                        **({"found": r.found} if r.found else {}),
                        "cpp": enum_json(r.cpp), "python": enum_json(r.python),
                        "findings": [f.to_json() for f in r.findings]} for r in results],
           "summary": counts(results)}
    return json.dumps(doc, indent=2) + "\n"
