"""The grid interpreter: evaluate a function of plain ifs and returns over a grid of parameter
values (no exec), then compress the results into a decision table."""
from __future__ import annotations

import ast
import itertools
from typing import Any

from ..model import RoutingRow
from .expressions import ENUM, literal, member_of, walk
from .interpreter import COMPARE, Interpreter, Unsupported

GRID_LIMIT = 4096


class _Member:
    __slots__ = ("name", "node")

    def __init__(self, name: str, node: ast.AST):
        self.name, self.node = name, node


_OTHER = "<other>"


class _Interp(Interpreter):
    """The shared interpreter, reading enum members as symbols and ``_OTHER`` as a string no constant equals."""

    def __init__(self, fn: ast.FunctionDef, enum: str):
        super().__init__()
        self.fn, self.enum = fn, enum

    def run(self, inputs: dict[str, Any]):
        self.reset()
        env = dict(inputs)
        r = self.block(self.fn.body, env)
        return r if r is not None else (None, self.fn.body[-1])

    @staticmethod
    def truth(v) -> bool:
        if v is _OTHER or isinstance(v, _Member):
            return True
        return bool(v)

    def special(self, node, env):
        m = member_of(node, self.enum)
        if m:
            return _Member(m, node)
        if isinstance(node, (ast.List, ast.Set)):
            return tuple(self.ev(e, env) for e in node.elts)
        if isinstance(node, ast.Name) and node.id not in env:
            raise Unsupported(node, f"unknown name `{node.id}`")
        return NotImplemented

    def unary(self, node, v):
        if isinstance(node.op, ast.Not) or (isinstance(node.op, ast.USub) and isinstance(v, (int, float))):
            return super().unary(node, v)
        raise Unsupported(node, "unary operator")

    def apply(self, node, a, b):
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)) and isinstance(a, (int, float)) \
                and isinstance(b, (int, float)):
            return super().apply(node, a, b)
        raise Unsupported(node, f"expression `{ast.unparse(node)}`")

    def compare(self, op, a, b, node) -> bool:
        if isinstance(a, _Member) or isinstance(b, _Member):
            an = a.name if isinstance(a, _Member) else a
            bn = b.name if isinstance(b, _Member) else b
            a, b = an, bn
        if isinstance(op, ast.Is):
            return a is b or a == b and a is None
        if isinstance(op, ast.IsNot):
            return not (a is b or a == b and a is None)
        if a is _OTHER or b is _OTHER:  # a string no constant in the function equals
            if isinstance(op, ast.Eq):
                return False
            if isinstance(op, ast.NotEq):
                return True
            if isinstance(op, (ast.In, ast.NotIn)) and b is not _OTHER:
                return isinstance(op, ast.NotIn)
            raise Unsupported(node, "ordering of an arbitrary string")
        try:
            return COMPARE[type(op)](a, b)
        except TypeError:
            raise Unsupported(node, f"comparison of {a!r} and {b!r}") from None


def grid_params(fn: ast.FunctionDef) -> list[ast.arg]:
    """The parameters the grid varies (all but ``self``/``cls``)."""
    a = fn.args
    ps = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    return [p for p in ps if p.arg not in ("self", "cls")]


def _domain(fn: ast.FunctionDef, p: ast.arg) -> list:
    """The values tried for one parameter: its compared constants, plus what its type and name suggest."""
    consts: list = []
    truthy = False
    for node in ast.walk(fn):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Name) and s.id == p.arg for s in sides):
                for s in sides:
                    ok, v = literal(s)
                    if ok and v not in consts:
                        consts.append(v)
                    if isinstance(s, (ast.Tuple, ast.List, ast.Set)):
                        for e in s.elts:
                            ok, v = literal(e)
                            if ok and v not in consts:
                                consts.append(v)
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and isinstance(node.test, ast.Name) \
                and node.test.id == p.arg:
            truthy = True
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name) \
                and node.operand.id == p.arg:
            truthy = True
        if isinstance(node, ast.BoolOp) and any(isinstance(v, ast.Name) and v.id == p.arg for v in node.values):
            truthy = True
    ann = ast.unparse(p.annotation) if p.annotation is not None else ""
    name = p.arg.lower()
    if "bool" in ann or name.startswith(("has_", "use_", "is_", "enable")) or name in ("renormalize",):
        return [False, True]
    if "str" in ann:
        return [c for c in consts if isinstance(c, str)] + [_OTHER]
    if "int" in ann or "group" in name or "top_k" in name or name == "topk":
        ints = sorted({c for c in consts if isinstance(c, int) and not isinstance(c, bool)} | {1, 8})
        return ([None] if "None" in ann or "Optional" in ann or None in consts else []) + ints
    return _untyped(consts, truthy)


