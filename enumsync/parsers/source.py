"""Read a source file for parsing: one clear error for a missing, binary or unreadable file."""
from __future__ import annotations

from pathlib import Path

from ..model import EnumsyncError


def read_source(path: str | Path) -> tuple[str, str]:
    """(absolute path, text) with any UTF-8 BOM removed; line endings are normalised to ``\\n``."""
    p = Path(path)
    if not p.exists():
        raise EnumsyncError(f"{path}: no such file; check the path")
    if p.is_dir():
        raise EnumsyncError(f"{path}: is a directory, not a source file; pass the file itself")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise EnumsyncError(f"{path}: cannot read it ({e.strerror})") from e
    if b"\0" in data[:8192]:
        raise EnumsyncError(f"{path}: looks like a binary file, not source; check the path")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise EnumsyncError(f"{path}: not UTF-8 text (byte {e.start}); check the path") from e
    return str(p.resolve()), text.replace("\r\n", "\n").replace("\r", "\n")
