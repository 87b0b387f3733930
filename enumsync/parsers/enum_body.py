"""Replay an enum class body the way ``enum``'s class dictionary records it (CPython 3.11 rules).

Which names are members: all but ``_sunder_`` and ``__dunder__`` names, private ``__names``,
``_ignore_``-listed names and descriptors (functions, ``property(...)``, lambdas, ...), so
``_Reserved = 0`` is a member. Values are the raw values as the body binds them; ``auto()``
asks the enum's ``_generate_next_value_`` with the values so far (the standard library's own
function on the constants read here, or a custom one on the safe interpreter). The member's
final value is computed afterwards by :func:`finish` (``int(*args)``, a custom ``__new__``).
"""
from __future__ import annotations

import ast
import enum as _enum
import sys
import warnings
from dataclasses import dataclass, field

from .enum_new import generated_value, new_value
from .interpreter import Interpreter, Unknown, Unsupported
from .module_scope import ENUM_MODULE, Def, EnumName, Scope, bound_names

_ALLOWED_SUNDER = {"_order_", "_generate_next_value_", "_numeric_repr_", "_missing_", "_ignore_",
                   "_iter_member_", "_iter_member_by_value_", "_iter_member_by_def_"}
_DESCRIPTOR_CALLS = {"property", "classmethod", "staticmethod", "cached_property", "DynamicClassAttribute"}
_BUILTIN_CALLS = {"int": int, "float": float}
UNKNOWN_VALUE = object()


@dataclass
class RawMember:
    """A member as the class body binds it: ``raw`` is the value before ``int(...)``/``__new__``."""

    name: str
    stmt: ast.stmt
    node: ast.expr | None
    raw: object = UNKNOWN_VALUE
    error: str | None = None


@dataclass
class Body:
    """The replayed class body: members in order, the namespace, and what shapes the values."""

    members: list[RawMember] = field(default_factory=list)
    member_names: set = field(default_factory=set)
    ns: dict = field(default_factory=dict)
    fatal: str | None = None             # Python refuses the class (or its values are unknowable)
    new_fn: ast.FunctionDef | None = None
    gnv_fn: ast.FunctionDef | None = None
    init_sets_value: bool = False


def is_dunder(k: str) -> bool:
    return len(k) > 4 and k[:2] == k[-2:] == "__" and k[2] != "_" and k[-3] != "_"


def is_sunder(k: str) -> bool:
    return len(k) > 2 and k[0] == k[-1] == "_" and k[1] != "_" and k[-2] != "_"


def mangle(cls_name: str, name: str) -> str:
    if name.startswith("__") and not name.endswith("__") and cls_name.lstrip("_"):
        return "_" + cls_name.lstrip("_") + name
    return name


def is_private(cls_name: str, key: str) -> bool:
    pattern = f"_{cls_name}__"
    return len(key) > len(pattern) and key.startswith(pattern) and not key.endswith("__")


class BodyInterp(Interpreter):
    """Class-body expressions: the class namespace (private names mangled), then the module, then ``int``."""

    def __init__(self, reader: "BodyReader"):
        super().__init__(reader.scope)
        self.reader = reader

    def lookup(self, node: ast.Name, env):
        key = mangle(self.reader.cls.name, node.id)
        if key in self.reader.body.ns:
            v = self.reader.body.ns[key]
            if isinstance(v, Unknown):      # the namespace holds what was bound: a value or Unknown
                raise Unsupported(node, f"`{node.id}` {v.why}")
            return v
        v = self.reader.scope.get(node.id)
        if isinstance(v, (Def, EnumName)) or v is ENUM_MODULE:
            raise Unsupported(node, f"`{node.id}` is not a constant")
        if node.id not in self.reader.scope and self.reader.scope.opaque:
            raise Unsupported(node, f"`{node.id}` {self.reader.scope.opaque}")
        return super().lookup(node, env)

    def call(self, node: ast.Call, env):
        f = node.func
        if isinstance(f, ast.Name) and f.id in _BUILTIN_CALLS and not self.reader.shadowed(f.id) \
                and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
            args = [self.ev(a, env) for a in node.args]
            try:
                return _BUILTIN_CALLS[f.id](*args)
            except Exception as e:
                raise Unsupported(node, f"Python raises {type(e).__name__}: {e}") from None
        raise Unsupported(node, f"`{_text(node)}` is not a constant expression")


