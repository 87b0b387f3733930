"""Routing-row conditions read from ``if`` tests: each fact, its negation and contradictions.

The expected atoms follow Python's semantics of the test (``not (a < b)`` is ``a >= b``,
``x in (1, 2)`` is false for any other literal, De Morgan for ``not (a or b)``), checked on
tests written here.
"""
from __future__ import annotations

import ast

import pytest

from enumsync.parsers.conditions import Atom, atoms, contradicts, simplify
from enumsync.parsers.expressions import Expr


def facts(src: str, positive: bool = True) -> list[str]:
    return [a.text() for a in atoms(ast.parse(src, mode="eval").body, positive)]


@pytest.mark.parametrize("src, pos, neg", [
    ("x", ["x"], ["not x"]),
    ("not x", ["not x"], ["x"]),
    ("x is None", ["x is None"], ["x is not None"]),
    ("x == None", ["x == None"], ["x != None"]),   # equality, not identity
    ("x is y", ["x is y"], ["not x is y"]),
    ("x is True", ["x is True"], ["not x is True"]),
    ("None is not x", ["x is not None"], ["x is None"]),
    ("x == 3", ["x == 3"], ["x != 3"]),
    ("3 < x", ["x > 3"], ["x <= 3"]),
    ("3 <= x", ["x >= 3"], ["x < 3"]),
    ("x > -2", ["x > -2"], ["x <= -2"]),
    ("x >= 2", ["x >= 2"], ["x < 2"]),
    ("'a' != x", ["x != 'a'"], ["x == 'a'"]),
    ("x in (1, 2)", ["x in (1, 2)"], ["x not in (1, 2)"]),
    ("x not in [1]", ["x not in (1,)"], ["x in (1,)"]),
    ("x in (1, y)", ["x in (1, y)"], ["not x in (1, y)"]),
    ("self.a == self.b", ["a == b"], ["a != b"]),
    ("a < b", ["a < b"], ["not a < b"]),
    ("a and b", ["a", "b"], ["not (a and b)"]),
    ("a or b", ["a or b"], ["not a", "not b"]),
    ("not (a or b == 2)", ["not a", "b != 2"], ["a or b == 2"]),
    ("0 < x < 5", ["0 < x < 5"], ["not 0 < x < 5"]),
])
def test_atoms_and_their_negation(src, pos, neg):
    assert facts(src) == pos
    assert facts(src, False) == neg


def test_atom_structured_and_negate_of_every_op():
    cases = {"truthy": ("x", True), "falsy": ("x", False), "is-None": ("x", None), "not-None": ("x", "not None"),
             "==": ("x", 3), "!=": ("x", "!= 3"), "<": ("x", "< 3"), "<=": ("x", "<= 3"), ">": ("x", "> 3"),
             ">=": ("x", ">= 3"), "in": ("x", "in 3"), "not-in": ("x", "not in 3"), "unset": ("x", "unset")}
    for op, want in cases.items():
        assert Atom("x", op, 3).structured() == want, op
    assert Atom("x", "==", Expr("y")).structured() == ("x", "== y")
    flips = {"truthy": "falsy", "==": "!=", "is-None": "not-None", "<": ">=", ">": "<=", "in": "not-in"}
    for a, b in flips.items():
        assert Atom("x", a).negate().op == b and Atom("x", b).negate().op == a
    assert Atom("x", "unset").negate() == Atom("not (x unset)", "truthy")
    assert Atom("x", "unset").text() == "x unset" and Atom("not (a)", "falsy").text() == "not (a)"


@pytest.mark.parametrize("a, b, clash", [
    (Atom("x", "truthy"), Atom("x", "falsy"), True), (Atom("x", "falsy"), Atom("x", "truthy"), True),
    (Atom("x", "is-None"), Atom("x", "not-None"), True), (Atom("x", "truthy"), Atom("x", "is-None"), True),
    (Atom("x", "==", 1), Atom("x", "==", 2), True), (Atom("x", "==", 1), Atom("x", "==", 1), False),
    (Atom("x", "==", 1), Atom("x", "!=", 1), True), (Atom("x", "!=", 1), Atom("x", "==", 2), False),
    (Atom("x", "==", 3), Atom("x", "in", (1, 2)), True), (Atom("x", "in", (1, 2)), Atom("x", "==", 2), False),
    (Atom("x", "in", (1, 2)), Atom("x", "==", 3), True),
    (Atom("x", "==", 1), Atom("x", "not-in", (1, 2)), True), (Atom("x", "not-in", (1,)), Atom("x", "==", 1), True),
    (Atom("x", "not-in", (1,)), Atom("x", "==", 2), False),
    (Atom("x", "==", 1), Atom("y", "==", 2), False), (Atom("x", "<", 1), Atom("x", ">", 2), False),
])
def test_contradicts(a, b, clash):
    assert contradicts(a, b) is clash


def test_simplify_dedupes_drops_implied_and_finds_unreachable_rows():
    x, nx = Atom("x", "truthy"), Atom("x", "falsy")
    assert simplify([x, x]) == [x]
    assert simplify([x, nx]) is None
    opaque = atoms(ast.parse("not (a and b)", mode="eval").body)[0]
    assert simplify([opaque, Atom("a", "falsy")]) == [Atom("a", "falsy")]        # implied: dropped
    assert simplify([opaque, Atom("a", "truthy"), Atom("b", "truthy")]) is None   # both hold: unreachable
    assert simplify([opaque, Atom("a", "truthy")]) == [opaque, Atom("a", "truthy")]
    assert simplify([]) == []
