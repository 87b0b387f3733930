"""What changed in a C++ enum between two versions: added, removed, renumbered, renamed, meaning.

Beyond listing changes, each one says what it does to a Python copy that was right for the old
side: a renumbered member whose old value now belongs to another member is the silent failure
(``Unspecified`` 9 -> 10 while ``TopKSigmoid`` takes 9: a stale copy now runs TopKSigmoid).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .model import EnumSpec

KINDS = ("added", "removed", "renumbered", "renamed", "meaning", "comment")


@dataclass
class Change:
    kind: str                      # one of KINDS
    member: str                    # the member's name on the new side (old side when removed)
    old_value: int | None = None
    new_value: int | None = None
    old_name: str | None = None    # renamed: the old name
    detail: str = ""               # meaning/comment: what differs
    impact: str = ""               # what it does to a copy that matched the old side
    old_comment: str = ""
    new_comment: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def diff_enums(old: EnumSpec, new: EnumSpec) -> list[Change]:
    """The changes from ``old`` to ``new``, in the new enum's member order (removed ones last)."""
    from .meaning import differences
    om = {m.name: m for m in old.canonical()}
    nm = {m.name: m for m in new.canonical()}
    new_by_value: dict[int, list[str]] = {}
    for m in new.canonical():
        if m.value is not None:
            new_by_value.setdefault(m.value, []).append(m.name)
    removed = [m for m in old.canonical() if m.name not in nm]
    added = [m for m in new.canonical() if m.name not in om]
    renames: dict[str, str] = {}          # new name -> old name
    for r in removed:
        same = [a for a in added if a.value == r.value and a.name not in renames]
        if len(same) == 1:
            renames[same[0].name] = r.name

    def taken(value, name):
        return [n for n in new_by_value.get(value, []) if n != name]

    out: list[Change] = []
    for m in new.canonical():
        if m.name in renames:
            o = om.get(renames[m.name]) or next(r for r in removed if r.name == renames[m.name])
            out.append(Change("renamed", m.name, o.value, m.value, old_name=o.name,
                              impact=f"a copy still naming it {o.name} sends the right value; rename it",
                              old_comment=o.comment, new_comment=m.comment))
            continue
        o = om.get(m.name)
        if o is None:
            prev = [r.name for r in old.canonical() if r.value == m.value]
            impact = (f"takes value {m.value} from {prev[0]}" if prev and prev[0] in nm
                      and nm[prev[0]].value != m.value else "a copy lacks this member (ES003)")
            out.append(Change("added", m.name, None, m.value, impact=impact, new_comment=m.comment))
            continue
        if o.value != m.value:
            t = taken(o.value, m.name)
            impact = (f"a copy still sending {o.value} for {m.name} now runs {', '.join(t)}" if t
                      else f"a copy still sending {o.value} for {m.name} is rejected by the kernel")
            out.append(Change("renumbered", m.name, o.value, m.value, impact=impact,
                              old_comment=o.comment, new_comment=m.comment))
        if " ".join(o.comment.split()) != " ".join(m.comment.split()):
            diffs = differences(o.meaning, m.meaning) if (o.meaning and m.meaning) else []
            if diffs:
                out.append(Change("meaning", m.name, o.value, m.value, detail="; ".join(diffs),
                                  impact="the kernel computes something else for this member",
                                  old_comment=o.comment, new_comment=m.comment))
            else:
                out.append(Change("comment", m.name, o.value, m.value, detail="wording only, same meaning"
                                  if o.meaning and m.meaning and o.meaning.known else "comment changed",
                                  old_comment=o.comment, new_comment=m.comment))
    for r in removed:
        if r.name in renames.values():
            continue
        t = taken(r.value, r.name)
        impact = (f"a copy still sending {r.value} for {r.name} now runs {', '.join(t)}" if t
                  else f"a copy still sending {r.value} for {r.name} is rejected by the kernel")
        out.append(Change("removed", r.name, r.value, None, impact=impact, old_comment=r.comment))
    return out


def summary(changes: list[Change]) -> dict[str, int]:
    return {k: sum(1 for c in changes if c.kind == k) for k in KINDS}
