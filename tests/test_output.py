"""Text reports that fit 80 and 120 columns, piped and on a terminal; colour conventions;
--quiet, --format concise, --output-file; `rules ID`; help texts."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG = "RenormalizeWithAVeryLongDescriptiveMemberName"   # 46 characters: wider than a squeezed column

HEADER = f"""// written for enumsync's tests
#include <cstdint>
namespace demo {{
enum class RoutingMethodType : int64_t {{
  // Default: Softmax -> TopK
  Default = 0,
  // Renormalize: TopK -> Softmax
  {LONG} = 1,
  // DeepSeekV3: Sigmoid -> RoutingBiasAdd -> Top2 in group -> Top4 groups -> Top8 experts from the Top4 groups
  DeepSeekV3 = 2,
  // TopKSigmoid: Sigmoid -> TopK
  TopKSigmoid = 3,
  // Unspecified
  Unspecified = 4,
}};
}}
"""
PY = f"""from enum import IntEnum


class RoutingMethodType(IntEnum):
    # Default: Softmax -> TopK
    Default = 0
    # Renormalize: TopK -> Softmax
    {LONG} = 1
    DeepSeekV3 = 2
    Unspecified = 3
"""


@pytest.fixture()
def pair(tmp_path):
    deep = tmp_path / "a_rather_long_folder_name_for_the_project" / "python" / "pkg" / "layers" / "moe"
    deep.mkdir(parents=True)
    h, p = deep / "routing_runner_header.h", deep / "routing_method_utils.py"
    h.write_text(HEADER)
    p.write_text(PY)
    return h, p


def on_pty(args, cols: int, env: dict | None = None, cwd=None) -> str:
    """Run ``enumsync ARGS`` with stdout on a pseudo-terminal ``cols`` wide (COLUMNS unset)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    e = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    e.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "enumsync", *args], stdout=slave, stderr=subprocess.DEVNULL,
                            env=e, cwd=cwd)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def piped(args, cols: int | None, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    if cols:
        e["COLUMNS"] = str(cols)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "enumsync", *args], capture_output=True, text=True, env=e,
                          cwd=cwd, timeout=300)


def assert_fits(text: str, cols: int, whole: list[str]):
    plain = ANSI.sub("", text)
    too_wide = [line for line in plain.splitlines() if len(line) > cols]
    assert not too_wide, f"{len(too_wide)} line(s) wider than {cols}: {too_wide[:3]}"
    for word in whole:
        assert word in plain, f"{word!r} was cut or is missing"


@pytest.mark.parametrize("cols", [80, 120])
def test_check_fits_piped_and_on_a_terminal(pair, cols):
    h, p = pair
    args = ["check", "--cpp", str(h), "--python", str(p)]
    whole = [LONG, "ES001", "ES002", "ES003", "value-collision", "routing_method_utils.py:10",
             "routing_runner_header.h", "TopKSigmoid"]
    r = piped(args, cols)
    assert r.returncode == 1, r.stderr
    assert_fits(r.stdout, cols, whole)
    assert "\x1b[" not in r.stdout                     # piped: no colour
    # the table carries the rule IDs, the finding below carries the name
    row = next(line for line in r.stdout.splitlines() if line.startswith("Unspecified"))
    assert "ES001 ES002" in row and "value-collision" not in row
    t = on_pty(args, cols)
    assert "\x1b[" in t                                # a terminal: colour
    assert_fits(t, cols, whole)


def test_models_fit_80_columns_with_file_line_unbroken(tmp_path):
    r = piped(["models", str(FIXTURES / "models"), "--cpp", str(FIXTURES / "models" / "routing.h")], 80)
    assert r.returncode in (0, 1), r.stderr
    assert_fits(r.stdout, 80, ["ifexp.py:14", "SigmoidRenorm", "RenormalizeNaive"])
    # one table row per routing row: every row's file:line starts a line of its own
    rows = json.loads(piped(["models", str(FIXTURES / "models"), "--cpp", str(FIXTURES / "models" / "routing.h"),
                             "--format", "json"], 80).stdout)["rows"]
    starts = [line.split()[0] for line in r.stdout.splitlines() if re.match(r"^\S+\.py:\d+ ", line)]
    assert len(starts) == len(rows)
    t = on_pty(["models", str(FIXTURES / "models"), "--cpp", str(FIXTURES / "models" / "routing.h")], 80)
    assert_fits(t, 80, ["ifexp.py:14"])


