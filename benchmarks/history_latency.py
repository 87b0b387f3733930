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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cold", action="store_true", help="skip the cold run (12 downloads)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    py = sys.executable
    hist = [py, "-m", "enumsync", "history", "--flashinfer", ",".join(VERSIONS)]
    base = statistics.median(timed([py, "-c", "pass"]) for _ in range(a.runs))
    print(f"python -c pass: {base * 1000:.0f} ms (median of {a.runs})")
    if not a.no_cold:
        with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
            env = {**os.environ, "ENUMSYNC_CACHE_DIR": d}
            cold = timed(hist, env)
            warm_same = statistics.median(timed(hist, env) for _ in range(a.runs))
        print(f"history, 12 versions, cold cache (parallel downloads): {cold:.2f} s")
        print(f"history, 12 versions, then warm: {warm_same:.3f} s")
    timed(hist)   # make sure the shared cache holds them
    warm = statistics.median(timed(hist) for _ in range(a.runs))
    ok = "ok" if warm <= 2.0 else "OVER GOAL"
    print(f"history, 12 cached versions, warm: {warm:.3f} s = {warm / base:.1f}x python -c pass "
          f"(goal ≤ 2 s: {ok})")
    spec = [py, "-m", "enumsync", "history", "--flashinfer", ">=0.6.14,<0.6.16"]
    timed(spec)
    warm_spec = statistics.median(timed(spec) for _ in range(a.runs))
    print(f"history --flashinfer '>=0.6.14,<0.6.16' (index answer cached): {warm_spec:.3f} s")
    refresh = timed(spec + ["--refresh"])
    print(f"  same with --refresh (asks pip index versions again): {refresh:.3f} s")


if __name__ == "__main__":
    main()
