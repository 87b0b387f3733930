"""``enumsync fix``: rewrite the Python enum class to match C++ (see ``enumsync.fixer``).

Safety, in the order it is checked (each refusal is exit 2, one line, nothing written):

- every pair is planned before any file is written, so a refusal leaves every file as it was;
  two pairs in one file are applied one after the other to the same bytes;
- a symlink is followed: the file it points to is rewritten, the link stays;
- not a regular file, a file in the download cache, a file inside an installed package
  (a ``site-packages`` or ``dist-packages`` folder; ``--allow-installed`` permits it);
- a file with more than one hard link is refused (the atomic rename would split the links, and
  tools such as uv hard-link installed files to a shared cache, so editing in place is no better);
- a read-only file is refused: ``os.access`` says the user cannot write it, or its mode bits
  give the user no write permission. Root passes ``os.access`` for every file, so for root the
  owner's write bit decides: ``chmod a-w FILE`` protects a file from ``fix`` even when run as root;
- the file changed between the read and the write: its device, inode, size, mtime and sha256 are
  compared again just before the rename.

The new bytes go to a temporary file in the same folder (mode and, for root, owner copied),
which is fsynced and renamed over the file.
"""
from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import click

from ..cache import sha256_bytes
from ..model import EnumsyncError
from .options import guarded, pair_options, report_options

MAX_BYTES = 16 * 1024 * 1024
INSTALLED_DIRS = ("site-packages", "dist-packages")


