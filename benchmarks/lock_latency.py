"""Zero-config `enumsync check` in an sglang-like checkout: with enumsync.lock vs parsing runner.h.

Usage: python benchmarks/lock_latency.py [N]
Builds a throwaway checkout (python/pyproject.toml pinning the installed flashinfer-python, the
installed tllm_enums.py as the copy), writes enumsync.lock from the installed runner.h, and reports
median wall times as ratios against `python -c pass`. `--no-lock` needs the pinned version's files
in the enumsync cache (run `enumsync check --no-lock` once in the checkout first, or have network).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from check_latency import wall  # noqa: E402


def checkout(root: Path) -> Path:
    from enumsync.lock import LOCK_NAME, entry_for, write_lock
    from enumsync.pairs import PairSpec
    from enumsync.sources import locate_installed
    fi = locate_installed()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    copy = root / "python/sglang/srt/layers/moe/utils.py"
    copy.parent.mkdir(parents=True)
    copy.write_text(fi.enum_py.read_text())
    (root / "python/pyproject.toml").write_text(
        f'[project]\nname = "sglang"\nversion = "0"\ndependencies = ["flashinfer_python=={fi.version}"]\n')
    spec = PairSpec(fi.runner_h, copy, label="sglang:RoutingMethodType", flashinfer_version=fi.version,
                    pinned=f"flashinfer-python=={fi.version}")
    write_lock(root / LOCK_NAME, [entry_for(spec, root)])
    return root


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    py = sys.executable
    root = checkout(Path(tempfile.mkdtemp()) / "sglang")
    os.chdir(root)
    subprocess.run([py, "-m", "enumsync", "check", "--no-lock"], capture_output=True)   # warm the cache
    base = wall([py, "-c", "pass"], n)
    locked = wall([py, "-m", "enumsync", "check"], n)
    header = wall([py, "-m", "enumsync", "check", "--no-lock"], n)
    print(f"python -c pass                     {base * 1000:7.1f} ms")
    print(f"enumsync check (enumsync.lock)     {locked * 1000:7.1f} ms   {locked / base:5.2f}x")
    print(f"enumsync check --no-lock (runner.h){header * 1000:7.1f} ms   {header / base:5.2f}x")
    print(f"(zero config in {root}; median of {n} runs)")


if __name__ == "__main__":
    main()