def _text(node) -> str:
    try:
        s = ast.unparse(node)
    except (RecursionError, ValueError):
        return type(node).__name__
    return s if len(s) <= 80 else s[:77] + "..."


class BodyReader:
    """Walks the class body statement by statement, as ``_EnumDict.__setitem__`` sees it."""

    def __init__(self, cls: ast.ClassDef, scope: Scope, family: str):
        self.cls, self.scope, self.family = cls, scope, family
        self.body = Body()
        self.ignore: set[str] = set()
        self.last_values: list = []
        self.auto_called = False
        self.unknown_values = 0
        self.numeric_max = None     # the largest value so far while every value is a real int/float
        self.all_numeric = True
        self.interp = BodyInterp(self)

    def _track(self, v):
        if v is UNKNOWN_VALUE:
            self.unknown_values += 1
        elif self.all_numeric and type(v) in (int, float, bool) and v == v:
            self.numeric_max = v if self.numeric_max is None or v > self.numeric_max else self.numeric_max
        else:
            self.all_numeric = False

    def shadowed(self, name: str) -> bool:
        return name in self.body.ns or name in self.scope or bool(self.scope.opaque)

    # name classes ------------------------------------------------------------
    def _enum_attr(self, f: ast.expr) -> str | None:
        """``auto``/``member``/... when ``f`` names that attribute of the enum module."""
        if isinstance(f, ast.Name) and f.id not in self.body.ns:
            v = self.scope.get(f.id)
            if isinstance(v, EnumName):
                return v.attr
            if v is None and not self.scope.opaque and f.id in ("auto", "member", "nonmember", "property"):
                return f.id if f.id != "property" else None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id not in self.body.ns:
            v = self.scope.get(f.value.id)
            if v is ENUM_MODULE or (v is None and f.value.id == "enum" and not self.scope.opaque):
                return f.attr
        return None

    def _is_descriptor_node(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Lambda):
            return True
        if isinstance(node, ast.Call):
            f = node.func
            if self._enum_attr(f) == "property":
                return True
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            return name in _DESCRIPTOR_CALLS and (isinstance(f, ast.Attribute) or not self.shadowed(name))
        if isinstance(node, ast.Name):
            key = mangle(self.cls.name, node.id)
            if key in self.body.ns:
                return isinstance(self.body.ns[key], Unknown) and self.body.ns[key].why.startswith("is a method")
            v = self.scope.get(node.id)
            return isinstance(v, Def) and v.kind == "function"
        return False

    # the walk ----------------------------------------------------------------
    def read(self) -> Body:
        for st in self.cls.body:
            self.statement(st)
        return self.body

    def statement(self, st: ast.stmt):
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) or isinstance(st, ast.Pass):
            return
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.define(st)
        if isinstance(st, ast.ClassDef):
            why = "is a class nested in the enum"
            if sys.version_info >= (3, 13):
                self.body.ns[st.name] = Unknown(why)
            else:  # 3.11/3.12: a nested class becomes a member (with a DeprecationWarning)
                self.setitem(st.name, None, st, Unknown(why))
            return
        if isinstance(st, ast.Assign):
            return self.assign(st.targets, st.value, st)
        if isinstance(st, ast.AnnAssign):
            if st.value is not None:
                self.assign([st.target], st.value, st)
            return
        if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name):
            node = ast.copy_location(ast.BinOp(left=ast.Name(id=st.target.id, ctx=ast.Load()), op=st.op,
                                               right=st.value), st)
            return self.setitem(mangle(self.cls.name, st.target.id), node, st, self.evaluate(node))
        kind = type(st).__name__.lower()
        why = f"is bound in a `{kind}` statement at line {st.lineno} of the class body"
        for name in sorted(bound_names(st)):
            self.setitem(mangle(self.cls.name, name), None, st, Unknown(why))
        if not isinstance(st, (ast.Import, ast.ImportFrom)):
            self.body.fatal = f"the class body runs a `{kind}` statement at line {st.lineno}; " \
                              "its members cannot be read statically"

    def define(self, st: ast.FunctionDef):
        key = mangle(self.cls.name, st.name)
        if st.name == "__new__":
            self.body.new_fn = st
        elif st.name == "__init__":
            self.body.init_sets_value = any(isinstance(n, ast.Attribute) and n.attr == "_value_"
                                            or isinstance(n, ast.Constant) and n.value == "_value_"
                                            for n in ast.walk(st))
        decos = [self._enum_attr(d.func if isinstance(d, ast.Call) else d) for d in st.decorator_list]
        if "member" in decos:
            return self.setitem(key, None, st, Unknown("is a function made a member with @member"))
        if key == "_generate_next_value_":
            self.body.gnv_fn = st
        self.setitem(key, None, st, Unknown("is a method"), descriptor=True)

    def evaluate(self, node: ast.expr):
        try:
            return self.interp.ev(node, {})
        except Unsupported as e:
            return Unknown(str(e))
        except RecursionError:
            return Unknown("the expression is nested too deeply")

    def assign(self, targets: list[ast.expr], value: ast.expr, st: ast.stmt):
        kind = self._value_kind(value)
        if kind == "auto":       # one auto object: the first target generates, the others share it
            first = True
            shared = None
            for t in targets:
                if isinstance(t, ast.Name):
                    key = mangle(self.cls.name, t.id)
                    shared = self.setitem(key, value, st, shared, auto=first)
                    first = False
                else:
                    self._bind_other(t, st)
            return
        raw = self.evaluate(value) if kind == "value" else self.evaluate(value.args[0]) \
            if kind in ("member", "nonmember") and len(value.args) == 1 else Unknown("takes one value")
        for t in targets:
            if isinstance(t, ast.Name):
                key = mangle(self.cls.name, t.id)
                self.setitem(key, value, st, raw, descriptor=self._is_descriptor_node(value),
                             nonmember=kind == "nonmember")
            elif isinstance(t, (ast.Tuple, ast.List)) and isinstance(raw, tuple) and len(raw) == len(t.elts) \
                    and all(isinstance(e, ast.Name) for e in t.elts):
                for e, v in zip(t.elts, raw):
                    self.setitem(mangle(self.cls.name, e.id), value, st, v)
            else:
                self._bind_other(t, st)

    def _bind_other(self, t: ast.expr, st: ast.stmt):
        for name in sorted(bound_names(t)):
            self.setitem(mangle(self.cls.name, name), None, st, Unknown(f"is unpacked at line {st.lineno}"))
        if not isinstance(t, (ast.Name, ast.Tuple, ast.List)):
            self.body.fatal = f"line {st.lineno} assigns to `{_text(t)}` in the class body"

    def _value_kind(self, node: ast.expr) -> str:
        if isinstance(node, ast.Call):
            attr = self._enum_attr(node.func)
            if attr == "auto" and not node.keywords and len(node.args) <= 1:
                return "auto"
            if attr in ("member", "nonmember") and not node.keywords:
                return attr
        return "value"

    def setitem(self, key: str, node, st, raw, descriptor=False, nonmember=False, auto=False):
        """``_EnumDict.__setitem__``: returns the value bound."""
        b = self.body
        if is_private(self.cls.name, key) or is_dunder(key):
            b.ns[key] = raw
            return raw
        if is_sunder(key):
            if key not in _ALLOWED_SUNDER:
                b.fatal = f"`{key}` is a reserved _sunder_ name: Python refuses this enum (line {st.lineno})"
            elif key == "_generate_next_value_" and self.auto_called:
                b.fatal = "`_generate_next_value_` is defined after auto() was used: Python refuses this enum"
            elif key == "_ignore_":
                if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                    try:
                        raw = ast.literal_eval(node)
                    except (ValueError, SyntaxError, RecursionError):
                        pass
                names = raw.replace(",", " ").split() if isinstance(raw, str) else \
                    list(raw) if isinstance(raw, (tuple, list)) else None
                if names is None:
                    b.fatal = f"`_ignore_` at line {st.lineno} is not a constant list of names"
                elif set(names) & b.member_names:
                    b.fatal = "`_ignore_` lists names already set: Python refuses this enum"
                else:
                    self.ignore = set(names)
            b.ns[key] = raw
            return raw
        if key in b.member_names:
            b.fatal = f"`{key}` is assigned twice (line {st.lineno}): Python refuses this enum"
            return raw
        if key in self.ignore or nonmember or descriptor:
            b.ns[key] = raw
            return raw
        if key in b.ns:
            b.fatal = f"`{key}` (line {st.lineno}) is already defined as a non-member: Python refuses this enum"
            return raw
        if auto:
            raw = self.generate(key, node, st)
            self.auto_called = True
        member = RawMember(key, st, node, raw=raw if not isinstance(raw, Unknown) else UNKNOWN_VALUE,
                           error=raw.why if isinstance(raw, Unknown) else None)
        b.members.append(member)
        b.member_names.add(key)
        self.last_values.append(member.raw)
        self._track(member.raw)
        b.ns[key] = raw
        return raw

    def generate(self, key: str, node: ast.Call, st) -> object:
        """The value ``auto()`` gets for member ``key``."""
        if node.args:   # auto(value)
            return self.evaluate(node.args[0])
        if self.unknown_values:
            return Unknown("auto() follows a member whose value is unknown")
        count = len(self.body.members)
        if self.body.gnv_fn is None and self.all_numeric and self.numeric_max is not None \
                and self.family in ("enum", "flag") and type(self.numeric_max) is int:
            # what the standard library computes for numbers, without copying and sorting the values
            # every time: max + 1 (Enum), the next power of two above the max (Flag)
            return self.numeric_max + 1 if self.family == "enum" else 2 ** self.numeric_max.bit_length() \
                if self.numeric_max >= 0 else self._stdlib_next(key, count)
        return self._stdlib_next(key, count)

    def _stdlib_next(self, key: str, count: int):
        if self.body.gnv_fn is not None:   # noqa: SIM102
            try:
                return generated_value(self.body.gnv_fn, key, count, self.last_values, self.scope, self.shadowed)
            except Unsupported as e:
                return Unknown(f"auto() with a custom _generate_next_value_: {e}")
        gnv = {"flag": _enum.Flag, "str": getattr(_enum, "StrEnum", _enum.Enum)}.get(self.family, _enum.Enum)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return gnv._generate_next_value_(key, 1, count, list(self.last_values))
        except Exception as e:
            return Unknown(f"auto() fails in Python ({type(e).__name__}: {e})")


