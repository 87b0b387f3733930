"""``enumsync verify``: run each Python member's value through flashinfer's real routing kernels."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..model import EnumSpec, EnumsyncError, PairResult, Severity
from ..report.jsonfmt import enum_json
from .options import guarded, report_options


@click.command()
@click.option("--python", "python_file", metavar="FILE",
              help="Python file with the enum copy [default: the installed flashinfer's tllm_enums.py, "
                   "else the copy kept with the build].")
@click.option("--python-enum", "--enum", "python_enum", default="RoutingMethodType", show_default=True,
              metavar="CLASS", help="Python enum class.")
@click.option("--methods", metavar="A,B,...", help="Members to verify [default: those the routing tables map "
              "(config `models`, --models), else every member].")
@click.option("--models", "models", multiple=True, metavar="PATH", help="Model code whose routing tables pick the members.")
@click.option("--backend", type=click.Choice(["auto", "trtllm-routing", "trtllm-nvfp4"]), default="auto",
              show_default=True, help="trtllm-routing: the routing kernels (SM90+); trtllm-nvfp4: the NVFP4 fused MoE "
              "(SM100/SM103); auto: nvfp4 on SM100/SM103, routing elsewhere.")
@click.option("--shapes", "shapes", multiple=True, metavar="E:K[:G:TG]",
              help="Also run the model's shape: experts, top-k [, groups, top groups] (repeatable).")
@click.option("--model-config", "model_configs", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Also run the shape of a Hugging Face config.json (num_experts/n_routed_experts, "
                   "num_experts_per_tok, n_group, topk_group, routed_scaling_factor).")
@click.option("--arch", metavar="SM", help="Build for this arch (e.g. sm_90a) [default: the local GPU's].")
@click.option("--export-headers", type=click.Path(path_type=Path), metavar="DIR",
              help="trtllmGen_bmm_export headers [default: FLASHINFER_CUBIN_DIR, flashinfer's cache, flashinfer-cubin].")
@click.option("--build-dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Use this finished build (built elsewhere) instead of building or searching the cache.")
@click.option("--flashinfer-root", type=click.Path(path_type=Path), metavar="DIR",
              help="flashinfer package directory to build from [default: the installed one].")
@click.option("--build-only", is_flag=True, help="Only build (or find) the routing module; no GPU needed.")
@click.option("--rebuild", is_flag=True, help="Build again even if a cached build exists.")
@click.option("--rsf", type=float, metavar="X", help="Use this routed_scaling_factor in every case.")
@click.option("--jobs", type=int, default=4, show_default=True, help="Workers (or nvcc processes) at once.")
@click.option("--require-gpu", is_flag=True, help="Make ES303 (could not run here) an error: exit 1.")
@report_options()
@click.option("--json-out", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write the JSON report to FILE (whatever --format is).")
@click.option("--launcher", metavar="MODULE:ATTR", hidden=True,
              help="Plug-in launcher instead of flashinfer's kernels (see kernels/plugin.py).")
@guarded
def verify(python_file, python_enum, methods, models, backend, shapes, model_configs, arch, export_headers, build_dir,
           flashinfer_root, build_only, rebuild, rsf, jobs, require_gpu, out, json_out, launcher) -> None:
    """Launch the value that Python sends for each member through the real kernels.

    Compares with the reference of the member's meaning (expert ids exactly, weights within
    bf16 tolerance) over T in {1, 13, 300, 2000}, several E and K, fp32/bf16 logits, bias,
    groups and rsf != 1. ES301: the kernel refused the value; ES302: it ran another method
    (named); ES303: could not run here (exit 0 unless --require-gpu); ES304: the kernel refuses a
    shape given with --shapes/--model-config (a warning, with the kernel's words).
    """
    from ..kernels import Unsupported
    from ..kernels import environment as E
    from ..kernels.arch import normalize_arch
    t0 = time.monotonic()
    err = click.get_text_stream("stderr")
    fmt = out.fmt
    show_progress = fmt == "text" and err.isatty()

    py_path = Path(python_file) if python_file else None
    if py_path is not None and not py_path.is_file():
        raise EnumsyncError(f"--python {python_file}: no such file")

    if build_only:
        return _build_only(arch, export_headers, flashinfer_root, jobs, rebuild, fmt, show_progress)
    user_shapes = _user_shapes(shapes, model_configs)

    env = None
    try:
        if launcher:
            from ..kernels.plugin import load_plugin
            cpp_spec, device_note = load_plugin(launcher).environment()
            env_lines, base = [f"launcher: {launcher} (plug-in)"], {"launcher": launcher}
        else:
            gpu = E.local_gpu()
            backend, why = E.choose_backend(backend, gpu)
            E.check_gpu(gpu, backend)
            if arch and normalize_arch(arch) != gpu.arch:
                raise EnumsyncError(f"--arch {arch} does not match the local GPU {gpu.name} ({gpu.arch})")
            if backend == "trtllm-nvfp4":
                cpp_spec, env_lines = _nvfp4_env()
                base = {"launcher": "trtllm-nvfp4"}
            else:
                with _build_progress(show_progress) as prog:
                    manifest, cached, note = E.find_build(gpu.arch, export_headers, build_dir, flashinfer_root,
                                                          jobs=None, progress=prog, force=rebuild)
                env = E.Env(gpu, gpu.arch, manifest, cached, note)
                cpp_spec, env_lines = env.cpp_spec, _env_lines(env)
                base = {"launcher": "trtllm-routing", "so": str(env.so_path)}
            env_lines.insert(0, f"backend: {backend} ({why})")
            device_note = gpu.name
    except Unsupported as e:
        return _report_skip(str(e), out, require_gpu, t0, json_out)

    if py_path is None:  # zero config: the Python copy of the checkout around the working directory
        from ..pairs import detected_python
        found = detected_python()
        if found is not None:
            py_path = found[0]
            env_lines.insert(0, found[1])
    py = _python_spec(py_path, python_enum, env)
    mapped = _mapped(models)
    from ..kernels.verify import plan_member, select_members
    members = select_members(py, [m.strip() for m in methods.split(",") if m.strip()] if methods else None, mapped)
    plans = [plan_member(m, rsf, user_shapes) for m in members]
    cpp_members = {m.name: m.value for m in cpp_spec.canonical() if m.value is not None}
    base["cpp_enum"] = enum_json(cpp_spec)
    results = _run(plans, base, cpp_members, jobs, show_progress)
    total = time.monotonic() - t0
    findings = [f for r in results for f in r.findings]
    for f in findings:
        f.path = py.path
    pair = PairResult(cpp_spec, py, findings, label="verify", notes=env_lines)
    doc = _json_doc([pair], results, env, device_note, total)
    _emit(doc, out, json_out, findings,
          lambda style: _render_text(py, results, env_lines, device_note, total, findings, style))
    sys.exit(1 if any(f.severity == Severity.ERROR for f in findings) else 0)  # ES304 is a warning


# --- pieces -----------------------------------------------------------------------------------

def _emit(doc: dict, out, json_out, findings, text) -> None:
    """Through the shared emitter (every format, --output-file); ``--json-out`` writes the JSON too."""
    from ..report import Report, emit
    from ..report.jsonfmt import emit_json
    body = {k: v for k, v in doc.items() if k != "schema"}
    if json_out:
        Path(json_out).write_text(emit_json("verify", body))
    emit(Report("verify", text, lambda: body, [(f, "verify") for f in findings]), out)


def _user_shapes(shapes, model_configs) -> list:
    from ..kernels.shapes import parse_model_config, parse_shape
    return [parse_shape(s) for s in shapes] + [parse_model_config(p) for p in model_configs]


def _nvfp4_env():
    """The C++ enum of the installed flashinfer, and its fused MoE's API (ES303 if unknown)."""
    from ..kernels import Unsupported
    from ..parsers.cpp import parse_cpp_enum
    from ..sources import locate_installed
    fi = locate_installed()
    if fi is None:
        raise Unsupported("the trtllm-nvfp4 backend needs flashinfer-python installed (it launches flashinfer's op)")
    from ..kernels.trtllm_nvfp4 import installed_api
    api = installed_api()
    lines = [f"flashinfer-python {api.version}: trtllm_fp4_block_scale_moe; checks: output (flashinfer's "
             "criterion)" + (", expert ids (routing_replay_out)" if api.replays_ids else "")
             + (", routing weights (do_finalize=False)" if api.exposes_weights else "")]
    return parse_cpp_enum(fi.runner_h, "RoutingMethodType"), lines


def _python_spec(path: Path | None, cls: str, env) -> EnumSpec:
    from ..parsers.python_enum import parse_python_enum
    if path is None:
        from ..sources import locate_installed
        fi = None
        try:
            fi = locate_installed()
        except EnumsyncError:
            pass
        if fi is not None:
            path = fi.enum_py
        elif env is not None and env.manifest.get("python_enum"):
            path = Path(env.manifest["dir"]) / env.manifest["python_enum"]
        else:
            raise EnumsyncError("no Python enum to verify: flashinfer-python is not installed and the build keeps "
                                "no copy; pass --python FILE")
    return parse_python_enum(path, cls)


def _mapped(models) -> set[str] | None:
    paths = [Path(m) for m in models]
    if not paths:
        try:
            from ..config import load_config
            cfg = load_config()
        except EnumsyncError:
            cfg = None
        paths = list(cfg.models) if cfg is not None and cfg.models else []
    paths = [p for p in paths if p.exists()]
    if not paths:
        return None
    from ..parsers.routing_tables import extract_paths, mapped_members
    return mapped_members(extract_paths(paths)) or None


def _env_lines(env) -> list[str]:
    m = env.manifest
    eh = m.get("export_headers", {})
    lines = [f"device: {env.gpu.name} ({env.arch})",
             f"flashinfer-python {m.get('flashinfer_version')}, build {m.get('key')} ({env.build_note}; "
             f"built in {m.get('build_seconds')} s with nvcc {m.get('nvcc_version')})",
             f"export headers: {eh.get('artifact') or eh.get('path')} from {eh.get('origin')}"
             + (f" (flashinfer pins {eh['expected']})" if eh.get("expected") and eh.get("expected") != eh.get("artifact") else "")]
    lines += [f"workaround {w['what']}: {w['why']}" for w in m.get("workarounds", [])]
    return lines


class _NullCtx:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def _build_progress(show: bool):
    if not show:
        return _NullCtx()
    from ..kernels.build import rich_progress
    return rich_progress()


def _run(plans, base, cpp_members, jobs, show_progress):
    from ..kernels.verify import verify_plans
    if not show_progress:
        return verify_plans(plans, base, cpp_members, jobs)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    with Progress(TextColumn("[bold]verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=Console(stderr=True)) as prog:
        task = prog.add_task("", total=len(plans))

        def done(res):
            prog.update(task, advance=1, description=f"{res.plan.member.name}: {res.verdict}")
        return verify_plans(plans, base, cpp_members, jobs, on_done=done)


def _verdict_style(v: str) -> str:
    return {"pass": "green", "ES301": "red", "ES302": "red", "error": "red"}.get(v, "yellow")


def _render_text(py, results, env_lines, device, total, findings, style) -> str:
    import io
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    buf = io.StringIO()
    con = Console(file=buf, soft_wrap=False, width=style.width, force_terminal=style.color, no_color=not style.color)
    for line in env_lines:
        con.print(f"[dim]{line}[/dim]", highlight=False)
    t = Table(title=f"verify {py.name} ({py.path}) on {device}", title_justify="left")
    for col in ("member", "py value", "C++ at value", "expects", "kernel ran", "cases", "s", "verdict"):
        t.add_column(col, justify="right" if col in ("py value", "cases", "s") else "left")
    for r in results:
        p = r.plan
        exp = "refusal" if p.sentinel else (p.expected or "?") + (" (meaning)" if p.by == "meaning" else "")
        ran = ", ".join(r.ran) if r.ran else ("refused" if not r.cases_ok and not r.crashed else
                                              "crashed" if r.crashed and not r.cases_ok else "none")
        t.add_row(p.member.name, str(p.value), r.cpp_at_value or "-", escape(exp), escape(ran),
                  f"{r.cases_ok}/{r.cases_total}", f"{r.seconds:.1f}",
                  f"[{_verdict_style(r.verdict)}]{r.verdict}[/]")
    con.print(t)
    _render_shapes(con, results)
    for r in results:
        if r.comment_note:
            con.print(f"note {r.plan.member.name}: {escape(r.comment_note)}", highlight=False)
    for f in findings:
        con.print(f"[red]{f.rule}[/red] {f.name}: {escape(f.message)}"
                  + (f"\n   hint: {escape(f.hint)}" if f.hint else ""), highlight=False)
    n_pass = sum(r.verdict == "pass" for r in results)
    rows = [row for r in results for row in r.shapes]
    shape_note = (f"; shapes: {sum(x['status'] == 'unsupported' for x in rows)} of {len(rows)} unsupported (ES304)"
                  if rows else "")
    con.print(f"verify: {n_pass}/{len(results)} values pass{shape_note}, {len(findings)} finding(s), {total:.1f} s",
              highlight=False)
    return buf.getvalue()


_SHAPE_STYLE = {"pass": "green", "unsupported": "yellow", "mismatch": "red", "value-refused": "dim"}


def _render_shapes(con, results) -> None:
    """The user's shapes, apart from the values: a refused shape is a kernel limit (ES304), not a wrong value."""
    from rich.markup import escape
    from rich.table import Table
    if not any(r.shapes for r in results):
        return
    t = Table(title="the model's shapes (--shapes / --model-config)", title_justify="left")
    for col in ("member", "shape", "cases", "status", "the kernel / the check"):
        t.add_column(col)
    for r in results:
        for row in r.shapes:
            st = row["status"]
            t.add_row(r.plan.member.name, row["shape"], f"{row['cases_ok']}/{row['cases_total']}",
                      f"[{_SHAPE_STYLE.get(st, 'white')}]{st}[/]", escape(row.get("message", "")))
    con.print(t)


def _json_doc(pairs, results, env, device, total) -> dict:
    from ..report import counts
    from ..report.jsonfmt import SCHEMA, enum_json
    doc = {"schema": SCHEMA,
           "results": [{"label": p.label, "notes": p.notes, "cpp": enum_json(p.cpp), "python": enum_json(p.python),
                        "findings": [f.to_json() for f in p.findings]} for p in pairs],
           "summary": counts(pairs),
           "verify": {"device": device, "seconds": round(total, 2),
                      "build": ({k: v for k, v in env.manifest.items() if k != "cpp_enum"} | {"cached": env.cached,
                                "note": env.build_note}) if env else None,
                      "methods": [r.to_json() for r in results]}}
    return doc


def _report_skip(reason: str, out, require_gpu: bool, t0: float, json_out=None) -> None:
    from ..kernels.verify import skipped
    from ..report.jsonfmt import SCHEMA
    f = skipped(reason)
    if require_gpu:
        f.severity = Severity.ERROR
    doc = {"schema": SCHEMA, "results": [{"label": "verify", "notes": [], "cpp": None, "python": None,
                                          "findings": [f.to_json()]}],
           "summary": {"errors": int(require_gpu), "warnings": 0, "infos": int(not require_gpu), "suppressed": 0},
           "verify": {"skipped": reason, "seconds": round(time.monotonic() - t0, 2), "methods": []}}
    _emit(doc, out, json_out, [f], lambda style: f"{f.rule} {f.name}: {f.message}\n")
    sys.exit(1 if require_gpu else 0)


def _build_only(arch, export_headers, flashinfer_root, jobs, rebuild, fmt, show_progress) -> None:
    from ..kernels import Unsupported
    from ..kernels import build as B
    from ..kernels import environment as E
    from ..kernels.arch import normalize_arch
    if arch is None:
        gpu = E.local_gpu()
        if gpu is None:
            raise EnumsyncError("--build-only: no local GPU to take the arch from; pass --arch (e.g. sm_90a)")
        arch = gpu.arch
    arch = normalize_arch(arch)
    try:
        plan = B.plan_build(arch, export_headers, flashinfer_root)
    except Unsupported as e:
        raise EnumsyncError(f"cannot build: {e}") from None
    if fmt == "text":
        for line in B.describe_plan(plan):
            click.echo(line, err=True)
    t0 = time.monotonic()
    with _build_progress(show_progress) as prog:
        manifest, cached = B.ensure_build(plan, jobs, prog, force=rebuild)
    took = time.monotonic() - t0
    if fmt == "json":
        from ..report.jsonfmt import emit_json
        click.echo(emit_json("verify", {"build": {k: v for k, v in manifest.items() if k != "cpp_enum"},
                                        "cached": cached, "seconds": round(took, 2)}), nl=False)
    else:
        click.echo(f"{'cached' if cached else 'built'} {plan.so_path} "
                   f"({'reused in ' + format(took, '.1f') if cached else 'built in ' + str(manifest['build_seconds'])} s)")
