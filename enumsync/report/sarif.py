"""SARIF 2.1.0: one run, rule metadata from the registry, one result per finding.

Suppressed findings stay in the log with a ``suppressions`` entry (kind ``external`` for
config, ``inSource`` for an inline ``# enumsync: ignore``) and their reason as justification.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId): relative to the working directory when inside it, else an absolute file URI."""
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            return Path(rel).as_posix(), "SRCROOT"
    except ValueError:
        pass
    return Path(path).resolve().as_uri(), None


def render(results) -> str:
    from .. import __version__
    from .. import suppressions  # noqa: F401  (registers ES901)
    from ..rules import all_rules
    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "enumsync", "version": __version__,
        "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.doc},
                   "fullDescription": {"text": r.doc}, "help": {"text": f"{r.id} {r.name}: {r.doc}"},
                   "defaultConfiguration": {"level": LEVEL[r.severity.value]},
                   "properties": {"scope": r.scope}} for r in rules],
    }
    out = []
    for r in results:
        for f in r.findings:
            res = {"ruleId": f.rule, "level": LEVEL[f.severity.value],
                   "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")}}
            if f.rule in index:
                res["ruleIndex"] = index[f.rule]
            if f.path:
                uri, base = _uri(f.path)
                loc = {"artifactLocation": {"uri": uri, **({"uriBaseId": base} if base else {})}}
                if f.line:
                    loc["region"] = {"startLine": f.line}
                res["locations"] = [{"physicalLocation": loc}]
            props = {k: v for k, v in (("member", f.member), ("cpp_value", f.cpp_value),
                                       ("python_value", f.python_value), ("pair", r.label)) if v is not None}
            if f.extra:
                props.update({k: v for k, v in f.extra.items() if isinstance(v, (str, int, float, bool, list))})
            if props:
                res["properties"] = props
            if f.suppressed:
                kind = "inSource" if f.suppressed.startswith("inline") else "external"
                res["suppressions"] = [{"kind": kind, "justification": f.suppressed}]
            out.append(res)
    run = {"tool": {"driver": driver}, "results": out, "columnKind": "unicodeCodePoints"}
    if any(_uri(f.path)[1] for r in results for f in r.findings if f.path):
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": Path.cwd().resolve().as_uri() + "/"}}
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
