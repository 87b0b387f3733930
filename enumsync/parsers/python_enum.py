"""Read a Python enum class from its AST, never importing the file.

Values come out as ``enum`` computes them (CPython 3.11 rules, see :mod:`.enum_body`):
``X = (0,)`` is 0 for int-based enums, ``auto()`` asks the enum's own ``_generate_next_value_``,
a member that repeats an earlier value is an alias, ``_Reserved = 0`` is a member, module
constants are read as bound when the class runs, and a custom ``__new__`` made of plain
arithmetic is run on the safe interpreter. Bases are followed as bound in the module, and what they
decide (member type, ``auto()``, CPython refusing them) is read off a real class built from them
(:mod:`.enum_class`); a class CPython refuses has no values. A value that cannot be known statically keeps
``value=None`` and an ``error`` (finding ES000), never a guess and never a crash.
"""
from __future__ import annotations

import ast
import functools
import re

from ..model import EnumSpec, EnumsyncError, Member
from .comments import py_member_comments
from . import enum_class
from .enum_body import as_int, finish, read_body, refuses
from .module_scope import ENUM_MODULE, TRY_NODES, Def, EnumName, Scope, scope_for
from .source import LineIndex, parse_python, read_source

ENUM_BASES = {"Enum", "IntEnum", "IntFlag", "Flag", "StrEnum", "ReprEnum"}
_IGNORE = re.compile(r"enumsync:\s*ignore\[([A-Z0-9_,\s]+)\]")
_KNOWN_DECORATORS = {"unique", "verify", "global_enum", "_simple_enum", "dataclass"}


def _base_name(b: ast.expr) -> str:
    if isinstance(b, ast.Name):
        return b.id
    if isinstance(b, ast.Attribute):
        return b.attr
    if isinstance(b, ast.Subscript):
        return _base_name(b.value)
    return ast.unparse(b)


def enum_kind(cls: ast.ClassDef) -> str | None:
    """``IntEnum``/``Enum``/... or ``int+Enum`` for ``class X(int, Enum)``; None if not an enum."""
    names = [_base_name(b) for b in cls.bases]
    enums = [n for n in names if n in ENUM_BASES]
    if not enums:
        return None
    if "int" in names and enums[0] in ("Enum", "Flag"):
        return "int+" + enums[0]
    return enums[0]


def _classes(tree: ast.Module):
    stack = list(tree.body)
    while stack:
        n = stack.pop(0)
        if isinstance(n, ast.ClassDef):
            yield n
            stack[:0] = n.body
        elif isinstance(n, (ast.If, *TRY_NODES)):
            stack[:0] = [*n.body, *getattr(n, "orelse", []), *getattr(n, "finalbody", []),
                         *[s for h in getattr(n, "handlers", []) for s in h.body]]


def _resolve_base(b: ast.expr, scope: Scope, depth: int = 0) -> tuple[type | None, str | None]:
    """(the class this base names, or a stand-in for a class of this file; why values are unknown).

    The class is None when it cannot be known; a reason with a class means the class is known
    but may change how values are made (a class of this file with a ``__new__``, ...).
    """
    if isinstance(b, ast.Name):
        v = scope.get(b.id)
        if isinstance(v, EnumName):
            got = enum_class.stdlib_enum(v.attr)
            return got, None if got else f"base `{b.id}` is `enum.{v.attr}`, not a class"
        if v is None and not scope.opaque and b.id in ENUM_BASES:   # a snippet without its import
            return enum_class.stdlib_enum(b.id), None
        if v is None and not scope.opaque and enum_class.builtin_type(b.id):
            return enum_class.builtin_type(b.id), None
        if isinstance(v, Def) and v.kind == "class" and depth < 5:    # its bases as bound where it is
            return _local_base(v.node, v.scope if v.scope is not None else scope, depth)
        why = v.why if hasattr(v, "why") else "is not a class enumsync can follow"
        return None, f"base `{b.id}` {why}"
    if isinstance(b, ast.Attribute) and isinstance(b.value, ast.Name):
        v = scope.get(b.value.id)
        if (v is ENUM_MODULE or (v is None and b.value.id == "enum" and not scope.opaque)) \
                and enum_class.stdlib_enum(b.attr):
            return enum_class.stdlib_enum(b.attr), None
    return None, f"base `{ast.unparse(b)[:60]}` is not one enumsync can follow"