def test_history_compact_view_fits_and_wide_is_the_grid(tmp_path):
    from enumsync.commands.history import analyse, render_changes, render_grid
    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.report.style import Style
    old, new = tmp_path / "old.h", tmp_path / "new.h"
    old.write_text(HEADER.replace("  // TopKSigmoid: Sigmoid -> TopK\n  TopKSigmoid = 3,\n", "").replace("= 4", "= 3"))
    new.write_text(HEADER)
    rows = [{"version": v, "spec": parse_cpp_enum(f, "RoutingMethodType"), "error": None}
            for v, f in (("0.6.1", old), ("0.6.2", old), ("0.7.0", new))]
    cols, table = analyse(rows)
    text = render_changes("demo::RoutingMethodType", "as given", cols, table, Style(width=80))
    assert_fits(text, 80, [LONG, "+TopKSigmoid=3", "Unspecified 3→4"])
    assert "0.6.2" not in text and "1 version(s) without changes not shown" in text
    grid = render_grid("demo::RoutingMethodType", "as given", cols, table, False, Style(width=80))
    member_row = next(line for line in grid.splitlines() if line.startswith("TopKSigmoid"))
    assert member_row.split() == ["TopKSigmoid", "–", "–", "3"]


@pytest.mark.network
def test_history_and_diff_cli_fit_80_columns():
    r = piped(["history", "--flashinfer", "0.6.10,0.6.12,0.7.2"], 80)
    assert r.returncode == 0, r.stderr
    assert_fits(r.stdout, 80, ["TopKSigmoid", "Unspecified"])
    d = piped(["diff", "0.6.10", "0.7.2"], 80)
    assert_fits(d.stdout, 80, ["TopKSigmoid", "Unspecified"])


