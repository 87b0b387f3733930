"""`enumsync check` of one pair (the installed flashinfer's runner.h vs its tllm_enums.py), warm and cold.

Warm: the enumsync cache and bytecode in place (``write_bytecode``: what a regular ``pip install``
leaves; an editable install under ``PYTHONDONTWRITEBYTECODE=1`` has none). Cold: a fresh, empty
enumsync cache (``ENUMSYNC_CACHE_DIR``), files present. Also the explicit-pair form, the JSON
format, a warm check without enumsync's bytecode (every module compiled from source on every run),
and one in-process libclang parse of runner.h.

    python benchmarks/check_latency.py        (or benchmarks/run.py for every benchmark)
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import baseline, drop_bytecode, enumsync, last_cpu, wall, write_bytecode  # noqa: E402

GOALS = {"check_warm_s": ("x", 4.0), "check_cold_s": ("x", 8.0), "libclang_parse_runner_h_s": ("s", 0.020)}


def main(n: int = 11) -> dict:
    from enumsync.sources import locate_installed
    fi = locate_installed()
    if fi is None:
        raise SystemExit("flashinfer-python is not installed")
    out = {}
    write_bytecode()
    out["check_warm_s"] = wall(enumsync("check"), n)
    check_cpu = last_cpu()
    wall([sys.executable, "-c", "pass"], n)
    pass_cpu = last_cpu()
    out["check_warm_cpu_ratio_x"] = round(check_cpu / pass_cpu, 2)   # CPU time: what load does not inflate
    no_bytecode = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out["check_warm_no_bytecode_s"] = wall(enumsync("check"), max(3, n // 2), env=no_bytecode, before=drop_bytecode)
    out["check_warm_no_bytecode_cpu_ratio_x"] = round(last_cpu() / pass_cpu, 2)
    write_bytecode()
    out["check_pair_warm_s"] = wall(enumsync("check", "--cpp", str(fi.runner_h), "--python", str(fi.enum_py)), n)
    out["check_json_warm_s"] = wall(enumsync("check", "--format", "json"), n)

    def fresh(env={}):  # noqa: B006 - one dict, refilled before each cold run
        env.clear()
        env.update(os.environ, ENUMSYNC_CACHE_DIR=tempfile.mkdtemp(prefix="enumsync-cold-"))
    env: dict = {}
    cold = []
    for _ in range(max(3, n // 3)):
        fresh(env)
        cold.append(wall(enumsync("check"), 1, env=env))
    out["check_cold_s"] = statistics.median(cold)

    from enumsync.parsers.cpp import parse_cpp_enum
    parse_cpp_enum(fi.runner_h)
    ts = []
    for _ in range(20):
        t = time.perf_counter()
        parse_cpp_enum(fi.runner_h)
        ts.append(time.perf_counter() - t)
    out["libclang_parse_runner_h_s"] = statistics.median(ts)
    return out


if __name__ == "__main__":
    from run import report
    print("\n".join(report("check_latency", main(), baseline(), GOALS)))
