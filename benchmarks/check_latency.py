"""Median wall time of `enumsync check` (the default pair) against `python -c pass`, in one run.

Usage: python benchmarks/check_latency.py [N]    (goal: warm check <= 6x, cold <= 10x)
Also times one libclang parse of runner.h in-process (goal: <= 20 ms).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def wall(cmd, n, env=None, before=None):
    out = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    base = wall([py, "-c", "pass"], n)
    warm = wall([py, "-m", "enumsync", "check"], n)
    fmt = wall([py, "-m", "enumsync", "check", "--format", "json"], n)

    def drop_pycache():  # cold: no bytecode cache for enumsync itself
        import enumsync
        root = os.path.dirname(enumsync.__file__)
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".pyc"):
                    os.remove(os.path.join(d, f))
    # cold: enumsync's own bytecode removed and an empty enumsync cache before every run
    cold_env = dict(os.environ, ENUMSYNC_CACHE_DIR=tempfile.mkdtemp())
    cold = wall([py, "-m", "enumsync", "check"], max(3, n // 3), env=cold_env, before=drop_pycache)

    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.sources import default_flashinfer
    fi = default_flashinfer()
    parse_cpp_enum(fi.runner_h)
    ts = []
    for _ in range(20):
        t = time.perf_counter()
        parse_cpp_enum(fi.runner_h)
        ts.append(time.perf_counter() - t)
    print(f"python -c pass            {base * 1000:7.1f} ms")
    print(f"enumsync check (warm)     {warm * 1000:7.1f} ms   {warm / base:5.2f}x   (goal <= 6x)")
    print(f"enumsync check --format json {fmt * 1000:4.1f} ms   {fmt / base:5.2f}x")
    print(f"enumsync check (cold .pyc){cold * 1000:7.1f} ms   {cold / base:5.2f}x   (goal <= 10x)")
    print(f"libclang parse of runner.h{statistics.median(ts) * 1000:7.1f} ms           (goal <= 20 ms)")
    print(f"({fi.describe()}; median of {n} runs)")


if __name__ == "__main__":
    main()
