"""Suppressions: silence a finding on purpose, with a reason, optionally until a date.

In config (validated by :func:`validate_suppressions`)::

    [[tool.enumsync.suppress]]
    rule = "ES003"                     # required: a rule ID
    member = "TopKSigmoid"             # optional: every member when absent
    reason = "lands with the 0.7 bump" # required, non-empty
    expires = 2027-01-31               # optional: a TOML date or "YYYY-MM-DD"
    path = "python/pkg/enums.py"       # optional: only findings in a file ending with this

Inline, on a Python member: ``Custom = 101  # enumsync: ignore[ES004]`` (several IDs with
commas). The parser delivers those as ``Member.ignore``.

A suppressed finding keeps its place in every report with ``suppressed`` set to the reason;
it no longer counts toward the exit code. After ``expires`` the suppression stops working and
an ES901 finding says so, next to the finding it no longer hides.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable

from .model import EnumSpec, EnumsyncError, Finding, Severity
from .rules import declare, make

declare("ES901", "expired-suppression", Severity.WARNING,
        "a config suppression passed its `expires` date and no longer silences its finding", "config")

KEYS = {"rule", "member", "reason", "expires", "path"}
_RULE_ID = re.compile(r"^ES\d{3}$")


def _as_date(v: Any, where: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise EnumsyncError(f"{where}: expires = {v!r} is not a date; write it as YYYY-MM-DD")


def validate_suppressions(raw: Any, where: str) -> list[dict]:
    """Check config suppressions; returns them normalized (``expires`` as a date). One clear error each."""
    from .rules import RULES, all_rules
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise EnumsyncError(f"{where}: suppress must be an array of tables ([[tool.enumsync.suppress]])")
    known = {r.id for r in all_rules()} | set(RULES)
    out = []
    for i, s in enumerate(raw, 1):
        w = f"{where}: [[tool.enumsync.suppress]] #{i}"
        if not isinstance(s, dict):
            raise EnumsyncError(f"{w} must be a table with rule, reason (and member, expires)")
        extra = sorted(set(s) - KEYS)
        if extra:
            raise EnumsyncError(f"{w}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(KEYS))})")
        rule = s.get("rule")
        if not isinstance(rule, str) or not _RULE_ID.match(rule.strip()):
            raise EnumsyncError(f"{w}: `rule` must be a rule ID like \"ES004\" (got {rule!r}); see `enumsync rules`")
        if rule.strip() not in known:
            raise EnumsyncError(f"{w}: no rule {rule}; see `enumsync rules`")
        reason = s.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise EnumsyncError(f"{w}: `reason` is required (say why {rule} is silenced)")
        if "member" in s and (not isinstance(s["member"], str) or not s["member"].strip()):
            raise EnumsyncError(f"{w}: `member` must be a member name")
        n = {"rule": rule.strip(), "reason": reason.strip()}
        if s.get("member"):
            n["member"] = s["member"].strip()
        if s.get("path"):
            n["path"] = str(s["path"])
        if "expires" in s:
            n["expires"] = _as_date(s["expires"], w)
        out.append(n)
    return out


def _matches(f: Finding, s: dict) -> bool:
    if f.rule != s["rule"]:
        return False
    if s.get("member") and f.member != s["member"]:
        return False
    if s.get("path") and not (f.path or "").replace("\\", "/").endswith(s["path"].replace("\\", "/")):
        return False
    return True


def apply_suppressions(findings: Iterable[Finding], suppressions: list[dict], py: EnumSpec | None,
                       today: date | None = None) -> list[Finding]:
    """Set ``Finding.suppressed`` from inline ignores and config; add ES901 for expired entries."""
    today = today or date.today()
    out = list(findings)
    inline = {m.name: (m.ignore, m.line) for m in py.members} if py is not None else {}
    for f in out:
        ign = inline.get(f.member or "")
        if ign and (f.rule in ign[0] or "*" in ign[0]) and f.path in (None, py.path) and not f.suppressed:
            f.suppressed = f"inline `# enumsync: ignore[{','.join(ign[0])}]` at {py.path}:{ign[1]}"
    notices: list[Finding] = []
    for s in suppressions or []:
        exp = s.get("expires")
        if exp is not None and not isinstance(exp, date):
            exp = _as_date(exp, "suppress")
        hits = [f for f in out if _matches(f, s)]
        what = f"{s['rule']}" + (f" on {s['member']}" if s.get("member") else "")
        if exp is not None and today > exp:
            notices.append(make("ES901", f"the suppression of {what} expired on {exp.isoformat()} "
                                         f"({s['reason']}); it no longer applies",
                                member=s.get("member"),
                                path=hits[0].path if hits else (py.path if py else None),
                                line=hits[0].line if hits else None,
                                hint="fix the finding, or extend `expires` with a new reason",
                                extra={"expired": exp.isoformat(), "suppressed_rule": s["rule"],
                                       "still_found": len(hits)}))
            continue
        for f in hits:
            if not f.suppressed:
                f.suppressed = s["reason"] + (f" (until {exp.isoformat()})" if exp else "")
    return out + notices
