"""The module names a class body sees: each bound as it is when the class statement runs.

Module statements before the class are replayed in order with the safe interpreter. A name
that cannot be known then (imported, bound in a loop, conditional, ``with`` or ``try``, rebound
by ``global`` in a function, a walrus, ``del``, a star import, ``exec``/``globals()``) maps to
:class:`~.interpreter.Unknown` with the reason, so a member using it is ES000, never a guess.
"""
from __future__ import annotations

import ast
import functools

from .interpreter import Interpreter, Unknown, Unsupported

ENUM_MODULE = object()      # the ``enum`` module itself (``import enum``)
TRY_NODES = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)   # ``try``, ``try``/``except*``
_REBOUND = Unknown("is rebound by a `global` statement in a function")
_DANGEROUS = {"globals", "vars", "exec", "eval", "locals", "__import__"}


class EnumName:
    """A name imported from ``enum`` (``auto``, ``member``, ``IntEnum``, ...)."""

    __slots__ = ("attr",)

    def __init__(self, attr: str):
        self.attr = attr

    def __repr__(self) -> str:
        return f"enum.{self.attr}"


class Def:
    """A ``def`` or ``class`` bound at module level (``kind``: ``function`` or ``class``); ``scope``:
    for a class, the module names as bound when its statement ran (its bases are read there)."""

    __slots__ = ("kind", "node", "scope")

    def __init__(self, kind: str, node: ast.AST, scope: "Scope | None" = None):
        self.kind, self.node, self.scope = kind, node, scope


class Scope(dict):
    """Module names -> value, :class:`Unknown`, :class:`EnumName`, :class:`Def` or ``ENUM_MODULE``.

    ``opaque`` is the reason every name not bound here is unknown too (a star import or
    ``exec`` may have bound it), or ``""``.
    """

    opaque: str = ""
    rebound: frozenset = frozenset()   # names a function rebinds with ``global``: unknown everywhere

    def snapshot(self, names) -> "Scope":
        """``names`` as bound now (what a class statement's bases see), ``global`` ones unknown; only
        those names, so a module of many classes is not copied once per class."""
        out = Scope((n, self[n]) for n in names if n in self)
        out.opaque, out.rebound = self.opaque, self.rebound
        for name in self.rebound & set(names):
            out[name] = _REBOUND
        return out


def bound_names(node: ast.AST) -> set[str]:
    """Every name a statement (and anything nested in it, except function bodies) may bind."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
            stack.extend(n.decorator_list)
            continue
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in n.names if a.name != "*")
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            out.add(n.name)
        elif isinstance(n, ast.MatchMapping) and n.rest:
            out.add(n.rest)
        if not isinstance(n, ast.Lambda):
            stack.extend(ast.iter_child_nodes(n))
    return out


@functools.lru_cache(maxsize=8)     # by the tree object: the scan reads every class of a file with one tree
def _globals_in_functions(tree: ast.Module) -> frozenset[str]:
    return frozenset(name for n in ast.walk(tree) if isinstance(n, ast.Global) for name in n.names)


def _path_to(body: list[ast.stmt], target: ast.AST):
    """[(block, index)] from the module body down to ``target``; None when it is not reachable."""
    for i, st in enumerate(body):
        if st is target:
            return [(body, i)]
        blocks = []
        if isinstance(st, ast.If):
            blocks = [st.body, st.orelse]
        elif isinstance(st, TRY_NODES):
            blocks = [st.body, *[h.body for h in st.handlers], st.orelse, st.finalbody]
        elif isinstance(st, ast.ClassDef):
            blocks = [st.body]
        for b in blocks:
            sub = _path_to(b, target)
            if sub is not None:
                return [(body, i), *sub]
    return None


def scope_for(tree: ast.Module, cls: ast.ClassDef, text: str | None = None) -> Scope:
    """The module names as they are bound when the body of ``cls`` runs (``text``: the source, a hint)."""
    scope = Scope()
    path = _path_to(tree.body, cls) or []
    rebound = _globals_in_functions(tree) if text is None or "global" in text else frozenset()
    scope.rebound = rebound
    for block, index in path:
        holder = block[index]
        for st in block[:index]:
            _replay(st, scope)
        if isinstance(holder, ast.ClassDef) and holder is not cls:
            break   # an enclosing class body's names are not visible in the nested class
        if isinstance(holder, TRY_NODES) and not any(cls in ast.walk(s) for s in holder.body):
            for name in set().union(*(bound_names(s) for s in holder.body)):
                scope[name] = Unknown("is bound in a `try` block that may not have finished")
        if isinstance(holder, ast.If):
            _replay_expr_effects(holder.test, scope)
    for name in rebound:
        scope[name] = _REBOUND
    return scope


def _walk_here(node: ast.AST):
    """``ast.walk`` without descending into function bodies (they run later, if ever)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and n is not node:
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend([*n.decorator_list, *n.args.defaults, *[d for d in n.args.kw_defaults if d]])
            continue
        stack.extend(ast.iter_child_nodes(n))


