"""`fix` cannot damage a file: refusals (exit 2, file untouched), byte-exact edits, `--diff`."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from enumsync.fixer import plan_fix_bytes
from enumsync.model import Severity
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum
from enumsync.rules import Context, run_pair_rules

HEADER = """\
enum class Mode : int {
  // Alpha: first
  Alpha = 0,
  // Beta: second
  Beta = 1,
  // Gamma: third
  Gamma = 2,
  // Delta: fourth
  Delta = 3,
  // Omega: last
  Omega = 7,
};
"""
DRIFTED = "from enum import IntEnum\n\n\nclass Mode(IntEnum):\n    Alpha = 0\n    Gamma = 5\n    Omega = 7\n\n\nY = 1\n"


def _files(tmp_path: Path, py: str | bytes = DRIFTED, name: str = "mode.py") -> tuple[Path, Path]:
    h = tmp_path / "mode.h"
    h.write_text(HEADER)
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(py.encode() if isinstance(py, str) else py)
    return h, p


def _fix(h: Path, p: Path, *extra: str):
    return run_cli("fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode", *extra)


def _one_line_exit_2(r, *needles: str) -> None:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


# --- refusals: exit 2, one line, the file exactly as it was -----------------------------------

def test_read_only_file_is_refused_even_for_root(tmp_path):
    """Tests run as root, for whom os.access always says yes: the owner's write bit decides."""
    h, p = _files(tmp_path)
    os.chmod(p, 0o444)
    before, ino = p.read_bytes(), p.stat().st_ino
    _one_line_exit_2(_fix(h, p), "is read-only (mode 0444)", "chmod u+w")
    assert p.read_bytes() == before and p.stat().st_ino == ino and p.stat().st_mode & 0o777 == 0o444
    assert _fix(h, p, "--diff").returncode == 1            # a preview writes nothing, so it is allowed
    os.chmod(p, 0o644)
    assert _fix(h, p).returncode == 0 and p.read_bytes() != before


def test_hard_linked_file_is_refused(tmp_path):
    h, p = _files(tmp_path)
    other = tmp_path / "elsewhere.py"
    os.link(p, other)
    before = p.read_bytes()
    _one_line_exit_2(_fix(h, p), "has 2 hard links", "nothing was written")
    assert p.read_bytes() == before and os.path.samefile(p, other)


def test_symlink_is_followed_and_stays_a_link(tmp_path):
    h, real = _files(tmp_path, name="real/mode.py")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    r = _fix(h, link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "    Beta = 1\n    Gamma = 2\n    # Delta: fourth\n    Delta = 3\n" in real.read_text()


@pytest.mark.parametrize("folder", ["site-packages", "dist-packages"])
def test_installed_package_is_refused_unless_allowed(tmp_path, folder):
    h, p = _files(tmp_path, name=f"lib/python3/{folder}/pkg/mode.py")
    before = p.read_bytes()
    _one_line_exit_2(_fix(h, p), f"inside an installed package ({folder})", "--allow-installed")
    assert p.read_bytes() == before
    r = _fix(h, p, "--allow-installed")
    assert r.returncode == 0, r.stderr
    assert "Gamma = 2" in p.read_text()


@pytest.mark.parametrize("how", ["content, same size and mtime", "size"])
def test_file_changed_between_read_and_write_is_refused(tmp_path, monkeypatch, how):
    """Another writer (an editor saving) edits the file while fix plans: fix must not overwrite it."""
    from enumsync import fixer
    from enumsync.cli import main
    h, p = _files(tmp_path)
    real = fixer.plan_fix_bytes
    theirs = DRIFTED.replace("Y = 1", "Y = 2" if how.startswith("content") else "Y = 12345").encode()

    def plan_while_someone_saves(*a, **kw):
        res = real(*a, **kw)
        st = p.stat()
        p.write_bytes(theirs)
        if how.startswith("content"):
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))        # same size, same mtime: only the hash differs
        return res

    monkeypatch.setattr(fixer, "plan_fix_bytes", plan_while_someone_saves)
    with pytest.raises(SystemExit) as e:
        main(["fix", "--cpp", str(h), "--python", str(p), "--enum", "Mode"])
    assert e.value.code == 2
    assert p.read_bytes() == theirs                                         # their save survives
    assert not [x for x in os.listdir(tmp_path) if x.endswith(".enumsync")]  # no temporary file left


def test_refusal_in_a_later_pair_writes_no_file(tmp_path):
    h, p = _files(tmp_path)
    bad = tmp_path / "bad.py"
    bad.write_text("class Mode(IntEnum):\n    Alpha = 0\n    Extra = 9\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.enumsync]\n[[tool.enumsync.pairs]]\ncpp = 'mode.h'\npython = 'mode.py'\nenum = 'Mode'\n"
        "[[tool.enumsync.pairs]]\ncpp = 'mode.h'\npython = 'bad.py'\nenum = 'Mode'\n")
    before = p.read_bytes()
    r = run_cli("fix", cwd=tmp_path)
    _one_line_exit_2(r, "Extra = 9 is not in C++")
    assert p.read_bytes() == before


def test_write_keeps_mode_and_owner(tmp_path):
    h, p = _files(tmp_path)
    os.chmod(p, 0o604)
    if os.geteuid() == 0:
        os.chown(p, 12345, 23456)
    r = _fix(h, p)
    assert r.returncode == 0, r.stderr
    st = p.stat()
    assert st.st_mode & 0o777 == 0o604
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (12345, 23456)


# --- --diff ---------------------------------------------------------------------------------

