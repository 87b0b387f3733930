"""Build flashinfer's trtllm-gen routing kernels (the routing stage of its fused MoE) for one arch.

The translation units, include roots and flags come from the installed flashinfer-python
(0.7 and later; read as files, never imported). The ``trtllmGen_bmm_export`` headers come
from the first of: ``--export-headers DIR``, ``$FLASHINFER_CUBIN_DIR``, flashinfer's cubin
cache (``~/.cache/flashinfer/cubins``), the installed ``flashinfer-cubin`` package. The
result is one shared object, loaded later through tvm_ffi (``routing_sm90.py``).

Builds are cached under ``$ENUMSYNC_CACHE_DIR/builds/<key>``, the key being a digest of the
flashinfer version, the arch, the export headers, the sources and the flags. A build
directory is complete once ``build.json`` exists; it is self-contained (the .so and the
manifest), so it can be built on a CPU machine with nvcc and carried to a GPU host.

This module plans, runs and caches the build; ``arch``, ``flashinfer_tree``, ``headers`` and
``toolchain`` find its inputs.

    python -m enumsync.kernels.build --arch sm_90a [--export-headers DIR] [--jobs N]
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model import EnumsyncError
from . import Unsupported
from .arch import arch_major, gencode, local_gpu_arch, normalize_arch
from .flashinfer_tree import ROUTING_TUS, FlashinferTree, check_supported, find_flashinfer
from .headers import CUBLAS_HEADERS, EXPORT_INCLUDE, ExportHeaders, find_export_headers, header_workarounds
from .toolchain import find_nvcc, find_tvm_ffi_includes, nvcc_version

MODULE_NAME = "trtllm_gen_routing"
SO_NAME = f"{MODULE_NAME}.so"
MANIFEST = "build.json"
MANIFEST_SCHEMA = 2            # 2: ``cpp_enum`` is the EnumSpec JSON (``report.jsonfmt.enum_json``)

# Flags from flashinfer 0.7.2: jit/core.py (gen_jit_spec defaults), jit/cpp_ext.py
# (build_cuda_cflags) and jit/fused_moe.py (gen_trtllm_gen_routing_module).
BASE_CUDA_FLAGS = (
    "-std=c++17", "--threads=1", "-use_fast_math", "-Xfatbin=-compress-all", "--compress-mode=size",
    "-DFLASHINFER_ENABLE_F16", "-DFLASHINFER_ENABLE_BF16", "-DFLASHINFER_ENABLE_FP8_E4M3",
    "-DFLASHINFER_ENABLE_FP8_E5M2", "-DNDEBUG", "-O3", "-D_GLIBCXX_USE_CXX11_ABI=1",
    "--compiler-options=-fPIC", "--expt-relaxed-constexpr", "-static-global-template-stub=false",
    "-DFLASHINFER_ENABLE_FP8_E8M0", "-DFLASHINFER_ENABLE_FP4_E2M1",
    "-DTLLM_GEN_EXPORT_INTERFACE", "-DTLLM_ENABLE_CUDA", "-DENABLE_BF16", "-DENABLE_FP8", "-DENABLE_FP4",
)
# cudart is linked statically so the module does not need the CUDA toolkit's libcudart on
# the GPU host; the driver (libcuda) is opened by cudart at run time.
LINK_FLAGS = ("-shared", "-Wl,--no-as-needed", "-lcudart_static", "-ldl", "-lrt", "-lpthread")


# --- the plan --------------------------------------------------------------------------

@dataclass
class BuildPlan:
    flashinfer: FlashinferTree
    arch: str
    headers: ExportHeaders
    nvcc: str
    cuda_home: Path
    cxx: str
    tvm_ffi_includes: list[Path]
    workarounds: list[tuple[str, str]]
    key: str
    out_dir: Path
    flags: list[str] = field(default_factory=list)       # without include paths
    includes: list[str] = field(default_factory=list)    # -I / -isystem flags

    @property
    def so_path(self) -> Path:
        return self.out_dir / SO_NAME

    @property
    def sources(self) -> list[Path]:
        return [self.flashinfer.csrc / t for t in ROUTING_TUS]

    def object_for(self, src: Path) -> Path:
        return self.out_dir / "obj" / f"{src.parent.name}_{src.stem}.cuda.o"

    def compile_command(self, src: Path) -> list[str]:
        return [self.nvcc, *self.flags, *self.includes, "-c", str(src), "-o", str(self.object_for(src))]

    def link_command(self) -> list[str]:
        objs = [str(self.object_for(s)) for s in self.sources]
        return [self.cxx, *objs, f"-L{self.cuda_home / 'lib64'}", *LINK_FLAGS, "-o", str(self.so_path)]


def cache_root() -> Path:
    from ..wheelcache import cache_dir
    return cache_dir() / "builds"


def _digest_files(h, files: list[Path], base: Path) -> None:
    for f in sorted(files):
        h.update(str(f.relative_to(base)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")


def plan_build(arch: str | None = None, export_headers: Path | None = None, flashinfer_root: Path | None = None,
               nvcc: str | None = None, tvm_ffi_includes: list[Path] | None = None,
               out_root: Path | None = None) -> BuildPlan:
    """Everything a build needs, decided without compiling: sources, flags, headers, cache key."""
    tree = find_flashinfer(flashinfer_root)
    check_supported(tree)
    if arch is None:
        arch = local_gpu_arch()
        if arch is None:
            raise Unsupported("no local GPU to take the arch from; pass --arch (for example sm_90a)")
    arch = normalize_arch(arch)
    headers = find_export_headers(export_headers, tree)
    nvcc_path, cuda_home = find_nvcc(nvcc)
    tvm_inc = tvm_ffi_includes if tvm_ffi_includes is not None else find_tvm_ffi_includes()
    workarounds = header_workarounds(headers, cuda_home / "include")

    flags = [*BASE_CUDA_FLAGS, gencode(arch)]
    if arch_major(arch) == 9:
        flags.append("-DCUTE_SM90_EXTENDED_MMA_SHAPES_ENABLED")
    flags += [w for w, _ in workarounds if w.startswith("-D")]

    h = hashlib.sha256()
    for part in (f"flashinfer={tree.version}", f"arch={arch}", f"nvcc={nvcc_version(nvcc_path)}",
                 "flags=" + " ".join(flags), "link=" + " ".join(LINK_FLAGS),
                 "workarounds=" + ",".join(w for w, _ in workarounds)):
        h.update(part.encode() + b"\n")
    _digest_files(h, [p for p in headers.path.rglob("*") if p.is_file()], headers.path)
    _digest_files(h, [tree.csrc / t for t in ROUTING_TUS], tree.csrc)
    key = f"{tree.version}-{arch}-{h.hexdigest()[:16]}"
    out_dir = (out_root or cache_root()) / key

    data = tree.root / "data"
    stub = out_dir / "stub-include"
    gen = out_dir / "export-include"
    includes = []
    if any(w == "stub-cublas" for w, _ in workarounds):
        includes.append(f"-I{stub}")
    includes += [f"-I{gen}", f"-I{tree.csrc}", f"-I{tree.csrc / 'nv_internal'}",
                 f"-I{tree.csrc / 'nv_internal' / 'include'}"]
    includes += [f"-I{data / 'cccl' / d}" for d in ("cub", "libcudacxx/include", "thrust")]
    sys_inc = [cuda_home / "include", *tvm_inc, data / "include", tree.csrc,
               data / "cutlass" / "include", data / "cutlass" / "tools" / "util" / "include",
               data / "spdlog" / "include"]
    for d in sys_inc:
        includes += ["-isystem", str(d)]
    return BuildPlan(tree, arch, headers, nvcc_path, cuda_home, os.environ.get("CXX", "c++"),
                     list(tvm_inc), workarounds, key, out_dir, flags, includes)


# --- running it ------------------------------------------------------------------------

_ERR_RE = re.compile(r"(\berror\b|: fatal|undefined reference|cannot find -l)", re.I)
_LINKER_WRAPUP = re.compile(r"^collect2: error: ld returned", re.I)


def first_error(log: str) -> str:
    """The first compiler/linker error in a build log (with its file:line), not the whole wall."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if (_ERR_RE.search(line) and not _LINKER_WRAPUP.match(line)
                and not line.lstrip().startswith(("FAILED:", "ninja:", "["))):
            out = line.strip()
            if i + 1 < len(lines) and lines[i + 1].startswith(" ") and "error" not in lines[i + 1]:
                out += "  " + lines[i + 1].strip()
            return out[:600]
    tail = [l for l in lines if l.strip()]
    return tail[-1][:600] if tail else "no compiler output"