def _replay_expr_effects(node: ast.AST, scope: Scope):
    names = {n.id for n in _walk_here(node) if isinstance(n, ast.Name)}
    if names & _DANGEROUS:
        for k in list(scope):
            scope[k] = Unknown(f"may be changed by `{sorted(names & _DANGEROUS)[0]}()` at line {node.lineno}")
        scope.opaque = f"may be bound by `{sorted(names & _DANGEROUS)[0]}()` at line {node.lineno}"
    for n in _walk_here(node):
        if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
            scope[n.target.id] = Unknown(f"is bound by `:=` at line {n.lineno}")


def _evaluate(node: ast.expr, scope: Scope):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and scope.get(node.value.id) is ENUM_MODULE:   # ``IE = enum.IntEnum``
        return EnumName(node.attr)
    interp = Interpreter(scope)
    try:
        return interp.ev(node, {})
    except Unsupported as e:
        return Unknown(f"is not a constant when the class runs ({e})")
    except RecursionError:
        return Unknown("is nested too deeply to evaluate")


def _bind(target: ast.expr, value, scope: Scope, line: int):
    if isinstance(target, ast.Name):
        scope[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, tuple) \
            and len(value) == len(target.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
        for t, v in zip(target.elts, value):
            _bind(t, v, scope, line)
    else:
        for name in bound_names(target):
            scope[name] = value if isinstance(value, Unknown) else Unknown(f"is unpacked at line {line}")


def _replay(st: ast.stmt, scope: Scope):
    """Apply one module-level statement to ``scope``."""
    _replay_expr_effects(st, scope)
    if isinstance(st, ast.Assign):
        value = _evaluate(st.value, scope)
        for t in st.targets:
            _bind(t, value, scope, st.lineno)
    elif isinstance(st, ast.AnnAssign) and st.value is not None:
        _bind(st.target, _evaluate(st.value, scope), scope, st.lineno)
    elif isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name):
        node = ast.BinOp(left=ast.Name(id=st.target.id, ctx=ast.Load()), op=st.op, right=st.value)
        ast.copy_location(node, st)
        scope[st.target.id] = _evaluate(node, scope)
    elif isinstance(st, ast.ImportFrom) and st.module == "enum" and not st.level:
        for a in st.names:
            if a.name == "*":
                import enum
                for n in enum.__all__:
                    scope[n] = EnumName(n)
            else:
                scope[a.asname or a.name] = EnumName(a.name)
    elif isinstance(st, ast.ImportFrom) and any(a.name == "*" for a in st.names):
        for k in list(scope):
            scope[k] = Unknown(f"may be rebound by the star import at line {st.lineno}")
        scope.opaque = f"may come from the star import at line {st.lineno}"
    elif isinstance(st, ast.ImportFrom):
        for a in st.names:
            scope[a.asname or a.name] = Unknown(f"is imported at line {st.lineno} (enumsync reads one file)")
    elif isinstance(st, ast.Import):
        for a in st.names:
            if a.name == "enum" and a.asname:
                scope[a.asname] = ENUM_MODULE
            elif a.name == "enum" or (a.name.startswith("enum.") and not a.asname):
                scope["enum"] = ENUM_MODULE
            else:
                scope[(a.asname or a.name).split(".")[0]] = Unknown(f"is the module imported at line {st.lineno}")
    elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
        scope[st.name] = Def("function", st) if not st.decorator_list else \
            Unknown(f"is a decorated function (line {st.lineno})")
    elif isinstance(st, ast.ClassDef):
        base_names = {n.id for b in st.bases for n in ast.walk(b) if isinstance(n, ast.Name)}
        scope[st.name] = Def("class", st, scope.snapshot(base_names))
    else:
        kind = type(st).__name__.lower()
        for name in bound_names(st):
            scope[name] = Unknown(f"is bound in a `{kind}` statement at line {st.lineno}")
