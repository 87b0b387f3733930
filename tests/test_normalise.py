"""Member names that differ only by convention are the same members (rules, fix, report)."""
from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, run_cli
from enumsync.fixer import fix_source
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum
from enumsync.rules import Context, match_members, norm_name, run_pair_rules

H = FIXTURES / "cpp" / "naming.h"
PY = FIXTURES / "python" / "naming.py"


def _rules(cpp_name: str, py_name: str):
    cpp, py = parse_cpp_enum(H, cpp_name), parse_python_enum(PY, py_name)
    return cpp, py, run_pair_rules(cpp, py, Context())


def test_norm_name_drops_case_underscores_trailing_underscore_and_k_prefix():
    assert {norm_name(n) for n in ("Fast", "FAST", "fast_", "kFast", "F_A_S_T")} == {"fast"}
    assert norm_name("kernel") == "kernel"          # not a k prefix: lower case follows
    assert norm_name("None") == norm_name("NONE_") == "none"
    assert norm_name("layout_128x4") != norm_name("SWIZZLED_128x4")


def test_convention_only_names_match_and_report_style_once_as_info():
    cpp, py, fs = _rules("Speed", "Speed")
    m = match_members(cpp, py)
    assert {c: p.name for c, p in m.cpp_to_py.items()} == {"Fast": "FAST", "Slow": "SLOW", "None": "NONE",
                                                            "kTurbo": "TURBO"}
    assert [f.rule for f in fs] == ["ES008"]
    assert fs[0].severity.value == "info" and "4 member name(s)" in fs[0].message


def test_a_real_collision_between_different_names_still_wins():
    cpp, py, fs = _rules("Speed", "SpeedCollides")
    by = {(f.rule, f.member) for f in fs}
    assert ("ES002", "SLOW") in by          # SLOW sends 2, which is None in C++
    assert ("ES002", "NONE_") in by         # NONE_ sends 1, which is Slow in C++
    assert ("ES002", "FAST") not in by      # never a collision with its own twin
    assert ("ES001", "SLOW") in by and ("ES003", "kTurbo") in by


def test_flag_enum_reports_overlapping_bits_not_composites():
    cpp, py, fs = _rules("ScanFlags", "ScanFlags")
    assert cpp.members[-1].value == 3        # kReadWrite = kRead | kWrite, computed by clang
    es9 = [f for f in fs if f.rule == "ES009"]
    assert [(f.member, f.extra["overlaps"], f.extra["bits"]) for f in es9] == [("APPEND", ["kWrite", "kReadWrite"], 2)]
    assert not any(f.rule == "ES009" and f.member == "READ_WRITE" for f in fs)


def test_fix_keeps_python_spelling_and_corrects_by_the_matched_member(tmp_path: Path):
    src = "from enum import IntEnum\n\n\nclass Speed(IntEnum):\n    FAST = 0\n    SLOW = 5\n    NONE = 2\n"
    p = tmp_path / "s.py"
    p.write_text(src)
    cpp, py = parse_cpp_enum(H, "Speed"), parse_python_enum(p, "Speed")
    out = fix_source(src, py, cpp)
    assert "    SLOW = 1\n" in out and "Fast =" not in out and "Slow =" not in out
    assert "    kTurbo = 7\n" in out    # the missing member comes in with its C++ name    # the missing member comes in with its C++ name


def test_check_cli_naming_pair_has_no_collision():
    r = run_cli("check", "--cpp", str(H), "--python", str(PY), "--enum", "Speed", "--format", "json")
    assert r.returncode == 0, r.stderr
    import json
    rules = [f["rule"] for f in json.loads(r.stdout)["results"][0]["findings"]]
    assert rules == ["ES008"]


def test_a_prefix_shared_by_the_members_of_one_side_is_a_convention(tmp_path: Path):
    h = tmp_path / "m.h"
    h.write_text("enum MixedMode { OPT_A, OPT_B, OPT_C };\n")
    p = tmp_path / "m.py"
    p.write_text("from enum import IntEnum\nclass MixedMode(IntEnum):\n    FUSED_OPT_A = 0\n    FUSED_OPT_B = 1\n"
                 "    FUSED_OPT_C = 2\n    NCCL_ONE = 3\n")
    cpp, py = parse_cpp_enum(h, "MixedMode"), parse_python_enum(p, "MixedMode")
    m = match_members(cpp, py)
    assert {c: q.name for c, q in m.cpp_to_py.items()} == {"OPT_A": "FUSED_OPT_A", "OPT_B": "FUSED_OPT_B",
                                                            "OPT_C": "FUSED_OPT_C"}
    rules = sorted((f.rule, f.member) for f in run_pair_rules(cpp, py, Context()))
    assert rules == [("ES004", "NCCL_ONE"), ("ES008", None)]


def test_one_coincidental_prefix_is_not_enough(tmp_path: Path):
    h = tmp_path / "m.h"
    h.write_text("enum Mode { A, B };\n")
    p = tmp_path / "m.py"
    p.write_text("from enum import IntEnum\nclass Mode(IntEnum):\n    X_A = 0\n    B = 1\n")
    cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
    assert "X_A" not in match_members(cpp, py).py_to_cpp