def test_diff_of_a_file_without_final_newline_applies_with_patch(tmp_path):
    src = "class Mode(IntEnum):\n    Alpha = 0\n    Beta = 1\n    Gamma = 2\n    Delta = 3\n    Omega = 9"
    h, p = _files(tmp_path, src)
    r = _fix(h, p, "--diff")
    assert r.returncode == 1, r.stderr
    assert r.stdout.endswith("-    Omega = 9\n\\ No newline at end of file\n+    Omega = 7\n\\ No newline at end of file\n")
    assert p.read_text() == src
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    (fixed / "mode.py").write_text(src)
    patch = subprocess.run(["git", "apply", "-p1", "--unsafe-paths", f"--directory={fixed.relative_to('/')}", "-"],
                           input=r.stdout.replace(str(p).lstrip("/"), "mode.py"), text=True, capture_output=True,
                           cwd="/")
    assert patch.returncode == 0, patch.stderr
    assert _fix(h, p).returncode == 0
    assert (fixed / "mode.py").read_bytes() == p.read_bytes()               # the diff is what fix writes
    assert p.read_text().endswith("    Omega = 7")                          # still no final newline


def test_diff_exit_codes(tmp_path):
    h, p = _files(tmp_path)
    assert _fix(h, p, "--diff").returncode == 1
    assert _fix(h, p, "--diff", "--format", "json").returncode == 1
    assert _fix(h, p).returncode == 0
    again = _fix(h, p, "--diff")
    assert again.returncode == 0 and again.stdout == "", again.stdout


# --- known weak spots ---------------------------------------------------------------------------

def _errors(cpp, py):
    return sorted((f.rule, f.member) for f in run_pair_rules(cpp, py, Context()) if f.severity == Severity.ERROR)


def test_two_insertion_points_and_a_head_insertion(tmp_path):
    src = "class Mode(IntEnum):\n    # Beta: second\n    Beta = 1\n    # Delta: fourth\n    Delta = 3\n"
    h, p = _files(tmp_path, src)
    cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
    res = plan_fix_bytes(p.read_bytes(), py, cpp)
    assert res.changes == ["+Alpha = 0", "+Gamma = 2", "+Omega = 7"]
    assert res.data.decode() == (
        "class Mode(IntEnum):\n    # Alpha: first\n    Alpha = 0\n    # Beta: second\n    Beta = 1\n"
        "    # Gamma: third\n    Gamma = 2\n    # Delta: fourth\n    Delta = 3\n    # Omega: last\n    Omega = 7\n")


def test_swapped_values_are_es002_and_fix_swaps_them_back(tmp_path):
    src = "class Mode(IntEnum):\n    Alpha = 1\n    Beta = 0\n    Gamma = 2\n    Delta = 3\n    Omega = 7\n"
    h, p = _files(tmp_path, src)
    cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
    assert _errors(cpp, py) == [("ES001", "Alpha"), ("ES001", "Beta"), ("ES002", "Alpha"), ("ES002", "Beta")]
    res = plan_fix_bytes(p.read_bytes(), py, cpp)
    assert res.changes == ["Alpha: 1 -> 0", "Beta: 0 -> 1"]
    assert res.data.decode() == src.replace("Alpha = 1", "Alpha = 0").replace("Beta = 0", "Beta = 1")
    p.write_bytes(res.data)
    assert _errors(cpp, parse_python_enum(p, "Mode")) == []


def test_keyword_member_is_inserted_with_a_trailing_underscore(tmp_path):
    h = tmp_path / "k.h"
    h.write_text("enum class Mode : int { None = 0, Some = 1 };\n")
    p = tmp_path / "k.py"
    p.write_text("class Mode(IntEnum):\n    Some = 1\n")
    cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
    res = plan_fix_bytes(p.read_bytes(), py, cpp)
    assert res.data == b"class Mode(IntEnum):\n    None_ = 0\n    Some = 1\n" and res.changes == ["+None_ = 0"]


def test_latin1_file_with_coding_line_keeps_its_encoding(tmp_path):
    src = "# -*- coding: latin-1 -*-\n# caf\xe9\nclass Mode(IntEnum):\n    Alpha = 0  # \xe9t\xe9\n    Omega = 9\n"
    h, p = _files(tmp_path, src.encode("latin-1"))
    cpp = parse_cpp_enum(h, "Mode")
    py = parse_python_enum(p, "Mode")
    res = plan_fix_bytes(p.read_bytes(), py, cpp)
    assert res.data.startswith(src.encode("latin-1").split(b"    Omega")[0])
    assert res.data.endswith(b"    Omega = 7\n") and b"caf\xe9" in res.data
    res.data.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        res.data.decode("utf-8")


def test_crlf_bom_and_lone_cr_outside_the_class_are_kept(tmp_path):
    src = b"\xef\xbb\xbfx = 1\r# c\x0c\r\nclass Mode(IntEnum):\r\n    Alpha = 0\r\n    Omega = 9\r\n\r\ny = '\xe2\x80\xa8'\r"
    h, p = _files(tmp_path, src)
    cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
    res = plan_fix_bytes(src, py, cpp)
    assert res.data == (b"\xef\xbb\xbfx = 1\r# c\x0c\r\nclass Mode(IntEnum):\r\n    Alpha = 0\r\n"
                        b"    # Beta: second\r\n    Beta = 1\r\n    # Gamma: third\r\n    Gamma = 2\r\n"
                        b"    # Delta: fourth\r\n    Delta = 3\r\n    Omega = 7\r\n\r\ny = '\xe2\x80\xa8'\r")
    assert compile(res.data, "m.py", "exec")