def ninja_file(plan: BuildPlan) -> str:
    q = shlex.quote
    lines = [
        "ninja_required_version = 1.3",
        f"nvcc = {q(plan.nvcc)}",
        "flags = " + " ".join(q(f) for f in plan.flags),
        "includes = " + " ".join(q(f) for f in plan.includes),
        "rule cuda_compile",
        "  command = $nvcc --generate-dependencies-with-compile -MF $out.d $flags $includes -c $in -o $out",
        "  depfile = $out.d",
        "  deps = gcc",
        "  description = nvcc $in",
        "rule link",
        "  command = " + " ".join(q(x) for x in [plan.cxx]) + " $in "
        + " ".join(q(x) for x in [f"-L{plan.cuda_home / 'lib64'}", *LINK_FLAGS]) + " -o $out",
        "  description = link $out",
        "",
    ]
    for src in plan.sources:
        lines.append(f"build {plan.object_for(src)}: cuda_compile {src}")
    objs = " ".join(str(plan.object_for(s)) for s in plan.sources)
    lines.append(f"build {plan.so_path}: link {objs}")
    lines.append(f"default {plan.so_path}")
    return "\n".join(lines) + "\n"


def prepare(plan: BuildPlan) -> None:
    """Create the build dir: export headers at the include path the sources expect, cuBLAS stand-ins."""
    (plan.out_dir / "obj").mkdir(parents=True, exist_ok=True)
    dst = plan.out_dir / "export-include" / EXPORT_INCLUDE
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(plan.headers.path, dst)
    if any(w == "stub-cublas" for w, _ in plan.workarounds):
        stub = plan.out_dir / "stub-include"
        stub.mkdir(exist_ok=True)
        for h in CUBLAS_HEADERS:
            (stub / h).write_text("// enumsync stand-in: the routing kernels never use cuBLAS\n#pragma once\n")