def _untyped(consts: list, truthy: bool) -> list:
    """The values tried for a parameter with no type to go by: the constants it is compared with,
    a value equal to none of them and, when it is tested for truth, a false one."""
    vals = [c for c in consts if not isinstance(c, (tuple, list, set, frozenset))]  # `in (...)` lists its elements
    if not vals:
        return [False, True]
    nums = [c for c in vals if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if nums and len(nums) + vals.count(None) == len(vals):
        out = ([None] if None in vals else []) + sorted(set(nums) | {min(nums) - 1, max(nums) + 1})
    else:
        out = vals + [_OTHER]    # a string no constant equals (ordering it is refused: the path walk reads it)
    if truthy and all(out):
        out.append(False)
    return out


def grid_candidate(fn: ast.FunctionDef, enum: str) -> bool:
    """Whether ``fn`` returns a member and tests its parameters: a table function to try on the grid."""
    ps = {p.arg for p in grid_params(fn)}
    if not ps:
        return False
    returns_member = tests_params = False
    for n in walk(fn):   # one walk of the function (its If tests are walked once each)
        if isinstance(n, ast.Return):
            returns_member = returns_member or (n.value is not None and bool(member_of(n.value, enum)))
        elif isinstance(n, ast.If) and not tests_params:
            tests_params = any(isinstance(x, ast.Name) and x.id in ps for x in walk(n.test))
        if returns_member and tests_params:
            return True
    return False


def _show(v) -> str:
    return "other" if v is _OTHER else repr(v)


def grid_rows(fn: ast.FunctionDef, path: str, owner: str, enum: str = ENUM, fixed: dict[str, Any] | None = None,
              subjects: dict[str, str] | None = None, line: int | None = None, note: str = "grid",
              settings: tuple = ()) -> list[RoutingRow]:
    """Evaluate ``fn`` over the grid of its parameters' values, then compress to a decision table.

    ``fixed`` pins parameters (a call site's literal arguments); ``subjects`` renames a
    parameter in the conditions (the call's argument); ``line`` puts every row at a call site.
    """
    params = grid_params(fn)
    fixed = fixed or {}
    subjects = subjects or {}
    domains = {p.arg: [fixed[p.arg]] if p.arg in fixed else _domain(fn, p) for p in params}
    size = 1
    for d in domains.values():
        size *= len(d)
    if size > GRID_LIMIT:
        raise Unsupported(fn, f"grid of {size} points (limit {GRID_LIMIT})")
    interp = _Interp(fn, enum)
    names = [p.arg for p in params]
    table = []
    for combo in itertools.product(*(domains[n] for n in names)):
        v, st = interp.run(dict(zip(names, combo)))
        member = v.name if isinstance(v, _Member) else None
        if v is not None and not isinstance(v, _Member):
            raise Unsupported(st, f"returns {v!r}, not a member")
        at = line or (v.node.lineno if isinstance(v, _Member) else st.lineno)
        table.append((dict(zip(names, combo)), member, at))
    # compress: a parameter whose every value gives the same result (the rest fixed) becomes "any"
    ANY = object()
    changed = True
    while changed:
        changed = False
        for n in names:
            groups: dict = {}
            for conds, member, line in table:
                rest = tuple((k, id(conds[k]) if conds[k] is ANY else _show(conds[k])) for k in names if k != n)
                groups.setdefault((rest, member, line), []).append(conds)
            new = []
            for (rest, member, line), cs in groups.items():
                vals = [c[n] for c in cs]
                if ANY not in vals and len(vals) == len(domains[n]) and \
                        {_show(v) for v in vals} == {_show(v) for v in domains[n]}:
                    c = dict(cs[0])
                    c[n] = ANY
                    new.append((c, member, line))
                    changed = True
                else:
                    new.extend((c, member, line) for c in cs)
            table = new
    rows = []
    for conds, member, at in table:
        structured, text = [], []
        for n0 in names:
            v = conds[n0]
            if v is ANY or n0 in fixed:
                continue
            n = subjects.get(n0, n0)
            if v is _OTHER:
                others = tuple(x for x in domains[n0] if x is not _OTHER)
                structured.append((n, f"not in {others!r}"))
                text.append(f"{n} not in {others!r}")
            elif isinstance(v, bool) and n not in ():
                structured.append((n, v))
                text.append(n if v else f"not {n}")
            else:
                structured.append((n, v))
                text.append(f"{n} == {v!r}" if v is not None else f"{n} is None")
        notes = ", ".join(x for x in ("sentinel" if member == "Unspecified" else "", note) if x)
        rows.append(RoutingRow(path=path, line=at, owner=owner, member=member, conditions=tuple(structured),
                               condition_text=" and ".join(text) or "always", settings=settings, note=notes))
    rows.sort(key=lambda r: (r.line, r.condition_text))
    return rows
