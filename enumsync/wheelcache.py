"""Download wheels with the user's pip (``pip download --no-deps``) and cache files from them.

Cache layout: ``$ENUMSYNC_CACHE_DIR`` (default ``~/.cache/enumsync``)::

    wheels/<dist>-<version>/<file>.whl     the downloaded wheel (kept only if asked)
    files/<dist>/<version>-<sha12>/<path>  files extracted from it
    files/<dist>/<version>.json            index: wheel name, sha256, extracted paths

With a warm cache nothing touches the network.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .model import DownloadError, EnumsyncError


def cache_dir() -> Path:
    return Path(os.environ.get("ENUMSYNC_CACHE_DIR") or Path.home() / ".cache" / "enumsync")


def _norm(dist: str) -> str:
    return dist.lower().replace("_", "-")


def _index_path(dist: str, version: str) -> Path:
    return cache_dir() / "files" / _norm(dist) / f"{version}.json"


def cached_files(dist: str, version: str) -> dict | None:
    """The cache index for (dist, version), or None if nothing is cached."""
    p = _index_path(dist, version)
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def download_wheel(dist: str, version: str, dest: Path, quiet: bool = True) -> Path:
    """``pip download --no-deps dist==version`` into ``dest``; returns the wheel's path."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(dest), f"{dist}=={version}"]
    if quiet:
        cmd.insert(4, "-q")
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise DownloadError(f"cannot run pip to download {dist}=={version}: {e}") from e
    if r.returncode != 0:
        last = [l for l in (r.stderr or "").splitlines() if l.strip() and "WARNING" not in l]
        why = last[-1].strip() if last else f"pip exited {r.returncode}"
        raise DownloadError(f"cannot download {dist}=={version} (not cached, and pip failed: {why}); "
                            f"check the version and your network or pip index settings")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise EnumsyncError(f"pip downloaded no wheel for {dist}=={version}")
    return wheels[0]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_files(dist: str, version: str, wanted, quiet: bool = True) -> dict[str, Path]:
    """Files from a wheel of ``dist==version``, extracted into the cache.

    ``wanted`` is a callable ``(names: list[str]) -> list[str]`` that picks archive members
    from the wheel's name list (so callers can say "the first of these that exists").
    Returns archive name -> cached path. A warm cache answers without the network; a new
    ``wanted`` that asks for more files than are cached re-downloads the wheel.
    """
    idx = cached_files(dist, version)
    if idx is not None:
        base = cache_dir() / "files" / _norm(dist) / idx["dir"]
        picked = wanted(idx["names"])
        if all((base / n).is_file() for n in picked):
            return {n: base / n for n in picked}
    with tempfile.TemporaryDirectory(prefix="enumsync-") as tmp:
        whl = download_wheel(dist, version, Path(tmp), quiet=quiet)
        digest = sha256(whl)
        with zipfile.ZipFile(whl) as z:
            names = z.namelist()
            picked = wanted(names)
            subdir = f"{version}-{digest[:12]}"
            base = cache_dir() / "files" / _norm(dist) / subdir
            for n in picked:
                target = base / n
                target.parent.mkdir(parents=True, exist_ok=True)
                tmpf = target.with_suffix(target.suffix + ".part")
                tmpf.write_bytes(z.read(n))
                os.replace(tmpf, target)
    p = _index_path(dist, version)
    p.parent.mkdir(parents=True, exist_ok=True)
    old = cached_files(dist, version) or {}
    keep = sorted(set(picked) | (set(old.get("cached", [])) if old.get("dir") == subdir else set()))
    tmpi = p.with_suffix(".json.part")
    tmpi.write_text(json.dumps({"wheel": whl.name, "sha256": digest, "dir": subdir,
                                "names": names, "cached": keep}))
    os.replace(tmpi, p)
    return {n: base / n for n in picked}


def fetch_file(dist: str, version: str, path_suffix: str) -> Path:
    """One file from a wheel, by the end of its archive path (e.g. ``sglang/srt/layers/moe/utils.py``)."""
    def pick(names):
        hits = [n for n in names if n == path_suffix or n.endswith("/" + path_suffix)]
        if not hits:
            raise EnumsyncError(f"{dist}=={version}: the wheel has no {path_suffix}")
        return hits[:1]
    return next(iter(fetch_files(dist, version, pick).values()))


def fetch_tree(dist: str, version: str, prefix: str) -> Path:
    """Every file under ``prefix`` (an archive folder like ``sglang/srt/models/``); returns its folder."""
    prefix = prefix.rstrip("/") + "/"
    def pick(names):
        hits = [n for n in names if n.startswith(prefix) and not n.endswith("/")]
        if not hits:
            raise EnumsyncError(f"{dist}=={version}: the wheel has nothing under {prefix}")
        return hits
    files = fetch_files(dist, version, pick)
    first = next(iter(files))
    return Path(str(files[first])[: -len(first)]) / prefix