def cached_build(plan: BuildPlan) -> Path | None:
    """The finished .so of this exact plan, or None."""
    return plan.so_path if (plan.out_dir / MANIFEST).is_file() and plan.so_path.is_file() else None


ProgressFn = Callable[[int, int, str], None]


def run_build(plan: BuildPlan, jobs: int | None = None, progress: ProgressFn | None = None,
              use_ninja: bool | None = None) -> dict:
    """Compile and link; returns the manifest. Raises ``EnumsyncError`` with the first compiler error."""
    cpp_enum = _cpp_enum_record(plan.flashinfer)      # first: a parse error stops before nvcc runs
    prepare(plan)
    jobs = jobs or os.cpu_count() or 1
    ninja = shutil.which("ninja") if use_ninja is not False else None
    t0 = time.monotonic()
    log_path = plan.out_dir / "build.log"
    total = len(plan.sources) + 1
    if ninja:
        (plan.out_dir / "build.ninja").write_text(ninja_file(plan))
        cmd = [ninja, "-C", str(plan.out_dir), "-j", str(jobs)]
        ok, log = _run_streaming(cmd, total, progress)
    else:
        ok, log = _run_pool(plan, jobs, progress)
    log_path.write_text(log)
    if not ok:
        raise EnumsyncError(f"building the routing module failed: {first_error(log)} (full log: {log_path})")
    py_copy = _copy_python_enum(plan)
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "python_enum": py_copy,
        "module": MODULE_NAME,
        "so": SO_NAME,
        "flashinfer_version": plan.flashinfer.version,
        "flashinfer_root": str(plan.flashinfer.root),
        "arch": plan.arch,
        "nvcc": plan.nvcc,
        "nvcc_version": nvcc_version(plan.nvcc),
        "key": plan.key,
        "export_headers": {"path": str(plan.headers.path), "origin": plan.headers.origin,
                           "artifact": plan.headers.artifact, "expected": plan.headers.expected},
        "workarounds": [{"what": w, "why": why} for w, why in plan.workarounds],
        "flags": plan.flags,
        "sources": list(ROUTING_TUS),
        "build_seconds": round(time.monotonic() - t0, 1),
        "jobs": jobs,
        "builder": "ninja" if ninja else "process pool",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpp_enum": cpp_enum,
    }
    (plan.out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _copy_python_enum(plan: BuildPlan) -> str | None:
    """Keep flashinfer's own Python enum beside the build, so a GPU host without flashinfer can
    verify the pair this build came from (it stays in the cache; it is never committed)."""
    from ..sources import enum_py_in
    try:
        src = enum_py_in(plan.flashinfer.root)
    except EnumsyncError:
        return None
    shutil.copy2(src, plan.out_dir / src.name)
    return src.name


def _cpp_enum_record(tree: FlashinferTree) -> dict:
    """The C++ RoutingMethodType these kernels read, as the ``EnumSpec`` JSON ``check`` uses
    (parsed with libclang), so a GPU host needs neither flashinfer nor libclang."""
    from ..parsers.cpp import parse_cpp_enum
    from ..report.jsonfmt import enum_json
    return enum_json(parse_cpp_enum(tree.root / "data" / "include" / "flashinfer" / "trtllm" / "fused_moe"
                                    / "runner.h", "RoutingMethodType"))


_NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]\s*(.*)")


