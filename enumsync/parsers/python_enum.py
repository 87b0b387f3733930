"""Read a Python enum class from its AST, never importing the file.

Values come out as ``enum`` computes them (CPython 3.11 rules, see :mod:`.enum_body`):
``X = (0,)`` is 0 for int-based enums, ``auto()`` asks the enum's own ``_generate_next_value_``,
a member that repeats an earlier value is an alias, ``_Reserved = 0`` is a member, module
constants are read as bound when the class runs, and a custom ``__new__`` made of plain
arithmetic is run on the safe interpreter. A value that cannot be known statically keeps
``value=None`` and an ``error`` (finding ES000), never a guess and never a crash.
"""
from __future__ import annotations

import ast
import functools
import re

from ..model import EnumSpec, EnumsyncError, Member
from .comments import py_member_comments
from .enum_body import as_int, finish, read_body
from .module_scope import ENUM_MODULE, Def, EnumName, Scope, scope_for
from .source import LineIndex, parse_python, read_source

ENUM_BASES = {"Enum", "IntEnum", "IntFlag", "Flag", "StrEnum", "ReprEnum"}
_INT_KINDS = {"IntEnum", "IntFlag"}
_IGNORE = re.compile(r"enumsync:\s*ignore\[([A-Z0-9_,\s]+)\]")
_DATA_TYPES = {"int", "str", "float", "bytes", "complex", "tuple", "bool", "object"}
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
        elif isinstance(n, (ast.If, ast.Try)):
            stack[:0] = [*n.body, *getattr(n, "orelse", []), *getattr(n, "finalbody", []),
                         *[s for h in getattr(n, "handlers", []) for s in h.body]]


def _resolve_base(b: ast.expr, scope: Scope, depth: int = 0) -> tuple[list[str], str | None]:
    """(enum or data-type names this base brings, reason when its effect on values is unknown)."""
    if isinstance(b, ast.Name):
        v = scope.get(b.id)
        if isinstance(v, EnumName):
            return [v.attr], None
        if v is None and not scope.opaque and (b.id in ENUM_BASES or b.id in _DATA_TYPES):
            return [b.id], None
        if isinstance(v, Def) and v.kind == "class" and depth < 5:
            return _local_base(v.node, scope, depth)
        why = v.why if hasattr(v, "why") else "is not a class enumsync can follow"
        return [], f"base `{b.id}` {why}"
    if isinstance(b, ast.Attribute) and isinstance(b.value, ast.Name):
        v = scope.get(b.value.id)
        if v is ENUM_MODULE or (v is None and b.value.id == "enum" and not scope.opaque):
            return [b.attr], None
    return [], f"base `{ast.unparse(b)[:60]}` is not one enumsync can follow"


def _local_base(cls: ast.ClassDef, scope: Scope, depth: int) -> tuple[list[str], str | None]:
    """A class of this file used as a base: its own bases, unless it changes how values are made."""
    for st in cls.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                st.name in ("__new__", "_generate_next_value_", "__init__", "__init_subclass__"):
            return [], f"base `{cls.name}` (line {cls.lineno}) defines `{st.name}`"
        if isinstance(st, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and not isinstance(st, ast.AnnAssign) \
                or isinstance(st, ast.AnnAssign) and st.value is not None:
            return [], f"base `{cls.name}` (line {cls.lineno}) has class attributes"
    if cls.keywords or cls.decorator_list:
        return [], f"base `{cls.name}` (line {cls.lineno}) has a metaclass or decorator"
    out: list[str] = []
    for b in cls.bases:
        names, why = _resolve_base(b, scope, depth + 1)
        if why:
            return [], why
        out += names
    return out, None


def _class_info(cls: ast.ClassDef, scope: Scope) -> tuple[str, str, str | None]:
    """(family: enum|flag|str, member type: int|object|str|..., reason every value is unknown)."""
    names: list[str] = []
    for b in cls.bases:
        got, why = _resolve_base(b, scope)
        if why:
            return "enum", "object", why
        names += got
    enums = [n for n in names if n in ENUM_BASES]
    family = "flag" if any("Flag" in n for n in enums[-1:]) else "str" if enums[-1:] == ["StrEnum"] else "enum"
    data = [n for n in names if n in _DATA_TYPES and n != "object"]
    member_type = data[0] if data else "int" if any(n in _INT_KINDS for n in enums) else \
        "str" if "StrEnum" in enums else "object"
    for k in cls.keywords:
        if k.arg != "boundary":
            return family, member_type, f"class keyword `{k.arg}=` may change how members are made"
    for d in cls.decorator_list:
        dn = _base_name(d.func if isinstance(d, ast.Call) else d)
        if dn not in _KNOWN_DECORATORS:
            return family, member_type, f"decorator `@{dn}` may replace the class"
    return family, member_type, None


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
    kind = enum_kind(cls)
    if kind is None:
        raise EnumsyncError(f"{path}:{cls.lineno}: class {name} is not an Enum subclass "
                            f"(bases: {', '.join(ast.unparse(b) for b in cls.bases) or 'none'})")
    scope = scope_for(tree, cls, text)
    family, member_type, why = _class_info(cls, scope)
    body = read_body(cls, scope, family)
    if why and not body.fatal:
        body.fatal = why
    from ..meaning import parse_meaning
    index = LineIndex(text)
    comments = py_member_comments(index.lines, [m.stmt.lineno for m in body.members], cls.lineno)
    shadowed = lambda n: n in scope or bool(scope.opaque)  # noqa: E731 (names a __new__ body sees)
    members: list[Member] = []
    canonical: dict = {}     # _value_ -> (first member's name, its _value_): enum's alias rule
    for raw, comment in zip(body.members, comments):
        value, error = finish(body, raw, member_type, scope, shadowed)
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
                    underlying=", ".join(ast.unparse(b) for b in cls.bases), kind=kind)


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
