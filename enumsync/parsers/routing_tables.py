"""Routing-inference tables read from Python model code by its AST (never imported or run).

Shapes found upstream (DESIGN §6):

- inline choices: ``x = A if cond else B``, if/elif chains that assign a member, a member
  passed as ``routing_method_type=RoutingMethodType.X``, and
  ``getattr(config, "routing_method_type", RoutingMethodType.X)`` defaults (sglang);
- functions of plain ifs and returns over their parameters, such as vLLM's
  ``get_routing_method_type(scoring_func, top_k, renormalize, num_expert_group,
  has_e_score_bias)``: evaluated by a tiny interpreter over a grid of parameter values,
  then compressed back into a decision table.

Each :class:`~enumsync.model.RoutingRow` carries the conditions (structured and readable),
the member (``None`` for a branch that picks none), file:line, the owner, the routing
settings found next to it (``TopK(renormalize=..., scoring_func=..., ...)``) and a note.
"""
from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from ..model import EnumsyncError, RoutingRow

ENUM = "RoutingMethodType"
KWARG = "routing_method_type"
SETTING_KEYS = ("top_k", "renormalize", "scoring_func", "use_grouped_topk", "num_expert_group", "topk_group",
                "correction_bias", "routed_scaling_factor", "custom_routing_function")
GRID_LIMIT = 4096
COULD_NOT = "could not extract"


class Expr(str):
    """A setting whose value is an expression (its source text), not a literal.

    ``default`` holds the literal default of a ``getattr(obj, "name", default)``, if any.
    """

    default: Any = None
    has_default: bool = False
    via: str = ""          # the expression it was resolved to, when that differs (``getattr(...)``)

    def __repr__(self) -> str:
        return str(self)


def _text(node: ast.AST) -> str:
    return re.sub(r"(?<![\w.])self\.", "", ast.unparse(node))


def _literal(node: ast.AST):
    """(True, value) for a literal constant (incl. negative numbers), else (False, None)."""
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return True, -node.operand.value
    return False, None


def _member_of(node: ast.AST, enum: str) -> str | None:
    """``X`` for ``RoutingMethodType.X`` (or ``mod.RoutingMethodType.X``, ``RoutingMethodType.X.value``)."""
    if isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.value, ast.Attribute):
        inner = _member_of(node.value, enum)
        if inner:
            return inner
    if isinstance(node, ast.Attribute):
        v = node.value
        if (isinstance(v, ast.Name) and v.id == enum) or (isinstance(v, ast.Attribute) and v.attr == enum):
            return node.attr
    return None