def _run_streaming(cmd: list[str], total: int, progress: ProgressFn | None) -> tuple[bool, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    buf = []
    for line in proc.stdout:
        buf.append(line)
        m = _NINJA_STEP.match(line)
        if m and progress:
            progress(int(m.group(1)) - 1, int(m.group(2)), m.group(3).strip())
    rc = proc.wait()
    if rc == 0 and progress:
        progress(total, total, "done")
    return rc == 0, "".join(buf)


def _run_pool(plan: BuildPlan, jobs: int, progress: ProgressFn | None) -> tuple[bool, str]:
    from concurrent.futures import ThreadPoolExecutor, as_completed
    total = len(plan.sources) + 1
    logs, done, ok = [], 0, True
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(subprocess.run, plan.compile_command(s), capture_output=True, text=True): s
                for s in plan.sources}
        for f in as_completed(futs):
            r = f.result()
            done += 1
            logs.append(r.stdout + r.stderr)
            ok = ok and r.returncode == 0
            if progress:
                progress(done, total, f"nvcc {futs[f].name}")
    if not ok:
        return False, "".join(logs)
    r = subprocess.run(plan.link_command(), capture_output=True, text=True)
    logs.append(r.stdout + r.stderr)
    if progress and r.returncode == 0:
        progress(total, total, "done")
    return r.returncode == 0, "".join(logs)


# --- finding a finished build (also on a host without flashinfer or nvcc) ---------------------

def load_manifest(build_dir: Path) -> dict | None:
    p = Path(build_dir) / MANIFEST
    try:
        m = json.loads(p.read_text())
    except (OSError, ValueError):
        return None
    if not (Path(build_dir) / m.get("so", SO_NAME)).is_file() or m.get("schema") != MANIFEST_SCHEMA:
        return None
    m["dir"] = str(Path(build_dir).resolve())
    return m


def find_cached_builds(arch: str | None = None, flashinfer_version: str | None = None,
                       root: Path | None = None) -> list[dict]:
    """Finished builds in the cache, newest first, filtered by arch and flashinfer version."""
    root = root or cache_root()
    out = []
    if not root.is_dir():
        return out
    for d in root.iterdir():
        m = load_manifest(d) if d.is_dir() else None
        if m is None:
            continue
        if arch and m.get("arch") != arch:
            continue
        if flashinfer_version and m.get("flashinfer_version") != flashinfer_version:
            continue
        out.append(m)
    return sorted(out, key=lambda m: m.get("built_at", ""), reverse=True)


def ensure_build(plan: BuildPlan, jobs: int | None = None, progress: ProgressFn | None = None,
                 force: bool = False) -> tuple[dict, bool]:
    """(manifest, was_cached): reuse this plan's finished build or make it."""
    if not force:
        m = load_manifest(plan.out_dir)
        if m is not None:
            return m, True
    return run_build(plan, jobs, progress), False


# --- CLI for `python -m enumsync.kernels.build` -------------------------------------------------

def rich_progress():
    """A context manager yielding a ProgressFn that drives a rich progress bar on stderr."""
    from contextlib import contextmanager

    @contextmanager
    def cm():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        with Progress(TextColumn("[bold]building routing module"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TextColumn("{task.description}"),
                      console=Console(stderr=True), transient=False) as prog:
            task = prog.add_task("", total=len(ROUTING_TUS) + 1)

            def fn(done: int, total: int, what: str) -> None:
                prog.update(task, completed=done, total=total, description=Path(what.split()[-1]).name)
            yield fn
    return cm()


def describe_plan(plan: BuildPlan) -> list[str]:
    lines = [f"flashinfer-python {plan.flashinfer.version} ({plan.flashinfer.root})",
             f"arch {plan.arch}, nvcc {plan.nvcc}",
             f"export headers: {plan.headers.describe()}"]
    lines += [f"workaround {w}: {why}" for w, why in plan.workarounds]
    lines.append(f"build dir: {plan.out_dir}")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m enumsync.kernels.build", description=__doc__.split("\n")[0])
    ap.add_argument("--arch")
    ap.add_argument("--export-headers", type=Path)
    ap.add_argument("--flashinfer-root", type=Path)
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--dry-run", action="store_true", help="print the plan and the nvcc commands only")
    a = ap.parse_args(argv)
    try:
        plan = plan_build(a.arch, a.export_headers, a.flashinfer_root)
        for line in describe_plan(plan):
            print(line, file=sys.stderr)
        if a.dry_run:
            for s in plan.sources:
                print(shlex.join(plan.compile_command(s)))
            print(shlex.join(plan.link_command()))
            return 0
        with rich_progress() as fn:
            manifest, cached = ensure_build(plan, a.jobs, fn, a.force)
    except EnumsyncError as e:
        print(f"enumsync: {e}", file=sys.stderr)
        return 2
    print(f"{'cached' if cached else 'built'}: {Path(manifest['dir'] if 'dir' in manifest else plan.out_dir) / SO_NAME}"
          f" ({manifest['build_seconds']} s build)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())