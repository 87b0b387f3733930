"""Bytes and seconds of cold downloads: one version (`check --flashinfer 0.7.2`) and a 12-version `history`.

Goal (issue 10): under 1 MB transferred per version, a cold 12-version history under 10 s.
"After" reads the central directory and two members with range requests; "before" is what the
old path transferred: the whole wheel through `pip download` (the wheel sizes come from the
index; `--before` also times one real `pip download`).

    python benchmarks/download.py [--before]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from history_latency import VERSIONS  # noqa: E402  the same 12 versions

DIST = "flashinfer-python"
ONE = "0.7.2"
GOALS = {"history12_cold_s": ("s", 10.0), "one_bytes": ("", 1e6), "history12_bytes": ("", 12e6)}


def _cold_env(d: str) -> dict:
    return {**os.environ, "ENUMSYNC_CACHE_DIR": d, "ENUMSYNC_NO_PROGRESS": "1"}


def _timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return time.perf_counter() - t


def _in_process(versions: list[str]) -> tuple[int, int, float]:
    """(bytes, requests, seconds) of fetching ``versions`` cold, in parallel as `history` does."""
    from enumsync import wheelcache
    from enumsync.commands.history import collect
    with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
        os.environ["ENUMSYNC_CACHE_DIR"] = d
        b0, r0 = wheelcache.TRANSFER.bytes, wheelcache.TRANSFER.requests
        t = time.perf_counter()
        rows = collect(versions, "RoutingMethodType", None, 4)
        dt = time.perf_counter() - t
        bad = [r["version"] for r in rows if r["spec"] is None]
        if bad:
            sys.exit(f"no RoutingMethodType in {bad}")
        return wheelcache.TRANSFER.bytes - b0, wheelcache.TRANSFER.requests - r0, dt


def _wheel_sizes(versions: list[str]) -> dict[str, int]:
    """What the old path transferred per version: the whole wheel, as the index lists it."""
    from enumsync import pipconf, simpleindex
    cfg = pipconf.load()
    files, _ = simpleindex.project_files(DIST, cfg)
    sess = simpleindex.session(cfg)
    out = {}
    for v in versions:
        w = simpleindex.pick_wheel(files, v)
        r = sess.head(w.url, timeout=30, allow_redirects=True)
        out[v] = int(r.headers["Content-Length"])
    return out


def _pip_download_one() -> tuple[int, float]:
    with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "-d", d, f"{DIST}=={ONE}"], check=True, capture_output=True)
        dt = time.perf_counter() - t
        return sum(p.stat().st_size for p in Path(d).glob("*.whl")), dt


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", action="store_true", help="also time one whole-wheel `pip download`")
    a = ap.parse_args(argv if argv is not None else [])
    py = sys.executable
    saved = os.environ.get("ENUMSYNC_CACHE_DIR")
    res: dict = {}
    t = time.perf_counter()
    subprocess.run([py, "-c", "pass"], check=True)
    res["python_pass_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
        res["check_cold_s"] = _timed([py, "-m", "enumsync", "check", "--flashinfer", ONE], _cold_env(d))
    with tempfile.TemporaryDirectory(prefix="enumsync-bench-") as d:
        res["history12_cold_s"] = _timed([py, "-m", "enumsync", "history", "--flashinfer", ",".join(VERSIONS)],
                                         _cold_env(d))
    try:
        res["one_bytes"], res["one_requests"], res["one_fetch_s"] = _in_process([ONE])
        res["history12_bytes"], res["history12_requests"], res["history12_fetch_s"] = _in_process(VERSIONS)
    finally:
        if saved is None:
            os.environ.pop("ENUMSYNC_CACHE_DIR", None)
        else:
            os.environ["ENUMSYNC_CACHE_DIR"] = saved
    sizes = _wheel_sizes(VERSIONS)
    res["before_one_bytes"] = sizes[ONE]
    res["before_history12_bytes"] = sum(sizes.values())
    if a.before:
        res["before_one_bytes"], res["before_one_pip_download_s"] = _pip_download_one()
    mb = 1e6
    print(f"cold check --flashinfer {ONE}:  {res['check_cold_s']:.2f} s, {res['one_bytes'] / mb:.3f} MB in "
          f"{res['one_requests']} requests (before: whole wheel {res['before_one_bytes'] / mb:.1f} MB"
          + (f", pip download {res['before_one_pip_download_s']:.1f} s)" if a.before else ")"))
    print(f"cold history, 12 versions: {res['history12_cold_s']:.2f} s (goal < 10 s), "
          f"{res['history12_bytes'] / mb:.2f} MB = {res['history12_bytes'] / 12 / mb:.3f} MB/version (goal < 1) "
          f"(before: {res['before_history12_bytes'] / mb:.0f} MB)")
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
