"""The enumsync cache folder: where it is, a lock per version, atomic writes, checked reads.

``$ENUMSYNC_CACHE_DIR`` first, else the platform's user cache folder (``platformdirs``:
``~/.cache/enumsync`` on Linux, ``~/Library/Caches/enumsync`` on macOS, ``%LOCALAPPDATA%``
on Windows). Every file is written under a unique temporary name in its final folder and
renamed into place, so a reader never sees half a file; writers of one version hold an
exclusive lock (``filelock``), so parallel cold runs do the work once and agree.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

LOCK_TIMEOUT_S = 600        # a run waits this long for another run fetching the same version


def cache_dir() -> Path:
    """The cache root: ``$ENUMSYNC_CACHE_DIR``, else the platform's user cache folder."""
    env = os.environ.get("ENUMSYNC_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("enumsync", appauthor=False))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "_", text)


def version_lock(dist: str, version: str):
    """An exclusive, inter-process lock for one (dist, version) in the cache."""
    from filelock import FileLock
    d = cache_dir() / "locks"
    d.mkdir(parents=True, exist_ok=True)
    return FileLock(str(d / f"{_slug(dist)}-{_slug(version)}.lock"), timeout=LOCK_TIMEOUT_S)


def write_atomic(path: Path, data: bytes, before_replace=None) -> None:
    """Write ``data`` to ``path`` through a unique temporary file in the same folder.

    ``before_replace(tmp)``, if given, runs on the written temporary file just before the rename
    (to copy a mode or owner, or to refuse); if it raises, the temporary file is removed and
    ``path`` is untouched.
    """
    import tempfile
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def intact(path: Path, digest: str) -> bool:
    """True if ``path`` is a regular file whose sha256 is ``digest``."""
    try:
        return path.is_file() and sha256_file(path) == digest
    except OSError:
        return False


def safe_member_path(base: Path, name: str) -> Path:
    """``base / name`` for an archive member name, refusing absolute paths and ``..``."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts) \
            or re.match(r"^[A-Za-z]:", name):
        raise ValueError(f"unsafe archive member name {name!r}")
    return base.joinpath(*parts)
