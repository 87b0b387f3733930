"""``enumsync lock``: write enumsync.lock, the pinned flashinfer's C++ enums, for offline checks."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from ..model import EnumsyncError
from .options import guarded, pair_options


@click.command()
@pair_options
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when enumsync.lock is missing or would change.")
@guarded
def lock(pair, check_only: bool) -> None:
    """Write enumsync.lock: per pair, the pinned flashinfer version, the sha256 of its runner.h and
    the C++ enum as parsed. Commit it: `check` then needs no download and no C++ parse while the
    pin is unchanged (pre-commit offline, pre-commit.ci). Needs the pin's wheel once (cache or network).
    """
    from ..lock import LOCK_NAME, entry_for, read_lock, write_lock
    from ..pairs import resolve_pairs
    pair = dataclasses.replace(pair, use_lock=False, verify_lock=False,
                               flashinfer=pair.flashinfer or _pinned_default(pair))
    specs, cfg = resolve_pairs(pair)
    lockable = [s for s in specs if s.pinned and s.cpp is not None]
    if not lockable:
        raise EnumsyncError("enumsync lock: no pair takes its C++ enum from a pinned flashinfer-python release "
                            "(run it inside an sglang or vLLM checkout, or with --flashinfer pinned)")
    root = _root(specs, cfg)
    path = root / LOCK_NAME
    entries = [entry_for(s, root) for s in lockable]
    if check_only:
        same = path.is_file() and [e.to_json() for e in read_lock(path).entries] == [e.to_json() for e in entries]
        click.echo(f"{path}: {'up to date' if same else 'missing or out of date; run `enumsync lock`'}")
        sys.exit(0 if same else 1)
    changed = write_lock(path, entries)
    for s in specs:
        if s.origin:
            click.echo(s.origin)
            break
    for e in entries:
        click.echo(f"{'wrote' if changed else 'unchanged'} {path}: {e.label}: flashinfer-python {e.version} "
                   f"(runner.h sha256 {e.sha256[:12]}..., {len(e.cpp.members)} members of {e.cpp.qualname})")


def _pinned_default(pair) -> str | None:
    """Explicit pair options without --flashinfer lock the pinned version."""
    return "pinned" if (pair.preset or pair.python) and not pair.cpp else None


def _root(specs, cfg) -> Path:
    """Where the lock lives: beside the config, else the checkout root, else here."""
    from ..pairs import lock_root
    return lock_root(cfg, specs)
