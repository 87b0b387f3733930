"""The flashinfer-python tree the routing kernels build from, and whether it can build them.

Read as files, never imported: the routing translation units live under ``flashinfer/data/csrc``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..model import EnumsyncError
from . import Unsupported

MIN_FLASHINFER = (0, 7)

# Relative to flashinfer/data/csrc (flashinfer 0.7.x, jit/fused_moe.py: gen_trtllm_gen_routing_module).
ROUTING_TUS = (
    "trtllm_fused_moe_routing_binding.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_runner.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_deepseek.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_llama4.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_custom_block.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_custom_cluster.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_custom_cluster_large.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_custom_entry.cu",
    "fused_moe/trtllm_backend/trtllm_fused_moe_routing_common.cu",
)


@dataclass(frozen=True)
class FlashinferTree:
    """A flashinfer package directory and its version."""

    root: Path              # .../site-packages/flashinfer
    version: str

    @property
    def csrc(self) -> Path:
        return self.root / "data" / "csrc"


def parse_version(v: str) -> tuple[int, ...]:
    """The leading numeric parts of a version: ``0.7.2+cu128`` -> (0, 7, 2)."""
    nums = []
    for part in re.split(r"[.+]", v):
        m = re.match(r"\d+", part)
        if not m:
            break
        nums.append(int(m.group()))
    return tuple(nums)


def find_flashinfer(root: Path | None = None) -> FlashinferTree:
    """The flashinfer-python tree to build from (installed, unless ``root`` is given)."""
    from ..sources import installed_root, installed_version
    if root is None:
        root = installed_root()
        if root is None:
            raise EnumsyncError("flashinfer-python is not installed; install it (pip install --no-deps "
                                "'flashinfer-python>=0.7') or pass --flashinfer-root DIR")
        version = installed_version() or "unknown"
    else:
        root = Path(root)
        version = _version_of_tree(root)
    return FlashinferTree(root, version)


def _version_of_tree(root: Path) -> str:
    """A given tree's ``__version__``, else its dist-info's, else ``unknown``."""
    for name in ("_build_meta.py", "version.py", "__init__.py"):
        p = root / name
        if p.is_file():
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", p.read_text(errors="replace"))
            if m:
                return m.group(1)
    from ..sources import dist_info_version
    return dist_info_version(root.parent) or "unknown"


def check_supported(tree: FlashinferTree) -> None:
    """Raise ``Unsupported`` when this flashinfer has no standalone routing binding."""
    v = parse_version(tree.version)
    if v and v < MIN_FLASHINFER:
        raise Unsupported(f"flashinfer-python {tree.version} has no standalone routing binding "
                          f"(needs >= {'.'.join(map(str, MIN_FLASHINFER))}; in 0.6.x the routing runner "
                          "sits beside GEMM code that needs cubin metadata)")
    missing = [t for t in ROUTING_TUS if not (tree.csrc / t).is_file()]
    if missing:
        raise Unsupported(f"flashinfer-python {tree.version} at {tree.root} lacks {missing[0]}"
                          + (f" and {len(missing) - 1} more routing sources" if len(missing) > 1 else ""))