def _key(node: ast.AST) -> str | None:
    """The environment key of an assignable name: ``x`` or ``self.x``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return "self." + node.attr
    return None


# --- conditions ---------------------------------------------------------------------------

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


def _contradicts(a: Atom, b: Atom) -> bool:
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
        t = _text(test)
        if positive:  # a or b: one opaque fact
            return [Atom(t, "truthy")]
        # not (a and b): opaque, but implied as soon as another fact makes a or b false
        parts = tuple(a for v in test.values for a in atoms(v, True))
        return [Atom(f"not ({t})", "truthy", parts=parts)]
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        lit_r, rv = _literal(right)
        lit_l, lv = _literal(left)
        if isinstance(op, (ast.Is, ast.IsNot)) and (lit_r and rv is None or lit_l and lv is None):
            subj = left if lit_r else right
            is_none = isinstance(op, ast.Is) == positive
            return [Atom(_text(subj), "is-None" if is_none else "not-None")]
        if type(op) in _CMP:
            sym = _CMP[type(op)]
            if isinstance(right, (ast.Tuple, ast.List, ast.Set)) and sym in ("in", "not-in"):
                ok = [_literal(e) for e in right.elts]
                if all(o for o, _ in ok):
                    a = Atom(_text(left), sym, tuple(v for _, v in ok))
                    return [a if positive else a.negate()]
            elif lit_r or lit_l:
                subj, val = (left, rv) if lit_r else (right, lv)
                if not lit_r:
                    sym = _SWAP.get(sym, sym)
                a = Atom(_text(subj), sym, val)
                return [a if positive else a.negate()]
            elif sym in ("==", "!="):
                a = Atom(_text(left), sym, Expr(_text(right)))
                return [a if positive else a.negate()]
    return [Atom(_text(test), "truthy" if positive else "falsy")]


def simplify(row_atoms: Iterable[Atom]) -> list[Atom] | None:
    """Dedupe; drop ``not (a and b)`` when another atom already makes a or b false.
    None when the atoms contradict each other (an unreachable row)."""
    out: list[Atom] = []
    for a in row_atoms:
        if a not in out:
            out.append(a)
    for i, a in enumerate(out):
        for b in out[i + 1:]:
            if _contradicts(a, b):
                return None
    keep = []
    for a in out:
        if a.parts:
            if any(_contradicts(p, b) for p in a.parts for b in out if b is not a):
                continue  # implied by the other atoms
            if all(p in out for p in a.parts):
                return None
        keep.append(a)
    return keep


# --- symbolic values: guarded alternatives ------------------------------------------------

@dataclass(frozen=True)
class Alt:
    """One alternative value of an expression: under ``guards``, it is ``leaf``."""

    guards: tuple[Atom, ...]
    leaf: ast.AST
    notes: tuple[str, ...] = ()


@dataclass
class _Site:
    kind: str                      # "kwarg" | "return" | "assign"
    node: ast.AST
    path: tuple[Atom, ...]
    alts: list[Alt]


@dataclass
class _Scope:
    owner: str
    node: ast.AST
    sites: list[_Site] = field(default_factory=list)
    settings: list[tuple[int, str, dict[str, list[Alt]], dict[str, ast.AST], tuple[Atom, ...]]] = \
        field(default_factory=list)       # (priority, callee, key -> alts, key -> node, path)
    consumed: set[int] = field(default_factory=set)
    pending: list[tuple[int, _Site]] = field(default_factory=list)


def _terminates(stmts: list[ast.stmt]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.If):
        return _terminates(last.body) and _terminates(last.orelse)
    return False


def _raises(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Raise)


def _callee(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Call):
        return _callee(f)
    return ""


class _Walker:
    """Path-sensitive walk of one function body: guarded values of names, choice sites."""

    def __init__(self, scope: _Scope, enum: str):
        self.scope, self.enum = scope, enum
        self.origin: dict[str, list[int]] = {}   # env key -> ids of assign statements it came from

    def resolve(self, node: ast.AST, env: dict[str, list[Alt]], origin: dict[str, set[int]] | None = None,
                depth: int = 0) -> list[Alt]:
        if depth > 20:
            return [Alt((), node)]
        if isinstance(node, ast.IfExp):
            yes = [Alt(tuple(atoms(node.test, True)) + a.guards, a.leaf, a.notes)
                   for a in self.resolve(node.body, env, origin, depth + 1)]
            no = [Alt(tuple(atoms(node.test, False)) + a.guards, a.leaf, a.notes)
                  for a in self.resolve(node.orelse, env, origin, depth + 1)]
            return yes + no
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "int" \
                and len(node.args) == 1 and not node.keywords:
            return self.resolve(node.args[0], env, origin, depth + 1)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            first, second = node.values
            alts = self.resolve(second, env, origin, depth + 1)
            if any(_member_of(a.leaf, self.enum) for a in alts):
                yes = [Alt(tuple(atoms(first, True)) + a.guards, a.leaf, a.notes)
                       for a in self.resolve(first, env, origin, depth + 1)]
                return yes + [Alt(tuple(atoms(first, False)) + a.guards, a.leaf, a.notes) for a in alts]
        k = _key(node)
        if k is not None and k in env:
            if origin is not None:
                for i in self.origin.get(k, ()):
                    self.scope.consumed.add(i)
            return list(env[k])
        if isinstance(node, ast.Call) and _callee(node) == "getattr" and len(node.args) == 3 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            d = self.resolve(node.args[2], env, origin, depth + 1)
            if any(_member_of(a.leaf, self.enum) for a in d):
                subj = f"{_text(node.args[0])}.{node.args[1].value}"
                return [Alt((Atom(subj, "unset"),) + a.guards, a.leaf,
                            a.notes + (f"getattr default: {subj} overrides it",)) for a in d]
        return [Alt((), node)]

    def walk(self, stmts: list[ast.stmt], path: tuple[Atom, ...], env: dict[str, list[Alt]]) -> tuple[tuple[Atom, ...], dict]:
        for st in stmts:
            if isinstance(st, ast.If):
                self.visit_exprs(st.test, path, env)
                yes, no = tuple(atoms(st.test, True)), tuple(atoms(st.test, False))
                env_a, env_b = dict(env), dict(env)
                orig = dict(self.origin)
                self.walk(st.body, path + yes, env_a)
                orig_a = dict(self.origin)
                self.origin = dict(orig)
                self.walk(st.orelse, path + no, env_b)
                orig_b = dict(self.origin)
                ta, tb = _terminates(st.body), _terminates(st.orelse)
                ra, rb = _raises(st.body), _raises(st.orelse)
                if ra and not tb:  # `if bad: raise ...` is a precondition, not a table condition
                    path, env, self.origin = path, env_b, orig_b
                    continue
                if rb and not ta:
                    path, env, self.origin = path, env_a, orig_a
                    continue
                if ta and tb:
                    return path, env
                if ta:
                    path, env, self.origin = path + no, env_b, orig_b
                    continue
                if tb:
                    path, env, self.origin = path + yes, env_a, orig_a
                    continue
                merged = dict(env)
                for k in set(env_a) | set(env_b):
                    a, b = env_a.get(k), env_b.get(k)
                    if a is b and a is not None:
                        continue
                    a = a if a is not None else [Alt((), ast.Name(k))]
                    b = b if b is not None else [Alt((), ast.Name(k))]
                    merged[k] = [Alt(yes + x.guards, x.leaf, x.notes) for x in a] + \
                                [Alt(no + x.guards, x.leaf, x.notes) for x in b]
                    self.origin[k] = sorted(set(orig_a.get(k, [])) | set(orig_b.get(k, [])))
                env.clear()
                env.update(merged)
            elif isinstance(st, (ast.For, ast.AsyncFor, ast.While)):
                self.visit_exprs(st.iter if not isinstance(st, ast.While) else st.test, path, env)
                self.walk(st.body, path, dict(env))
                self.walk(st.orelse, path, env)
            elif isinstance(st, (ast.With, ast.AsyncWith)):
                for item in st.items:
                    self.visit_exprs(item.context_expr, path, env)
                path, env = self.walk(st.body, path, env)
            elif isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
                self.walk(st.body, path, env)
                for h in st.handlers:
                    self.walk(h.body, path, dict(env))
                self.walk(st.orelse, path, env)
                self.walk(st.finalbody, path, env)
            elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue  # their own scopes
            elif isinstance(st, ast.Match):
                for case in st.cases:
                    self.walk(case.body, path, dict(env))
            elif isinstance(st, ast.Return):
                if st.value is not None:
                    self.visit_exprs(st.value, path, env)
                    if self.resolves_to_member(st.value, env):
                        self.scope.sites.append(_Site("return", st, path, self.resolve(st.value, env, {})))
                return path, env
            elif isinstance(st, (ast.Assign, ast.AnnAssign)):
                value = st.value
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                if value is None:
                    continue
                self.visit_exprs(value, path, env)
                alts = self.resolve(value, env, {})
                for t in targets:
                    k = _key(t)
                    if k is not None:
                        env[k] = alts
                        self.origin[k] = [id(st)]
                    elif isinstance(t, (ast.Tuple, ast.List)):
                        for e in t.elts:
                            if _key(e):
                                env.pop(_key(e), None)
                if any(_member_of(a.leaf, self.enum) for a in alts):
                    self.scope.pending.append((id(st), _Site("assign", st, path, alts)))
            elif isinstance(st, ast.AugAssign):
                if _key(st.target):
                    env.pop(_key(st.target), None)
            else:
                for child in ast.iter_child_nodes(st):
                    if isinstance(child, ast.expr):
                        self.visit_exprs(child, path, env)
        return path, env

    def resolves_to_member(self, node: ast.AST, env) -> bool:
        return any(_member_of(a.leaf, self.enum) for a in self.resolve(node, env))

    def visit_exprs(self, expr: ast.AST, path, env) -> None:
        """Choice sites (``routing_method_type=...``) and routing settings in calls within ``expr``."""
        for node in ast.walk(expr):
            if not isinstance(node, ast.Call):
                continue
            kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            if KWARG in kws:
                alts = self.resolve(kws[KWARG], env, {})
                if any(_member_of(a.leaf, self.enum) for a in alts):
                    self.scope.sites.append(_Site("kwarg", node, path, alts))
            keys = [k for k in SETTING_KEYS if k in kws]
            if keys:
                callee = _callee(node)
                prio = 3 if callee.endswith("TopK") else 2 if callee == "dict" else 1
                self.scope.settings.append((len(keys) * 10 + prio, callee,
                                            {k: self.resolve(kws[k], env) for k in keys},
                                            {k: kws[k] for k in keys}, path))


# --- the grid interpreter (for functions of plain ifs and returns) ------------------------

class _Unsupported(Exception):
    def __init__(self, node: ast.AST, what: str):
        super().__init__(f"{what} at line {getattr(node, 'lineno', '?')}")


class _Member:
    __slots__ = ("name", "node")

    def __init__(self, name: str, node: ast.AST):
        self.name, self.node = name, node


_OTHER = "<other>"


class _Interp:
    """Evaluates a function of ifs, assignments and returns for concrete inputs. No exec."""

    def __init__(self, fn: ast.FunctionDef, enum: str):
        self.fn, self.enum = fn, enum

    def run(self, inputs: dict[str, Any]):
        env = dict(inputs)
        r = self.block(self.fn.body, env)
        return r if r is not None else (None, self.fn.body[-1])

    def block(self, stmts, env):
        for st in stmts:
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue
            if isinstance(st, ast.Pass):
                continue
            if isinstance(st, ast.If):
                r = self.block(st.body if self.truth(self.ev(st.test, env)) else st.orelse, env)
                if r is not None:
                    return r
            elif isinstance(st, ast.Return):
                v = self.ev(st.value, env) if st.value is not None else None
                return v, st
            elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                env[st.targets[0].id] = self.ev(st.value, env)
            elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value is not None:
                env[st.target.id] = self.ev(st.value, env)
            else:
                raise _Unsupported(st, f"`{type(st).__name__.lower()}` statement")
        return None

    @staticmethod
    def truth(v) -> bool:
        if v is _OTHER or isinstance(v, _Member):
            return True
        return bool(v)

    def ev(self, node, env):
        m = _member_of(node, self.enum)
        if m:
            return _Member(m, node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            raise _Unsupported(node, f"unknown name `{node.id}`")
        if isinstance(node, ast.BoolOp):
            is_and = isinstance(node.op, ast.And)
            v = None
            for sub in node.values:
                v = self.ev(sub, env)
                if self.truth(v) != is_and:
                    return v
            return v
        if isinstance(node, ast.UnaryOp):
            v = self.ev(node.operand, env)
            if isinstance(node.op, ast.Not):
                return not self.truth(v)
            if isinstance(node.op, ast.USub) and isinstance(v, (int, float)):
                return -v
            raise _Unsupported(node, "unary operator")
        if isinstance(node, ast.IfExp):
            return self.ev(node.body if self.truth(self.ev(node.test, env)) else node.orelse, env)
        if isinstance(node, ast.Compare):
            left = self.ev(node.left, env)
            for op, comp in zip(node.ops, node.comparators):
                right = self.ev(comp, env)
                if not self.compare(op, left, right, node):
                    return False
                left = right
            return True
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return tuple(self.ev(e, env) for e in node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            a, b = self.ev(node.left, env), self.ev(node.right, env)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
        raise _Unsupported(node, f"expression `{ast.unparse(node)}`")

    @staticmethod
    def compare(op, a, b, node) -> bool:
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
            raise _Unsupported(node, "ordering of an arbitrary string")
        try:
            if isinstance(op, ast.Eq):
                return a == b
            if isinstance(op, ast.NotEq):
                return a != b
            if isinstance(op, ast.In):
                return a in b
            if isinstance(op, ast.NotIn):
                return a not in b
            return _order(op, a, b)
        except TypeError:
            raise _Unsupported(node, f"comparison of {a!r} and {b!r}") from None


def _order(op, a, b) -> bool:
    if isinstance(op, ast.Lt):
        return a < b
    if isinstance(op, ast.LtE):
        return a <= b
    if isinstance(op, ast.Gt):
        return a > b
    return a >= b


def _params(fn: ast.FunctionDef) -> list[ast.arg]:
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
                    ok, v = _literal(s)
                    if ok and v not in consts:
                        consts.append(v)
                    if isinstance(s, (ast.Tuple, ast.List, ast.Set)):
                        for e in s.elts:
                            ok, v = _literal(e)
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
    out = list(consts)
    if "bool" in ann or name.startswith(("has_", "use_", "is_", "enable")) or name in ("renormalize",):
        out = [False, True]
    elif "str" in ann:
        out = [c for c in consts if isinstance(c, str)] + [_OTHER]
    elif "int" in ann or "group" in name or "top_k" in name or name == "topk":
        ints = sorted({c for c in consts if isinstance(c, int) and not isinstance(c, bool)} | {1, 8})
        if "top_k" in name or name == "topk":
            ints = sorted(set(ints) | {1, 8})
        out = ([None] if "None" in ann or "Optional" in ann or None in consts else []) + ints
    elif truthy and not consts:
        out = [False, True]
    elif not out:
        out = [False, True]
    return out


def _grid_candidate(fn: ast.FunctionDef, enum: str) -> bool:
    ps = {p.arg for p in _params(fn)}
    if not ps:
        return False
    returns_member = any(isinstance(n, ast.Return) and n.value is not None and _member_of(n.value, enum)
                         for n in ast.walk(fn))
    tests_params = any(isinstance(n, ast.If) and any(isinstance(x, ast.Name) and x.id in ps for x in ast.walk(n.test))
                       for n in ast.walk(fn))
    return returns_member and tests_params


def _show(v) -> str:
    return "other" if v is _OTHER else repr(v)


def grid_rows(fn: ast.FunctionDef, path: str, owner: str, enum: str = ENUM, fixed: dict[str, Any] | None = None,
              subjects: dict[str, str] | None = None, line: int | None = None, note: str = "grid",
              settings: tuple = ()) -> list[RoutingRow]:
    """Evaluate ``fn`` over the grid of its parameters' values, then compress to a decision table.

    ``fixed`` pins parameters (a call site's literal arguments); ``subjects`` renames a
    parameter in the conditions (the call's argument); ``line`` puts every row at a call site.
    """
    params = _params(fn)
    fixed = fixed or {}
    subjects = subjects or {}
    domains = {p.arg: [fixed[p.arg]] if p.arg in fixed else _domain(fn, p) for p in params}
    size = 1
    for d in domains.values():
        size *= len(d)
    if size > GRID_LIMIT:
        raise _Unsupported(fn, f"grid of {size} points (limit {GRID_LIMIT})")
    interp = _Interp(fn, enum)
    names = [p.arg for p in params]
    table = []
    for combo in itertools.product(*(domains[n] for n in names)):
        v, st = interp.run(dict(zip(names, combo)))
        member = v.name if isinstance(v, _Member) else None
        if v is not None and not isinstance(v, _Member):
            raise _Unsupported(st, f"returns {v!r}, not a member")
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


# --- the file extractor --------------------------------------------------------------------

def _scopes(tree: ast.Module) -> Iterable[tuple[str, ast.AST, list[ast.stmt]]]:
    yield "<module>", tree, tree.body

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                yield name, child, child.body
                yield from visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                name = f"{prefix}{child.name}"
                yield name, child, child.body
                yield from visit(child, name + ".")
            elif not isinstance(child, ast.expr):
                yield from visit(child, prefix)
    yield from visit(tree, "")


def _setting_value(alts: list[Alt], node: ast.AST, row_atoms: list[Atom]):
    ok = [a for a in alts if not any(_contradicts(g, r) for g in a.guards for r in row_atoms)]
    vals = []
    for a in ok:
        lit, v = _literal(a.leaf)
        vals.append(v if lit else _expr(a.leaf))
    if len(ok) == 1 or (ok and all(repr(v) == repr(vals[0]) and type(v) is type(vals[0]) for v in vals)):
        if not isinstance(vals[0], Expr):
            return vals[0]
        e = _expr(node)   # keep the expression as written at the call, with a getattr default if any
        if not e.has_default and vals[0].has_default:
            e.default, e.has_default = vals[0].default, True
        if str(vals[0]) != str(e):
            e.via = str(vals[0])
        return e
    return _expr(node)


def _expr(node: ast.AST) -> Expr:
    e = Expr(_text(node))
    if isinstance(node, ast.Call) and _callee(node) == "getattr" and len(node.args) == 3:
        lit, v = _literal(node.args[2])
        if lit:
            e.default, e.has_default = v, True
    return e


def _settings_for(scope: _Scope, site: _Site, row_atoms: list[Atom]) -> tuple[tuple[str, Any], ...]:
    out: dict[str, Any] = {}
    cands = sorted(scope.settings, key=lambda s: -s[0])
    # the strongest candidate (TopK(...) or dict(...)), then the choice call itself for anything missing
    chosen = [c for c in cands[:1]]
    if isinstance(site.node, ast.Call):
        chosen += [c for c in cands if any(v is kw.value for kw in site.node.keywords for v in c[3].values())]
    for prio, callee, alts, nodes, _ in chosen:
        for k in SETTING_KEYS:
            if k in alts and k not in out:
                out[k] = _setting_value(alts[k], nodes[k], row_atoms)
    callee = chosen[0][1] if chosen else ""
    items = tuple((k, out[k]) for k in SETTING_KEYS if k in out)
    return ((("@call", callee),) + items) if items else ()


def settings_text(settings: tuple[tuple[str, Any], ...]) -> str:
    """``TopK(renormalize=True, scoring_func='sigmoid', ...)`` for a row's settings."""
    if not settings:
        return ""
    callee = ""
    parts = []
    for k, v in settings:
        if k == "@call":
            callee = v
            continue
        parts.append(f"{k}={v if isinstance(v, Expr) else repr(v)}")
    return f"{callee or 'settings'}({', '.join(parts)})"


def setting_items(settings) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in settings if k != "@call"]


class FileExtractor:
    def __init__(self, path: str, tree: ast.Module, enum: str = ENUM):
        self.path, self.tree, self.enum = path, tree, enum

    def run(self) -> list[RoutingRow]:
        rows: list[RoutingRow] = []
        self.covered: set[int] = set()
        self.grid_functions: dict[str, ast.FunctionDef] = {}
        for owner, node, body in _scopes(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _grid_candidate(node, self.enum):
                try:
                    got = grid_rows(node, self.path, owner, self.enum)
                    rows.extend(got)
                    if owner == node.name:  # a module-level function: its callers are tables too
                        self.grid_functions[node.name] = node
                    self.covered.update(id(n) for n in ast.walk(node))
                    continue
                except _Unsupported:
                    pass  # fall back to the path walk, which keeps the conditions symbolic
            scope = _Scope(owner, node)
            w = _Walker(scope, self.enum)
            w.walk(body, (), {})
            for i, site in scope.pending:
                if i not in scope.consumed:
                    scope.sites.append(site)
            for site in scope.sites:
                rows.extend(self.site_rows(scope, site))
        return rows

    def site_rows(self, scope: _Scope, site: _Site) -> list[RoutingRow]:
        out = []
        for alt in site.alts:
            member = _member_of(alt.leaf, self.enum)
            lit, v = _literal(alt.leaf)
            row_atoms = simplify(site.path + alt.guards)
            if row_atoms is None:
                continue  # unreachable
            note = list(alt.notes)
            if member is None:
                if lit and v is None:
                    note.insert(0, "no member (None)")
                elif isinstance(alt.leaf, (ast.Name, ast.Attribute, ast.Subscript)) or \
                        isinstance(alt.leaf, ast.Call) and _callee(alt.leaf) == "getattr":
                    note.insert(0, f"pass-through: `{_text(alt.leaf)}` (chosen elsewhere)")
                else:
                    note.insert(0, f"{COULD_NOT}: the value `{_text(alt.leaf)}` is not a {self.enum} member")
            if member == "Unspecified":
                note.insert(0, "sentinel")
            self.covered.update(id(n) for n in ast.walk(alt.leaf))
            line = getattr(alt.leaf, "lineno", None) or site.node.lineno
            out.append(RoutingRow(path=self.path, line=line, owner=scope.owner, member=member,
                                  conditions=tuple(a.structured() for a in row_atoms),
                                  condition_text=" and ".join(a.text() for a in row_atoms) or "always",
                                  settings=_settings_for(scope, site, row_atoms), note="; ".join(note)))
        return out

    def uncovered(self) -> tuple[list[ast.AST], list[ast.AST]]:
        """Member references not in any row: (compared or listed, other)."""
        parents: dict[int, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        compared, other = [], []
        for node in ast.walk(self.tree):
            if _member_of(node, self.enum) and id(node) not in self.covered:
                p, kind = parents.get(id(node)), "other"
                while p is not None and not isinstance(p, ast.stmt):
                    if isinstance(p, (ast.Compare, ast.Tuple, ast.List, ast.Set)):
                        kind = "compared"
                        break
                    p = parents.get(id(p))
                (compared if kind == "compared" else other).append(node)
        return compared, other


def extract_source(text: str, path: str, enum: str = ENUM, grid_functions: dict | None = None) -> list[RoutingRow]:
    """The routing rows of one file's source. Files that never name ``enum`` give no rows.

    ``grid_functions`` (name -> FunctionDef), if given, collects the file's table functions."""
    if enum not in text:
        return []
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        return [RoutingRow(path, e.lineno or 0, "<module>", None, note=f"{COULD_NOT}: syntax error: {e.msg}")]
    ex = FileExtractor(path, tree, enum)
    try:
        rows = ex.run()
    except RecursionError:
        return [RoutingRow(path, 0, "<module>", None, note=f"{COULD_NOT}: the file nests too deeply")]
    if grid_functions is not None:
        grid_functions.update({k: (v, path) for k, v in ex.grid_functions.items()})
    compared, other = ex.uncovered()
    for node in other:
        seg = ast.get_source_segment(text, node) or _text(node)
        rows.append(RoutingRow(path, node.lineno, "<module>", None,
                               note=f"{COULD_NOT}: `{seg}` is used in a shape not read as a table"))
    if not rows and compared:
        lines = sorted({n.lineno for n in compared})
        shown = ", ".join(map(str, lines[:8])) + (", ..." if len(lines) > 8 else "")
        rows.append(RoutingRow(path, lines[0], "<module>", None,
                               note=f"{COULD_NOT}: {enum} members are only compared or listed here "
                                    f"(lines {shown}), never chosen"))
    rows.sort(key=lambda r: r.line)
    return rows


def _read(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise EnumsyncError(f"{p}: cannot read ({e.strerror or e}); check the path") from e


def extract_file(path: str | Path, enum: str = ENUM, grid_functions: dict | None = None) -> list[RoutingRow]:
    p = Path(path)
    text = _read(p)
    rows = extract_source(text, str(p), enum, grid_functions)
    return _label(rows, python_only_members([p], enum)) if f"class {enum}" in text else rows


def _label(rows: list[RoutingRow], only: dict[str, str]) -> list[RoutingRow]:
    return [replace(r, note="; ".join(x for x in (f"python-only: {only[r.member]}", r.note) if x))
            if r.member in only and "python-only" not in r.note else r for r in rows]


def python_files(paths: Iterable[Path]) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*.py") if x.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise EnumsyncError(f"{p}: no such file or directory; pass Python files or folders of model code")
    return out


def extract_paths(paths: list[Path], enum: str = ENUM) -> list[RoutingRow]:
    """Rows from every ``.py`` file under ``paths``. Members that the analysed files' own
    ``enum`` class declares "not passed to FlashInfer" are labelled ``python-only``."""
    files = python_files(paths)
    rows: list[RoutingRow] = []
    grid_functions: dict[str, tuple[ast.FunctionDef, str]] = {}
    for f in files:
        rows.extend(extract_file(f, enum, grid_functions))
    if grid_functions:
        for f in files:
            text = _read(f)
            if any(f"{name}(" in text for name in grid_functions):
                rows.extend(call_site_rows(text, str(f), grid_functions, enum))
        rows.sort(key=lambda r: (r.path, r.line))
    only = python_only_members(files, enum)
    return _label(rows, only) if only else rows


def call_site_rows(text: str, path: str, grid_functions: dict[str, tuple[ast.FunctionDef, str]],
                   enum: str = ENUM) -> list[RoutingRow]:
    """Rows for each call of a table function: its grid with the call's literal arguments pinned.

    vLLM's routers call ``get_routing_method_type(..., num_expert_group=None,
    has_e_score_bias=False)``; each such call is a smaller table of its own."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError:
        return []
    owners: dict[int, str] = {}
    for owner, node, _ in _scopes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for n in ast.walk(node):
                if isinstance(n, ast.Call):
                    owners[id(n)] = owner   # inner scopes come later and win
    rows: list[RoutingRow] = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = _callee(call)
        if name not in grid_functions or not isinstance(call.func, (ast.Name, ast.Attribute)):
            continue
        fn, def_path = grid_functions[name]
        params = [p.arg for p in _params(fn)]
        args: dict[str, ast.AST] = dict(zip(params, call.args))
        args.update({kw.arg: kw.value for kw in call.keywords if kw.arg in params})
        fixed, subjects, settings = {}, {}, []
        for pname, node in args.items():
            lit, v = _literal(node)
            if lit:
                fixed[pname] = v
                settings.append((pname, v))
            else:
                settings.append((pname, _expr(node)))
                if _key(node) is not None:
                    subjects[pname] = _text(node)
        note = f"via {name}() of {Path(def_path).name}:{fn.lineno}; grid"
        try:
            got = grid_rows(fn, path, owners.get(id(call), "<module>"), enum, fixed=fixed, subjects=subjects,
                            line=call.lineno, note=note, settings=(("@call", name), *settings))
        except _Unsupported as e:
            got = [RoutingRow(path, call.lineno, owners.get(id(call), "<module>"), None,
                              note=f"{COULD_NOT}: call of {name}(): {e}")]
        rows.extend(got)
    return rows


def python_only_members(files: Iterable[Path], enum: str = ENUM) -> dict[str, str]:
    """Members declared Python-only by the enum class found among ``files`` (vLLM's marker comment)."""
    from ..presets import detect_extensions
    from .python_enum import parse_python_enum
    out: dict[str, str] = {}
    for f in files:
        try:
            text = Path(f).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if f"class {enum}" not in text:
            continue
        try:
            spec = parse_python_enum(f, enum)
        except Exception:  # an unreadable enum only loses the labels
            continue
        out.update(detect_extensions(spec, text))
    return out


def mapped_members(rows: Iterable[RoutingRow]) -> set[str]:
    """The members that some row picks for the kernel (what ``verify`` runs by default):
    not Python-only members, not the ``Unspecified`` sentinel."""
    return {r.member for r in rows if r.member and not r.note.startswith(COULD_NOT)
            and "python-only" not in r.note and "sentinel" not in r.note}
