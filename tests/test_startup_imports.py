"""What `enumsync check` imports (issue 10: start-up is most of a warm check's time).

Every module a run imports costs time on every run, so `check` with the text report loads
only what checking one pair needs: no other command, no other report format, no download or
lock-writing machinery. These tests run `check` in a fresh interpreter and fail when a module
listed below comes back (an eager import at the top of a module on the check path). They time
nothing: timing is `benchmarks/check_latency.py`'s job.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from conftest import ROOT

# Not needed by `check` of one pair with the text report. Package names cover their submodules.
NOT_NEEDED = (
    # the other commands and what only they use
    "enumsync.commands.diff", "enumsync.commands.fix", "enumsync.commands.history", "enumsync.commands.lock",
    "enumsync.commands.models", "enumsync.commands.rules", "enumsync.commands.scan", "enumsync.commands.verify",
    "enumsync.fixer", "enumsync.enumdiff", "enumsync.kernels", "enumsync.scan", "enumsync.rule_docs",
    "enumsync.parsers.routing_tables", "enumsync.table_rules",
    "enumsync.parsers.cpp_prune",   # big headers only
    # downloads and the cache (a warm zero-config check reads the installed package)
    "enumsync.wheelcache", "enumsync.pipconf", "enumsync.simpleindex", "enumsync.cache",
    # the other report formats, and JSON (no lock file here, text output)
    "enumsync.report.jsonfmt", "enumsync.report.sarif", "enumsync.report.github", "enumsync.report.concise",
    "enumsync.report.markdown", "enumsync.report.progress", "json",
    # heavy modules of the standard library and third parties
    "subprocess", "email", "http", "urllib.request", "logging", "argparse", "rich", "packaging",
    "fastjsonschema",
)
# The modules that do the work: present, or the run did not get as far as checking.
DOES_THE_WORK = ("enumsync.commands.check", "enumsync.parsers.cpp", "enumsync.parsers.python_enum",
                 "enumsync.rules", "enumsync.report.text")

HEADER = """// written for enumsync's tests
#include <cstdint>
enum class RoutingMethodType : int64_t {
  // Default: Softmax -> TopK
  Default = 0,
  // Renormalize: TopK -> Softmax
  Renormalize = 1,
};
"""
PY = """from enum import IntEnum


class RoutingMethodType(IntEnum):
    # Default: Softmax -> TopK
    Default = 0
    # Renormalize: TopK -> Softmax
    Renormalize = 1
"""


def imported_by_check(args: list[str], cwd) -> tuple[int, set[str]]:
    """Run ``enumsync check ARGS`` in a fresh interpreter; its exit code and every module it imported."""
    code = ("import sys\nfrom enumsync.cli import main\n"
            f"sys.argv = ['enumsync', 'check', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    rc = e.code\n"
            "sys.stderr.write(repr((rc, sorted(sys.modules))))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("ENUMSYNC_DEBUG", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    rc, modules = ast.literal_eval(r.stderr.strip().splitlines()[-1])
    return rc, set(modules)


def unneeded(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_NEEDED))


def test_check_of_an_explicit_pair_imports_only_what_it_needs(tmp_path):
    (tmp_path / "runner.h").write_text(HEADER)
    (tmp_path / "enums.py").write_text(PY)
    rc, modules = imported_by_check(["--cpp", "runner.h", "--python", "enums.py"], tmp_path)
    assert rc == 0
    assert set(DOES_THE_WORK) <= modules
    assert unneeded(modules) == []


def test_zero_config_check_imports_only_what_it_needs(tmp_path, installed_flashinfer):
    """Outside any checkout: the installed flashinfer's own pair (the benchmark's warm check)."""
    rc, modules = imported_by_check([], tmp_path)
    assert rc == 0
    assert set(DOES_THE_WORK) | {"enumsync.presets", "enumsync.sources"} <= modules
    assert unneeded(modules) == []


@pytest.mark.parametrize("fmt, module", [("json", "enumsync.report.jsonfmt"), ("sarif", "enumsync.report.sarif")])
def test_other_formats_still_load_their_module(tmp_path, fmt, module):
    """The list above is not vacuous: asking for a format loads the module it names."""
    (tmp_path / "runner.h").write_text(HEADER)
    (tmp_path / "enums.py").write_text(PY)
    rc, modules = imported_by_check(["--cpp", "runner.h", "--python", "enums.py", "--format", fmt], tmp_path)
    assert rc == 0
    assert module in modules