def test_color_conventions(pair):
    h, p = pair
    args = ["check", "--cpp", str(h), "--python", str(p)]
    assert "\x1b[" in piped(args, 80, {"FORCE_COLOR": "1"}).stdout           # forced on when piped
    assert "\x1b[" not in piped(args + ["--color", "never"], 80, {"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in piped(args + ["--color", "always"], 80).stdout
    assert "\x1b[" not in on_pty(args, 80, {"NO_COLOR": ""})                   # NO_COLOR, any value
    assert "\x1b[" not in on_pty(args, 80, {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in on_pty(["models", str(FIXTURES / "models")], 80, {"NO_COLOR": "1"})
    assert "\x1b[" not in on_pty(args + ["--color", "never"], 80)


def test_quiet_concise_and_output_file(pair, tmp_path):
    h, p = pair
    args = ["check", "--cpp", str(h), "--python", str(p)]
    q = piped(args + ["--quiet"], 80)
    assert q.returncode == 1
    assert not any(line.startswith(("member ", "C++ ", "Python ")) for line in q.stdout.splitlines())
    assert "ES002 value-collision" in q.stdout
    assert q.stdout.rstrip().splitlines()[-1].startswith("✗ 2 error(s), 1 warning(s)")
    c = piped(args + ["--format", "concise"], 200)
    lines = c.stdout.splitlines()
    assert re.fullmatch(r".*routing_method_utils\.py:10: ES002 value-collision: Python sends 3 for Unspecified, "
                        r"but to the kernel 3 means TopKSigmoid", lines[1]), lines
    assert lines[-1] == "Found 2 error(s), 1 warning(s)."
    # one run: text on the screen, SARIF and JSON in files (format from the file's name)
    sarif, js = tmp_path / "out.sarif", tmp_path / "out.json"
    t = piped(args + ["--output-file", str(sarif)], 80)
    assert t.returncode == 1 and "ES002 value-collision" in t.stdout and "\x1b[" not in sarif.read_text()
    assert json.loads(sarif.read_text())["runs"][0]["automationDetails"]["id"] == "enumsync/check/"
    g = piped(args + ["--format", "github", "-o", str(js)], 80)
    assert g.stdout.startswith("::error file=") and json.loads(js.read_text())["command"] == "check"
    s = piped(args + ["--format", "sarif", "--output-file", str(tmp_path / "report")], 80)
    assert "ES002 value-collision" in s.stdout and json.loads((tmp_path / "report").read_text())["version"] == "2.1.0"
    bad = piped(args + ["-o", str(tmp_path / "missing" / "x.sarif")], 80)
    assert bad.returncode == 2 and bad.stderr.startswith("enumsync: error: --output-file") and "Traceback" not in bad.stderr


@pytest.mark.parametrize("command, findings", [("check", True), ("models", True), ("verify", True),
                                               ("diff", False), ("history", False), ("fix", False),
                                               ("rules", False), ("scan", True)])
def test_every_command_has_the_report_options(command, findings):
    r = run_cli(command, "--help")
    assert r.returncode == 0
    for opt in ("--format", "--output-file", "--color", "--quiet"):
        assert opt in r.stdout, (command, opt)
    fmt = re.search(r"--format \[([^\]]+)\]", r.stdout).group(1).split("|")
    assert {"text", "json"} <= set(fmt)
    assert ({"github", "sarif", "concise"} <= set(fmt)) == findings


def test_every_option_has_help_and_top_level_help_is_whole():
    from click import Context

    from enumsync.cli import COMMANDS, main
    ctx = Context(main)
    missing = []
    for name in COMMANDS:
        cmd = main.get_command(ctx, name)
        if cmd is None:
            continue
        missing += [f"{name} {p.opts[0]}" for p in cmd.params if p.param_type_name == "option" and not p.hidden
                    and not p.help]
    assert not missing, missing
    assert "latest" in run_cli("check", "--help").stdout
    top = piped(["--help"], 80).stdout
    assert "..." not in top.split("Commands:")[1]
    for name in COMMANDS:
        cmd = main.get_command(ctx, name)
        if cmd is not None:
            first = cmd.get_short_help_str(limit=1000)
            assert " ".join(first.split()) in " ".join(top.split()), name


def test_rules_explains_one_rule():
    r = piped(["rules", "ES002"], 80)
    assert r.returncode == 0
    for part in ("ES002 value-collision", "What it means", "Example", "How to fix", "How to suppress",
                 "# enumsync: ignore[ES002]", "silently runs the other member"):
        assert part in r.stdout
    assert_fits(r.stdout, 80, [])
    assert json.loads(piped(["rules", "value-collision", "--format", "json"], 80).stdout)["rules"][0]["id"] == "ES002"
    bad = piped(["rules", "ES999"], 80)
    assert bad.returncode == 2 and "no rule 'ES999'" in bad.stderr


def test_every_registered_rule_is_documented():
    from enumsync.rules import all_rules
    undocumented = [r.id for r in all_rules() if not (r.explain and r.example and r.fix and r.suppress)
                    or r.explain == r.doc]
    assert not undocumented, f"add these to enumsync/rule_docs.py: {undocumented}"


def test_docs_rules_md_is_current():
    from enumsync.commands.rules import markdown_docs
    from enumsync.rules import all_rules
    assert (ROOT / "docs" / "rules.md").read_text() == markdown_docs(all_rules()), \
        "regenerate: enumsync rules --format markdown > docs/rules.md... (see docs/rules.md)"


def test_static_path_does_not_import_rich(pair):
    h, p = pair
    code = ("import sys; from enumsync.cli import main\n"
            f"sys.argv = ['enumsync', 'check', '--cpp', {str(h)!r}, '--python', {str(p)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('RICH' if any(m.startswith('rich') for m in sys.modules) else 'NO-RICH')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.stderr.endswith("NO-RICH"), r.stderr
