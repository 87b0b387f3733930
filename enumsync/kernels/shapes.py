"""The user's own model shapes for ``verify``: ``--shapes E:K[:GROUPS:TOPK_GROUPS]`` and ``--model-config``.

A shape adds cases to every verified member. A kernel that refuses a shape is ES304
(shape-unsupported, a warning with the kernel's words), never ES301 (the value refused).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..model import EnumsyncError

MAX_EXPERTS = 2048             # reference.make_logits draws each row from 2048 distinct bf16 values
EXPERT_KEYS = ("num_experts", "n_routed_experts", "num_local_experts")
TOPK_KEYS = ("num_experts_per_tok",)


@dataclass(frozen=True)
class Shape:
    experts: int
    top_k: int
    n_group: int = 0
    topk_group: int = 0
    rsf: float | None = None
    source: str = ""               # "--shapes 384:8" or the config file

    @property
    def label(self) -> str:
        s = f"{self.experts}:{self.top_k}"
        return s + (f":{self.n_group}:{self.topk_group}" if self.n_group else "")


def _check(shape: Shape, where: str) -> Shape:
    e, k, g, tg = shape.experts, shape.top_k, shape.n_group, shape.topk_group
    if e < 1 or k < 1 or g < 0 or tg < 0:
        raise EnumsyncError(f"{where}: experts and top-k must be positive")
    if e > MAX_EXPERTS:
        raise EnumsyncError(f"{where}: {e} experts; verify draws tie-free logits for at most {MAX_EXPERTS}")
    if k > e:
        raise EnumsyncError(f"{where}: top-k {k} is more than the {e} experts")
    if g and (e % g or tg < 1 or tg > g):
        raise EnumsyncError(f"{where}: {g} groups need to divide {e} experts, with 1 <= top groups <= {g}")
    return shape


def parse_shape(text: str) -> Shape:
    """``E:K`` or ``E:K:GROUPS:TOPK_GROUPS`` (positive integers)."""
    where = f"--shapes {text}"
    parts = text.strip().split(":")
    if len(parts) not in (2, 4) or not all(p.strip().isdigit() for p in parts):
        raise EnumsyncError(f"{where}: expected E:K or E:K:GROUPS:TOPK_GROUPS with whole numbers, e.g. 384:8 or 256:8:8:4")
    nums = [int(p) for p in parts] + [0, 0]
    return _check(Shape(nums[0], nums[1], nums[2], nums[3], None, where), where)


def _first(cfg: dict, keys) -> int | None:
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, int) and not isinstance(v, bool):
            return v
    return None


def parse_model_config(path: Path) -> Shape:
    """The MoE shape of a Hugging Face ``config.json`` (its ``text_config`` too, as multimodal models nest it)."""
    where = f"--model-config {path}"
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as e:
        raise EnumsyncError(f"{where}: cannot read it ({e.strerror or e})") from None
    except ValueError as e:
        raise EnumsyncError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(doc, dict):
        raise EnumsyncError(f"{where}: expected a JSON object (a Hugging Face config.json)")
    for cfg in (doc, doc.get("text_config") if isinstance(doc.get("text_config"), dict) else {}):
        e, k = _first(cfg, EXPERT_KEYS), _first(cfg, TOPK_KEYS)
        if e is not None and k is not None:
            g = cfg.get("n_group") or 0
            tg = cfg.get("topk_group") or 0
            rsf = cfg.get("routed_scaling_factor")
            rsf = float(rsf) if isinstance(rsf, (int, float)) and not isinstance(rsf, bool) else None
            if not (isinstance(g, int) and isinstance(tg, int)):
                raise EnumsyncError(f"{where}: n_group and topk_group must be whole numbers")
            return _check(Shape(e, k, g, tg, rsf, str(path)), where)
    raise EnumsyncError(f"{where}: no MoE shape found (needs one of {', '.join(EXPERT_KEYS)} and "
                        f"{', '.join(TOPK_KEYS)}); is this a mixture-of-experts model's config.json?")
