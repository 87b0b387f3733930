"""Read a Python enum class from its AST, never importing the file.

Values come out as ``enum`` computes them: ``X = (0,)`` is 0 for int-based enums, ``auto()``
counts on, a member that repeats an earlier value is an alias, and simple constant expressions
(``1 << 3``, ``A + 1``, module constants) are evaluated. A value that cannot be known
statically keeps ``value=None`` and an ``error``: a finding, never a crash.
"""
from __future__ import annotations

import ast
import functools
import operator
import re
from dataclasses import replace

from ..model import EnumSpec, EnumsyncError, Member
from .comments import py_member_comments
from .source import read_source

ENUM_BASES = {"Enum", "IntEnum", "IntFlag", "Flag", "StrEnum", "ReprEnum"}
_INT_KINDS = {"IntEnum", "IntFlag"}
_IGNORE = re.compile(r"enumsync:\s*ignore\[([A-Z0-9_,\s]+)\]")

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
           ast.BitAnd: operator.and_, ast.BitXor: operator.xor}
_UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


class _Unknown(Exception):
    pass


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


def _module_constants(tree: ast.Module) -> dict[str, object]:
    out: dict[str, object] = {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            try:
                out[n.targets[0].id] = _eval(n.value, out)
            except _Unknown:
                pass
    return out


def _eval(node: ast.expr, env: dict[str, object]):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bytes, bool, type(None))):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_eval(e, env) for e in node.elts)
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise _Unknown(f"`{node.id}` is not a constant defined in this file")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        a, b = _eval(node.left, env), _eval(node.right, env)
        try:
            return _BINOPS[type(node.op)](a, b)
        except Exception as e:
            raise _Unknown(f"{ast.unparse(node)} fails: {e}")
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
        return _UNOPS[type(node.op)](_eval(node.operand, env))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "int" \
            and len(node.args) == 1 and not node.keywords:
        return int(_eval(node.args[0], env))
    raise _Unknown(f"`{ast.unparse(node)}` is not a constant expression")


def _is_auto(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and not node.args and not node.keywords
            and ((isinstance(node.func, ast.Name) and node.func.id == "auto")
                 or (isinstance(node.func, ast.Attribute) and node.func.attr == "auto")))


def _member_nodes(cls: ast.ClassDef):
    """(name, value node, statement) for each candidate member in the class body."""
    ignore = set()
    for n in cls.body:
        if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_ignore_" for t in n.targets):
            try:
                v = ast.literal_eval(n.value)
                ignore |= set(v.split() if isinstance(v, str) else v)
            except ValueError:
                pass
    for n in cls.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            name, value = n.targets[0].id, n.value
        elif isinstance(n, ast.AnnAssign) and n.value is not None and isinstance(n.target, ast.Name):
            name, value = n.target.id, n.value
        else:
            continue
        if name.startswith("_") or name in ignore:
            continue
        if isinstance(value, (ast.Lambda,)) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                                 and value.func.id in ("property", "staticmethod", "classmethod",
                                                                       "nonmember")):
            continue
        yield name, value, n


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
    int_based = kind in _INT_KINDS or kind.startswith("int+")
    flag = "Flag" in kind
    custom_next = any(isinstance(n, ast.FunctionDef) and n.name == "_generate_next_value_" for n in cls.body)
    env = _module_constants(tree)
    lines = text.splitlines()
    nodes = list(_member_nodes(cls))
    comments = py_member_comments(lines, [s.lineno for _, _, s in nodes], cls.lineno)
    members: list[Member] = []
    raw: dict[str, object] = {}
    first_by_value: dict[object, str] = {}
    last = None
    for (mname, vnode, stmt), comment in zip(nodes, comments):
        expr = ast.get_source_segment(text, vnode) or ast.unparse(vnode)
        value, error = None, None
        try:
            if _is_auto(vnode):
                if custom_next:
                    raise _Unknown("auto() with a custom _generate_next_value_")
                if flag:
                    value = 1 if last is None else 1 << int(last).bit_length()
                else:
                    value = 1 if last is None else int(last) + 1
            else:
                v = _eval(vnode, {**env, **raw})
                if isinstance(v, tuple) and int_based:
                    v = int(*v) if v else 0
                if isinstance(v, bool) or not isinstance(v, int):
                    if not int_based:
                        raise _Unknown(f"the value is {v!r}, not an int")
                    v = int(v)
                value = v
        except (_Unknown, TypeError, ValueError) as e:
            error = str(e).strip("`") if not isinstance(e, _Unknown) else e.args[0]
        ign = tuple(sorted({r.strip() for m in _IGNORE.finditer(comment) for r in m.group(1).split(",") if r.strip()}))
        clean = _IGNORE.sub("", comment).strip(" -;")
        alias = first_by_value.get(value) if value is not None else None
        if value is not None:
            last = value
            first_by_value.setdefault(value, mname)
            raw[mname] = value
        members.append(Member(name=mname, value=value, line=stmt.lineno, comment=clean, expr=expr,
                              alias_of=alias, end_line=stmt.end_lineno, ignore=ign, error=error))
    from ..meaning import parse_meaning
    members = [replace(m, meaning=parse_meaning(m.comment)) if m.comment else m for m in members]
    return EnumSpec(language="python", path=path, name=cls.name, qualname=cls.name, members=tuple(members),
                    line=cls.lineno, end_line=cls.end_lineno or cls.lineno,
                    underlying=", ".join(ast.unparse(b) for b in cls.bases), kind=kind)


def parse_module(path) -> tuple[str, str, ast.Module]:
    """(absolute path, text, AST) of a Python file; a syntax error is one clear line."""
    p, text = read_source(path)
    try:
        tree = ast.parse(text, filename=p)
    except SyntaxError as e:
        raise EnumsyncError(f"{p}:{e.lineno}: Python syntax error: {e.msg}; fix the file first") from e
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
