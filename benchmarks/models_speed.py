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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import baseline, enumsync, last_cpu, wall  # noqa: E402

GOALS = {"models_sglang_srt_models_warm_s": ("s", 1.0), "models_sglang_srt_models_warm_cpu_s": ("s", 1.0),
         "models_10k_classes_20k_rows_s": ("s", 5.0), "models_10k_classes_20k_rows_cpu_s": ("s", 5.0)}

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


def nodes_visited(path: str) -> int:
    """AST nodes the extraction visits (``ast.iter_child_nodes`` calls plus nodes the inlined walks
    touch): what the issue's "half a million ast.walk calls" (cProfile's count) measured."""
    import cProfile
    import pstats
    from pathlib import Path

    from enumsync.parsers.routing_tables import extract_paths
    prof = cProfile.Profile()
    prof.runcall(extract_paths, [Path(path)])
    stats = pstats.Stats(prof).stats
    return sum(v[1] for (f, _, name), v in stats.items()
               if name in ("walk", "iter_child_nodes") or (name == "<genexpr>" and f.endswith("expressions.py")))


def main(n: int = 5) -> dict:
    from enumsync.wheelcache import fetch_tree
    sgl = str(fetch_tree("sglang", "0.5.23", "sglang/srt/models"))
    out = {}
    out["models_sglang_srt_models_warm_s"] = wall(enumsync("models", sgl), n)
    out["models_sglang_srt_models_warm_cpu_s"] = last_cpu()
    out["models_sglang_json_warm_s"] = wall(enumsync("models", sgl, "--format", "json"), n)
    out["models_sglang_walk_calls_in_cprofile"] = nodes_visited(sgl)
    with tempfile.TemporaryDirectory(prefix="enumsync-models-") as d:
        generated_tree(d)
        out["models_10k_classes_20k_rows_s"] = wall(enumsync("models", d, "--no-rules", "--format", "json"), 1)
        out["models_10k_classes_20k_rows_cpu_s"] = last_cpu()
    return out


if __name__ == "__main__":
    from run import report
    print("\n".join(report("models_speed", main(), baseline(), GOALS)))
