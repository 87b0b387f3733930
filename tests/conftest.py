"""Shared test helpers: real upstream files from installed or downloaded (cached) wheels."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GXX = shutil.which("g++")


def gxx_print(tmp: Path, header: str, exprs: list[str], flags=()) -> list[int]:
    """What g++ computes: each of ``exprs`` printed by a program that includes ``header`` (in ``tmp``)."""
    (tmp / "run.cpp").write_text(f'#include "{header}"\n#include <cstdio>\nint main() {{\n'
                                 + "".join(f'  std::printf("%lld\\n", (long long)({e}));\n' for e in exprs) + "}\n")
    r = subprocess.run([GXX, "-std=c++17", "-w", *flags, str(tmp / "run.cpp"), "-o", str(tmp / "run")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = subprocess.run([str(tmp / "run")], capture_output=True, text=True, check=True, timeout=60).stdout
    return [int(v) for v in out.split()]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m enumsync ARGS`` in a subprocess, as a user would."""
    import os
    e = dict(os.environ)
    e.setdefault("COLUMNS", "200")
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "enumsync", *args], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def installed_flashinfer():
    """The installed flashinfer-python's files (skips when it is not installed)."""
    from enumsync.sources import locate_installed
    fi = locate_installed()
    if fi is None:
        pytest.skip("flashinfer-python is not installed (pip install --no-deps flashinfer-python)")
    return fi


def wheel_file(dist: str, version: str, suffix: str) -> Path:
    """One file from a real wheel on PyPI, downloaded once and cached (network tests)."""
    from enumsync.wheelcache import fetch_file
    return fetch_file(dist, version, suffix)


def wheel_tree(dist: str, version: str, prefix: str) -> Path:
    from enumsync.wheelcache import fetch_tree
    return fetch_tree(dist, version, prefix)


def flashinfer_runner_h(version: str) -> Path:
    return wheel_file("flashinfer-python", version, "flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h")
