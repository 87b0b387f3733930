"""`enumsync scan` latency on the installed flashinfer-python (about 600 MB, 6,000+ C++ files).

Goal (issue 11): a warm scan of a ~300 MB flashinfer tree in under 10 s. Prints seconds (wall
and CPU of the child) and ratios against `python -c pass` measured in the same run: the cold
index (empty cache), then warm `scan --list` (discovery only) and warm `scan` (discovery plus
one libclang parse per pair).

    python benchmarks/scan_latency.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return dt, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    py = sys.executable
    base = statistics.median(timed([py, "-c", "pass"])[0] for _ in range(a.runs))
    print(f"python -c pass: {base * 1000:.0f} ms (median of {a.runs})")
    scan = [py, "-m", "enumsync", "scan", "--flashinfer", "installed", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
        env = {**os.environ, "ENUMSYNC_CACHE_DIR": d}
        wall, cpu = timed(scan + ["--list"], env)
        print(f"scan --list, cold index: {wall:.2f} s wall, {cpu:.2f} s CPU")
        for label, cmd in (("scan --list, warm", scan + ["--list"]), ("scan, warm", scan)):
            runs = [timed(cmd, env) for _ in range(a.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            ok = "ok" if wall < 10 else "OVER GOAL"
            print(f"{label}: {wall:.2f} s wall ({wall / base:.0f}x python -c pass), {cpu:.2f} s CPU "
                  f"(goal < 10 s: {ok})")


if __name__ == "__main__":
    main()
