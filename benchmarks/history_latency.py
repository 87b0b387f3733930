"""`enumsync history` latency over 12 flashinfer-python versions: cold (empty cache) and warm.

Goal (DESIGN.md §8): warm history over 12 cached versions ≤ 2 s. Prints seconds and ratios
against `python -c pass` measured in the same run. The cold run downloads 12 wheels (65–100 MB
each, only two files kept) into a temporary cache; skip it with --no-cold.

    python benchmarks/history_latency.py [--no-cold] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

VERSIONS = ["0.6.7.post2", "0.6.8", "0.6.9", "0.6.10", "0.6.11", "0.6.12", "0.6.13", "0.6.14", "0.6.15",
            "0.6.16", "0.6.17", "0.7.2"]


def timed(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return dt


GOALS = {"history_12_cached_versions_warm_s": ("s", 2.0)}


def main(cold: bool | None = None, runs: int = 5) -> dict:
    """Seconds of `history` over 12 versions: warm from the shared cache; cold (a fresh cache,
    12 downloads) only when asked (``ENUMSYNC_BENCH_COLD=1`` or ``--cold``)."""
    if cold is None:
        cold = os.environ.get("ENUMSYNC_BENCH_COLD") == "1"
    py = sys.executable
    hist = [py, "-m", "enumsync", "history", "--flashinfer", ",".join(VERSIONS)]
    out = {}
    if cold:
        with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
            out["history_12_versions_cold_s"] = timed(hist, {**os.environ, "ENUMSYNC_CACHE_DIR": d})
    timed(hist)   # make sure the shared cache holds them
    out["history_12_cached_versions_warm_s"] = statistics.median(timed(hist) for _ in range(runs))
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cold", action="store_true", help="also the cold run (12 downloads into a fresh cache)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from common import python_pass
    from run import report
    print("\n".join(report("history_latency", main(a.cold, a.runs), python_pass(), GOALS)))
