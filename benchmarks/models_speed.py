"""`enumsync models` speed: sglang 0.5.23's whole srt/models (warm), and 10,000 generated classes.

The sglang tree comes from the real wheel (downloaded once into the enumsync cache, as the
network tests do). The generated tree: 100 files of 100 model classes, each choosing
between two members (20,000 routing rows).

    python benchmarks/models_speed.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import baseline, enumsync, wall  # noqa: E402

GOALS = {"models_sglang_srt_models_warm_s": ("s", 1.0), "models_10k_classes_20k_rows_s": ("s", 5.0)}

CLASS = '''
class Block{i}:
    def __init__(self, config):
        self.topk = TopK(top_k=config.top_k, renormalize=config.norm_topk_prob)
        self.experts = FusedMoE(
            num_experts=config.num_experts,
            routing_method_type=(RoutingMethodType.Renormalize if config.norm_topk_prob
                                 else RoutingMethodType.Default),
        )
'''


def generated_tree(root: str, files: int = 100, per_file: int = 100) -> str:
    for f in range(files):
        with open(os.path.join(root, f"model_{f:03}.py"), "w") as fh:
            fh.write("from layers import FusedMoE, RoutingMethodType, TopK\n")
            fh.write("".join(CLASS.format(i=f * per_file + i) for i in range(per_file)))
    return root


def ast_walks(path: str) -> int:
    """How many times the extraction calls ``ast.walk`` over one tree (the quadratic search shows here)."""
    import ast
    from enumsync.parsers.routing_tables import extract_paths
    from pathlib import Path
    calls = 0
    real = ast.walk

    def counting(node):
        nonlocal calls
        calls += 1
        return real(node)
    ast.walk = counting
    try:
        extract_paths([Path(path)])
    finally:
        ast.walk = real
    return calls


def main(n: int = 5) -> dict:
    from enumsync.wheelcache import fetch_tree
    sgl = str(fetch_tree("sglang", "0.5.23", "sglang/srt/models"))
    out = {}
    out["models_sglang_srt_models_warm_s"] = wall(enumsync("models", sgl), n)
    out["models_sglang_json_warm_s"] = wall(enumsync("models", sgl, "--format", "json"), n)
    out["models_sglang_ast_walk_calls"] = ast_walks(sgl)
    with tempfile.TemporaryDirectory(prefix="enumsync-models-") as d:
        generated_tree(d)
        t = time.perf_counter()
        wall(enumsync("models", d, "--no-rules", "--format", "json"), 1)
        out["models_10k_classes_20k_rows_s"] = time.perf_counter() - t
    return out


if __name__ == "__main__":
    from run import report
    print("\n".join(report("models_speed", main(), baseline(), GOALS)))
