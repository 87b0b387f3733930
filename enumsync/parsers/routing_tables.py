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

This module reads files and is the public entry point; the pieces: :mod:`.expressions`
(small AST reads), :mod:`.conditions` (row conditions), :mod:`.table_walk` (the path walk)
and :mod:`.table_grid` (the grid interpreter).
"""
from __future__ import annotations

import ast
import gc
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

from ..model import EnumsyncError, RoutingRow
# atoms, GRID_LIMIT and KWARG are not used here: re-exported, as they were public here before the split
from .conditions import Atom, atoms, contradicts, simplify  # noqa: F401
from .expressions import ENUM, Expr, callee_name, env_key, expr_text, literal, member_of
from .source import parse_python
from .table_grid import GRID_LIMIT, Unsupported, grid_candidate, grid_params, grid_rows  # noqa: F401
from .table_walk import KWARG, SETTING_KEYS, Alt, Scope, Site, Walker  # noqa: F401

COULD_NOT = "could not extract"


def _scopes(tree: ast.Module) -> list[tuple[str, ast.AST, list[ast.stmt]]]:
    """Every module, class and function body with its owner name, in source (pre-)order."""
    out: list[tuple[str, ast.AST, list[ast.stmt]]] = [("<module>", tree, tree.body)]
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, defs):
                name = f"{prefix}{child.name}"
                out.append((name, child, child.body))
                visit(child, name + ".")
            elif isinstance(child, ast.stmt) or isinstance(child, (ast.excepthandler, ast.match_case)):
                visit(child, prefix)   # expressions hold no definitions: not entered
    visit(tree, "")
    return out


def _setting_value(alts: list[Alt], node: ast.AST, row_atoms: list[Atom]):
    ok = [a for a in alts if not any(contradicts(g, r) for g in a.guards for r in row_atoms)]
    vals = []
    for a in ok:
        lit, v = literal(a.leaf)
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
    e = Expr(expr_text(node))
    if isinstance(node, ast.Call) and callee_name(node) == "getattr" and len(node.args) == 3:
        lit, v = literal(node.args[2])
        if lit:
            e.default, e.has_default = v, True
    return e


def _settings_for(scope: Scope, site: Site, row_atoms: list[Atom]) -> tuple[tuple[str, Any], ...]:
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
    """The rows of one parsed file. Only the parts of the tree whose lines name ``enum`` are
    walked (``mentions``): a scope or statement that never names the enum chooses no member."""

    def __init__(self, path: str, tree: ast.Module, enum: str = ENUM, text: str | None = None):
        self.path, self.tree, self.enum = path, tree, enum
        lines = None if text is None else text.split("\n")
        self.enum_lines = None if lines is None else [i for i, x in enumerate(lines, 1) if enum in x]
        self.return_lines = None if lines is None else [i for i, x in enumerate(lines, 1) if "return" in x]
        self.covered: set[int] = set()     # roots of subtrees already in some row

    def mentions(self, node: ast.AST, lines: list[int] | None = None) -> bool:
        """Whether a line of ``node`` names the enum (or is in ``lines``); True without the text."""
        lines = self.enum_lines if lines is None else lines
        if lines is None or not hasattr(node, "lineno"):
            return True
        i = bisect_left(lines, node.lineno)
        return i < len(lines) and lines[i] <= (node.end_lineno or node.lineno)

    def run(self) -> list[RoutingRow]:
        rows: list[RoutingRow] = []
        self.grid_functions: dict[str, ast.FunctionDef] = {}
        for owner, node, body in _scopes(self.tree):
            if not self.mentions(node):
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    self.mentions(node, self.return_lines) and grid_candidate(node, self.enum):
                try:
                    got = grid_rows(node, self.path, owner, self.enum)
                    rows.extend(got)
                    if owner == node.name:  # a module-level function: its callers are tables too
                        self.grid_functions[node.name] = node
                    self.covered.add(id(node))
                    continue
                except Unsupported:
                    pass  # fall back to the path walk, which keeps the conditions symbolic
            scope = Scope(owner, node)
            w = Walker(scope, self.enum)
            w.walk(body, (), {})
            for i, site in scope.pending:
                if i not in scope.consumed:
                    scope.sites.append(site)
            for site in scope.sites:
                rows.extend(self.site_rows(scope, site))
        return rows

    def site_rows(self, scope: Scope, site: Site) -> list[RoutingRow]:
        out = []
        for alt in site.alts:
            member = member_of(alt.leaf, self.enum)
            lit, v = literal(alt.leaf)
            row_atoms = simplify(site.path + alt.guards)
            self.covered.add(id(alt.leaf))
            if row_atoms is None:
                continue  # unreachable: no row, and no "could not extract" for its member either
            note = list(alt.notes)
            if member is None:
                if lit and v is None:
                    note.insert(0, "no member (None)")
                elif isinstance(alt.leaf, (ast.Name, ast.Attribute, ast.Subscript)) or \
                        isinstance(alt.leaf, ast.Call) and callee_name(alt.leaf) == "getattr":
                    note.insert(0, f"pass-through: `{expr_text(alt.leaf)}` (chosen elsewhere)")
                else:
                    note.insert(0, f"{COULD_NOT}: the value `{expr_text(alt.leaf)}` is not a {self.enum} member")
            if member == "Unspecified":
                note.insert(0, "sentinel")
            line = getattr(alt.leaf, "lineno", None) or site.node.lineno
            out.append(RoutingRow(path=self.path, line=line, owner=scope.owner, member=member,
                                  conditions=tuple(a.structured() for a in row_atoms),
                                  condition_text=" and ".join(a.text() for a in row_atoms) or "always",
                                  settings=_settings_for(scope, site, row_atoms), note="; ".join(note)))
        return out

    def uncovered(self) -> tuple[list[ast.AST], list[ast.AST]]:
        """Member references not in any row: (compared or listed, other). One walk of the tree,
        skipping covered subtrees and statements whose lines never name the enum."""
        compared, other = [], []
        covered, enum, mentions = self.covered, self.enum, self.mentions
        AST, stmt, lists = ast.AST, ast.stmt, (ast.Compare, ast.Tuple, ast.List, ast.Set)
        stack: list[tuple[ast.AST, bool]] = [(self.tree, False)]
        while stack:
            node, listed = stack.pop()
            if id(node) in covered or not mentions(node):
                continue
            if isinstance(node, stmt):
                listed = False
            elif isinstance(node, ast.Attribute) and member_of(node, enum):
                (compared if listed else other).append(node)
            if isinstance(node, lists):
                listed = True
            for name in node._fields:      # ast.iter_child_nodes, inlined: this loop is the hot one
                v = getattr(node, name, None)
                if isinstance(v, AST):
                    stack.append((v, listed))
                elif isinstance(v, list):
                    stack.extend((x, listed) for x in v if isinstance(x, AST))
        key = lambda n: (n.lineno, n.col_offset, -(n.end_col_offset or 0))  # noqa: E731
        return sorted(compared, key=key), sorted(other, key=key)


def extract_source(text: str, path: str, enum: str = ENUM, grid_functions: dict | None = None) -> list[RoutingRow]:
    """The routing rows of one file's source. Files that never name ``enum`` give no rows.

    ``grid_functions`` (name -> FunctionDef), if given, collects the file's table functions."""
    if enum not in text:
        return []
    try:
        tree = parse_python(text, path)
    except SyntaxError as e:
        return [RoutingRow(path, e.lineno or 0, "<module>", None, note=f"{COULD_NOT}: syntax error: {e.msg}")]
    ex = FileExtractor(path, tree, enum, text)
    try:
        rows = ex.run()
    except RecursionError:
        return [RoutingRow(path, 0, "<module>", None, note=f"{COULD_NOT}: the file nests too deeply")]
    if grid_functions is not None:
        grid_functions.update({k: (v, path) for k, v in ex.grid_functions.items()})
    compared, other = ex.uncovered()
    for node in other:
        seg = ast.get_source_segment(text, node) or expr_text(node)
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


