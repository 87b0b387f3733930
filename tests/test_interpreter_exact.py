"""The safe interpreter and the small AST readers, against Python's own evaluation.

Every expression here is written by the test; ``eval`` of that same text is the ground truth
(the interpreter must give exactly what Python gives, or refuse with the reason). The budget
edges are checked at the limit and one past it.
"""
from __future__ import annotations

import ast

import pytest

from enumsync.parsers import interpreter as it
from enumsync.parsers.expressions import Expr, callee_name, env_key, expr_text, literal, member_of
from enumsync.parsers.interpreter import MAX_BITS, MAX_LEN, Interpreter, Unknown, Unsupported, binop, check_size


def ev(src: str, names: dict | None = None, env: dict | None = None):
    return Interpreter(names).ev(ast.parse(src, mode="eval").body, env or {})


EXPRS = ["1 + 2", "7 - 9", "6 * 7", "7 / 2", "7 // 2", "-7 // 2", "7 % 3", "-7 % 3", "2 ** 10", "2 ** -1",
         "1 << 5", "-64 >> 3", "6 | 9", "6 & 3", "6 ^ 3", "-5", "+5", "~5", "not 0", "not 3",
         "0 or 4", "3 or 4", "0 and 4", "3 and 4", "0 or 0 or 7", "1 and 2 and 0",
         "5 if 1 else 6", "5 if 0 else 6", "1 < 2", "2 < 1", "1 <= 1", "2 >= 3", "1 > 0",
         "1 == 1", "1 != 1", "1 < 2 < 3", "1 < 3 < 2", "3 > 2 > 2", "2 in (1, 2)", "3 not in (1, 2)",
         "None is None", "None is not None", "(1, 2) + (3,)", "'ab' * 3", "3 * 'ab'", "b'x' + b'y'",
         "(1, 2 + 3)", "1 - 2 - 3 - 4", "2 ** 3 ** 2", "100 // 7 % 4 * 3", "True + True", "1.5 * 2",
         "(2 ** 200) >> 190", "10 ** 18 + 1", "0 * 'x'", "-1 * 'ab'"]


@pytest.mark.parametrize("src", EXPRS)
def test_expressions_evaluate_exactly_as_python(src):
    got = ev(src)
    want = eval(src)  # noqa: S307 (the test's own literal text)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("src, why", [
    ("1 // 0", "ZeroDivisionError"), ("1 % 0", "ZeroDivisionError"), ("'a' - 1", "TypeError"),
    ("~'a'", "TypeError"), ("-'a'", "TypeError"), ("1 < 'a'", "comparison of 1 and 'a'"),
    ("'%d' % 5", "string formatting"), ("b'%d' % 5", "string formatting"), ("x", "`x` is not a constant"),
    ("[1]", "expression `[1]`"), ("f(1)", "a call"), ("1 @ 2", "operator `MatMult`"),
    ("(1).real", "expression `"), ("1e400 * 1e400 // 0", "ZeroDivisionError"),
    ("2.0 ** 10000", "OverflowError"),
])
def test_what_python_refuses_is_unsupported_with_the_reason(src, why):
    with pytest.raises(Unsupported) as e:
        ev(src)
    assert why in e.value.what and "line 1" in str(e.value)


def test_names_come_from_the_environment_first_then_the_module_and_unknown_says_why():
    assert ev("a + b", names={"a": 1, "b": 2}, env={"a": 10}) == 12
    with pytest.raises(Unsupported, match=r"`k` is imported here"):
        ev("k + 1", names={"k": Unknown("is imported here")})
    with pytest.raises(Unsupported, match=r"`k` is imported here"):
        ev("k", env={"k": Unknown("is imported here")})
    assert repr(Unknown("why")) == "<unknown: why>"


