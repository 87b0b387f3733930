"""`fix`: values corrected, missing members inserted with the C++ comments, file style kept."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import wheel_file
from enumsync.fixer import FixRefused, fix_source, plan_fix
from enumsync.model import EnumsyncError, Severity
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum
from enumsync.rules import Context, run_pair_rules

HEADER = """\
#pragma once
namespace demo {
enum class Mode : int64_t {
  // Alpha: first
  Alpha = 0,
  // Beta: second
  Beta = 1,
  // Gamma: the new one
  Gamma = 2,
  // Unspecified
  Unspecified = 3,
};
}
"""


def _pair(tmp_path: Path, py_text: str, header: str = HEADER, name: str = "Mode"):
    h = tmp_path / "mode.h"
    h.write_text(header)
    p = tmp_path / "mode.py"
    p.write_bytes(py_text.encode())
    return parse_cpp_enum(h, name), parse_python_enum(p, name), p


def _fix(tmp_path, py_text, extensions=(), header=HEADER):
    cpp, py, p = _pair(tmp_path, py_text, header)
    out = fix_source(py_text, py, cpp, extensions)
    p.write_bytes(out.encode())
    again = parse_python_enum(p, "Mode")
    errors = [f for f in run_pair_rules(cpp, again, Context(extensions={e: "x" for e in extensions}))
              if f.severity != Severity.INFO]
    assert errors == [], [f.message for f in errors]                    # check after fix is clean
    assert fix_source(out, again, cpp, extensions) == out               # fix . fix == fix
    return out


def test_tuple_style_values_corrected_and_member_inserted_with_comment(tmp_path):
    src = ("import enum\n\n\nclass Mode(enum.IntEnum):\n    # Alpha: first\n    Alpha = (0,)\n"
           "    # Beta: second\n    Beta = (1,)\n    # Unspecified\n    Unspecified = 2\n\n\nX = 1\n")
    out = _fix(tmp_path, src)
    assert out == ("import enum\n\n\nclass Mode(enum.IntEnum):\n    # Alpha: first\n    Alpha = (0,)\n"
                   "    # Beta: second\n    Beta = (1,)\n    # Gamma: the new one\n    Gamma = (2,)\n"
                   "    # Unspecified\n    Unspecified = 3\n\n\nX = 1\n")


def test_plain_style_inline_comments_blank_lines_tabs_crlf(tmp_path):
    src = ("class Mode(IntEnum):\r\n\t\"\"\"doc\"\"\"\r\n\r\n\tAlpha = 0  # Alpha: first\r\n\r\n"
           "\tBeta = 0x1  # Beta: second\r\n\r\n\tUnspecified = 0x7  # Unspecified\r\n\r\n"
           "\tdef __repr__(self):\r\n\t\treturn self.name\r\n")
    out = _fix(tmp_path, src)
    assert out == ("class Mode(IntEnum):\r\n\t\"\"\"doc\"\"\"\r\n\r\n\tAlpha = 0  # Alpha: first\r\n\r\n"
                   "\tBeta = 0x1  # Beta: second\r\n\r\n\tGamma = 2  # Gamma: the new one\r\n\r\n"
                   "\tUnspecified = 0x3  # Unspecified\r\n\r\n"
                   "\tdef __repr__(self):\r\n\t\treturn self.name\r\n")


def test_missing_first_member_goes_before_the_first_present_one(tmp_path):
    src = "class Mode(IntEnum):\n    Beta = 1\n    Gamma = 2\n    Unspecified = 3\n"
    out = _fix(tmp_path, src)
    assert out == ("class Mode(IntEnum):\n    # Alpha: first\n    Alpha = 0\n    Beta = 1\n    Gamma = 2\n"
                   "    Unspecified = 3\n")


def test_extensions_and_reference_aliases_are_kept(tmp_path):
    src = ("class Mode(IntEnum):\n    Alpha = 0\n    Beta = 1\n    Unspecified = 2\n"
           "    # not passed to the kernel\n    Custom = 100\n    First = Alpha\n")
    out = _fix(tmp_path, src, extensions=("Custom",))
    assert "    Custom = 100\n    First = Alpha\n" in out and "    Unspecified = 3\n" in out
    assert out.index("Gamma = 2") < out.index("Unspecified = 3") < out.index("Custom = 100")


def test_in_sync_file_is_returned_unchanged(tmp_path):
    src = ("class Mode(IntEnum):\n    Alpha = 0\n    Beta = 1\n    Gamma = 2\n    Unspecified = 3\n")
    cpp, py, _ = _pair(tmp_path, src)
    r = plan_fix(src, py, cpp)
    assert r.text is src and r.changes == []


@pytest.mark.parametrize("body, why", [
    ("    Alpha = 0\n    Beta = 1\n    Unspecified = 1 << 3\n", "not an integer literal"),
    ("    Alpha = auto()\n    Beta = auto()\n    Unspecified = auto()\n", "auto()"),
    ("    Alpha = 0\n    Beta = 1\n    Gamma = 2\n    Unspecified = 3\n    Extra = 4\n", "Extra = 4 is not in C++"),
    ("    Alpha = 0\n    Beta = 1\n    Sigma = 2\n    Unspecified = 3\n", "looks like C++ Gamma renamed"),
    ("    Alpha = 0; Beta = 1\n    Unspecified = 3\n", "shares its line"),
    ("    Alpha, Beta = 0, 1\n    Unspecified = 3\n", "several members at once"),
])
def test_refuses_what_it_cannot_rewrite_safely(tmp_path, body, why):
    src = "from enum import IntEnum, auto\n\n\nclass Mode(IntEnum):\n" + body
    cpp, py, _ = _pair(tmp_path, src)
    with pytest.raises(FixRefused, match=re.escape(why)) as e:
        fix_source(src, py, cpp)
    assert isinstance(e.value, EnumsyncError) and "\n" not in str(e.value)


def test_inline_ignore_keeps_that_value(tmp_path):
    src = ("class Mode(IntEnum):\n    Alpha = 0\n    Beta = 1\n    Gamma = 2\n"
           "    Unspecified = 9  # enumsync: ignore[ES001]\n")
    cpp, py, _ = _pair(tmp_path, src)
    assert fix_source(src, py, cpp) == src


@pytest.mark.network
def test_sglang_0_5_23_against_flashinfer_0_7_2(tmp_path, installed_flashinfer):
    """The real stale copy: Unspecified=9 (TopKSigmoid in 0.7.2), TopKSigmoid missing."""
    from enumsync.sources import resolve_flashinfer
    fi = resolve_flashinfer("0.7.2", tmp_path)
    src_path = wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py")
    text = src_path.read_text()
    cpp = parse_cpp_enum(fi.runner_h)
    py = parse_python_enum(src_path)
    before = run_pair_rules(cpp, py, Context())
    assert {f.rule for f in before if f.severity == Severity.ERROR} >= {"ES001", "ES002"}
    r = plan_fix(text, py, cpp)
    assert r.changes == ["Unspecified: 9 -> 10", "+TopKSigmoid = 9"]
    out = r.text
    compile(out, "utils.py", "exec")                                     # still compiles
    a, b = text.splitlines(True), out.splitlines(True)
    assert a[: py.line] == b[: py.line]                                  # nothing before the class body
    assert a[py.end_line:] == b[py.end_line + 2:]                        # nothing after it
    body = "".join(b[py.line - 1: py.end_line + 2])
    assert "    Sigmoid = (8,)\n    # TopKSigmoid: TopK -> Sigmoid (no renormalization)\n    TopKSigmoid = (9,)\n" in body
    assert "    Unspecified = 10\n" in body                                # its own plain style kept
    fixed = tmp_path / "utils.py"
    fixed.write_text(out)
    py2 = parse_python_enum(fixed)
    after = run_pair_rules(cpp, py2, Context())
    assert [f for f in after if f.severity == Severity.ERROR] == []
    assert {m.name: m.value for m in py2.members} == {m.name: m.value for m in cpp.members}
    assert fix_source(out, py2, cpp) == out


@pytest.mark.network
def test_vllm_extensions_detected_from_the_file_and_kept(tmp_path, installed_flashinfer):
    from enumsync.presets import detect_extensions
    src_path = wheel_file("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe/config.py")
    py = parse_python_enum(src_path)
    ext = detect_extensions(py)
    assert sorted(ext) == ["Custom", "DeepseekV4", "Simulated"]
    assert "not passed to FlashInfer kernels" in ext["Custom"]
    cpp = parse_cpp_enum(installed_flashinfer.runner_h)
    out = fix_source(src_path.read_text(), py, cpp, ext)
    assert "    Unspecified = (10,)\n    # other routing types (not passed to FlashInfer kernels)\n" in out
    assert "    DeepseekV4 = (100,)\n    Custom = (101,)\n    Simulated = (102,)\n" in out


# --- the `fix` command ---------------------------------------------------------------------

def _cli_pair(tmp_path, py_text=None):
    from conftest import run_cli  # noqa: F401
    h = tmp_path / "mode.h"
    h.write_text(HEADER)
    p = tmp_path / "mode.py"
    p.write_text(py_text or "class Mode(IntEnum):\n    Alpha = (0,)\n    Beta = (1,)\n    Unspecified = (2,)\n\n\nY = 2\n")
    return h, p


def test_cli_diff_writes_nothing_then_fix_writes_atomically_keeping_mode(tmp_path):
    import os
    from conftest import run_cli
    h, p = _cli_pair(tmp_path)
    os.chmod(p, 0o640)
    before = p.read_bytes()
    d = run_cli("fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode", "--diff")
    assert d.returncode == 1, d.stderr                          # like `ruff --diff`: 1 = it would change
    assert p.read_bytes() == before
    assert "+    # Gamma: the new one\n+    Gamma = (2,)\n" in d.stdout
    assert "\n-    Unspecified = (2,)\n" in d.stdout and "\n+    Unspecified = (3,)\n" in d.stdout
    assert d.stdout.startswith("--- a/tmp/") and "\n+++ b/tmp/" in d.stdout
    f = run_cli("fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode")
    assert f.returncode == 0, f.stderr
    assert "Unspecified: 2 -> 3; +Gamma = 2" in f.stdout
    assert os.stat(p).st_mode & 0o777 == 0o640
    assert not [x for x in os.listdir(tmp_path) if x.endswith(".enumsync")]      # no temp file left
    c = run_cli("check", "--cpp", str(h), "--python", str(p), "--enum", "Mode")
    assert c.returncode == 0, c.stdout + c.stderr
    again = run_cli("fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode", "--format", "json")
    assert again.returncode == 0 and '"changes": []' in again.stdout


def test_cli_refusal_is_exit_2_one_line_and_writes_nothing(tmp_path):
    from conftest import run_cli
    h, p = _cli_pair(tmp_path, "class Mode(IntEnum):\n    Alpha = 0\n    Beta = 1\n    Unspecified = 1 + 1\n")
    before = p.read_bytes()
    r = run_cli("fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode")
    assert r.returncode == 2 and p.read_bytes() == before
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Unspecified = 1 + 1 must become 3" in lines[0] and "Traceback" not in r.stderr


@pytest.mark.network
def test_cli_fix_sglang_checkout_with_preset_and_pinned_flashinfer(tmp_path):
    """The CI gate: `check --preset sglang --flashinfer pinned` in a checkout, then `fix`."""
    from conftest import run_cli
    src = wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py")
    co = tmp_path / "sglang"
    (co / "python/sglang/srt/layers/moe").mkdir(parents=True)
    target = co / "python/sglang/srt/layers/moe/utils.py"
    target.write_bytes(src.read_bytes())
    (co / "python/pyproject.toml").write_text('[project]\nname = "sglang"\nversion = "0.5.23"\n'
                                              'dependencies = [\n  "flashinfer_python==0.7.2",\n]\n')
    gate = run_cli("check", "--preset", "sglang", "--flashinfer", "pinned", cwd=co)
    assert gate.returncode == 1, gate.stdout + gate.stderr
    assert "ES002" in gate.stdout and "0.7.2" in gate.stdout
    f = run_cli("fix", "--preset", "sglang", "--flashinfer", "pinned", cwd=co)
    assert f.returncode == 0, f.stderr
    assert "Unspecified: 9 -> 10; +TopKSigmoid = 9" in f.stdout
    ok = run_cli("check", "--preset", "sglang", "--flashinfer", "pinned", cwd=co)
    assert ok.returncode == 0, ok.stdout + ok.stderr
