"""The one small, safe interpreter: constant expressions and plain function bodies, read from the AST.

Nothing is exec'd. Routing-table functions (:mod:`.table_grid`) and enum values with a custom
``__new__`` (:mod:`.python_enum`) both run on it. Every run has a budget: ints up to
``MAX_BITS`` bits, strings, bytes and tuples up to ``MAX_LEN`` items, ``MAX_DEPTH`` nested
expressions, ``MAX_STEPS`` evaluations and ``TIME_BUDGET_S`` seconds; past it, or on any error Python itself would raise,
the result is :class:`Unsupported` with the reason, never a hang, a huge allocation or a crash.
"""
from __future__ import annotations

import ast
import operator
import time

MAX_BITS = 1 << 16
MAX_LEN = 1 << 16
MAX_DEPTH = 200
MAX_STEPS = 1_000_000
TIME_BUDGET_S = 20.0    # CPU seconds per interpreter (one enum class, one grid point): big-int work adds up


class Unsupported(Exception):
    """The interpreter cannot (or, within its budget, will not) evaluate this; ``what`` says why."""

    def __init__(self, node: ast.AST | None, what: str):
        line = getattr(node, "lineno", None)
        super().__init__(f"{what} at line {line}" if line else what)
        self.what = what


class Unknown:
    """A name whose value cannot be known statically (imported, rebound in a loop, ...)."""

    __slots__ = ("why",)

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return f"<unknown: {self.why}>"


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
           ast.BitAnd: operator.and_, ast.BitXor: operator.xor}
_SEQ = (str, bytes, tuple)


def _bits(v) -> int:
    return abs(int(v)).bit_length() if isinstance(v, int) else 0


def check_size(v, node=None):
    """``v`` if it is within the budget, else :class:`Unsupported`."""
    if isinstance(v, int) and _bits(v) > MAX_BITS:
        raise Unsupported(node, f"a value over {MAX_BITS} bits")
    if isinstance(v, _SEQ) and len(v) > MAX_LEN:
        raise Unsupported(node, f"a value over {MAX_LEN} items")
    return v


def _precheck(op: type, a, b, node):
    """Refuse an operation whose result would blow the budget before computing it."""
    ints = isinstance(a, int) and isinstance(b, int)
    if op is ast.Pow and ints and b > 0 and _bits(a) > 1 and (_bits(a) - 1) * b > MAX_BITS:
        raise Unsupported(node, f"`**` result over {MAX_BITS} bits")
    if op is ast.LShift and ints and b > 0 and a and _bits(a) + b > MAX_BITS:
        raise Unsupported(node, f"`<<` result over {MAX_BITS} bits")
    if op is ast.Mult:
        if ints and _bits(a) + _bits(b) > MAX_BITS:
            raise Unsupported(node, f"`*` result over {MAX_BITS} bits")
        seq, n = (a, b) if isinstance(a, _SEQ) else (b, a)
        if isinstance(seq, _SEQ) and isinstance(n, int) and n > 0 and len(seq) * n > MAX_LEN:
            raise Unsupported(node, f"a sequence over {MAX_LEN} items")
    if op is ast.Add and isinstance(a, _SEQ) and isinstance(b, _SEQ) and len(a) + len(b) > MAX_LEN:
        raise Unsupported(node, f"a sequence over {MAX_LEN} items")
    if op is ast.Mod and isinstance(a, (str, bytes)):
        raise Unsupported(node, "string formatting with `%`")


def binop(op: type, a, b, node=None):
    """``a OP b`` as Python computes it, within the budget."""
    if op not in _BINOPS:
        raise Unsupported(node, f"operator `{op.__name__}`")
    _precheck(op, a, b, node)
    try:
        return check_size(_BINOPS[op](a, b), node)
    except Unsupported:
        raise
    except Exception as e:  # what Python would raise: TypeError, ZeroDivisionError, OverflowError, ...
        raise Unsupported(node, f"Python raises {type(e).__name__}: {e}") from None