@pytest.mark.parametrize("src, ok", [
    (f"2 ** {MAX_BITS - 1}", True), (f"2 ** {MAX_BITS}", False), (f"3 ** {MAX_BITS // 2}", True),
    (f"1 << {MAX_BITS - 1}", True), (f"1 << {MAX_BITS}", False), (f"3 << {MAX_BITS - 2}", True),
    (f"3 << {MAX_BITS - 1}", False), (f"0 << {MAX_BITS * 4}", True), (f"1 << -1 if 0 else 1 << 0", True),
    (f"(2 ** {MAX_BITS // 2 - 2}) * (2 ** {MAX_BITS // 2})", True),
    (f"(2 ** {MAX_BITS // 2}) * (2 ** {MAX_BITS // 2})", False),
    (f"'a' * {MAX_LEN}", True), (f"'a' * {MAX_LEN + 1}", False), (f"{MAX_LEN + 1} * 'a'", False),
    (f"('a' * {MAX_LEN - 1}) + 'b'", True), (f"('a' * {MAX_LEN}) + 'b'", False),
    (f"(1,) * {MAX_LEN}", True), (f"(1,) * {MAX_LEN + 1}", False), (f"'ab' * {MAX_LEN // 2}", True),
    (f"'ab' * ({MAX_LEN // 2} + 1)", False), (f"(-2) ** {MAX_BITS - 1}", True), (f"(-2) ** {MAX_BITS}", False),
    (f"2 ** {MAX_BITS - 1} * 2", False), (f"1 ** {10 ** 9}", True), (f"0 ** {10 ** 9}", True),
])
def test_the_budget_is_exact_at_its_edges(src, ok):
    """Up to MAX_BITS bits and MAX_LEN items is computed exactly; one past it is refused."""
    if ok:
        assert ev(src) == eval(src)  # noqa: S307
    else:
        with pytest.raises(Unsupported, match=r"over"):
            ev(src)


def test_check_size_and_binop_directly():
    assert check_size(1 << (MAX_BITS - 1)) == 1 << (MAX_BITS - 1)
    assert check_size(-(1 << (MAX_BITS - 1))) == -(1 << (MAX_BITS - 1))
    with pytest.raises(Unsupported, match=f"a value over {MAX_BITS} bits"):
        check_size(1 << MAX_BITS)
    assert check_size("x" * MAX_LEN) == "x" * MAX_LEN
    with pytest.raises(Unsupported, match=f"a value over {MAX_LEN} items"):
        check_size(b"x" * (MAX_LEN + 1))
    assert binop(ast.Sub, 10, 3) == 7 and binop(ast.BitXor, 5, 1) == 4
    with pytest.raises(Unsupported, match="operator `MatMult`"):
        binop(ast.MatMult, 1, 2)
    assert it._bits(-8) == 4 and it._bits(0) == 0 and it._bits("x") == 0


def test_depth_and_step_limits(monkeypatch):
    deep = "(" * 150 + "1" + ")" * 150         # parentheses add no nodes: fine
    assert ev(deep) == 1
    monkeypatch.setattr(it, "MAX_DEPTH", 12)   # small, so the test stays fast under mutation testing
    assert ev("-" * 11 + "1") == -1              # 12 nested nodes
    with pytest.raises(Unsupported, match="nested over 12 deep"):
        ev("-" * 12 + "1")
    one = Interpreter()
    with pytest.raises(Unsupported):
        one.ev(ast.parse("-" * 12 + "1", mode="eval").body, {})
    assert one.depth == 0 and one.ev(ast.parse("-" * 11 + "1", mode="eval").body, {}) == -1   # depth unwound
    chain = " + ".join(["1"] * 500)          # a left-deep chain runs in a loop, not by recursion
    assert ev(chain) == 500
    monkeypatch.setattr(it, "MAX_STEPS", 10)
    assert ev(" + ".join(["1"] * 9)) == 9     # a chain: the whole, then its 9 leaves = 10 steps
    with pytest.raises(Unsupported, match="more than 10 evaluation steps"):
        ev(" + ".join(["1"] * 10))


def test_function_bodies_statements():
    fn = ast.parse("def f(a):\n    '''doc'''\n    pass\n    b = a * 2\n    c: int = b + 1\n"
                   "    if c > 5:\n        return c\n    elif c > 2:\n        return -c\n    return None\n").body[0]
    i = Interpreter()
    assert i.block(fn.body, {"a": 3})[0] == 7
    assert i.block(fn.body, {"a": 1})[0] == -3
    assert i.block(fn.body, {"a": 0}) == (None, fn.body[-1])
    assert i.block(ast.parse("x = 1\n").body, {}) is None
    with pytest.raises(Unsupported, match="`for` statement"):
        i.block(ast.parse("for x in y:\n    pass\n").body, {})
    with pytest.raises(Unsupported, match="assignment to an attribute"):
        i.block(ast.parse("o.x = 1\n").body, {})
    with pytest.raises(Unsupported, match="`assign` statement"):
        i.block(ast.parse("a = b = 1\n").body, {})
    with pytest.raises(Unsupported, match="`annassign` statement"):
        i.block(ast.parse("a: int\n").body, {})
    r = i.block(ast.parse("return\n", mode="exec").body if False else
                ast.parse("def g():\n    return\n").body[0].body, {})
    assert r[0] is None


