"""The ``trtllmGen_bmm_export`` headers: where to find them, and workarounds for their mismatches.

Searched in order: ``--export-headers DIR``, ``$FLASHINFER_CUBIN_DIR``, flashinfer's cubin cache
(``~/.cache/flashinfer/cubins``), the installed ``flashinfer-cubin`` package.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import EnumsyncError
from ..sources import package_dir
from . import Unsupported
from .flashinfer_tree import FlashinferTree

# Where the sources expect the export headers, relative to an include root.
EXPORT_INCLUDE = "flashinfer/trtllm/batched_gemm/trtllmGen_bmm_export"
EXPORT_PROBE = "trtllm/gen/DtypeDecl.h"          # the one header the routing code includes
# Headers included by flashinfer's cudaUtils.h that the routing code never uses.
CUBLAS_HEADERS = ("cublasLt.h", "cublas_v2.h")


@dataclass(frozen=True)
class ExportHeaders:
    """The export headers found, and where they came from."""

    path: Path              # the trtllmGen_bmm_export directory itself
    origin: str             # which search step found it
    artifact: str           # e.g. batched_gemm-91e0ba0-896b90b (from the path), or ""
    expected: str           # the artifact this flashinfer pins (artifacts.py), or ""

    def describe(self) -> str:
        s = f"{self.path} (from {self.origin}"
        if self.artifact:
            s += f", {self.artifact}"
        s += ")"
        if self.expected and self.artifact and self.artifact != self.expected:
            s += f"; flashinfer pins {self.expected}, which was not available"
        return s


def expected_artifact(tree: FlashinferTree | None) -> str:
    """The batched_gemm artifact that flashinfer's artifacts.py pins (read as text)."""
    if tree is None:
        return ""
    p = tree.root / "artifacts.py"
    if not p.is_file():
        return ""
    m = re.search(r"TRTLLM_GEN_BMM\s*:\s*str\s*=\s*\(?\s*['\"]([^'\"]+)['\"]", p.read_text(errors="replace"))
    if not m:
        return ""
    return next((part for part in m.group(1).split("/") if part.startswith("batched_gemm")), "")


def _artifact_of(path: Path) -> str:
    """The batched_gemm artifact a header dir came from: its path, else a SOURCE.txt beside it
    (as ``shared/scripts/gpu-carry.sh`` writes when it extracts the headers from a wheel)."""
    hit = next((p for p in reversed(path.parts) if p.startswith("batched_gemm")), "")
    if hit:
        return hit
    src = path.parent / "SOURCE.txt"
    if src.is_file():
        m = re.search(r"batched_gemm-[0-9A-Za-z]+-[0-9A-Za-z]+", src.read_text(errors="replace"))
        if m:
            return m.group()
    return ""


def _export_dirs_under(root: Path) -> list[Path]:
    """``trtllmGen_bmm_export`` directories under a cubin root, in the layouts flashinfer uses."""
    if (root / EXPORT_PROBE).is_file() and root.name == "trtllmGen_bmm_export":
        return [root]
    if (root / "trtllmGen_bmm_export" / EXPORT_PROBE).is_file():
        return [root / "trtllmGen_bmm_export"]
    found = []
    for pattern in ("*/batched_gemm-*/include/trtllmGen_bmm_export",
                    "batched_gemm-*/include/trtllmGen_bmm_export",
                    "cubins/*/batched_gemm-*/include/trtllmGen_bmm_export",
                    "include/trtllmGen_bmm_export",
                    EXPORT_INCLUDE):
        found += [p for p in root.glob(pattern) if (p / EXPORT_PROBE).is_file()]
    return sorted(set(found))


def _pick(dirs: list[Path], expected: str) -> Path | None:
    if not dirs:
        return None
    exact = [d for d in dirs if expected and _artifact_of(d) == expected]
    if exact:
        return exact[0]
    return max(dirs, key=lambda d: d.stat().st_mtime)


def header_search_steps(explicit: Path | None = None, env: dict | None = None) -> list[tuple[str, Path | None]]:
    """The places searched for the export headers, in order: (label, root or None)."""
    env = os.environ if env is None else env
    steps: list[tuple[str, Path | None]] = []
    if explicit is not None:
        steps.append(("--export-headers", Path(explicit).expanduser().resolve()))
    cubin_env = env.get("FLASHINFER_CUBIN_DIR")
    steps.append(("FLASHINFER_CUBIN_DIR", Path(cubin_env) if cubin_env else None))
    base = env.get("FLASHINFER_WORKSPACE_BASE") or str(Path.home())
    steps.append(("flashinfer cache", Path(base) / ".cache" / "flashinfer" / "cubins"))
    steps.append(("flashinfer-cubin package", _cubin_package_dir()))
    return steps


def _cubin_package_dir() -> Path | None:
    root = package_dir("flashinfer_cubin")
    return None if root is None else root / "cubins"


def find_export_headers(explicit: Path | None = None, tree: FlashinferTree | None = None,
                        env: dict | None = None) -> ExportHeaders:
    """The first search step that holds ``trtllmGen_bmm_export``; ``Unsupported`` if none does."""
    expected = expected_artifact(tree)
    tried = []
    for label, root in header_search_steps(explicit, env):
        if root is None:
            tried.append(f"{label} (not set)")
            continue
        if not root.exists():
            if label == "--export-headers":
                raise EnumsyncError(f"--export-headers {root}: no such directory")
            tried.append(f"{label} ({root}: absent)")
            continue
        hit = _pick(_export_dirs_under(root), expected)
        if hit is None:
            if label == "--export-headers":
                raise EnumsyncError(f"--export-headers {root}: no trtllmGen_bmm_export/{EXPORT_PROBE} there")
            tried.append(f"{label} ({root}: no trtllmGen_bmm_export)")
            continue
        return ExportHeaders(hit, label, _artifact_of(hit), expected)
    raise Unsupported("the trtllmGen_bmm_export headers were not found; tried " + "; ".join(tried)
                      + ". Pass --export-headers DIR (for example from the flashinfer-cubin wheel)")


def header_workarounds(headers: ExportHeaders, cuda_include: Path | None) -> list[tuple[str, str]]:
    """(flag or action, why) for mismatches between these headers and this flashinfer."""
    out = []
    gated = headers.path / "GemmGatedActOptions.h"
    if gated.is_file():
        text = gated.read_text(errors="replace")
        body = text[text.find("enum class ActType"):]
        body = body[:body.find("};")]
        if "enum class ActType" in text and "SiTuGlu" not in body:
            out.append(("-DTLLM_RUBIN_FEATURES",
                        "these export headers' gemmGatedAct::ActType has no SiTuGlu, so KernelRunner.h's "
                        "static_asserts fail; TLLM_RUBIN_FEATURES skips them (the routing kernels never use ActType)"))
    if cuda_include is None or not all((cuda_include / h).is_file() for h in CUBLAS_HEADERS):
        out.append(("stub-cublas",
                    "cudaUtils.h includes cublasLt.h and cublas_v2.h, which this CUDA toolkit lacks; the routing "
                    "code never uses cuBLAS, so empty stand-ins go first on the include path"))
    return out

