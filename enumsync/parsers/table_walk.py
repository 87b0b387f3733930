"""Path-sensitive walk of a function body: guarded alternative values, choice sites, routing settings."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .conditions import Atom, atoms
from .expressions import callee_name, env_key, expr_text, member_of, walk

KWARG = "routing_method_type"
SETTING_KEYS = ("top_k", "renormalize", "scoring_func", "use_grouped_topk", "num_expert_group", "topk_group",
                "correction_bias", "routed_scaling_factor", "custom_routing_function")


@dataclass(frozen=True)
class Alt:
    """One alternative value of an expression: under ``guards``, it is ``leaf``."""

    guards: tuple[Atom, ...]
    leaf: ast.AST
    notes: tuple[str, ...] = ()


@dataclass
class Site:
    """A place that chooses a member, with the path to it and its alternatives."""

    kind: str                      # "kwarg" | "return" | "assign"
    node: ast.AST
    path: tuple[Atom, ...]
    alts: list[Alt]


@dataclass
class Scope:
    """One function, class or module body: its choice sites and the routing settings found in it."""

    owner: str
    node: ast.AST
    sites: list[Site] = field(default_factory=list)
    settings: list[tuple[int, str, dict[str, list[Alt]], dict[str, ast.AST], tuple[Atom, ...]]] = \
        field(default_factory=list)       # (priority, callee, key -> alts, key -> node, path)
    consumed: set[int] = field(default_factory=set)
    pending: list[tuple[int, Site]] = field(default_factory=list)


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



class Walker:
    """Path-sensitive walk of one function body: guarded values of names, choice sites."""

    def __init__(self, scope: Scope, enum: str):
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
            if any(member_of(a.leaf, self.enum) for a in alts):
                yes = [Alt(tuple(atoms(first, True)) + a.guards, a.leaf, a.notes)
                       for a in self.resolve(first, env, origin, depth + 1)]
                return yes + [Alt(tuple(atoms(first, False)) + a.guards, a.leaf, a.notes) for a in alts]
        k = env_key(node)
        if k is not None and k in env:
            if origin is not None:
                for i in self.origin.get(k, ()):
                    self.scope.consumed.add(i)
            return list(env[k])
        if isinstance(node, ast.Call) and callee_name(node) == "getattr" and len(node.args) == 3 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            d = self.resolve(node.args[2], env, origin, depth + 1)
            if any(member_of(a.leaf, self.enum) for a in d):
                subj = f"{expr_text(node.args[0])}.{node.args[1].value}"
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
                self._apart(st.body, path, env)
                self.walk(st.orelse, path, env)
            elif isinstance(st, (ast.With, ast.AsyncWith)):
                for item in st.items:
                    self.visit_exprs(item.context_expr, path, env)
                path, env = self.walk(st.body, path, env)
            elif isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
                self.walk(st.body, path, env)
                for h in st.handlers:
                    self._apart(h.body, path, env)
                self.walk(st.orelse, path, env)
                self.walk(st.finalbody, path, env)
            elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue  # their own scopes
            elif isinstance(st, ast.Match):
                for case in st.cases:
                    self._apart(case.body, path, env)
            elif isinstance(st, ast.Return):
                if st.value is not None:
                    self.visit_exprs(st.value, path, env)
                    if self.resolves_to_member(st.value, env):
                        self.scope.sites.append(Site("return", st, path, self.resolve(st.value, env, {})))
                return path, env
            elif isinstance(st, (ast.Assign, ast.AnnAssign)):
                value = st.value
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                if value is None:
                    continue
                self.visit_exprs(value, path, env)
                alts = self.resolve(value, env, {})
                for t in targets:
                    k = env_key(t)
                    if k is not None:
                        env[k] = alts
                        self.origin[k] = [id(st)]
                    elif isinstance(t, (ast.Tuple, ast.List)):
                        for e in t.elts:
                            if env_key(e):
                                env.pop(env_key(e), None)
                if any(member_of(a.leaf, self.enum) for a in alts):
                    self.scope.pending.append((id(st), Site("assign", st, path, alts)))
            elif isinstance(st, ast.AugAssign):
                if env_key(st.target):
                    env.pop(env_key(st.target), None)
            else:
                for child in ast.iter_child_nodes(st):
                    if isinstance(child, ast.expr):
                        self.visit_exprs(child, path, env)
        return path, env

    def _apart(self, stmts: list[ast.stmt], path: tuple[Atom, ...], env: dict[str, list[Alt]]) -> None:
        """Walk a body whose bindings are not carried past it (a loop body, an except handler, a match
        case): on a copy of ``env``, and with ``origin`` as it was before, so that a name used later is
        traced to the assignment it really comes from."""
        origin = dict(self.origin)
        self.walk(stmts, path, dict(env))
        self.origin = origin

    def resolves_to_member(self, node: ast.AST, env) -> bool:
        return any(member_of(a.leaf, self.enum) for a in self.resolve(node, env))

    def visit_exprs(self, expr: ast.AST, path, env) -> None:
        """Choice sites (``routing_method_type=...``) and routing settings in calls within ``expr``."""
        for node in walk(expr):
            if not isinstance(node, ast.Call):
                continue
            kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            if KWARG in kws:
                alts = self.resolve(kws[KWARG], env, {})
                if any(member_of(a.leaf, self.enum) for a in alts):
                    self.scope.sites.append(Site("kwarg", node, path, alts))
            keys = [k for k in SETTING_KEYS if k in kws]
            if keys:
                callee = callee_name(node)
                prio = 3 if callee.endswith("TopK") else 2 if callee == "dict" else 1
                self.scope.settings.append((len(keys) * 10 + prio, callee,
                                            {k: self.resolve(kws[k], env) for k in keys},
                                            {k: kws[k] for k in keys}, path))