def _read(p: Path, named: bool = False) -> str:
    """A model file's text: a regular file within the size limit, decoded as Python decodes it.

    A file the user ``named`` must be Python (one line and exit 2 if not); a file found in a folder
    that cannot be decoded is read leniently and yields no rows."""
    from .source import decode_source, read_bytes
    _, data = read_bytes(p)
    try:
        text = decode_source(p, data, python=True)
    except EnumsyncError:
        if named:
            raise
        return data.decode("utf-8", errors="replace")
    if named:
        try:
            parse_python(text, str(p))
        except SyntaxError as e:
            raise EnumsyncError(f"{p}:{e.lineno or 0}: Python syntax error: {e.msg}; fix the file first") from None
        except ValueError as e:     # null bytes
            raise EnumsyncError(f"{p}: not Python source ({e}); check the path") from None
    return text


def extract_file(path: str | Path, enum: str = ENUM, grid_functions: dict | None = None,
                 text: str | None = None) -> list[RoutingRow]:
    p = Path(path)
    text = _read(p) if text is None else text
    rows = extract_source(text, str(p), enum, grid_functions)
    return _label(rows, python_only_members([p], enum, {p: text})) if f"class {enum}" in text else rows


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
        elif p.exists():
            raise EnumsyncError(f"{p}: is not a regular file (a device, FIFO or socket); pass Python files "
                                "or folders of model code")
        else:
            raise EnumsyncError(f"{p}: no such file or directory; pass Python files or folders of model code")
    return out


