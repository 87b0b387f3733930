"""Can the GPU check run here? Find the GPU, its arch, and a routing build (cached or fresh).

Every "no" raises ``kernels.Unsupported`` with the reason, which ``verify`` reports as ES303.
Nothing here imports torch or flashinfer.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..model import EnumSpec, EnumsyncError
from . import Unsupported, flashinfer_tree
from . import build as B
from .arch import arch_major, normalize_arch


@dataclass
class Gpu:
    name: str
    arch: str


@dataclass
class Env:
    gpu: Gpu | None
    arch: str
    manifest: dict
    cached: bool
    build_note: str = ""          # why this build (e.g. "fresh", "cached", "from --build-dir")

    @property
    def so_path(self) -> Path:
        return Path(self.manifest["dir"]) / self.manifest.get("so", B.SO_NAME)

    @property
    def cpp_spec(self) -> EnumSpec:
        """The C++ enum the build's kernels read (recorded at build time)."""
        return EnumSpec.from_json(self.manifest["cpp_enum"])


def local_gpu() -> Gpu | None:
    """The first CUDA GPU: nvidia-smi, else a torch probe in a subprocess; None if there is none."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            r = subprocess.run([smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                               capture_output=True, text=True, timeout=30)
            for line in r.stdout.splitlines():
                if "," in line:
                    name, cap = (x.strip() for x in line.rsplit(",", 1))
                    return Gpu(name, normalize_arch(cap))
        except (OSError, subprocess.TimeoutExpired, EnumsyncError):
            pass
    probe = ("import json,torch\n"
             "ok=torch.cuda.is_available()\n"
             "print(json.dumps(ok and {'name':torch.cuda.get_device_name(0),"
             "'cap':'%d.%d'%torch.cuda.get_device_capability(0)}))")
    try:
        r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
        d = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 and r.stdout.strip() else None
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        d = None
    return Gpu(d["name"], normalize_arch(d["cap"])) if d else None


NVFP4_ARCHS = ("sm_100a", "sm_103a")


def sm_name(arch: str) -> str:
    """``sm_90a`` -> ``SM90``."""
    return "SM" + arch[len("sm_"):].rstrip("af")


def choose_backend(backend: str, gpu: Gpu | None) -> tuple[str, str]:
    """(backend, why) for ``--backend auto``: nvfp4 on SM100/SM103, routing elsewhere."""
    if backend != "auto":
        return backend, "asked for"
    if gpu is None:
        return "trtllm-routing", "auto: no GPU found"
    if gpu.arch in NVFP4_ARCHS:
        return "trtllm-nvfp4", f"auto: {gpu.name} is {sm_name(gpu.arch)}, where flashinfer's NVFP4 fused MoE runs"
    return "trtllm-routing", (f"auto: {gpu.name} is {sm_name(gpu.arch)}; the NVFP4 fused MoE needs SM100/SM103, "
                              "so the routing kernels alone are launched")


def check_gpu(gpu: Gpu | None, backend: str) -> None:
    if gpu is None:
        raise Unsupported("no CUDA GPU here (nvidia-smi lists none and torch sees none)")
    major = arch_major(gpu.arch)
    if backend == "trtllm-nvfp4":
        if gpu.arch not in NVFP4_ARCHS:
            raise Unsupported(f"the trtllm-nvfp4 backend needs SM100/SM103 (found {sm_name(gpu.arch)}, {gpu.name}); "
                              "use --backend trtllm-routing (or auto) on this GPU")
        return
    if major < 9:
        raise Unsupported(f"{gpu.name} is {gpu.arch}; flashinfer's trtllm-gen routing kernels need SM90 or newer")


def find_build(arch: str, export_headers: Path | None = None, build_dir: Path | None = None,
               flashinfer_root: Path | None = None, jobs: int | None = None, progress=None,
               force: bool = False, allow_build: bool = True) -> tuple[dict, bool, str]:
    """(manifest, cached, note): ``--build-dir``, else build (or reuse) from the installed flashinfer,
    else the newest cached build for this arch."""
    if build_dir is not None:
        m = B.load_manifest(build_dir)
        if m is None:
            raise EnumsyncError(f"--build-dir {build_dir}: no finished routing build of this enumsync there "
                                f"(needs {B.MANIFEST} of schema {B.MANIFEST_SCHEMA} and {B.SO_NAME}; "
                                "rebuild it with `enumsync verify --build-only`)")
        if m.get("arch") != arch:
            raise Unsupported(f"the build in {build_dir} is for {m.get('arch')}, this GPU is {arch}")
        return m, True, f"from --build-dir {build_dir}"
    tree = None
    try:
        tree = flashinfer_tree.find_flashinfer(flashinfer_root)
    except EnumsyncError:
        if flashinfer_root is not None:
            raise
    why_not = None
    if tree is not None:
        flashinfer_tree.check_supported(tree)
        try:
            plan = B.plan_build(arch, export_headers, flashinfer_root)
        except Unsupported as e:
            why_not = str(e)
        else:
            m = B.load_manifest(plan.out_dir)
            if m is not None and not force:
                return m, True, "cached"
            if not allow_build:
                why_not = f"no finished build at {plan.out_dir}"
            else:
                B.run_build(plan, jobs, progress)
                return B.load_manifest(plan.out_dir), False, "built now"
    cands = B.find_cached_builds(arch, tree.version if tree else None)
    if cands:
        note = "newest cached build for " + arch + (f" (could not plan a fresh one: {why_not})" if why_not else "")
        return cands[0], True, note
    if why_not:
        raise Unsupported(why_not)
    raise Unsupported(f"flashinfer-python is not installed and {B.cache_root()} holds no routing build for {arch}; "
                      "build one where flashinfer and nvcc are (enumsync verify --build-only --arch "
                      f"{arch}) and carry it (--build-dir or ENUMSYNC_CACHE_DIR)")
