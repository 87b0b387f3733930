"""Every benchmark in one run, each time as a ratio against ``python -c pass`` measured here.

    python benchmarks/run.py [NAME ...]      (default: every benchmark, ORDER first)

Each ``benchmarks/<name>.py`` with a ``main()`` is a benchmark; ``main()`` returns ``{key: number}``. Keys ending in
``_s`` are seconds and are printed with their ratio; a module may declare
``GOALS = {key: ("x", 4.0)}`` (ratio at most 4×) or ``{key: ("s", 1.0)}`` (at most 1 s) or
``{key: ("", 1e6)}`` (the number at most 1e6). A module that times subprocesses with
``common.wall`` gets its ratios against the ``python -c pass`` runs interleaved with its own
(the machine's load changes during a run); others against the run's first measurement.
A benchmark module that does not exist yet is listed as missing, and the run goes on.
"""
from __future__ import annotations

import importlib
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["check_latency", "models_speed", "python_parse", "cpp_parse", "cache", "history_latency"]
NOT_BENCHMARKS = {"run", "common"}


def discover() -> list[str]:
    """ORDER's modules that exist, then any other module here that defines ``main()``."""
    names = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".py") and f[:-3] not in NOT_BENCHMARKS)
    names = [n for n in names if "\ndef main(" in open(os.path.join(HERE, f"{n}.py"), encoding="utf-8").read()]
    return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]


def _goal(key: str, value: float, base: float, goals: dict) -> str:
    if key not in goals:
        return ""
    unit, limit = goals[key]
    got = value / base if unit == "x" else value
    ok = got <= limit
    return f"  goal ≤ {limit:g}{unit or ''}: {'ok' if ok else 'OVER'}"


def report(name: str, numbers: dict, base: float, goals: dict) -> list[str]:
    lines = []
    for key, value in numbers.items():
        if not isinstance(value, (int, float)):
            lines.append(f"  {key:44} {value}")
        elif key.endswith("_s"):
            lines.append(f"  {key:44} {value * 1000:9.1f} ms {value / base:7.2f}×{_goal(key, value, base, goals)}")
        else:
            lines.append(f"  {key:44} {value:12,.3f}{_goal(key, value, base, goals)}")
    return lines


def main(argv: list[str]) -> int:
    sys.path.insert(0, HERE)
    names = argv or discover()
    from common import python_pass, write_bytecode
    write_bytecode()        # every "warm" run below has enumsync's bytecode, as a regular install does
    base = python_pass()
    print(f"python -c pass: {base * 1000:.1f} ms (median); ratios below are against it")
    for name in names:
        if not os.path.exists(os.path.join(HERE, f"{name}.py")):
            print(f"{name}: missing (benchmarks/{name}.py not written yet)")
            continue
        t = time.perf_counter()
        try:
            mod = importlib.import_module(name)
            numbers = mod.main()
        except SystemExit as e:
            print(f"{name}: skipped ({e})")
            continue
        except Exception:
            print(f"{name}: FAILED\n" + "".join("  " + x for x in traceback.format_exc().splitlines(True)))
            continue
        import common
        here = common.baseline() if common._BASE else base
        common._BASE.clear()
        print(f"{name}: ({time.perf_counter() - t:.0f} s; python -c pass alongside: {here * 1000:.1f} ms)")
        print("\n".join(report(name, numbers or {}, here, getattr(mod, "GOALS", {}))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
