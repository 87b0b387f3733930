"""The one data model every stage speaks: enums, members, meanings, routing rows, findings."""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How bad a finding is; ``error`` makes ``check`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Meaning:
    """What a routing member computes, parsed from its comment (see ``meaning.py``).

    ``known`` is False when the comment could not be parsed; every other field is then
    meaningless. Fields are canonical: ``TopK -> Softmax`` and
    ``Softmax -> TopK -> Renormalize`` give equal meanings.
    """

    known: bool = False
    text: str = ""
    score: str | None = None        # "softmax" | "sigmoid" | "sqrtsoftplus" | "none": before selection
    bias: bool = False              # a correction bias is added to the scores for selection
    groups: bool = False            # group-limited selection (DeepSeekV3)
    topk: str | None = None         # "k" or "1"
    post: str | None = None         # "softmax" | "sigmoid" | None: applied to the selected
    renormalize: bool | None = False  # selected weights divided by their sum; None: unstated
    scale: str | None = None        # "1.0" | "routed_scaling_factor" | None
    epsilon: float | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """A short canonical rendering, e.g. ``sigmoid+bias -> topk -> renorm (scale=rsf)``."""
        if not self.known:
            return "unknown"
        parts = []
        head = self.score or "none"
        if self.bias:
            head += "+bias"
        parts.append(head)
        if self.groups:
            parts.append("groups")
        parts.append("top1" if self.topk == "1" else "topk")
        if self.post:
            parts.append(self.post)
        if self.renormalize:
            parts.append("renorm")
        s = " -> ".join(parts)
        if self.renormalize is None:
            s += " (renorm unstated)"
        if self.scale:
            s += f" (scale={self.scale})"
        return s


@dataclass(frozen=True)
class Member:
    """One enumerator. ``value`` is None when it cannot be known statically (``error`` says why)."""

    name: str
    value: int | None
    line: int
    comment: str = ""
    expr: str = ""                  # the value as written in the source
    alias_of: str | None = None     # Python: this name is an alias of an earlier member
    end_line: int | None = None     # last source line of the member's statement
    ignore: tuple[str, ...] = ()    # rule IDs from an inline ``# enumsync: ignore[...]``
    error: str | None = None
    meaning: Meaning | None = None


@dataclass(frozen=True)
class EnumSpec:
    """One enum as read from one file. ``language`` is ``cpp`` or ``python``."""

    language: str
    path: str
    name: str
    qualname: str
    members: tuple[Member, ...]
    line: int = 0
    end_line: int = 0
    underlying: str | None = None   # C++: as written (``int64_t``); Python: the bases
    kind: str = ""                  # Python: IntEnum/Enum/IntFlag/...; C++: enum/enum class

    def by_name(self) -> dict[str, Member]:
        return {m.name: m for m in self.members}

    def canonical(self) -> list[Member]:
        """Members that are not aliases."""
        return [m for m in self.members if m.alias_of is None]

    @classmethod
    def from_json(cls, d: dict) -> "EnumSpec":
        """The inverse of ``report.jsonfmt.enum_json`` (meanings are re-parsed from the comments)."""
        from .meaning import parse_meaning
        ms = tuple(Member(m["name"], m.get("value"), m.get("line", 0), m.get("comment") or "",
                          alias_of=m.get("alias_of"),
                          meaning=parse_meaning(m["comment"]) if m.get("comment") else None)
                   for m in d.get("members", []))
        return cls(d["language"], d.get("path", ""), d["name"], d.get("qualname") or d["name"], ms,
                   line=d.get("line", 0), underlying=d.get("underlying"), kind=d.get("kind", ""))


@dataclass(frozen=True)
class RoutingRow:
    """One row of a model's routing-inference table: conditions -> member, at file:line."""

    path: str
    line: int
    owner: str                      # the class or function that holds the table
    member: str | None              # None when the branch picks no member (e.g. ``None``)
    conditions: tuple[tuple[str, Any], ...] = ()   # structured: (("scoring_func", "sigmoid"), ...)
    condition_text: str = ""        # readable: ``scoring_func == 'sigmoid' and renormalize``
    settings: tuple[tuple[str, Any], ...] = ()     # the model's routing settings found nearby
    note: str = ""                  # e.g. "python-only", "sentinel", "could not extract: ..."


@dataclass
class Finding:
    """One result of one rule. Reporters render these; they know nothing about parsing."""

    rule: str
    name: str
    severity: Severity
    message: str
    member: str | None = None
    cpp_value: int | None = None
    python_value: int | None = None
    path: str | None = None
    line: int | None = None
    hint: str = ""
    suppressed: str | None = None   # the reason, when a suppression silenced it
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d


@dataclass
class PairResult:
    """The outcome of checking one C++/Python pair."""

    cpp: EnumSpec
    python: EnumSpec
    findings: list[Finding]
    label: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. "flashinfer 0.7.2 (installed)"
    found: str = ""                 # scan: how the pair was found (config, mirror comment, name match)
    origin: str = ""                # zero config: the project found and the flashinfer it pins (first line)


class EnumsyncError(Exception):
    """A problem that stops a check: rendered as one line on stderr, exit code 2."""


class DownloadError(EnumsyncError):
    """A wheel could not be fetched (pip failed or could not run): the network or index, not the input."""
