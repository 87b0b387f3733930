"""Every TOML read goes through here: ``tomllib`` on Python 3.11+, ``tomli`` on 3.10."""
from __future__ import annotations

from pathlib import Path

try:
    import tomllib as _toml
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as _toml

from .model import EnumsyncError

TOMLDecodeError = _toml.TOMLDecodeError


def loads(text: str, where: str, what_to_do: str = "fix the file") -> dict:
    """Parse TOML text; a syntax error is one EnumsyncError line naming ``where``."""
    try:
        return _toml.loads(text)
    except _toml.TOMLDecodeError as e:
        raise EnumsyncError(f"{where}: invalid TOML ({e}); {what_to_do}") from e


def load(path: Path, what_to_do: str = "fix the file") -> dict:
    """Parse a TOML file; unreadable or invalid is one EnumsyncError line."""
    from .parsers.source import read_text
    return loads(read_text(path, f"TOML must be UTF-8; {what_to_do}"), str(path), what_to_do)
