"""Helpers shared by the benchmarks: median wall time of a command, in a subprocess.

On a shared, loaded machine an absolute time means little; ``wall`` therefore runs
``python -c pass`` right before each timed run and keeps those samples, so that a module can
report the baseline measured alongside its own numbers (``baseline()``).
"""
from __future__ import annotations

import functools
import os
import resource
import statistics
import subprocess
import sys
import time

_BASE: list[float] = []
LAST_CPU: list[float] = []     # child CPU seconds (user + sys) of each timed run of the last ``wall``


def _once(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wall(cmd: list[str], n: int = 5, env: dict | None = None, before=None) -> float:
    """Median seconds of ``cmd`` over ``n`` runs (``before()`` runs untimed before each),
    each run paired with one ``python -c pass``."""
    out = []
    LAST_CPU.clear()
    for _ in range(n):
        if before:
            before()
        _BASE.append(_once([sys.executable, "-c", "pass"]))
        c = _child_cpu()
        out.append(_once(cmd, env))
        LAST_CPU.append(_child_cpu() - c)
    return statistics.median(out)


def last_cpu() -> float:
    """Median child CPU seconds of the last ``wall`` (a busy machine inflates wall time, not this)."""
    return statistics.median(LAST_CPU)


def baseline() -> float:
    """Median of the ``python -c pass`` runs interleaved with this module's runs so far."""
    return statistics.median(_BASE) if _BASE else python_pass()


def python_pass(n: int = 9) -> float:
    """Median seconds of ``python -c pass``: the unit every ratio is measured in."""
    return statistics.median(_once([sys.executable, "-c", "pass"]) for _ in range(n))


def enumsync(*args: str) -> list[str]:
    return [sys.executable, "-m", "enumsync", *args]


@functools.lru_cache(maxsize=None)
def enumsync_package() -> str:
    """The folder of the enumsync that ``enumsync(...)`` runs (the child sees this process's environment)."""
    code = "import enumsync, os; print(os.path.dirname(enumsync.__file__))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def write_bytecode() -> None:
    """Compile enumsync's modules to bytecode, as a regular ``pip install`` does, so that a warm run
    is warm: under ``PYTHONDONTWRITEBYTECODE=1`` an editable install never writes it, and every run
    would compile every module it imports from source."""
    import compileall
    compileall.compile_dir(enumsync_package(), quiet=1)


def drop_bytecode() -> None:
    """Delete enumsync's bytecode (``write_bytecode`` puts it back)."""
    import shutil
    for top, dirs, _ in os.walk(enumsync_package()):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(top, "__pycache__"), ignore_errors=True)
