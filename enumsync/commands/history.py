"""``enumsync history --flashinfer SPEC``: a versions × members table of a C++ enum."""
from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import click

from .options import guarded


def _versions(specs: tuple[str, ...], refresh: bool) -> tuple[list[str], str]:
    """Versions for the given ``--flashinfer`` values: plain versions as given, specifiers expanded."""
    from packaging.version import Version
    from ..model import EnumsyncError
    from ..sources import _is_version, locate_installed, matching_versions
    out, sources = [], []
    for spec in specs:
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        if parts and all(_is_version(p) for p in parts):
            out.extend(parts)
            sources.append("as given")
        elif spec == "installed":
            fi = locate_installed()
            if fi is None:
                raise EnumsyncError("--flashinfer installed: flashinfer-python is not installed")
            out.append(fi.version)
            sources.append("installed")
        else:
            hits, src = matching_versions(spec, refresh)
            if not hits:
                raise EnumsyncError(f"no flashinfer-python release matches {spec!r} (per {src})")
            out.extend(hits)
            sources.append(f"{spec!r} per {src}")
    uniq = sorted(set(out), key=Version)
    return uniq, "; ".join(sources)


def collect(versions: list[str], enum: str, qualname: str | None, jobs: int, header: str | None = None) -> list[dict]:
    """Per version: {"version", "spec" (EnumSpec) or "error"}; missing versions are fetched in parallel."""
    from ..model import DownloadError, EnumsyncError
    from ..parsers.cpp import parse_cpp_enum
    from ..sources import _Progress, fetch_version, is_cached

    def one(v):
        try:
            return v, fetch_version(v), None
        except DownloadError as e:
            return v, None, e   # stops the whole table: the network, not this version
        except EnumsyncError as e:
            return v, None, str(e)

    todo = [v for v in versions if not is_cached(v)]
    files = {}
    if todo:
        with _Progress(f"{len(todo)} flashinfer-python wheel(s) in parallel"), \
                ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            for v, fi, err in ex.map(one, todo):
                files[v] = (fi, err)
    rows = []
    for v in versions:
        fi, err = files.get(v) or one(v)[1:]
        if fi is None:
            if isinstance(err, DownloadError):
                raise err
            rows.append({"version": v, "spec": None, "error": err})
            continue
        try:
            from ..scan.locate import enum_header
            path, name = enum_header(fi, enum, qualname, header)
            rows.append({"version": v, "spec": parse_cpp_enum(path, name, qualname), "error": None})
        except EnumsyncError as e:
            rows.append({"version": v, "spec": None, "error": str(e)})
    return rows


def analyse(rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Member columns (newest order, then removed ones) and per-row values and changes."""
    newest = next(r["spec"] for r in reversed(rows) if r["spec"] is not None)
    cols = [m.name for m in newest.canonical()]
    seen = set(cols)
    for r in rows:
        if r["spec"] is not None:
            for m in r["spec"].canonical():
                if m.name not in seen:
                    cols.append(m.name)
                    seen.add(m.name)
    prev: dict[str, int] | None = None
    out = []
    for r in rows:
        vals = {m.name: m.value for m in r["spec"].canonical()} if r["spec"] is not None else None
        changes, marks = [], {}
        if vals is not None and prev is not None:
            for name in cols:
                a, b = prev.get(name), vals.get(name)
                if a is None and b is not None:
                    changes.append(f"+{name}={b}")
                    marks[name] = "added"
                elif a is not None and b is None:
                    changes.append(f"-{name}")
                    marks[name] = "removed"
                elif a != b:
                    changes.append(f"{name} {a}→{b}")
                    marks[name] = "renumbered"
        out.append({"version": r["version"], "members": vals, "changes": changes, "marks": marks,
                    "error": r["error"]})
        if vals is not None:
            prev = vals
    return cols, out


def render_text(qualname: str, source: str, cols: list[str], table: list[dict], changes_only: bool) -> str:
    from rich.console import Console
    from rich.table import Table
    con = Console(width=None if sys.stdout.isatty() else 220)
    style = {"added": "bold green", "renumbered": "bold yellow", "removed": "bold red"}
    t = Table(title=f"{qualname} across flashinfer-python ({source})", title_justify="left",
              header_style="bold", show_lines=False)
    t.add_column("version", no_wrap=True)
    for c in cols:
        t.add_column(c, justify="right")
    t.add_column("changes")
    for i, row in enumerate(table):
        if changes_only and i and not row["changes"] and not row["error"]:
            continue
        if row["members"] is None:
            t.add_row(row["version"], *["" for _ in cols], f"[red]{row['error']}[/]")
            continue
        cells = []
        for c in cols:
            v = row["members"].get(c)
            mark = row["marks"].get(c)
            text = "–" if v is None else str(v)
            cells.append(f"[{style[mark]}]{text}[/]" if mark else text)
        t.add_row(row["version"], *cells, ", ".join(row["changes"]))
    with con.capture() as cap:
        con.print(t)
    return "".join(line.rstrip() + "\n" for line in cap.get().splitlines())


@click.command()
@click.option("--flashinfer", "specs", multiple=True, required=True, metavar="SPEC",
              help='Versions: a specifier (">=0.6,<0.8"), a version, a comma list of versions, or `installed`. '
                   "Repeatable.")
@click.option("--enum", default="RoutingMethodType", show_default=True,
              help="Enum name: any C++ enum of the package (or the Python name of a tllm_enums.py copy).")
@click.option("--cpp-enum", metavar="QUALNAME")
@click.option("--header", metavar="PATH", help="The header inside the package, when the enum is not in runner.h "
              "and its copy's comment does not say.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--jobs", "-j", default=4, show_default=True, help="Parallel downloads for uncached versions.")
@click.option("--changes-only", is_flag=True, help="Only rows where something changed (and the first).")
@click.option("--refresh", is_flag=True, help="Ask the index again instead of reusing its cached answer.")
@guarded
def history(specs, enum, cpp_enum, header, fmt, jobs, changes_only, refresh) -> None:
    """A versions × members table of the C++ enum, each change highlighted.

    Uncached versions are downloaded in parallel once (only runner.h and the enum file are
    kept); after that the table comes from the cache, offline.
    """
    from ..model import EnumsyncError
    versions, source = _versions(specs, refresh)
    rows = collect(versions, enum, cpp_enum, jobs, header)
    good = [r for r in rows if r["spec"] is not None]
    if not good:
        raise EnumsyncError(f"none of {', '.join(versions)} has the enum {enum}: {rows[0]['error']}")
    cols, table = analyse(rows)
    qual = good[-1]["spec"].qualname
    if fmt == "json":
        doc = {"schema": 1, "enum": qual, "source": source, "members": cols,
               "versions": [{"version": r["version"], "members": r["members"], "changes": r["changes"],
                             "error": r["error"]} for r in table]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    sys.stdout.write(render_text(qual, source, cols, table, changes_only))
