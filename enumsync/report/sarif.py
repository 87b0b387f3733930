"""SARIF 2.1.0: one run, rule metadata from the registry, one result per finding.

Each rule has a ``helpUri`` (its section of docs/rules.md); each result has
``partialFingerprints`` (rule, file and member, not the line, so a finding keeps its identity
when code moves) and the run an ``automationDetails.id`` (``enumsync/<command>/``, so uploads
of different commands do not replace each other). Suppressed findings stay in the log with a
``suppressions`` entry (``external`` for config, ``inSource`` for ``# enumsync: ignore``).
"""
from __future__ import annotations

import hashlib
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


def fingerprint(f, label: str | None) -> str:
    """A stable identity of a finding: rule, the file's name, the pair and the member."""
    key = "\0".join(str(x) for x in (f.rule, os.path.basename(f.path or ""), label or "", f.member or "",
                                     "" if f.member else f.message))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _rule(r) -> dict:
    from ..rules import help_uri
    doc = r.doc
    text = f"{r.id} {r.name}: {doc}"
    if getattr(r, "fix", ""):
        text += f"\nHow to fix: {r.fix}"
    return {"id": r.id, "name": r.name, "shortDescription": {"text": doc},
            "fullDescription": {"text": getattr(r, "explain", "") or doc},
            "help": {"text": text}, "helpUri": help_uri(r.id),
            "defaultConfiguration": {"level": LEVEL[r.severity.value]},
            "properties": {"scope": r.scope}}


def _result(f, label, index) -> dict:
    res = {"ruleId": f.rule, "level": LEVEL[f.severity.value],
           "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
           "partialFingerprints": {"enumsyncFinding/v1": fingerprint(f, label)}}
    if f.rule in index:
        res["ruleIndex"] = index[f.rule]
    if f.path:
        uri, base = _uri(f.path)
        loc = {"artifactLocation": {"uri": uri, **({"uriBaseId": base} if base else {})}}
        if f.line:
            loc["region"] = {"startLine": f.line}
        res["locations"] = [{"physicalLocation": loc}]
    props = {k: v for k, v in (("member", f.member), ("cpp_value", f.cpp_value),
                               ("python_value", f.python_value), ("pair", label)) if v is not None}
    if f.extra:
        props.update({k: v for k, v in f.extra.items() if isinstance(v, (str, int, float, bool, list))})
    if props:
        res["properties"] = props
    if f.suppressed:
        kind = "inSource" if f.suppressed.startswith("inline") else "external"
        res["suppressions"] = [{"kind": kind, "justification": f.suppressed}]
    return res


def render(report) -> str:
    from .. import __version__
    from ..rules import all_rules
    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {"name": "enumsync", "version": __version__, "informationUri": _info_uri(),
              "rules": [_rule(r) for r in rules]}
    results = [_result(f, label, index) for f, label in report.findings]
    run = {"tool": {"driver": driver}, "automationDetails": {"id": f"enumsync/{report.command}/"},
           "results": results, "columnKind": "unicodeCodePoints"}
    if any(_uri(f.path)[1] for f, _ in report.findings if f.path):
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": Path.cwd().resolve().as_uri() + "/"}}
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _info_uri() -> str:
    from ..rules import project_url
    return project_url()
