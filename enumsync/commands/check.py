"""``enumsync check``: compare each C++/Python pair and report findings."""
from __future__ import annotations

import sys

import click

from ..pairs import PairOptions, check_pair, resolve_pairs
from .options import guarded, pair_options, report_options


@click.command()
@pair_options
@report_options()
@click.option("--models/--no-models", "with_models", default=True,
              help="Also check the routing tables listed under `models` in the config (ES201/ES202).")
@click.option("--lock/--no-lock", "use_lock", default=True,
              help="Take the C++ enum from enumsync.lock while the pin still matches it [default: on].")
@click.option("--verify-lock", is_flag=True,
              help="Re-derive enumsync.lock from the real wheels; ES011 where it differs.")
@guarded
def check(pair: PairOptions, out, with_models: bool, use_lock: bool, verify_lock: bool) -> None:
    """Check Python enum copies against the C++ enums the kernels read.

    With no options and no config, inside an sglang, vLLM or flashinfer checkout (or any folder
    of one) it checks that project's copy against the flashinfer it pins; elsewhere, the installed
    flashinfer-python's runner.h against its own tllm_enums.py. With enumsync.lock, the pinned
    C++ enum comes from the lock: no download, no C++ parse.
    Exit 0: no error-level finding; 1: at least one; 2: could not check.
    """
    import dataclasses
    specs, cfg = resolve_pairs(dataclasses.replace(pair, use_lock=use_lock, verify_lock=verify_lock))
    results = [check_pair(s) for s in specs]
    if with_models and cfg is not None and cfg.models:
        from ..parsers.routing_tables import extract_paths
        from ..table_rules import check_tables
        rows = extract_paths(cfg.models)
        for spec, r in zip(specs, results):
            r.findings.extend(check_tables(rows, r.cpp, spec.extensions))
    from ..report import emit, exit_code
    emit(check_report(results), out)
    sys.exit(exit_code(f for r in results for f in r.findings))


def check_report(results):
    """The check results as a :class:`~enumsync.report.Report` (every format)."""
    from ..report import pairs_report
    return pairs_report("check", results)
