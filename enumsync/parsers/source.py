"""Read a source file for parsing: one clear error for a missing, special, huge, binary or unreadable file."""
from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
import warnings
from pathlib import Path

from ..model import EnumsyncError

MAX_SOURCE_BYTES = 16 * 1024 * 1024


def read_bytes(path: str | Path, limit: int = MAX_SOURCE_BYTES) -> tuple[Path, bytes]:
    """(path, raw bytes) of a regular file no larger than ``limit``; anything else is refused at once.

    The file is opened without blocking and checked with ``fstat`` before any read, so
    ``/dev/zero``, a FIFO, a socket or a directory never hangs or fills memory.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise EnumsyncError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise EnumsyncError(f"{path}: is a directory, not a source file; pass the file itself") from None
    except OSError as e:
        raise EnumsyncError(f"{path}: cannot read it ({e.strerror}); check the path and its permissions") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise EnumsyncError(f"{path}: is a directory, not a source file; pass the file itself")
        raise EnumsyncError(f"{path}: is not a regular file (a device, FIFO or socket); pass a source file")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise EnumsyncError(f"{path}: is {st.st_size / 2**20:.1f} MiB, over the {limit // 2**20} MiB limit "
                                "for a source file; check the path")
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise EnumsyncError(f"{path}: cannot read it ({e.strerror})") from None
    if len(data) > limit:
        raise EnumsyncError(f"{path}: grew past the {limit // 2**20} MiB limit while being read; check the path")
    if b"\0" in data[:8192]:
        raise EnumsyncError(f"{path}: looks like a binary file, not source; check the path")
    return p, data


def _decode(path, data: bytes, python: bool) -> str:
    encoding = "utf-8-sig"
    if python:  # PEP 263: a coding line (or a BOM) says how the file is encoded
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as e:
            raise EnumsyncError(f"{path}: {e.msg if hasattr(e, 'msg') else e}; fix its coding line") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise EnumsyncError(f"{path}: not valid {encoding} text (byte {e.start}); "
                            "check the path or its coding line") from None


def read_source(path: str | Path, python: bool = False) -> tuple[str, str]:
    """(absolute path, text) with any BOM removed; line endings are normalised to ``\\n``.

    ``python=True`` honours a PEP 263 coding line (a latin-1 file is valid Python); C++ is UTF-8.
    """
    p, data = read_bytes(path)
    return str(p.resolve()), decode_source(path, data, python)


def decode_source(path: str | Path, data: bytes, python: bool = False) -> str:
    """``data`` as text, as :func:`read_source` decodes it (for bytes read elsewhere)."""
    text = _decode(path, data, python)     # utf-8-sig drops one BOM; a second is an error for both compilers
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | Path, what_to_do: str = "check the path") -> str:
    """A UTF-8 text file (config, requirements, lock): a regular file within the size limit, or one line."""
    _, data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise EnumsyncError(f"{path}: not UTF-8 text (byte {e.start}); {what_to_do}") from None


def parse_python(text: str, filename: str) -> ast.Module:
    """``ast.parse`` without its SyntaxWarnings (invalid escapes, ...) reaching the user's stderr.

    Input Python cannot compile for its size (a sum of 3,000 terms) is a ``SyntaxError`` too.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=filename)
    except (RecursionError, MemoryError):
        raise SyntaxError("an expression is nested too deeply for Python to compile (Python itself "
                          "refuses this file); split it", (filename, None, None, None)) from None


class LineIndex:
    """Line starts of a text, computed once: the source text of any AST node in O(its length).

    ``ast.get_source_segment`` splits the whole file on every call (quadratic over a class);
    this does the split once. Lines end at ``\\n`` only, as the tokenizer counts them, so a form
    feed or U+2028 inside a line never shifts a line number.
    """

    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")
        starts = [0]
        for line in self.lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.starts = starts

    def offset(self, lineno: int, col_byte: int) -> int:
        """The character offset of (1-based line, UTF-8 byte column), as the AST reports positions."""
        line = self.lines[lineno - 1]
        if not line.isascii():
            col_byte = len(line.encode("utf-8")[:col_byte].decode("utf-8", "replace"))
        return self.starts[lineno - 1] + col_byte

    def segment(self, node) -> str | None:
        """The exact source text of ``node`` (None without positions)."""
        if getattr(node, "end_lineno", None) is None:
            return None
        return self.text[self.offset(node.lineno, node.col_offset):self.offset(node.end_lineno, node.end_col_offset)]