def test_restricted_operators_and_short_texts():
    class Only(Interpreter):
        binops = frozenset({ast.Add})
    assert Only().ev(ast.parse("1 + 2", mode="eval").body, {}) == 3
    with pytest.raises(Unsupported, match=r"expression `1 \* 2`"):
        Only().ev(ast.parse("1 * 2", mode="eval").body, {})
    long = ast.parse("a" * 100, mode="eval").body
    assert it._short(long) == "a" * 57 + "..." and len(it._short(long)) == 60
    assert it._short(ast.parse("abc", mode="eval").body) == "abc"
    assert it._short(ast.parse("a" * 60, mode="eval").body) == "a" * 60
    assert it._short_value(1 << 200) == "<int of 201 bits>" and it._short_value(1 << 128) == "<int of 129 bits>" and it._short_value(1 << 127) == str(1 << 127)
    assert it._short_value("x" * 50) == "<str of 50>" and it._short_value("abc") == "'abc'"
    assert it._short_value((1,) * 39) == repr((1,) * 39)[:37] + "..."
    assert it._short_value(12) == "12"
    assert str(Unsupported(None, "why")) == "why"


def test_ast_readers():
    e = lambda s: ast.parse(s, mode="eval").body  # noqa: E731
    assert expr_text(e("self.a + other.self.b + self.c.d")) == "a + other.self.b + c.d"
    assert literal(e("5")) == (True, 5) and literal(e("-5")) == (True, -5) and literal(e("-2.5")) == (True, -2.5)
    assert literal(e("'s'")) == (True, "s") and literal(e("-x")) == (False, None)
    assert literal(e("+5")) == (False, None) and literal(e("-'s'")) == (False, None) and literal(e("x")) == (False, None)
    assert member_of(e("RoutingMethodType.X"), "RoutingMethodType") == "X"
    assert member_of(e("mod.RoutingMethodType.X"), "RoutingMethodType") == "X"
    assert member_of(e("RoutingMethodType.X.value"), "RoutingMethodType") == "X"
    assert member_of(e("Other.X"), "RoutingMethodType") is None
    assert member_of(e("Other.X.value"), "RoutingMethodType") is None
    assert member_of(e("X"), "RoutingMethodType") is None
    assert env_key(e("x")) == "x" and env_key(e("self.x")) == "self.x" and env_key(e("cls.y")) == "self.y"
    assert env_key(e("obj.x")) is None and env_key(e("x[0]")) is None
    assert callee_name(e("f(1)")) == "f" and callee_name(e("a.b.g(1)")) == "g" and callee_name(e("h(1)(2)")) == "h"
    assert callee_name(e("(lambda: 1)()")) == ""
    x = Expr("a + b")
    assert repr(x) == "a + b" and x.default is None and x.has_default is False and x.via == ""


def test_short_text_of_a_tree_too_deep_to_unparse():
    node = ast.Constant(1)
    for _ in range(100_000):
        node = ast.UnaryOp(op=ast.USub(), operand=node)
    node.lineno = 7
    assert it._short(node) == "<UnaryOp at line 7>"
    node = ast.UnaryOp(op=ast.USub(), operand=node)
    assert it._short(node) == "<UnaryOp at line ?>"


@pytest.mark.parametrize("src, says", [
    (f"2 ** {MAX_BITS + 1}", f"`**` result over {MAX_BITS} bits at line 1"),
    (f"2 ** {MAX_BITS}", f"a value over {MAX_BITS} bits at line 1"),
    (f"1 << {MAX_BITS}", f"`<<` result over {MAX_BITS} bits at line 1"),
    (f"(2 ** 40000) * (2 ** 40000)", f"`*` result over {MAX_BITS} bits at line 1"),
    (f"'a' * {MAX_LEN + 1}", f"a sequence over {MAX_LEN} items at line 1"),
    (f"('a' * {MAX_LEN}) + 'b'", f"a sequence over {MAX_LEN} items at line 1"),
    ("'%d' % 5", "string formatting with `%` at line 1"),     # not a budget: refused outright, named
])
def test_each_budget_refusal_names_its_operator_and_line(src, says):
    with pytest.raises(Unsupported) as e:
        ev(src)
    assert str(e.value) == says
