"""Conditions of a routing row: :class:`Atom` facts read from ``if`` tests, negated and simplified."""
from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Any, Iterable

from .expressions import Expr, expr_text, literal


@dataclass(frozen=True)
class Atom:
    """One fact a row needs: ``subject op value`` (``truthy``/``falsy`` need no value)."""

    subject: str
    op: str                         # truthy falsy == != is-None not-None < <= > >= in not-in unset
    value: Any = None
    parts: tuple["Atom", ...] = ()  # for an opaque ``not (a and b)``: its conjuncts

    def text(self) -> str:
        o, s, v = self.op, self.subject, self.value
        if o == "truthy":
            return s
        if o == "falsy":
            return s if s.startswith("not (") else f"not {s}"
        if o == "is-None":
            return f"{s} is None"
        if o == "not-None":
            return f"{s} is not None"
        if o == "unset":
            return f"{s} unset"
        if o == "in":
            return f"{s} in {v!r}"
        if o == "not-in":
            return f"{s} not in {v!r}"
        return f"{s} {o} {v!r}"

    def structured(self) -> tuple[str, Any]:
        o, v = self.op, self.value
        if o == "truthy":
            return (self.subject, True)
        if o == "falsy":
            return (self.subject, False)
        if o == "is-None":
            return (self.subject, None)
        if o == "not-None":
            return (self.subject, "not None")
        if isinstance(v, Expr):
            return (self.subject, f"{o} {v}")
        if o == "==":
            return (self.subject, v)
        if o == "unset":
            return (self.subject, "unset")
        return (self.subject, f"{o.replace('-', ' ')} {v!r}")

    def negate(self) -> "Atom":
        flip = {"truthy": "falsy", "falsy": "truthy", "==": "!=", "!=": "==", "is-None": "not-None",
                "not-None": "is-None", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not-in", "not-in": "in"}
        if self.op in flip:
            return replace(self, op=flip[self.op])
        return Atom(f"not ({self.text()})", "truthy")


def contradicts(a: Atom, b: Atom) -> bool:
    """Whether ``a`` and ``b`` cannot both hold."""
    if a.subject != b.subject:
        return False
    pairs = {("truthy", "falsy"), ("is-None", "not-None"), ("is-None", "truthy")}
    if (a.op, b.op) in pairs or (b.op, a.op) in pairs:
        return True
    if a.op == b.op == "==" and a.value != b.value:
        return True
    if {a.op, b.op} == {"==", "!="} and a.value == b.value:
        return True
    if a.op == "==" and b.op == "in" and a.value not in b.value or b.op == "==" and a.op == "in" and b.value not in a.value:
        return True
    if a.op == "==" and b.op == "not-in" and a.value in b.value or b.op == "==" and a.op == "not-in" and b.value in a.value:
        return True
    return False


_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not-in"}
_SWAP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def atoms(test: ast.AST, positive: bool = True) -> list[Atom]:
    """The facts that ``test`` (or its negation) asserts, split at ``and``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return atoms(test.operand, not positive)
    if isinstance(test, ast.BoolOp):
        conj = isinstance(test.op, ast.And) == positive
        if conj:  # a and b, or not (a or b)
            return [a for v in test.values for a in atoms(v, positive)]
        t = expr_text(test)
        if positive:  # a or b: one opaque fact
            return [Atom(t, "truthy")]
        # not (a and b): opaque, but implied as soon as another fact makes a or b false
        parts = tuple(a for v in test.values for a in atoms(v, True))
        return [Atom(f"not ({t})", "truthy", parts=parts)]
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        lit_r, rv = literal(right)
        lit_l, lv = literal(left)
        if isinstance(op, (ast.Is, ast.IsNot)) and (lit_r and rv is None or lit_l and lv is None):
            subj = left if lit_r else right
            is_none = isinstance(op, ast.Is) == positive
            return [Atom(expr_text(subj), "is-None" if is_none else "not-None")]
        if type(op) in _CMP:
            sym = _CMP[type(op)]
            if isinstance(right, (ast.Tuple, ast.List, ast.Set)) and sym in ("in", "not-in"):
                ok = [literal(e) for e in right.elts]
                if all(o for o, _ in ok):
                    a = Atom(expr_text(left), sym, tuple(v for _, v in ok))
                    return [a if positive else a.negate()]
            elif lit_r or lit_l:
                subj, val = (left, rv) if lit_r else (right, lv)
                if not lit_r:
                    sym = _SWAP.get(sym, sym)
                a = Atom(expr_text(subj), sym, val)
                return [a if positive else a.negate()]
            elif sym in ("==", "!="):
                a = Atom(expr_text(left), sym, Expr(expr_text(right)))
                return [a if positive else a.negate()]
    return [Atom(expr_text(test), "truthy" if positive else "falsy")]


def simplify(row_atoms: Iterable[Atom]) -> list[Atom] | None:
    """Dedupe; drop ``not (a and b)`` when another atom already makes a or b false.
    None when the atoms contradict each other (an unreachable row)."""
    out: list[Atom] = []
    for a in row_atoms:
        if a not in out:
            out.append(a)
    for i, a in enumerate(out):
        for b in out[i + 1:]:
            if contradicts(a, b):
                return None
    keep = []
    for a in out:
        if a.parts:
            if any(contradicts(p, b) for p in a.parts for b in out if b is not a):
                continue  # implied by the other atoms
            if all(p in out for p in a.parts):
                return None
        keep.append(a)
    return keep
