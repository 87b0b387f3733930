"""A custom ``__new__`` or ``_generate_next_value_`` run on the safe interpreter (no exec).

A body of plain arithmetic on its arguments is computed exactly, as flashinfer's
``DtypeTrtllmGen.__new__`` packs five fields with shifts and ors::

    value = (block_format_bit << 24) | (signed_bit << 20) | ... | uid
    obj = int.__new__(cls, value)
    obj._value_ = value
    return obj

Anything else (loops, calls other than ``int``/``len``/``min``/``max``/``abs``, other objects'
attributes) is :class:`~.interpreter.Unsupported` with the reason, and the member is ES000.
"""
from __future__ import annotations

import ast

from .interpreter import Interpreter, Unsupported, check_size

NO_VALUE = object()
_CLS = object()
_NEW_TYPES = {"int": "int", "object": "object", "str": "str", "float": "float"}
_MAKE = {"int": int, "float": float, "str": str, "object": lambda *a: _object_new(*a)}
_BUILTINS = {"int": int, "len": len, "min": min, "max": max, "abs": abs}


def _object_new(*args):
    if args:    # the enum class defines __new__, so object.__new__ takes no more arguments
        raise TypeError("object.__new__() takes exactly one argument (the type to instantiate)")


class _Obj:
    """The object ``__new__`` builds: what it was made from, and the attributes set on it."""

    def __init__(self, made_by: str, args: tuple):
        self.made_by, self.args, self.attrs = made_by, args, {}


class FunctionInterp(Interpreter):
    """Runs one function of the enum class: builtins that are not shadowed, ``T.__new__(cls, ...)``."""

    def __init__(self, fn: ast.FunctionDef, names, shadowed, member_type: str, super_new: str | None = None):
        super().__init__(names)
        self.fn, self.shadowed, self.member_type = fn, shadowed, member_type
        self.super_new = super_new or member_type

    def _builtin(self, node, env) -> str | None:
        if isinstance(node, ast.Name) and node.id not in env and not self.shadowed(node.id):
            return node.id
        return None

    def call(self, node: ast.Call, env):
        f = node.func
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise Unsupported(node, "a call with keywords or *args")
        new_of = None
        if isinstance(f, ast.Attribute) and f.attr == "__new__":
            base = self._builtin(f.value, env)
            if base in _NEW_TYPES:
                new_of = base
            elif isinstance(f.value, ast.Call) and self._builtin(f.value.func, env) == "super" and not f.value.args:
                new_of = self.super_new
        if new_of is not None:
            args = [self.ev(a, env) for a in node.args]
            if not args or args[0] is not _CLS:
                raise Unsupported(node, "`__new__` not called with `cls`")
            if new_of != self.member_type:     # object.__new__ on an int enum, int.__new__ on a plain one, ...
                raise Unsupported(node, f"Python raises TypeError: `{ast.unparse(f)}` is `{new_of}.__new__` here, "
                                        f"which cannot make a member of an enum of {self.member_type}")
            self._py(node, _MAKE[new_of], *args[1:])     # what Python raises making it, it raises here
            return _Obj(new_of, tuple(args[1:]))
        name = self._builtin(f, env)
        if name in _BUILTINS:
            return check_size(self._py(node, _BUILTINS[name], *[self.ev(a, env) for a in node.args]), node)
        raise Unsupported(node, f"a call of `{ast.unparse(f)[:40]}`")

    @staticmethod
    def _py(node, fn, *args):
        if any(isinstance(a, (_Obj,)) or a is _CLS for a in args):
            raise Unsupported(node, "an enum object passed to a builtin")
        try:
            return fn(*args)
        except Exception as e:
            raise Unsupported(node, f"Python raises {type(e).__name__}: {e}") from None

    def special(self, node, env):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and isinstance(env.get(node.value.id), _Obj):
            obj = env[node.value.id]
            if node.attr in obj.attrs:
                return obj.attrs[node.attr]
            raise Unsupported(node, f"`{node.value.id}.{node.attr}` is read before it is set")
        return NotImplemented

    def assign_attr(self, target: ast.Attribute, value, env):
        if isinstance(target.value, ast.Name) and isinstance(env.get(target.value.id), _Obj):
            env[target.value.id].attrs[target.attr] = value
            return
        raise Unsupported(target, "assignment to an attribute of something other than the new member")

    def bind(self, args: tuple, first=None) -> dict:
        """The local names of a call with positional ``args`` (Python's TypeError is Unsupported)."""
        a = self.fn.args
        params = [p.arg for p in (*a.posonlyargs, *a.args)]
        values = ([first] if first is not None else []) + list(args)
        env: dict = {}
        defaults = [self.ev(d, {}) for d in a.defaults]
        first_default = len(params) - len(defaults)
        for i, p in enumerate(params):
            if i < len(values):
                env[p] = values[i]
            elif i >= first_default:
                env[p] = defaults[i - first_default]
            else:
                raise Unsupported(self.fn, f"Python raises TypeError: {self.fn.name}() is missing `{p}`")
        extra = tuple(values[len(params):])
        if a.vararg:
            env[a.vararg.arg] = extra
        elif extra:
            raise Unsupported(self.fn, f"Python raises TypeError: {self.fn.name}() takes {len(params)} "
                                       f"arguments, {len(values)} given")
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if d is None:
                raise Unsupported(self.fn, f"Python raises TypeError: {self.fn.name}() needs keyword `{p.arg}`")
            env[p.arg] = self.ev(d, {})
        if a.kwarg:
            raise Unsupported(self.fn, "a `**kwargs` parameter")
        return env


def _plain(fn: ast.FunctionDef, allowed: set[str]) -> None:
    extra = [ast.unparse(d) for d in fn.decorator_list if ast.unparse(d) not in allowed]
    if extra or isinstance(fn, ast.AsyncFunctionDef):
        raise Unsupported(fn, f"`{fn.name}` is decorated with `{extra[0] if extra else 'async'}`")


def new_value(fn: ast.FunctionDef, args: tuple, raw, member_type: str, names, shadowed, super_new=None):
    """The ``_value_`` a custom ``__new__`` gives the member made from ``args``."""
    _plain(fn, set())
    interp = FunctionInterp(fn, names, shadowed, member_type, super_new)
    env = interp.bind(args, first=_CLS)
    r = interp.block(fn.body, env)
    obj = r[0] if r is not None else None
    if not isinstance(obj, _Obj):
        raise Unsupported(fn, "`__new__` does not return the object it made")
    if "_value_" in obj.attrs:
        return obj.attrs["_value_"]
    if member_type == "object":
        return raw
    if member_type == "int":
        return FunctionInterp._py(fn, int, *args)
    raise Unsupported(fn, f"`_value_` is not set and the member type is {member_type}")


def generated_value(fn: ast.FunctionDef, name: str, count: int, last_values: list, names, shadowed):
    """What a custom ``_generate_next_value_(name, start, count, last_values)`` returns."""
    _plain(fn, {"staticmethod"})
    interp = FunctionInterp(fn, names, shadowed, "object")
    env = interp.bind((name, 1, count, list(last_values)))
    r = interp.block(fn.body, env)
    if r is None:
        return None
    return r[0]
