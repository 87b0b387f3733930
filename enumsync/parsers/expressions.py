"""Small reads of AST expressions: source text, literals, enum members, assignable names, callees."""
from __future__ import annotations

import ast
import functools
import re
from typing import Any

ENUM = "RoutingMethodType"


class Expr(str):
    """A setting whose value is an expression (its source text), not a literal.

    ``default`` holds the literal default of a ``getattr(obj, "name", default)``, if any.
    """

    default: Any = None
    has_default: bool = False
    via: str = ""          # the expression it was resolved to, when that differs (``getattr(...)``)

    def __repr__(self) -> str:
        return str(self)


def walk(node: ast.AST):
    """``ast.walk`` in the same (breadth-first) order, without its per-node generator calls."""
    AST = ast.AST
    todo = [node]
    for n in todo:      # the list grows while it is read: breadth-first, as ast.walk
        for name in n._fields:
            v = getattr(n, name, None)
            if isinstance(v, AST):
                todo.append(v)
            elif isinstance(v, list):
                todo.extend(x for x in v if isinstance(x, AST))
    return todo


@functools.lru_cache(maxsize=8192)
def expr_text(node: ast.AST) -> str:
    """The source text of ``node``, without ``self.`` (cached per node: a table's settings are
    shown on each of its rows)."""
    return re.sub(r"(?<![\w.])self\.", "", ast.unparse(node))


def literal(node: ast.AST):
    """(True, value) for a literal constant (incl. negative numbers), else (False, None)."""
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return True, -node.operand.value
    return False, None


def member_of(node: ast.AST, enum: str) -> str | None:
    """``X`` for ``RoutingMethodType.X`` (or ``mod.RoutingMethodType.X``, ``RoutingMethodType.X.value``)."""
    if isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.value, ast.Attribute):
        inner = member_of(node.value, enum)
        if inner:
            return inner
    if isinstance(node, ast.Attribute):
        v = node.value
        if (isinstance(v, ast.Name) and v.id == enum) or (isinstance(v, ast.Attribute) and v.attr == enum):
            return node.attr
    return None


def env_key(node: ast.AST) -> str | None:
    """The environment key of an assignable name: ``x`` or ``self.x``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return "self." + node.attr
    return None


def callee_name(call: ast.Call) -> str:
    """The called name: ``f`` for ``f(...)``, ``obj.f(...)`` and ``f(...)(...)``."""
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Call):
        return callee_name(f)
    return ""
