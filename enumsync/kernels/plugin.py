"""A verify launcher given as ``MODULE:ATTR`` (a plug-in point; enumsync's tests inject a CPU stand-in).

The object named must have ``environment()`` -> ``(cpp EnumSpec, device description)`` for
the parent, and ``make_launcher(spec)`` for the worker subprocess.
"""
from __future__ import annotations

import importlib

from ..model import EnumsyncError


def load_plugin(path: str):
    mod, _, attr = path.partition(":")
    if not mod or not attr:
        raise EnumsyncError(f"--launcher {path!r}: expected MODULE:ATTR")
    try:
        return getattr(importlib.import_module(mod), attr)
    except (ImportError, AttributeError) as e:
        raise EnumsyncError(f"--launcher {path!r}: cannot load it ({e})") from None
