"""``enumsync scan [PATH...]``: find every mirrored C++/Python enum pair in a tree and check them all."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..model import EnumsyncError, Severity
from .options import format_option, guarded


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--list", "list_only", is_flag=True, help="Print the pairs found (and how), without checking them.")
@click.option("--flashinfer", metavar="SOURCE",
              help="installed | pinned | VERSION: with no PATH, scan that flashinfer package; with PATHs, "
                   "add its shipped headers (data/include, data/csrc) for the Python copies in them.")
@click.option("-I", "--include-dir", "include_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="More C++ headers to index and include (e.g. flashinfer-cubin's trtllmGen_bmm_export).")
@click.option("--config", metavar="PYPROJECT", help="Config file [default: nearest pyproject.toml of the first PATH].")
@format_option()
@guarded
def scan(paths: tuple[Path, ...], list_only: bool, flashinfer: str | None, include_dirs: tuple[Path, ...],
         config: str | None, fmt: str) -> None:
    """Find every Python enum that mirrors a C++ enum in a tree (a checkout, an installed package,
    an unpacked wheel) and check each pair with the rules of `check`.

    Pairs come from the config's [[tool.enumsync.pairs]], then from mirror comments ("keep in sync
    with include/.../runner.h"), then from enums of the same name whose members mostly match.
    Each pair says how it was found. Exit 0: no error-level finding; 1: at least one; 2: could not scan.
    """
    from ..scan.targets import build_tree, config_results
    tree, cfg = build_tree(paths, flashinfer, include_dirs, config)
    from ..scan import check_found, discover
    from ..pairs import PairOptions, check_pair, config_pairs
    specs = config_pairs(cfg, PairOptions(include_dirs=tuple(map(str, include_dirs)))) if cfg and cfg.pairs else []
    taken = {(str(s.python.resolve()), s.python_enum or s.enum) for s in specs}
    found = discover(tree, taken)
    if list_only:
        sys.stdout.write(render_list(specs, found, tree, fmt))
        return
    results = config_results(specs, check_pair) + check_found(found, tree)
    if not results:
        raise EnumsyncError(f"no mirrored enum pair found under {', '.join(map(str, tree.py_roots))}; "
                            "name one in [[tool.enumsync.pairs]], or pass --flashinfer / -I for the C++ headers")
    from ..report import render
    sys.stdout.write(render(results, fmt))
    sys.exit(1 if any(f.severity == Severity.ERROR and not f.suppressed for r in results for f in r.findings)
             else 0)


def render_list(specs, found, tree, fmt: str) -> str:
    """The pairs, one per row: Python enum, C++ enum (or why none), how found."""
    rows = [{"python": f"{s.python}", "python_enum": s.python_enum or s.enum, "cpp": str(s.cpp),
             "cpp_enum": s.cpp_enum or s.enum, "found": "config", "detail": s.label, "reason": ""} for s in specs]
    rows += [{"python": f"{f.py.path}:{f.py.line}", "python_enum": f.py.name,
              "cpp": f"{f.cpp.path}:{f.cpp.line}" if f.cpp else "", "cpp_enum": f.cpp.name if f.cpp else "",
              "found": f.how, "detail": " ".join(f.detail.split()), "reason": f.reason} for f in found]
    if fmt == "json":
        return json.dumps({"schema": 1, "notes": tree.notes, "pairs": rows}, indent=2) + "\n"
    from ..report.text import short
    out = [f"# {n}" for n in tree.notes]
    for r in rows:
        cpp = f"{r['cpp_enum']}  {short(r['cpp'])}" if r["cpp"] else f"? ({r['reason']})"
        out.append(f"{r['python_enum']}  {short(r['python'])}\n    -> {cpp}\n    found by {r['found']}"
                   + (f": {r['detail'][:160]}" if r["detail"] else ""))
    out.append(f"{len(rows)} pair(s), {sum(1 for r in rows if not r['cpp'] and r['found'] != 'config')} unresolved")
    return "\n".join(out) + "\n"
