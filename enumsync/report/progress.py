"""Progress of long runs on stderr: a spinner on a terminal, a line per step when piped.

``ENUMSYNC_NO_PROGRESS=1`` silences it. While a spinner runs, nested spinners (the
per-download one in ``sources``) stay quiet, so two never fight over the line.
"""
from __future__ import annotations

import os
import sys
import threading

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """``with Progress("fetching", total) as p: ... p.step("0.7.2")``."""

    def __init__(self, what: str, total: int, stream=None):
        self.what, self.total, self.done = what, total, 0
        self.stream = stream or sys.stderr
        self.quiet = bool(os.environ.get("ENUMSYNC_NO_PROGRESS"))
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = ""
        self._lock = threading.Lock()
        self._env_before: str | None = None

    def __enter__(self):
        if self.quiet:
            return self
        if self.tty:
            self._env_before = os.environ.get("ENUMSYNC_NO_PROGRESS")
            os.environ["ENUMSYNC_NO_PROGRESS"] = "1"   # inner spinners stay quiet
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        else:
            self._write(f"enumsync: {self.what} ({self.total})\n")
        return self

    def step(self, item: str, note: str = "") -> None:
        with self._lock:
            self.done += 1
            self._last = item
        if not self.quiet and not self.tty:
            self._write(f"enumsync: {self.what}: {item}{f' ({note})' if note else ''} [{self.done}/{self.total}]\n")

    def _spin(self) -> None:
        i = 0
        while not self._stop.wait(0.1):
            with self._lock:
                line = f"{FRAMES[i % len(FRAMES)]} {self.what} {self.done}/{self.total}" + \
                       (f" (last: {self._last})" if self._last else "")
            self._write("\r" + line[:max(10, _cols() - 1)] + "\x1b[K")
            i += 1

    def _write(self, s: str) -> None:
        try:
            self.stream.write(s)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def __exit__(self, *exc):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._write("\r\x1b[K")
            if self._env_before is None:
                os.environ.pop("ENUMSYNC_NO_PROGRESS", None)
            else:
                os.environ["ENUMSYNC_NO_PROGRESS"] = self._env_before
        return False


def _cols() -> int:
    import shutil
    return shutil.get_terminal_size((80, 24)).columns
