"""Reading source files (encodings, limits, line ends) and attaching comments to members, exactly.

Ground truth: Python's own decoding (``tokenize.detect_encoding`` + ``bytes.decode``) and the
text the test itself wrote; comment attachment is checked on files written here.
"""
from __future__ import annotations

import pytest

from enumsync.model import EnumsyncError
from enumsync.parsers.comments import cpp_member_comments, py_member_comments
from enumsync.parsers.source import LineIndex, parse_python, read_bytes, read_source, read_text


def test_line_ends_bom_and_encodings(tmp_path):
    p = tmp_path / "a.h"
    p.write_bytes(b"\xef\xbb\xbfa\r\nb\rc\n")
    path, text = read_source(p)
    assert path == str(p.resolve()) and text == "a\nb\nc\n"
    q = tmp_path / "b.py"
    q.write_bytes("# coding: latin-1\nx = '\u00e9'\n".encode("latin-1"))
    assert read_source(q, python=True)[1] == "# coding: latin-1\nx = '\u00e9'\n"
    with pytest.raises(EnumsyncError, match=r"b.py: not valid utf-8-sig text \(byte 23\)"):
        read_source(q)          # C++ is UTF-8: the same bytes are refused, with the byte offset
    r = tmp_path / "c.py"
    r.write_bytes(b"# coding: no-such-codec\nx = 1\n")
    with pytest.raises(EnumsyncError, match=r"c.py: .*no-such-codec.*; fix its coding line"):
        read_source(r, python=True)
    s = tmp_path / "d.py"
    s.write_bytes(b"\xef\xbb\xbfx = 1\n")
    assert read_source(s, python=True)[1] == "x = 1\n"


def test_limits_and_binary(tmp_path):
    p = tmp_path / "x.h"
    p.write_bytes(b"a" * 100)
    assert read_bytes(p, limit=100) == (p, b"a" * 100)
    with pytest.raises(EnumsyncError, match=r"x.h: is 0.0 MiB, over the 0 MiB limit for a source file"):
        read_bytes(p, limit=99)
    b = tmp_path / "bin.h"
    b.write_bytes(b"x" * 8191 + b"\0")
    with pytest.raises(EnumsyncError, match="looks like a binary file"):
        read_bytes(b)
    late = tmp_path / "late.h"
    late.write_bytes(b"x" * 8192 + b"\0")
    assert read_bytes(late)[1].endswith(b"\0")   # only the first 8 KiB are sniffed
    with pytest.raises(EnumsyncError, match=r"absent.h: no such file; check the path"):
        read_bytes(tmp_path / "absent.h")
    with pytest.raises(EnumsyncError, match=r"is a directory, not a source file; pass the file itself"):
        read_bytes(tmp_path)


def test_unreadable_file(tmp_path):
    import os
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    p = tmp_path / "locked.h"
    p.write_text("x")
    p.chmod(0)
    with pytest.raises(EnumsyncError, match=r"cannot read it \(Permission denied\)"):
        read_bytes(p)


def test_line_index_offsets_and_segments():
    import ast
    text = "x = 'caf\u00e9' + y\n\fz = 1 + \\\n  2\nw = '\u2028' ; v = 3"
    tree = ast.parse(text)
    idx = LineIndex(text)
    assert idx.starts == [0, 15, 26, 30]
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            assert idx.segment(node) == ast.get_source_segment(text, node)
    assert idx.segment(ast.Name(id="q")) is None
    assert idx.offset(1, 14) == 13   # 'caf\u00e9' is 1 char, 2 UTF-8 bytes


def test_python_comments_above_beside_and_continued():
    lines = ["class E(IntEnum):", "    # first", "    ## second", "    A = 0  # beside A", "           # more A",
             "    B = '#x'  # beside B", "", "    # lone", "    C = 2", "    D = \"it's\"  #  q  ", "    F = 5"]
    assert py_member_comments(lines, [4, 6, 9, 10, 11], 1) == [
        "first second beside A more A", "beside B", "lone", "q", ""]


def test_python_comment_not_above_the_class_line():
    lines = ["# module comment", "class E(IntEnum):", "    A = 0", "    '''doc'''", "    B = 1  #"]
    assert py_member_comments(lines, [3, 5], 2) == ["", ""]
    assert py_member_comments(["class E:", "    A = 'x  # y'"], [2], 1) == [""]
    assert py_member_comments(["class E:", "    A = '''x  # y"], [2], 1) == [""]


