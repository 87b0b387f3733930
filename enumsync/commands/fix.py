"""``enumsync fix``: rewrite the Python enum class to match C++ (see ``enumsync.fixer``)."""
from __future__ import annotations

import difflib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

import click

from ..model import EnumsyncError
from .options import guarded, pair_options

BOM = "\ufeff"


def read_exact(path: Path) -> str:
    """The file's text with its own line endings (and BOM) kept."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise EnumsyncError(f"{path}: cannot read it as UTF-8 ({e})") from e


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and ``os.replace``, keeping the file's mode."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".enumsync", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _guard_target(path: Path) -> None:
    from ..wheelcache import cache_dir
    try:
        path.resolve().relative_to(cache_dir().resolve())
    except ValueError:
        return
    raise EnumsyncError(f"{path}: is a file in the enumsync download cache, not your code; "
                        "pass --python FILE (or --preset) to fix your own copy")


def fix_one(spec, show_diff: bool) -> dict:
    """Fix one pair; returns a result dict (python, cpp, changes, written, diff)."""
    from ..fixer import plan_fix
    from ..pairs import parse_pair
    cpp, py = parse_pair(spec)
    path = Path(py.path)
    raw = read_exact(path)
    bom = raw.startswith(BOM)
    text = raw[1:] if bom else raw
    res = plan_fix(text, py, cpp, spec.extensions)
    out = {"python": str(path), "cpp": cpp.path, "enum": py.name, "changes": res.changes, "written": False,
           "notes": list(spec.notes)}
    if not res.changes:
        return out
    if show_diff:
        rel = os.path.relpath(path)
        rel = str(path).lstrip("/") if rel.startswith("..") else rel
        out["diff"] = "".join(difflib.unified_diff(text.splitlines(True), res.text.splitlines(True),
                                                   f"a/{rel}", f"b/{rel}"))
        return out
    _guard_target(path)
    write_atomic(path, (BOM if bom else "") + res.text)
    out["written"] = True
    return out


@click.command()
@pair_options
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff and write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def fix(pair, show_diff: bool, fmt: str) -> None:
    """Rewrite the Python enum to match C++, keeping the file's style.

    Values are corrected in place; missing members are inserted in C++ order with the C++
    comments; extensions are kept; nothing outside the class changes; the write is atomic.
    Refuses (exit 2) when the class holds something it cannot rewrite safely.
    """
    from ..pairs import resolve_pairs
    specs, _ = resolve_pairs(pair)
    results = [fix_one(s, show_diff) for s in specs]
    origin = next((s.origin for s in specs if s.origin), "")
    if origin and fmt == "text":
        click.echo(origin, err=show_diff)   # --diff keeps stdout a clean patch
    if fmt == "json":
        sys.stdout.write(json.dumps({"schema": 1, "origin": origin, "results": results}, indent=2) + "\n")
        return
    for r in results:
        if show_diff:
            sys.stdout.write(r.get("diff", ""))
            if not r["changes"]:
                click.echo(f"{r['python']}: {r['enum']} already matches C++", err=True)
            continue
        if r["changes"]:
            click.echo(f"fixed {r['python']}: {r['enum']}: {'; '.join(r['changes'])}")
        else:
            click.echo(f"{r['python']}: {r['enum']} already matches C++")
