"""``enumsync models PATH...``: the routing tables in model code, checked against the C++ enum."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import click

from ..model import EnumsyncError
from ..parsers.routing_tables import (Expr, extract_paths, mapped_members, no_cycle_collector, setting_items,
                                      settings_text)
from .options import guarded, report_options

def _model_presets() -> list[str]:
    from ..presets import PRESETS
    return [n for n, p in PRESETS.items() if p.model_dirs]


def preset_dirs(preset: str, roots: list[Path]) -> list[Path]:
    """The preset's model folders under each root (a checkout or site-packages); with no
    roots, in the checkout around the working directory, else in the installed package (found
    without importing it)."""
    from ..presets import find_root, get_preset
    rels = get_preset(preset).model_dirs
    if roots:
        found = []
        for root in roots:
            hits = [root / r for r in rels if (root / r).is_dir()]
            if not hits:
                raise EnumsyncError(f"--preset {preset}: {root} has none of {', '.join(rels)}; "
                                    f"pass the root of a {preset} checkout or of site-packages")
            found.extend(hits)
        return found
    here = find_root(get_preset(preset), Path.cwd())
    hits = [here / r for r in rels if (here / r).is_dir()]
    if hits:
        return hits
    try:
        spec = importlib.util.find_spec(preset)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        base = Path(list(spec.submodule_search_locations)[0]).parent
        hits = [base / r for r in rels if (base / r).is_dir()]
        if hits:
            return hits
    raise EnumsyncError(f"--preset {preset}: no {' or '.join(rels)} here and {preset} is not installed; "
                        f"run inside a {preset} checkout, or pass its root as PATH")


def _cpp_side(cpp: str | None, flashinfer: str | None, enum: str, cpp_enum: str | None, preset: str | None = None):
    """(EnumSpec, description) of the C++ enum to check against, or (None, why not).

    ``--flashinfer pinned`` reads the pin (and enumsync.lock) exactly as ``check`` does."""
    from ..parsers.cpp import parse_cpp_enum
    if cpp:
        p = Path(cpp)
        if not p.is_file():
            raise EnumsyncError(f"--cpp {cpp}: no such file; pass the C++ header that defines {enum}")
        return parse_cpp_enum(p, enum, cpp_enum), str(p)
    from .. import sources
    if flashinfer == "pinned":
        from ..pairs import PairOptions, pinned_cpp
        side = pinned_cpp(PairOptions(enum=enum, cpp_enum=cpp_enum, flashinfer="pinned", preset=preset), Path.cwd())
        origin_tail = f", flashinfer-python {side.version} pinned in {side.pin_where}"
        if side.locked is not None:
            return side.locked, side.note + origin_tail
        return parse_cpp_enum(side.path, enum, cpp_enum), side.note + origin_tail
    if flashinfer:
        fi = sources.resolve_flashinfer(flashinfer)
    else:
        fi = sources.locate_installed()
        if fi is None:
            return None, "flashinfer-python is not installed: tables only (pass --cpp or --flashinfer VERSION)"
    return parse_cpp_enum(fi.runner_h, enum, cpp_enum), fi.describe()


def _json_value(v):
    if isinstance(v, Expr):
        d = {"expr": str(v)}
        if v.has_default:
            d["default"] = v.default
        return d
    return v


def row_json(r, meaning: str | None) -> dict:
    return {"path": r.path, "line": r.line, "owner": r.owner, "member": r.member,
            "conditions": [[k, _json_value(v)] for k, v in r.conditions], "condition_text": r.condition_text,
            "settings": {k: _json_value(v) for k, v in setting_items(r.settings)},
            "settings_text": settings_text(r.settings), "note": r.note, "meaning": meaning}


TABLE_SETTINGS = ("renormalize", "scoring_func", "use_grouped_topk", "num_expert_group", "correction_bias", "top_k")


def compact_settings(settings, width: int = 40) -> str:
    """The settings that bear on a meaning, one per line, long expressions cut."""
    out = []
    for k, v in setting_items(settings):
        if k not in TABLE_SETTINGS:
            continue
        t = str(v) if type(v).__name__ == "Expr" else repr(v)
        out.append(f"{k}={t if len(t) <= width else t[:width - 1] + '…'}")
    return "\n".join(out)


def common_root(paths: list[str]) -> str:
    import os
    if not paths:
        return ""
    root = os.path.commonpath([os.path.dirname(p) for p in paths])
    return root


def render_text(rows, findings, cpp, cpp_desc: str, style) -> str:
    """One table row per routing row (file:line, member, conditions and note, check, owner,
    settings), then the findings as ``check`` prints them, then the summary line."""
    import os

    from ..report.layout import Column, block, table
    from ..report.text import findings_summary, render_findings, short
    names = cpp.by_name() if cpp is not None else {}
    flagged: dict[tuple, list[str]] = {}
    for f in findings:
        flagged.setdefault((f.path, f.line, f.member), []).append(f.rule)
    root = common_root([r.path for r in rows])
    lines: list[str] = []
    if not style.quiet:
        lines.append(style.paint(f"routing tables under {short(root)}/" if root else "routing tables", "bold"))
        cols = [Column("where", keep=True), Column("member", keep=True), Column("conditions / note", min=20),
                Column("check", keep=True), Column("owner", optional=2, min=14),
                Column("settings", optional=3, min=18)]
        data = []
        for r in rows:
            c = names.get(r.member) if r.member else None
            rules = flagged.get((r.path, r.line, r.member), [])
            known = c is not None and c.meaning is not None and c.meaning.known
            check = (" ".join(dict.fromkeys(rules)), "bold red") if rules else (("ok", "green") if known else "")
            if cpp is not None and r.member and c is None and not rules:
                check = ("not in C++", "yellow")
            cond = r.condition_text + (f"\n[{r.note}]" if r.note else "")
            loc = f"{os.path.relpath(r.path, root) if root else r.path}:{r.line}"
            data.append([loc, (r.member or "None", "bold"), cond, check, (r.owner, "dim"),
                         (compact_settings(r.settings), "dim")])
        lines += table(cols, data, style)
        lines += [style.paint(x, "dim") for x in block(f"C++: {cpp_desc}", style, 2)]
    lines += render_findings(findings, style)
    what = f" in {len(rows)} rows of {len({r.path for r in rows})} files"
    lines.append(findings_summary(findings, style, what))
    return "\n".join(lines) + "\n"


def models_report(rows, findings, spec, desc, origin: str = ""):
    from ..report import Report, count_findings

    def body():
        names = spec.by_name() if spec is not None else {}
        return {"origin": origin, "cpp": {"path": spec.path, "qualname": spec.qualname, "source": desc} if spec is not None else None,
                "rows": [row_json(r, names[r.member].meaning.summary() if r.member in names and
                                  names[r.member].meaning else None) for r in rows],
                "findings": [f.to_json() for f in findings],
                "summary": {"rows": len(rows), "files": len({r.path for r in rows}),
                            "mapped": sorted(mapped_members(rows)), **count_findings(findings)}}
    def text(style):
        from ..report.layout import wrap
        head = "".join(x + "\n" for x in wrap(origin, style.width)) if origin and not style.quiet else ""
        return head + render_text(rows, findings, spec, desc, style)
    return Report("models", text, body, [(f, None) for f in findings], origins=[origin] if origin else [])


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--preset", type=click.Choice(_model_presets()),
              help="Find the model folders in PATH (a checkout or site-packages), else here or installed.")
@click.option("--mapped", is_flag=True, help="Print only the set of members that some row maps to.")
@click.option("--cpp", metavar="HEADER", help="C++ header with the enum to check the rows against (ES201/ES202).")
@click.option("--flashinfer", metavar="SOURCE",
              help="runner.h from: installed | pinned | VERSION | SPECIFIER [default: installed, if any].")
@click.option("--enum", default="RoutingMethodType", show_default=True, metavar="NAME", help="Enum name.")
@click.option("--cpp-enum", metavar="QUALNAME", help="C++ enum by qualified name.")
@click.option("--no-rules", is_flag=True, help="Print the tables without checking them.")
@report_options()
@guarded
def models(paths: tuple[Path, ...], preset: str | None, mapped: bool, cpp: str | None, flashinfer: str | None,
           enum: str, cpp_enum: str | None, no_rules: bool, out) -> None:
    """Print the routing-inference tables found in model code (files or folders), read by AST.

    Each row: file:line, the conditions, the member chosen, the model's routing settings next
    to it. Unless --no-rules, rows are checked against the C++ enum: ES201 (member missing in
    C++) and ES202 (conditions disagree with the member's meaning). Exit 1 on an error finding.
    """
    origin = ""
    if not preset and not paths:   # zero config: the checkout around the working directory
        from ..presets import detect_project
        found = detect_project(Path.cwd().resolve())
        if found is None or not found.preset.model_dirs:
            raise EnumsyncError(f"models: give PATH... (files or folders of model code) or --preset "
                                f"{'|'.join(_model_presets())}; no such checkout at or above {Path.cwd()}")
        preset = found.preset.name
        if not cpp and not flashinfer and found.preset.pin_files:
            flashinfer = "pinned"
        origin = found.describe()
    if preset:
        targets = preset_dirs(preset, list(paths))
    else:
        targets = list(paths)
    rows = extract_paths(targets, enum)
    if mapped:
        members = sorted(mapped_members(rows))
        from ..report import Report, emit
        emit(Report("models", lambda style: "".join(m + "\n" for m in members), lambda: {"mapped": members}), out)
        return
    spec, desc = (None, "not checked (--no-rules)") if no_rules else _cpp_side(cpp, flashinfer, enum, cpp_enum, preset)
    if origin:
        origin += desc[desc.index(", flashinfer-python "):] if ", flashinfer-python " in desc else f", C++: {desc}"
        desc = desc.split(", flashinfer-python ")[0]
    findings = []
    if spec is not None:
        from ..config import load_config
        from ..table_rules import check_tables
        cfg = load_config()
        findings = check_tables(rows, spec, cfg.extensions if cfg else None)
    elif not no_rules:
        click.echo(f"enumsync: note: {desc}", err=True)
    from ..report import emit, exit_code
    with no_cycle_collector():      # rendering 20,000 rows: the collector rescanned them all, ~1 s
        emit(models_report(rows, findings, spec, desc, origin), out)
    sys.exit(exit_code(findings))