@dataclass(frozen=True)
class Snapshot:
    """The file as fix read it; compared again just before the rename."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, st: os.stat_result, data: bytes) -> "Snapshot":
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, sha256_bytes(data))


def read_target(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file (never blocking on a FIFO or reading a device), and its stat."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise EnumsyncError(f"{path}: cannot read it ({e.strerror}); check the path") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise EnumsyncError(f"{path}: is not a regular file; fix rewrites only regular files")
        if st.st_size > MAX_BYTES:
            raise EnumsyncError(f"{path}: is over {MAX_BYTES // 2**20} MiB; not a Python enum file")
        try:
            return f.read(MAX_BYTES + 1), st
        except OSError as e:
            raise EnumsyncError(f"{path}: cannot read it ({e.strerror})") from None


def _user_may_write(st: os.stat_result) -> bool:
    """The write bit of the mode class that applies to the caller (root: the owner's bit)."""
    uid = os.geteuid()
    if uid in (0, st.st_uid):
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def refuse_unsafe_target(path: Path, st: os.stat_result, allow_installed: bool) -> None:
    """Exit 2 (one line) for a target that fix must not replace; see the module doc."""
    from ..wheelcache import cache_dir
    if path.is_relative_to(cache_dir().resolve()):
        raise EnumsyncError(f"{path}: is a file in the enumsync download cache, not your code; "
                            "pass --python FILE (or --preset) to fix your own copy")
    inside = [d for d in INSTALLED_DIRS if d in path.parts]
    if inside and not allow_installed:
        raise EnumsyncError(f"{path}: is inside an installed package ({inside[0]}); fix the project's own source "
                            "instead, or pass --allow-installed to rewrite it anyway")
    if st.st_nlink > 1:
        raise EnumsyncError(f"{path}: has {st.st_nlink} hard links; fix replaces the file, which would split "
                            "them; nothing was written: break the link (cp FILE TMP && mv TMP FILE) or edit by hand")
    if not os.access(path, os.W_OK) or not _user_may_write(st):
        raise EnumsyncError(f"{path}: is read-only (mode {stat.S_IMODE(st.st_mode):04o}); fix does not replace a "
                            "read-only file: make it writable (chmod u+w) first")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise EnumsyncError(f"{path.parent}: fix cannot create its temporary file in this folder "
                            "(not writable); nothing was written")


def _unchanged(path: Path, snap: Snapshot) -> bool:
    try:
        st = os.stat(path)
        if (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) != (snap.dev, snap.ino, snap.size, snap.mtime_ns):
            return False
        data, _ = read_target(path)
    except (OSError, EnumsyncError):
        return False
    return sha256_bytes(data) == snap.sha256


def write_atomic(path: Path, data: bytes, snap: Snapshot) -> None:
    """Write ``data`` atomically with the file's mode (and owner, as root), unless it changed since ``snap``."""
    from ..cache import write_atomic as write
    st = os.stat(path)

    def keep_and_check(tmp: str) -> None:
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
            os.chown(tmp, st.st_uid, st.st_gid)
        if not _unchanged(path, snap):
            raise EnumsyncError(f"{path}: changed while fix was running (size, mtime or content); "
                                "nothing was written; run fix again")
    try:
        write(path, data, keep_and_check)
    except OSError as e:
        raise EnumsyncError(f"{path}: cannot write it ({e.strerror}); nothing was changed") from None


def unified_diff(old: str, new: str, rel: str) -> str:
    """A unified diff that ``patch`` and ``git apply`` read, with ``\\ No newline at end of file``."""
    def split(text: str) -> list[str]:     # at "\n" only, as patch does (not at form feeds or U+2028)
        return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
    out = []
    for line in difflib.unified_diff(split(old), split(new), f"a/{rel}", f"b/{rel}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


@dataclass
class _Target:
    """One Python file and the pairs that fix it."""

    path: Path
    raw: bytes
    snap: Snapshot
    data: bytes
    encoding: str | None = None


def _reparse(data: bytes, path: Path, name: str, encoding: str):
    """The enum class ``name`` from already-fixed bytes (a second pair in the same file)."""
    import ast

    from ..parsers.python_enum import parse_tree
    from ..fixer import Source
    text = Source.read(data, str(path), encoding).text
    return parse_tree(ast.parse(text), text.replace("\r\n", "\n").replace("\r", "\n"), str(path), name)


def plan_all(specs) -> tuple[list[dict], dict[Path, _Target]]:
    """Plan every pair (nothing written): the per-pair results and the new bytes per file."""
    from ..fixer import plan_fix_bytes
    from ..pairs import parse_pair
    results, targets = [], {}
    for spec in specs:
        cpp, py = parse_pair(spec)
        path = Path(py.path).resolve()
        t = targets.get(path)
        if t is None:
            raw, st = read_target(path)
            t = targets[path] = _Target(path, raw, Snapshot.of(st, raw), raw)
        elif t.encoding is not None:
            py = _reparse(t.data, path, py.name, t.encoding)
        res = plan_fix_bytes(t.data, py, cpp, spec.extensions)
        if res.changes:
            from ..fixer import Source
            t.encoding = Source.read(t.raw, str(path)).encoding
            t.data = res.data
        results.append({"python": py.path, "cpp": cpp.path, "enum": py.name, "changes": res.changes,
                        "written": False, "notes": list(spec.notes), "_target": path})
    return results, targets


def _rel(path: Path) -> str:
    rel = os.path.relpath(path)
    return str(path).lstrip("/") if rel.startswith("..") else rel


@click.command()
@pair_options
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff and write nothing; exit 1 when fix would change something.")
@click.option("--allow-installed", is_flag=True,
              help="Also rewrite a file inside site-packages or dist-packages.")
@report_options(findings=False)
@guarded
def fix(pair, show_diff: bool, allow_installed: bool, out) -> int:
    """Rewrite the Python enum to match C++, keeping the file's style.

    Values are corrected in place; missing members are inserted in C++ order with the C++
    comments; extensions are kept; no byte outside the class changes; the write is atomic.
    Refuses (exit 2, nothing written) when the class holds something it cannot rewrite safely,
    or the file is read-only, hard-linked, installed, or changed while fix ran.
    With --diff: exit 1 when something would change, 0 when not.
    """
    from ..fixer import Source
    from ..pairs import resolve_pairs
    specs, _ = resolve_pairs(pair)
    results, targets = plan_all(specs)
    changed = [t for t in targets.values() if t.data != t.raw]
    if show_diff:
        for t in changed:
            enc = t.encoding or "utf-8"
            diff = unified_diff(Source.read(t.raw, str(t.path), enc).text,
                                Source.read(t.data, str(t.path), enc).text, _rel(t.path))
            for r in results:
                if r["_target"] == t.path and r["changes"]:
                    r["diff"] = diff
                    break
    else:
        for t in changed:
            refuse_unsafe_target(t.path, os.stat(t.path), allow_installed)
        for t in changed:
            write_atomic(t.path, t.data, t.snap)
        for r in results:
            r["written"] = bool(r["changes"])
    for r in results:
        del r["_target"]
    origin = next((s.origin for s in specs if s.origin), "")
    if origin and show_diff and out.fmt == "text" and not out.quiet:
        click.echo(origin, err=True)   # --diff keeps stdout a clean patch
    from ..report import Report, emit
    emit(Report("fix", lambda style: fix_text(results, show_diff, style, origin),
                lambda: {"origin": origin, "results": results}, origins=[origin] if origin else []), out)
    return 1 if show_diff and changed else 0


def fix_text(results, show_diff: bool, style, origin: str = "") -> str:
    """The diffs (``--diff``), or one line per pair: what was fixed, or that it already matches."""
    lines = [origin] if origin and not show_diff and not style.quiet else []
    for r in results:
        if show_diff:
            if r.get("diff"):
                lines.append(r["diff"][:-1])   # a patch, byte for byte (it ends with a newline)
            elif not r["changes"]:
                click.echo(f"{r['python']}: {r['enum']} already matches C++", err=True)
            continue
        if r["changes"]:
            lines.append(style.paint("fixed", "green") + f" {r['python']}: {r['enum']}: {'; '.join(r['changes'])}")
        elif not style.quiet:
            lines.append(f"{r['python']}: {r['enum']} already matches C++")
    return "".join(x + "\n" for x in lines)