def _local_base(cls: ast.ClassDef, scope: Scope, depth: int) -> tuple[type | None, str | None]:
    """A class of this file used as a base: a stand-in with its bases, and why values are unknown
    when it changes how they are made."""
    bases = []
    why = None
    for b in cls.bases:
        got, reason = _resolve_base(b, scope, depth + 1)
        if got is None:
            return None, reason
        why = why or reason
        bases.append(got)
    made, error = enum_class.build(cls.name, tuple(bases))
    if made is None:    # an enum base of its own still makes the class an enum, with no values
        return next((x for x in bases if enum_class.is_enum(x)), None), \
            f"base `{cls.name}` (line {cls.lineno}): CPython refuses it ({error})"
    if enum_class.is_enum(made) and member_nodes(cls):
        return made, f"base `{cls.name}` (line {cls.lineno}) has members: CPython refuses to extend it"
    return made, why or _changes_values(cls)


def _changes_values(cls: ast.ClassDef) -> str | None:
    """Why a base class of this file may change members' values (its body or decoration), or None."""
    for st in cls.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                st.name in ("__new__", "_generate_next_value_", "__init__", "__init_subclass__"):
            return f"base `{cls.name}` (line {cls.lineno}) defines `{st.name}`"
        if isinstance(st, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and not isinstance(st, ast.AnnAssign) \
                or isinstance(st, ast.AnnAssign) and st.value is not None:
            return f"base `{cls.name}` (line {cls.lineno}) has class attributes"
    if cls.keywords or cls.decorator_list:
        return f"base `{cls.name}` (line {cls.lineno}) has a metaclass or decorator"
    return None


class ClassInfo:
    """What the bases decide: ``kind`` (None: not an enum), ``family`` of ``auto()``, member type,
    what ``super().__new__`` reaches, ``why`` every value is unknown (or None), and whether it is a Flag."""

    def __init__(self, kind, family="enum", member_type="object", super_new="object", why=None, flag=False):
        self.kind, self.family, self.member_type, self.super_new, self.why, self.flag = \
            kind, family, member_type, super_new, why, flag


def class_info(cls: ast.ClassDef, scope: Scope) -> ClassInfo:
    """The enum facts of ``cls`` from its bases as bound in ``scope`` (aliases and local bases followed)."""
    bases, why = [], None
    for b in cls.bases:
        got, reason = _resolve_base(b, scope)
        why = why or reason
        bases.append(got)
    if any(x is None for x in bases):   # the class itself is unknown: is it an enum at all?
        return ClassInfo(next((enum_class.kind_name(x) for x in bases if enum_class.is_enum(x)), None)
                         or enum_kind(cls), why=why)
    enums = [x for x in bases if enum_class.is_enum(x)]
    if not enums:
        return ClassInfo(None)
    kind = enum_class.kind_name(enums[0])
    kind = "int+" + kind if int in bases and kind in ("Enum", "Flag") else kind
    made, error = enum_class.build(cls.name, tuple(bases))
    if made is None:
        return ClassInfo(kind, why=f"CPython refuses the class ({error})")
    info = ClassInfo(kind, enum_class.family(made), enum_class.member_type(made), enum_class.super_new(made), why,
                     enum_class.is_flag(made))
    for k in cls.keywords:
        if k.arg != "boundary":
            info.why = info.why or f"class keyword `{k.arg}=` may change how members are made"
    for d in cls.decorator_list:
        dn = _base_name(d.func if isinstance(d, ast.Call) else d)
        if dn not in _KNOWN_DECORATORS:
            info.why = info.why or f"decorator `@{dn}` may replace the class"
    return info


def member_nodes(cls: ast.ClassDef):
    """(name, value node, statement) of each member of ``cls``, by the rules of :mod:`.enum_body`.

    A cheap read for indexing (no module constants, no values); the node is None for a member
    that has no value expression (a nested class).
    """
    body = read_body(cls, Scope(), "enum")
    return [(m.name, m.node, m.stmt) for m in body.members]


_member_nodes = member_nodes  # the name scan/pyindex.py imports


def list_enum_classes(tree: ast.Module) -> list[str]:
    return [c.name for c in _classes(tree) if enum_kind(c)]


def _refusal(members, made, flag: bool) -> str | None:
    """Why CPython fails making these members (then no member has a value), or None."""
    for raw, (value, error) in zip(members, made):
        if error and refuses(error):
            return f"CPython refuses the class: member `{raw.name}`: {error}"
        if error is None and flag and not isinstance(value, int):   # Flag ORs every value in
            return (f"CPython refuses the class: member `{raw.name}`: Python raises TypeError: "
                    f"a Flag value must be an int, not {type(value).__name__}")
    return None


def parse_tree(tree: ast.Module, text: str, path: str, name: str) -> EnumSpec:
    """The enum class ``name`` from an already parsed module."""
    hits = [c for c in _classes(tree) if c.name == name]
    if not hits:
        have = ", ".join(list_enum_classes(tree)) or "none"
        raise EnumsyncError(f"{path}: no class {name} (enum classes here: {have}); pass --python-enum")
    enums = [c for c in hits if enum_kind(c)]
    if len(enums) > 1:
        lines = ", ".join(str(c.lineno) for c in enums)
        raise EnumsyncError(f"{path}: class {name} is defined {len(enums)} times (lines {lines}); "
                            "keep one definition")
    cls = (enums or hits)[0]
    scope = scope_for(tree, cls, text)
    info = class_info(cls, scope) if cls.bases else ClassInfo(None)
    if info.kind is None:
        bases = ", ".join(ast.unparse(b) for b in cls.bases) or "none"
        if info.why:
            raise EnumsyncError(f"{path}:{cls.lineno}: cannot tell whether class {name} is an Enum: {info.why} "
                                f"(bases: {bases}); pass a class that derives from enum.Enum in this file")
        raise EnumsyncError(f"{path}:{cls.lineno}: class {name} is not an Enum subclass (bases: {bases})")
    body = read_body(cls, scope, info.family)
    if info.why and not body.fatal:
        body.fatal = info.why
    from ..meaning import parse_meaning
    index = LineIndex(text)
    comments = py_member_comments(index.lines, [m.stmt.lineno for m in body.members], cls.lineno)
    shadowed = lambda n: n in scope or bool(scope.opaque)  # noqa: E731 (names a __new__ body sees)
    made = [finish(body, raw, info.member_type, scope, shadowed, info.super_new) for raw in body.members]
    refused = _refusal(body.members, made, info.flag)
    members: list[Member] = []
    canonical: dict = {}     # _value_ -> (first member's name, its _value_): enum's alias rule
    for raw, comment, (value, error) in zip(body.members, comments, made):
        if refused:
            value, error = None, refused
        alias = None
        if error is None:
            try:
                alias, value = canonical.setdefault(value, (raw.name, value))  # an alias has the first's value
            except TypeError:   # unhashable: enum compares with == instead; enumsync does not guess
                value, error = None, "an unhashable value"
            alias = alias if alias != raw.name else None
            value, error = as_int(value) if error is None else (value, error)
        expr = (index.segment(raw.node) if raw.node is not None else None) or ""
        ign = tuple(sorted({r.strip() for m in _IGNORE.finditer(comment) for r in m.group(1).split(",") if r.strip()}))
        clean = _IGNORE.sub("", comment).strip(" -;")
        members.append(Member(name=raw.name, value=value, line=raw.stmt.lineno, comment=clean, expr=expr,
                              alias_of=alias, end_line=raw.stmt.end_lineno, ignore=ign, error=error,
                              meaning=parse_meaning(clean) if clean else None))
    return EnumSpec(language="python", path=path, name=cls.name, qualname=cls.name, members=tuple(members),
                    line=cls.lineno, end_line=cls.end_lineno or cls.lineno,
                    underlying=", ".join(ast.unparse(b) for b in cls.bases), kind=info.kind)


def parse_module(path) -> tuple[str, str, ast.Module]:
    """(absolute path, text, AST) of a Python file; a syntax error is one clear line."""
    p, text = read_source(path, python=True)
    try:
        tree = parse_python(text, p)
    except SyntaxError as e:
        where = f"{p}:{e.lineno}" if e.lineno else p
        raise EnumsyncError(f"{where}: Python syntax error: {e.msg}; fix the file first") from None
    except ValueError as e:
        raise EnumsyncError(f"{p}: Python cannot parse it ({e}); fix the file first") from None
    return p, text, tree


def parse_python_enum(path, name: str = "RoutingMethodType") -> EnumSpec:
    """The enum class ``name`` from a Python file (parsed once per file version and name)."""
    from pathlib import Path
    try:
        st = Path(path).stat()
        key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size, name)
    except OSError:
        key = None  # read_source reports the problem
    if key is None:
        p, text, tree = parse_module(path)
        return parse_tree(tree, text, p, name)
    return _parse_cached(key, path)


@functools.lru_cache(maxsize=64)
def _parse_cached(key: tuple, path) -> EnumSpec:
    p, text, tree = parse_module(path)
    return parse_tree(tree, text, p, key[3])