def test_cpp_comments_line_block_and_trailing():
    lines = ["enum class E : int {", "  // first", "  /// second", "  A = 0, ///< beside A", "         // more A",
             "  /* block", "   * two */", "  B = 1, /*< beside B */", "  C = 2, // url \"http://x\"",
             "  D = 3, /** doc */", "  F = 4, // \"quoted // not\" tail", "  G = 5,", "};"]
    assert cpp_member_comments(lines, [4, 8, 9, 10, 11, 12], 1) == [
        "first second beside A more A", "block two beside B", "url \"http://x\"", "doc",
        "\"quoted // not\" tail", ""]


def test_cpp_string_with_comment_markers_and_escapes():
    lines = ["enum E {", '  A = sizeof("//x"), // real', '  B = sizeof("a\\"//"), /* real too */', "  C = 3", "};"]
    assert cpp_member_comments(lines, [2, 3, 4], 1) == ["real", "real too", ""]


def test_cpp_block_comment_that_opens_above_the_enum_is_not_read():
    lines = ["/* header", "enum E {", "   end */", "  A = 0", "};"]
    assert cpp_member_comments(lines, [4], 2) == [""]
    lines = ["enum E {", "  A = 0, // a", "  // not a continuation (column differs)", "  B = 1", "};"]
    assert cpp_member_comments(lines, [2, 4], 1) == ["a", "not a continuation (column differs)"]


def test_documentation_markers_are_not_comment_text():
    # doxygen's ///<, //!<, //!, /*!<, /**< and Sphinx's #: mark a comment as documentation; a
    # continuation line repeats the marker. A '<' after a space is text ("<= 4 bits").
    lines = ["enum E {", "  A = 1, ///< first line", "         ///< second line", "  B = 2, //!< bang trailing",
             "  //! above with bang", "  C = 3, // <= 4 bits", "  /// above triple", "  D = 4, /*!< block bang */",
             "  /**< odd above */", "  F = 5, /**< star trailing */", "  G = 6, /* < 5 */", "};"]
    assert cpp_member_comments(lines, [2, 4, 6, 8, 10, 11], 1) == [
        "first line second line", "bang trailing", "above with bang <= 4 bits", "above triple block bang",
        "odd above star trailing", "< 5"]
    py = ["class E(IntEnum):", "    #: doc above", "    A = 1  #: beside", "    B = '#'  #: q", "    C = 3  # :x"]
    assert py_member_comments(py, [3, 4, 5], 1) == ["doc above beside", "q", ":x"]


def test_a_second_bom_is_kept_so_python_refuses_the_file_as_cpython_does(tmp_path):
    import subprocess
    import sys
    from enumsync.parsers.python_enum import parse_python_enum
    p = tmp_path / "two.py"
    p.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbffrom enum import IntEnum\nclass E(IntEnum):\n    A = 1\n")
    r = subprocess.run([sys.executable, str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "U+FEFF" in r.stderr
    assert read_source(p, python=True)[1].startswith("\ufeff")       # one BOM dropped, the second kept
    with pytest.raises(EnumsyncError, match=r"two.py:1: Python syntax error: invalid non-printable character U\+FEFF"):
        parse_python_enum(p, "E")


def test_size_limit_message_and_an_unopenable_path(tmp_path):
    big = tmp_path / "big.h"
    with open(big, "wb") as f:
        f.truncate(17 * 2**20)          # sparse: refused by its size before any read
    with pytest.raises(EnumsyncError, match=r"big.h: is 17.0 MiB, over the 16 MiB limit for a source file"):
        read_bytes(big)
    loop = tmp_path / "loop.h"
    loop.symlink_to(loop)
    with pytest.raises(EnumsyncError, match=r"loop.h: cannot read it \(Too many levels of symbolic links\); "
                                            r"check the path and its permissions"):
        read_bytes(loop)
    bad = tmp_path / "cfg.toml"
    bad.write_bytes(b"\xff")
    with pytest.raises(EnumsyncError, match=r"cfg.toml: not UTF-8 text \(byte 0\); check the path$"):
        read_text(bad)


def test_python_that_is_too_deep_to_compile_is_a_syntax_error_naming_the_cause():
    with pytest.raises(SyntaxError) as e:
        parse_python("x = " + " + ".join(["1"] * 3000) + "\n", "deep.py")
    assert e.value.msg == ("an expression is nested too deeply for Python to compile (Python itself refuses this "
                           "file); split it") and e.value.filename == "deep.py"


def test_a_block_comment_keeps_a_leading_x_and_drops_closing_stars():
    assert cpp_member_comments(["enum E {", "  A = 1, /*Xmas*/", "  B = 2, /**XL */", "  C = 3, /* boxed ***/",
                                "};"], [2, 3, 4], 1) == ["Xmas", "XL", "boxed"]
