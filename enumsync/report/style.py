"""Colour and width of a text report, decided once per run by the conventions users expect.

Colour: ``--color never`` / ``always`` win; with ``auto`` (the default), ``NO_COLOR`` (any
value) turns it off, ``FORCE_COLOR`` (any value but ``0``) turns it on even when piped, and
otherwise there is colour only on a terminal. Width: ``COLUMNS`` if set, else the terminal's
width, else 80 (piped, a file).
"""
from __future__ import annotations

import os
import shutil
import unicodedata
from dataclasses import dataclass

CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35",
         "cyan": "36"}
SEVERITY = {"error": "bold red", "warning": "yellow", "info": "cyan"}
COLOR_CHOICES = ("auto", "always", "never")


def wants_color(choice: str = "auto", stream=None, environ=None) -> bool:
    """Whether to colour output written to ``stream`` (None: not a terminal, e.g. a file)."""
    env = os.environ if environ is None else environ
    if choice in ("always", "never"):
        return choice == "always"
    if "NO_COLOR" in env:
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def width_for(stream=None, environ=None) -> int:
    """Columns to fit: ``COLUMNS``, else the terminal's, else 80."""
    env = os.environ if environ is None else environ
    try:
        cols = int(env.get("COLUMNS", ""))
        if cols > 0:
            return cols
    except ValueError:
        pass
    try:
        if stream is not None and stream.isatty():
            return shutil.get_terminal_size((80, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return 80


def cells(text: str) -> int:
    """Display width of ``text`` (wide East Asian characters count two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


@dataclass(frozen=True)
class Style:
    """How a text report is drawn: colour on or off, the width to fit, quiet or full."""

    color: bool = False
    width: int = 80
    quiet: bool = False

    def paint(self, text: str, style: str | None) -> str:
        if not self.color or not style or not text:
            return text
        codes = ";".join(CODES[s] for s in style.split() if s in CODES)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text

    def severity(self, text: str, severity: str) -> str:
        return self.paint(text, SEVERITY.get(severity))
