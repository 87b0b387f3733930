"""``enumsync scan [PATH...]``: find every mirrored C++/Python enum pair in a tree and check them all."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..model import EnumsyncError
from .options import guarded, report_options


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--list", "list_only", is_flag=True, help="Print the pairs found (and how), without checking them.")
@click.option("--flashinfer", metavar="SOURCE",
              help="installed | pinned | VERSION: with no PATH, scan that flashinfer package; with PATHs, "
                   "add its shipped headers (data/include, data/csrc) for the Python copies in them.")
@click.option("-I", "--include-dir", "include_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="More C++ headers to index and include (e.g. flashinfer-cubin's trtllmGen_bmm_export).")
@click.option("--config", metavar="PYPROJECT", help="Config file [default: nearest pyproject.toml of the first PATH].")
@report_options()
@guarded
def scan(paths: tuple[Path, ...], list_only: bool, flashinfer: str | None, include_dirs: tuple[Path, ...],
         config: str | None, out) -> None:
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
        from ..report import Report, emit
        rows = list_rows(specs, found)
        emit(Report("scan", lambda style: render_list(rows, tree, style),
                    lambda: {"notes": tree.notes, "pairs": rows}), out)
        return
    results = config_results(specs, check_pair) + check_found(found, tree)
    if not results:
        raise EnumsyncError(f"no mirrored enum pair found under {', '.join(map(str, tree.py_roots))}; "
                            "name one in [[tool.enumsync.pairs]], or pass --flashinfer / -I for the C++ headers")
    from ..report import emit, exit_code, pairs_report
    emit(pairs_report("scan", results), out)
    sys.exit(exit_code(f for r in results for f in r.findings))


def list_rows(specs, found) -> list[dict]:
    """The pairs found: Python enum, C++ enum (or why none), how found."""
    rows = [{"python": f"{s.python}", "python_enum": s.python_enum or s.enum, "cpp": str(s.cpp),
             "cpp_enum": s.cpp_enum or s.enum, "found": "config", "detail": s.label, "reason": ""} for s in specs]
    rows += [{"python": f"{f.py.path}:{f.py.line}", "python_enum": f.py.name,
              "cpp": f"{f.cpp.path}:{f.cpp.line}" if f.cpp else "", "cpp_enum": f.cpp.name if f.cpp else "",
              "found": f.how, "detail": " ".join(f.detail.split()), "reason": f.reason} for f in found]
    return rows


def render_list(rows, tree, style) -> str:
    """The pairs, one per row: Python enum, C++ enum (or why none), how found (fits ``style.width``)."""
    from ..report.layout import block
    from ..report.text import fit_path, short
    out = [x for n in tree.notes for x in block(f"# {n}", style, 2)]
    for r in rows:
        out.append(style.paint(r["python_enum"], "bold") + "  " + fit_path(short(r["python"]), style.width - 4))
        cpp = f"{r['cpp_enum']}  {fit_path(short(r['cpp']), style.width - 10 - len(r['cpp_enum']))}" if r["cpp"] \
            else f"? ({r['reason']})"
        out += block(f"-> {cpp}", style, 7, "    ")
        out += block(f"found by {r['found']}" + (f": {r['detail'][:160]}" if r["detail"] else ""), style, 6, "    ")
    out.append(f"{len(rows)} pair(s), {sum(1 for r in rows if not r['cpp'] and r['found'] != 'config')} unresolved")
    return "\n".join(out) + "\n"