class Interpreter:
    """Evaluates expressions, and function bodies of ifs, assignments and returns, for concrete inputs.

    ``names`` is looked up after the local environment (module or class constants; an
    :class:`Unknown` there is reported with its reason). Subclasses add what they need through
    :meth:`special` (a node they evaluate themselves), :meth:`call` and :meth:`assign_attr`.
    """

    binops: frozenset | None = None    # the operators allowed; None: all of _BINOPS

    def __init__(self, names: dict | None = None):
        self.names = names or {}
        self.depth = 0
        self.reset()

    def reset(self):
        """A fresh budget of steps and CPU time."""
        self.steps = 0
        self.deadline = time.process_time() + TIME_BUDGET_S
        self.over = ""

    # statements ---------------------------------------------------------------
    def block(self, stmts, env):
        """Run statements; ``(value, return statement)`` at a ``return``, else None."""
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
            elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Attribute):
                self.assign_attr(st.targets[0], self.ev(st.value, env), env)
            else:
                raise Unsupported(st, f"`{type(st).__name__.lower()}` statement")
        return None

    def assign_attr(self, target: ast.Attribute, value, env):
        raise Unsupported(target, "assignment to an attribute")

    # expressions --------------------------------------------------------------
    @staticmethod
    def truth(v) -> bool:
        return bool(v)

    def special(self, node, env):
        """A subclass's own reading of ``node``; ``NotImplemented`` to use the common rules."""
        return NotImplemented

    def lookup(self, node: ast.Name, env):
        for scope in (env, self.names):
            if node.id in scope:
                v = scope[node.id]
                if isinstance(v, Unknown):
                    raise Unsupported(node, f"`{node.id}` {v.why}")
                return v
        raise Unsupported(node, f"`{node.id}` is not a constant defined in this file")

    def call(self, node: ast.Call, env):
        raise Unsupported(node, "a call")

    def ev(self, node, env):
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.over = f"more than {MAX_STEPS} evaluation steps"
        elif not self.steps & 1023 and time.process_time() > self.deadline:
            self.over = f"evaluation over its {TIME_BUDGET_S:g} s CPU budget"
        if self.over:   # once over budget, every later evaluation of this run is refused too
            raise Unsupported(node, self.over)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Unsupported(node, f"an expression nested over {MAX_DEPTH} deep")
            return self._ev(node, env)
        finally:
            self.depth -= 1

    def _ev(self, node, env):
        v = self.special(node, env)
        if v is not NotImplemented:
            return v
        if isinstance(node, ast.Constant):
            return check_size(node.value, node)
        if isinstance(node, ast.Name):
            return self.lookup(node, env)
        if isinstance(node, ast.BinOp):
            return self.binop_chain(node, env)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, self.ev(node.operand, env))
        if isinstance(node, ast.BoolOp):
            is_and = isinstance(node.op, ast.And)
            v = None
            for sub in node.values:
                v = self.ev(sub, env)
                if self.truth(v) != is_and:
                    return v
            return v
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
        if isinstance(node, ast.Tuple):
            return check_size(tuple(self.ev(e, env) for e in node.elts), node)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        raise Unsupported(node, f"expression `{_short(node)}`")

    def binop_chain(self, node: ast.BinOp, env):
        """A left-deep chain (``a + b + c + ...``) is evaluated in a loop, not by recursion."""
        chain = []
        while isinstance(node, ast.BinOp):
            chain.append(node)
            node = node.left
        acc = self.ev(node, env)
        for n in reversed(chain):
            right = self.ev(n.right, env)
            acc = self.apply(n, acc, right)
        return acc

    def apply(self, node: ast.BinOp, a, b):
        op = type(node.op)
        if self.binops is not None and op not in self.binops:
            raise Unsupported(node, f"expression `{_short(node)}`")
        return binop(op, a, b, node)

    def unary(self, node: ast.UnaryOp, v):
        if isinstance(node.op, ast.Not):
            return not self.truth(v)
        fn = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}[type(node.op)]
        try:
            return fn(v)
        except Exception as e:
            raise Unsupported(node, f"Python raises {type(e).__name__}: {e}") from None

    def compare(self, op, a, b, node) -> bool:
        try:
            return COMPARE[type(op)](a, b)
        except Exception as e:
            raise Unsupported(node, f"comparison of {_short_value(a)} and {_short_value(b)}: {e}") from None


COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


def _short(node: ast.AST, limit: int = 60) -> str:
    """Source-like text of ``node``, cut to ``limit`` characters (and safe on deep trees)."""
    try:
        s = ast.unparse(node)
    except (RecursionError, ValueError):
        return f"<{type(node).__name__} at line {getattr(node, 'lineno', '?')}>"
    return s if len(s) <= limit else s[:limit - 3] + "..."


def _short_value(v, limit: int = 40) -> str:
    if isinstance(v, int) and _bits(v) > 128:
        return f"<int of {_bits(v)} bits>"
    s = repr(v) if not isinstance(v, (str, bytes, tuple)) or len(v) < limit else f"<{type(v).__name__} of {len(v)}>"
    return s if len(s) <= limit else s[:limit - 3] + "..."
