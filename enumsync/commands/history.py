"""``enumsync history --flashinfer SPEC``: a versions × members table of a C++ enum."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

import click

from .options import guarded, report_options


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
    from ..report.progress import Progress
    from ..sources import fetch_version, is_cached

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
        with Progress("fetching flashinfer-python", len(todo)) as prog, \
                ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            for fut in as_completed([ex.submit(one, v) for v in todo]):
                v, fi, err = fut.result()
                files[v] = (fi, err)
                prog.step(v, "failed" if fi is None else "")
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


def _title(qualname: str, source: str, style) -> list[str]:
    from ..report.layout import wrap
    lines = wrap(f"{qualname} across flashinfer-python ({source})", style.width)
    return [style.paint(x, "bold") for x in lines]


def render_changes(qualname: str, source: str, cols: list[str], table: list[dict], style) -> str:
    """The compact view: the first version's members, then only the versions that changed something."""
    from ..report.layout import Column, table as draw
    rows, quiet_versions = [], 0
    for i, row in enumerate(table):
        if row["members"] is None:
            rows.append([row["version"], "", (f"error: {row['error']}", "red")])
        elif i == 0 or not any(r["members"] is not None for r in table[:i]):
            first = ", ".join(f"{k}={v}" for k, v in row["members"].items())
            rows.append([row["version"], str(len(row["members"])), f"first: {first}"])
        elif row["changes"]:
            rows.append([(row["version"], "bold"), str(len(row["members"])), (", ".join(row["changes"]), "yellow")])
        else:
            quiet_versions += 1
    lines = _title(qualname, source, style)
    lines += draw([Column("version", keep=True), Column("members", keep=True, right=True), Column("changes", min=20)],
                  rows, style)
    if quiet_versions:
        lines.append(style.paint(f"{quiet_versions} version(s) without changes not shown; --wide shows the grid", "dim"))
    return "\n".join(lines) + "\n"


def render_grid(qualname: str, source: str, cols: list[str], table: list[dict], changes_only: bool, style) -> str:
    """``--wide``: members as rows, versions as columns, each change highlighted (wider than 80 columns
    when there are many versions)."""
    from dataclasses import replace

    from ..report.layout import Column, table as draw
    mark_style = {"added": "bold green", "renumbered": "bold yellow", "removed": "bold red"}
    shown = [r for i, r in enumerate(table) if not changes_only or i == 0 or r["changes"] or r["error"]]
    header = [Column("member", keep=True)] + [Column(r["version"], keep=True, right=True) for r in shown]
    rows = []
    for name in cols:
        cells = [(name, "bold")]
        for r in shown:
            if r["members"] is None:
                cells.append(("error", "red"))
                continue
            v = r["members"].get(name)
            cells.append(("–" if v is None else str(v), mark_style.get(r["marks"].get(name))))
        rows.append(cells)
    lines = _title(qualname, source, style) + draw(header, rows, replace(style, width=10**6))
    errors = [r for r in shown if r["members"] is None]
    lines += [style.paint(f"{r['version']}: {r['error']}", "red") for r in errors]
    return "\n".join(lines) + "\n"


@click.command()
@click.option("--flashinfer", "specs", multiple=True, required=True, metavar="SPEC",
              help='Versions: a specifier (">=0.6,<0.8"), a version, a comma list of versions, or `installed`. '
                   "Repeatable.")
@click.option("--enum", default="RoutingMethodType", show_default=True, metavar="NAME",
              help="Enum name: any C++ enum of the package (or the Python name of a tllm_enums.py copy).")
@click.option("--cpp-enum", metavar="QUALNAME", help="C++ enum by qualified name, when the plain name is ambiguous "
              "(e.g. tensorrt_llm::kernels::trtllmgen_moe::MoE::ActivationType).")
@click.option("--header", metavar="PATH", help="The header inside the package, when the enum is not in runner.h "
              "and its copy's comment does not say.")
@click.option("--wide", is_flag=True, help="The full grid: members as rows, versions as columns (may exceed the "
              "terminal's width).")
@click.option("--jobs", "-j", default=4, show_default=True, help="Parallel downloads for uncached versions.")
@click.option("--changes-only", is_flag=True, help="--wide: only the versions where something changed (and the "
              "first); the default view shows only those already.")
@click.option("--refresh", is_flag=True, help="Ask the index again instead of reusing its cached answer.")
@report_options(findings=False)
@guarded
def history(specs, enum, cpp_enum, header, wide, jobs, changes_only, refresh, out) -> None:
    """How the C++ enum changed across flashinfer-python versions.

    By default: the first version's members, then each version that added, removed or
    renumbered a member. --wide: the full grid of members × versions.

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
    from ..report import Report, emit

    def body():
        return {"enum": qual, "source": source, "members": cols,
                "versions": [{"version": r["version"], "members": r["members"], "changes": r["changes"],
                              "error": r["error"]} for r in table]}

    def text(style):
        if wide:
            return render_grid(qual, source, cols, table, changes_only, style)
        return render_changes(qual, source, cols, table, style)
    emit(Report("history", text, body), out)
