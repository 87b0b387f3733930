"""Walk a tree's source files once and keep a per-file result cached by (mtime, size).

The cache is one JSON file per (kind, root) under ``$ENUMSYNC_CACHE_DIR/scan``; a file whose
mtime or size changed is read again, a vanished file drops out. A cache that cannot be read or
written is ignored (the scan is then only slower).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv",
             ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_VERSION = 1


def iter_files(root: Path, suffixes: tuple[str, ...], exclude: frozenset[str] = frozenset()):
    """(path, stat) of each file under ``root`` (or ``root`` itself) whose name ends in ``suffixes``,
    outside the folders in ``exclude``."""
    if root.is_file():
        if root.name.endswith(suffixes):
            yield str(root), root.stat()
        return
    stack = [str(root)]
    while stack:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except OSError:
            continue
        with it:
            for e in it:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if e.name not in SKIP_DIRS and e.path not in exclude:
                            stack.append(e.path)
                    elif e.name.endswith(suffixes) and e.is_file():
                        yield e.path, e.stat()
                except OSError:
                    continue


def _cache_path(kind: str, root: Path) -> Path:
    from ..wheelcache import cache_dir
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return cache_dir() / "scan" / f"{kind}-{digest}.json"


def _reader_version(read: Callable) -> str:
    """Changes when the reader's module changes, so a new enumsync never trusts an old index."""
    import sys
    mod = sys.modules.get(read.__module__)
    try:
        src = Path(mod.__file__).read_bytes() if mod and mod.__file__ else b""
    except OSError:
        src = b""
    return f"{_VERSION}-{hashlib.sha256(src).hexdigest()[:12]}"


def _load(p: Path, version: str) -> dict:
    try:
        doc = json.loads(p.read_text())
        return doc["files"] if doc.get("version") == version else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _store(p: Path, files: dict, version: str) -> None:
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{os.getpid()}.part")
        tmp.write_text(json.dumps({"version": version, "files": files}))
        os.replace(tmp, p)
    except OSError:
        pass


def cached_entries(kind: str, roots, suffixes: tuple[str, ...], read: Callable[[str, bytes], list],
                   exclude=()) -> tuple[list[tuple[str, list]], list[str]]:
    """``read(path, bytes)`` for every matching file under ``roots``, reusing cached answers.

    Returns the (path, answer) of each file with a non-empty answer, and every file's path.
    """
    out: list[tuple[str, list]] = []
    seen: set[str] = set()
    version = _reader_version(read)
    skip = frozenset(str(Path(x).resolve()) for x in exclude)
    for root in roots:
        root = Path(root).resolve()
        cp = _cache_path(kind, root)
        old, new, dirty = _load(cp, version), {}, False
        for path, st in iter_files(root, suffixes, skip):
            if path in seen:
                continue
            seen.add(path)
            key = [st.st_mtime_ns, st.st_size]
            hit = old.get(path)
            if hit is not None and hit[0] == key:
                entries = hit[1]
            else:
                try:
                    with open(path, "rb") as f:
                        entries = read(path, f.read())
                except OSError:
                    entries = []
                dirty = True
            new[path] = [key, entries]
            if entries:
                out.append((path, entries))
        if dirty or len(new) != len(old):
            _store(cp, new, version)
    return out, sorted(seen)