@contextmanager
def no_cycle_collector():
    """Pause the cycle collector: AST nodes and rows hold no cycles (reference counting frees them),
    and its passes over every live node were half the time of a large tree (and ~1 s of rendering
    20,000 rows)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def extract_paths(paths: list[Path], enum: str = ENUM) -> list[RoutingRow]:
    """Rows from every ``.py`` file under ``paths``. Members that the analysed files' own
    ``enum`` class declares "not passed to FlashInfer" are labelled ``python-only``."""
    with no_cycle_collector():
        return _extract_paths(paths, enum)


def _extract_paths(paths: list[Path], enum: str) -> list[RoutingRow]:
    files = python_files(paths)
    named = {Path(p) for p in paths if Path(p).is_file()}
    texts = {f: _read(f, f in named) for f in files}
    rows: list[RoutingRow] = []
    grid_functions: dict[str, tuple[ast.FunctionDef, str]] = {}
    for f in files:
        rows.extend(extract_file(f, enum, grid_functions, texts[f]))
    if grid_functions:
        for f in files:
            text = texts[f]
            if any(f"{name}(" in text for name in grid_functions):
                rows.extend(call_site_rows(text, str(f), grid_functions, enum))
        rows.sort(key=lambda r: (r.path, r.line))
    only = python_only_members(files, enum, texts)
    return _label(rows, only) if only else rows


def call_site_rows(text: str, path: str, grid_functions: dict[str, tuple[ast.FunctionDef, str]],
                   enum: str = ENUM) -> list[RoutingRow]:
    """Rows for each call of a table function: its grid with the call's literal arguments pinned.

    vLLM's routers call ``get_routing_method_type(..., num_expert_group=None,
    has_e_score_bias=False)``; each such call is a smaller table of its own."""
    try:
        tree = parse_python(text, path)
    except SyntaxError:
        return []
    owners: dict[int, str] = {}     # each call's innermost enclosing function, in one walk
    calls: list[ast.Call] = []
    stack: list[tuple[ast.AST, str, str]] = [(tree, "", "<module>")]
    while stack:
        node, prefix, owner = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                stack.append((child, name + ".", name))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}.", owner))
            else:
                if isinstance(child, ast.Call):
                    calls.append(child)
                    owners[id(child)] = owner
                stack.append((child, prefix, owner))
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    rows: list[RoutingRow] = []
    for call in calls:
        name = callee_name(call)
        if name not in grid_functions or not isinstance(call.func, (ast.Name, ast.Attribute)):
            continue
        fn, def_path = grid_functions[name]
        params = [p.arg for p in grid_params(fn)]
        args: dict[str, ast.AST] = dict(zip(params, call.args))
        args.update({kw.arg: kw.value for kw in call.keywords if kw.arg in params})
        fixed, subjects, settings = {}, {}, []
        for pname, node in args.items():
            lit, v = literal(node)
            if lit:
                fixed[pname] = v
                settings.append((pname, v))
            else:
                settings.append((pname, _expr(node)))
                if env_key(node) is not None:
                    subjects[pname] = expr_text(node)
        note = f"via {name}() of {Path(def_path).name}:{fn.lineno}; grid"
        try:
            got = grid_rows(fn, path, owners.get(id(call), "<module>"), enum, fixed=fixed, subjects=subjects,
                            line=call.lineno, note=note, settings=(("@call", name), *settings))
        except Unsupported as e:
            got = [RoutingRow(path, call.lineno, owners.get(id(call), "<module>"), None,
                              note=f"{COULD_NOT}: call of {name}(): {e}")]
        rows.extend(got)
    return rows


def python_only_members(files: Iterable[Path], enum: str = ENUM, texts: dict | None = None) -> dict[str, str]:
    """Members declared Python-only by the enum class found among ``files`` (vLLM's marker comment)."""
    from ..presets import detect_extensions
    from .python_enum import parse_python_enum
    out: dict[str, str] = {}
    for f in files:
        try:
            text = texts[f] if texts and f in texts else Path(f).read_text(encoding="utf-8", errors="replace")
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