def read_body(cls: ast.ClassDef, scope: Scope, family: str) -> Body:
    """Replay the body of enum class ``cls``; ``family`` picks the default auto(): enum, flag or str."""
    return BodyReader(cls, scope, family).read()


def finish(body: Body, m: RawMember, member_type: str, scope: Scope, shadowed,
           super_new: str | None = None) -> tuple[object, str | None]:
    """(``_value_``, error) of one member as Python computes it (any type), or None and why not.

    ``super_new`` is what ``super().__new__`` reaches (the member type when None).
    """
    if body.fatal:
        return None, body.fatal
    if m.raw is UNKNOWN_VALUE:
        return None, m.error or "the value is unknown"
    args = m.raw if isinstance(m.raw, tuple) else (m.raw,)
    try:
        if body.new_fn is not None:
            v = new_value(body.new_fn, args, m.raw, member_type, scope, shadowed, super_new)
        elif member_type == "int":
            try:
                v = int(*args)
            except Exception as e:
                return None, f"int{_short_args(args)} fails in Python ({type(e).__name__}: {e})"
        elif member_type == "object":
            v = m.raw
        else:
            return None, f"the member type is {member_type}, not int"
    except Unsupported as e:
        return None, f"custom __new__: {e}"
    if body.init_sets_value:
        return None, "`__init__` sets `_value_`"
    return v, None


_REFUSED = ("Python raises ", "fails in Python (")


def refuses(error: str) -> bool:
    """Whether a member's error is an exception CPython itself raises making it (so the class fails)."""
    return any(p in error for p in _REFUSED)


def as_int(v) -> tuple[int | None, str | None]:
    """A member's ``_value_`` as the int the kernel gets, or None and why (a bool, float, str, ...)."""
    if isinstance(v, bool) or not isinstance(v, int):
        return None, f"the value is {_short_value(v)}, not an int"
    return v, None


def _short_args(args: tuple) -> str:
    s = _short_value(args)
    return s if s.startswith("(") else f"({s})"


def _short_value(v) -> str:
    from .interpreter import _short_value as sv
    return sv(v, 60)
