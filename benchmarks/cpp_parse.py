"""libclang parse speed: runner.h, and a header with 40,000 inline functions before the enum.

Usage: python benchmarks/cpp_parse.py [N]    (goals: runner.h <= 20 ms, 40k-function header < 0.3 s)
``main()`` returns the numbers as a dict (``benchmarks/run.py`` collects every benchmark's).
Each parse runs in-process after one warm-up; times are medians of N (wall) and the CPU time
of the same runs, with ``python -c pass`` measured in the same run for the ratios.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNCTIONS = 40_000
GOALS = {"runner_h_parse_s": ("s", 0.020), "big_header_parse_s": ("s", 0.3), "big_header_parse_cpu_s": ("s", 0.3)}


def big_header(path: Path, n: int = FUNCTIONS, unknown_types: bool = False) -> Path:
    """A header of ``n`` inline functions (with bodies), then the enum.

    ``unknown_types``: the functions use CUDA types from a missing include, so the fast parse
    reports an error on every line (as real headers lifted out of a wheel do).
    """
    lines = ["#pragma once", "#include <cstdint>", "#include <cuda_runtime.h>"]
    if unknown_types:
        lines += [f"inline cudaError_t f{i}(cudaStream_t s) {{ return launch(s, {i}); }}" for i in range(n)]
    else:
        lines += [f"inline int f{i}(int x) {{ int y = x * {i}; for (int k = 0; k < 3; ++k) y += k; return y; }}"
                  for i in range(n)]
    lines.append("enum class Late : int64_t { A, B = 5, C };")
    path.write_text("\n".join(lines) + "\n")
    return path


def _timed(fn, n: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of ``n`` calls after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def _python_pass(n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main(n: int = 7) -> dict:
    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.sources import default_flashinfer
    base = _python_pass(max(n, 5))
    fi = default_flashinfer()
    runner_wall, runner_cpu = _timed(lambda: parse_cpp_enum(fi.runner_h), n * 3)
    with tempfile.TemporaryDirectory() as d:
        big = big_header(Path(d) / "big.h")
        assert [m.value for m in parse_cpp_enum(big, "Late").members] == [0, 5, 6]
        big_wall, big_cpu = _timed(lambda: parse_cpp_enum(big, "Late"), n)
        bad = big_header(Path(d) / "bad.h", unknown_types=True)
        bad_wall, bad_cpu = _timed(lambda: parse_cpp_enum(bad, "Late"), max(3, n // 2))
    return {
        "python_c_pass_s": round(base, 4),
        "runner_h_parse_s": round(runner_wall, 4),
        "runner_h_parse_cpu_s": round(runner_cpu, 4),
        "big_header_functions": FUNCTIONS,
        "big_header_parse_s": round(big_wall, 3),
        "big_header_parse_cpu_s": round(big_cpu, 3),
        "unknown_types_header_parse_s": round(bad_wall, 3),      # 40,000 errors to sift
        "unknown_types_header_parse_cpu_s": round(bad_cpu, 3),
        "big_header_ratio_to_python_pass": round(big_wall / base, 2),
        "runner_h_ratio_to_python_pass": round(runner_wall / base, 3),
    }

if __name__ == "__main__":
    res = main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    width = max(map(len, res))
    for k, v in res.items():
        print(f"{k:<{width}}  {v * 1000:.1f} ms" if k.endswith("_s") else f"{k:<{width}}  {v}")
