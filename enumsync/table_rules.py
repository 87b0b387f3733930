"""ES201/ES202: check routing-table rows (``parsers/routing_tables.py``) against the C++ enum.

- ES201 table-unknown-member: a row picks a member that C++ lacks (info, not error, for a
  member the Python enum itself declares Python-only, e.g. vLLM's DeepseekV4).
- ES202 table-meaning-mismatch: what a row knows about the model's routing (its conditions
  first, then literal settings next to it) disagrees with a stage of the member's meaning,
  parsed from the C++ comment. Each message names the condition and the stage.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from .meaning import parse_meaning, weight_family
from .model import EnumSpec, Finding, Meaning, RoutingRow, Severity
from .rules import make, rule

# what a condition or setting name says about the routing, by its last component
_FACT_NAMES = (
    ("score", re.compile(r"^(scor(e|ing)_?func(tion)?|expert_selection_fn|router_score_func|"
                         r"(moe_)?router_activation_func|score_function)$")),
    ("renormalize", re.compile(r"^(renormalize|norm_topk_prob|moe_renormalize|normalize)$")),
    ("bias", re.compile(r"^(has_e_score_bias|(e_score_)?correction_bias|e_score_correction_bias|router_bias|"
                        r"routing_bias|has_bias)$")),
    ("groups", re.compile(r"^(use_grouped_topk|num_expert_group|n_group|n_groups)$")),
    ("top_k", re.compile(r"^(top_k|topk|num_experts_per_tok)$")),
    ("scale", re.compile(r"^routed_scaling_factor$")),
)


def _kind(name: str) -> str | None:
    last = name.strip().split(".")[-1]
    for kind, rx in _FACT_NAMES:
        if rx.match(last):
            return kind
    return None


def _fact_from_condition(kind: str, subject: str, value: Any):
    """The fact a structured condition ``(subject, value)`` gives, or None."""
    if kind == "score":
        return value if isinstance(value, str) and value not in ("not None", "unset") \
            and not value.startswith(("!=", "not in", "in ", "<", ">")) else None
    if kind == "renormalize":
        return value if isinstance(value, bool) else None
    if kind == "bias":
        if value is None:
            return False
        if value == "not None":
            return True
        return value if isinstance(value, bool) else None
    if kind == "groups":
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        if isinstance(value, int):
            return value > 1
        return None
    if kind == "top_k":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def _fact_from_setting(kind: str, value: Any):
    from .parsers.routing_tables import Expr
    via = ""
    if isinstance(value, Expr):
        if not value.has_default:
            return None, ""
        via = f" (= {value.via})" if value.via else ""
        value, via = value.default, via + " by default"
    if kind == "score":
        return (value, via) if isinstance(value, str) else (None, "")
    if kind in ("renormalize",):
        return (value, via) if isinstance(value, bool) else (None, "")
    if kind == "bias":
        return (False, via) if value is None else (None, "")
    if kind == "groups":
        if isinstance(value, bool):
            return value, via
        if isinstance(value, int):
            return value > 1, via
        return None, ""
    if kind == "top_k":
        return (value, via) if isinstance(value, int) and not isinstance(value, bool) else (None, "")
    if kind == "scale":
        return (float(value), via) if isinstance(value, (int, float)) and not isinstance(value, bool) else (None, "")
    return None, ""


def row_facts(row: RoutingRow) -> dict[str, tuple[Any, str]]:
    """What a row knows: kind -> (value, the condition or setting that says so)."""
    from .parsers.routing_tables import setting_items
    facts: dict[str, tuple[Any, str]] = {}
    for subject, value in row.conditions:
        kind = _kind(subject)
        if kind is None or kind in facts:
            continue
        v = _fact_from_condition(kind, subject, value)
        if v is not None:
            facts[kind] = (v, f"condition `{_cond_text(subject, value)}`")
    for key, value in setting_items(row.settings):
        kind = _kind(key)
        if kind is None or kind in facts:
            continue
        v, via = _fact_from_setting(kind, value)
        if v is not None:
            facts[kind] = (v, f"setting `{key}={value!r}`{via}")
    return facts


def _cond_text(subject: str, value: Any) -> str:
    if value is True:
        return subject
    if value is False:
        return f"not {subject}"
    if value is None:
        return f"{subject} is None"
    if value == "not None":
        return f"{subject} is not None"
    if isinstance(value, str) and value.startswith(("!=", "not in", "in ", "<", ">", "unset")):
        return f"{subject} {value}"
    return f"{subject} == {value!r}"


def disagreements(facts: dict[str, tuple[Any, str]], member: str, m: Meaning) -> list[str]:
    """One sentence per fact that contradicts a stage of ``m``: which condition, which stage."""
    out = []
    shown = f"{member} (`{m.summary()}`)"
    if "score" in facts:
        v, src = facts["score"]
        fam = weight_family(m)
        if v in ("softmax", "sigmoid", "sqrtsoftplus") and fam != v:
            stage = f"score stage `{fam}`" if fam != "none" else "pipeline, which applies no score function"
            out.append(f"{src} (scoring {v}) disagrees with the {stage} of {shown}")
    if "renormalize" in facts and m.renormalize is not None and m.topk != "1":
        v, src = facts["renormalize"]
        if bool(v) != bool(m.renormalize):
            stage = "renormalize stage" if m.renormalize else "pipeline, which has no renormalize stage"
            out.append(f"{src} ({'renormalize' if v else 'no renormalize'}) disagrees with the {stage} of {shown}")
    if "bias" in facts:
        v, src = facts["bias"]
        if v and not m.bias:
            out.append(f"{src} (a correction bias) disagrees with {shown}, which adds no bias before selection")
        elif not v and m.bias:
            out.append(f"{src} (no correction bias) disagrees with the bias stage of {shown}")
    if "groups" in facts:
        v, src = facts["groups"]
        if v and not m.groups:
            out.append(f"{src} (grouped top-k) disagrees with {shown}, which selects over all experts (no group stage)")
    if "top_k" in facts and m.topk == "1":
        v, src = facts["top_k"]
        if v != 1:
            out.append(f"{src} (top_k={v}) disagrees with the top-1 stage of {shown}")
    if "scale" in facts and m.scale == "1.0":
        v, src = facts["scale"]
        if v != 1.0:
            out.append(f"{src} (routed_scaling_factor={v}) disagrees with the routeScale=1.0 stage of {shown}")
    return out


def _meaning(member) -> Meaning:
    return member.meaning if member.meaning is not None else parse_meaning(member.comment)


def _loc(row: RoutingRow) -> dict:
    return {"path": row.path, "line": row.line, "member": row.member}


def _checked(rows: Iterable[RoutingRow]) -> Iterable[RoutingRow]:
    return (r for r in rows if r.member and not r.note.startswith("could not extract"))


@rule("ES201", "table-unknown-member", Severity.ERROR, "a routing table picks a member that C++ lacks", "table")
def table_unknown_member(rows: list[RoutingRow], cpp: EnumSpec,
                         extensions: dict[str, str] | None = None) -> Iterable[Finding]:
    names = cpp.by_name()
    extensions = extensions or {}
    for r in _checked(rows):
        if r.member in names:
            continue
        where = f"{r.owner} ({r.condition_text})" if r.condition_text and r.condition_text != "always" else r.owner
        if r.member in extensions:
            yield make("ES201", f"{where} picks {r.member}, which C++ {cpp.qualname} lacks; the config declares it "
                                f"an extension ({extensions[r.member]}), so it must never reach the kernel",
                       severity=Severity.INFO, hint="keep it away from flashinfer calls", **_loc(r))
            continue
        if "python-only" in r.note:
            yield make("ES201", f"{where} picks {r.member}, which C++ {cpp.qualname} lacks; the Python enum declares "
                                f"it Python-only, so it must never reach the kernel",
                       severity=Severity.INFO, hint="keep it away from flashinfer calls", **_loc(r))
            continue
        yield make("ES201", f"{where} picks {r.member}, which C++ {cpp.qualname} lacks: the kernel cannot run it",
                   hint=f"pick one of {', '.join(m.name for m in cpp.canonical())}, or declare {r.member} "
                        "an extension in [tool.enumsync]", **_loc(r))


@rule("ES202", "table-meaning-mismatch", Severity.ERROR,
      "a routing table maps a config to a member whose meaning disagrees with it", "table")
def table_meaning_mismatch(rows: list[RoutingRow], cpp: EnumSpec) -> Iterable[Finding]:
    names = cpp.by_name()
    for r in _checked(rows):
        c = names.get(r.member)
        if c is None:
            continue
        m = _meaning(c)
        if not m.known:
            continue
        facts = row_facts(r)
        bad = disagreements(facts, r.member, m)
        if bad:
            yield make("ES202", f"{r.owner}: " + "; ".join(bad), hint="pick the member whose meaning matches the "
                       "model's routing, or fix the condition; `enumsync verify` shows what the kernel does",
                       extra={"conditions": r.condition_text, "meaning": m.summary(), "disagreements": bad,
                              "facts": {k: v for k, (v, _) in facts.items()}}, **_loc(r))


def check_tables(rows: list[RoutingRow], cpp: EnumSpec, extensions: dict[str, str] | None = None) -> list[Finding]:
    """ES201 then ES202 over every row, in row order; config ``extensions`` make ES201 informational."""
    out: list[Finding] = []
    for r in rows:
        out.extend(table_unknown_member([r], cpp, extensions))
        out.extend(table_meaning_mismatch([r], cpp))
    return out
