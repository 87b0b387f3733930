"""`fix` takes each style decision from the class it edits: the exact output for each style,
and the exact refusal for each form it will not rewrite."""
from __future__ import annotations

from pathlib import Path

import pytest

from enumsync.fixer import FixRefused, plan_fix, plan_fix_bytes
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum

HEADER = """\
enum class Mode : int {
  // Alpha: first
  Alpha = 0,
  // Beta: second
  Beta = 1,
  // Gamma: the new one
  Gamma = 2,
  // Unspecified
  Unspecified = 3,
};
"""
HEAD = "from enum import IntEnum\n\n\nclass Mode(IntEnum):\n"


def _specs(tmp_path: Path, py: bytes | str, header: str = HEADER):
    h, p = tmp_path / "mode.h", tmp_path / "mode.py"
    h.write_text(header)
    p.write_bytes(py.encode() if isinstance(py, str) else py)
    return parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")


def fixed(tmp_path, py, header=HEADER, extensions=()):
    cpp, spec = _specs(tmp_path, py, header)
    if isinstance(py, bytes):
        return plan_fix_bytes(py, spec, cpp, extensions)
    return plan_fix(py, spec, cpp, extensions)


def test_inline_comments_give_an_inline_comment(tmp_path):
    src = HEAD + "    Alpha = 0  # Alpha: first\n    Beta = 1  # Beta: second\n    Unspecified = 3  # Unspecified\n"
    r = fixed(tmp_path, src)
    assert r.text == HEAD + ("    Alpha = 0  # Alpha: first\n    Beta = 1  # Beta: second\n"
                             "    Gamma = 2  # Gamma: the new one\n    Unspecified = 3  # Unspecified\n")
    assert r.changes == ["+Gamma = 2"]


def test_comment_prefix_without_a_space_is_kept(tmp_path):
    src = HEAD + "    #Alpha: first\n    Alpha = 0\n    #Beta: second\n    Beta = 1\n    Unspecified = 3\n"
    assert fixed(tmp_path, src).text == HEAD + (
        "    #Alpha: first\n    Alpha = 0\n    #Beta: second\n    Beta = 1\n    #Gamma: the new one\n"
        "    Gamma = 2\n    Unspecified = 3\n")


def test_blank_lines_between_members_are_kept_for_an_insertion(tmp_path):
    src = HEAD + "    # Alpha: first\n    Alpha = 0\n\n    # Beta: second\n    Beta = 1\n\n    Unspecified = 9\n"
    r = fixed(tmp_path, src)
    assert r.text == HEAD + ("    # Alpha: first\n    Alpha = 0\n\n    # Beta: second\n    Beta = 1\n\n"
                             "    # Gamma: the new one\n    Gamma = 2\n\n    Unspecified = 3\n")
    assert r.changes == ["Unspecified: 9 -> 3", "+Gamma = 2"]


def test_one_blank_gap_of_three_is_not_a_rhythm(tmp_path):
    header = HEADER.replace("  // Unspecified\n  Unspecified = 3,\n", "  Delta = 3,\n  Unspecified = 4,\n")
    src = HEAD + "    Alpha = 0\n    Beta = 1\n\n    Delta = 3\n    Unspecified = 4\n"
    assert fixed(tmp_path, src, header).text == HEAD + (
        "    Alpha = 0\n    Beta = 1\n    # Gamma: the new one\n    Gamma = 2\n\n    Delta = 3\n    Unspecified = 4\n")


def test_the_majority_value_form_wins(tmp_path):
    src = HEAD + "    Alpha = (0,)\n    Beta = (1,)\n    Unspecified = 3\n"
    assert "    Gamma = (2,)\n" in fixed(tmp_path, src).text
    src = HEAD + "    Alpha = 0\n    Beta = (1,)\n    Unspecified = 3\n"
    assert "    Gamma = 2\n" in fixed(tmp_path, src).text


def test_tab_indentation_and_crlf_line_ends(tmp_path):
    src = (HEAD + "\tAlpha = 0\n\tBeta = 1\n\tUnspecified = 2\n").replace("\n", "\r\n")
    r = fixed(tmp_path, src.encode())
    assert r.data == (HEAD + "\tAlpha = 0\n\tBeta = 1\n\t# Gamma: the new one\n\tGamma = 2\n"
                      "\tUnspecified = 3\n").replace("\n", "\r\n").encode()


def test_a_long_comment_wraps_at_the_class_width(tmp_path):
    words = " ".join(f"word{i}" for i in range(30))
    header = HEADER.replace("// Gamma: the new one", f"// Gamma: {words}")
    src = HEAD + "    Alpha = 0\n    Beta = 1\n    Unspecified = 3\n"
    lines = fixed(tmp_path, src, header).text.splitlines()
    comment = [ln for ln in lines if ln.startswith("    # ")]
    assert len(comment) == 3 and all(len(ln) <= 79 for ln in comment)
    assert " ".join(ln[6:] for ln in comment) == f"Gamma: {words}"
    # a class that is already wider than 79 columns sets the width
    wide = HEAD + "    # " + "x" * 100 + "\n    Alpha = 0\n    Beta = 1\n    Unspecified = 3\n"
    lines = fixed(tmp_path, wide, header).text.splitlines()
    comment = [ln for ln in lines if ln.startswith("    # ") and "word" in ln]
    assert len(comment) == 3 and max(len(ln) for ln in comment) > 79
    assert all(len(ln) <= 106 for ln in comment)
    # members commented beside their value take the comment beside, unwrapped
    inline = HEAD + "    Alpha = 0  # Alpha: first\n    Beta = 1\n    Unspecified = 3\n"
    assert f"    Gamma = 2  # Gamma: {words}\n" in fixed(tmp_path, inline, header).text


def test_hex_values_stay_hex(tmp_path):
    header = "enum class Mode : int { Alpha = 0x10, Beta = -0x20 };\n"
    src = HEAD + "    Alpha = 0x1\n    Beta = -0x2\n"
    r = fixed(tmp_path, src, header)
    assert r.text == HEAD + "    Alpha = 0x10\n    Beta = -0x20\n"
    assert r.changes == ["Alpha: 1 -> 16", "Beta: -2 -> -32"]


def test_a_member_new_at_the_head_goes_above_the_first_comment(tmp_path):
    src = HEAD + "    # Beta: second\n    Beta = 1\n    # Unspecified\n    Unspecified = 3\n"
    r = fixed(tmp_path, src)
    assert r.text == HEAD + ("    # Alpha: first\n    Alpha = 0\n    # Beta: second\n    Beta = 1\n"
                             "    # Gamma: the new one\n    Gamma = 2\n    # Unspecified\n    Unspecified = 3\n")
    assert r.changes == ["+Alpha = 0", "+Gamma = 2"]


def test_head_insertion_in_a_spaced_class(tmp_path):
    src = HEAD + "    Beta = 1\n\n    Gamma = 2\n\n    Unspecified = 3\n"
    assert fixed(tmp_path, src).text == HEAD + (
        "    # Alpha: first\n    Alpha = 0\n\n    Beta = 1\n\n    Gamma = 2\n\n    Unspecified = 3\n")


def test_insertion_at_the_end_of_a_file_without_a_final_newline(tmp_path):
    header = HEADER.replace("  // Unspecified\n  Unspecified = 3,\n", "")
    src = HEAD + "    Alpha = 0\n    Beta = 1"
    r = fixed(tmp_path, src.encode(), header)
    assert r.data == (HEAD + "    Alpha = 0\n    Beta = 1\n    # Gamma: the new one\n    Gamma = 2").encode()


def test_a_keyword_name_and_an_annotated_member(tmp_path):
    header = "enum class Mode : int { Alpha = 0, None = 1 };\n"
    src = HEAD + "    Alpha: int = 5\n"
    r = fixed(tmp_path, src, header)
    assert r.text == HEAD + "    Alpha: int = 0\n    None_ = 1\n"
    assert r.changes == ["Alpha: 5 -> 0", "+None_ = 1"]


def test_nothing_to_do_returns_the_bytes_unchanged(tmp_path):
    src = (HEAD + "    Alpha = 0\n    Beta = 1\n    Gamma = 2\n    Unspecified = 3\n").encode()
    r = fixed(tmp_path, src)
    assert (r.data, r.changes) == (src, [])


@pytest.mark.parametrize("body,message", [
    ("    Alpha = Beta = 0\n    Unspecified = 3\n",
     "mode.py:5: `Alpha = Beta = 0` assigns several members at once; write one member per line, then run fix again"),
    ("    Alpha, Beta = 0, 1\n    Unspecified = 3\n",
     "mode.py:5: `Alpha, Beta = 0, 1` assigns several members at once; write one member per line, then run fix again"),
    ("    Alpha = 0; Beta = 1\n    Unspecified = 3\n",
     "mode.py:5: member Alpha shares its line with another statement; put it on its own line, then run fix again"),
    ("    Alpha = 0\n    Beta = 1 + 1\n    Unspecified = 3\n",
     "mode.py:6: Beta = 1 + 1 must become 1, but its value is not an integer literal; change it by hand"),
    ("    Alpha = 0\n    Beta = 1\n    Extra = 7\n    Unspecified = 3\n",
     "mode.py:7: Mode.Extra = 7 is not in C++ Mode; fix does not delete code: remove it, or declare it an "
     "extension, then run fix again"),
    ("    Alpha = 0\n    Beta = 1\n    Gammma = 2\n    Unspecified = 3\n",
     "mode.py:7: Mode.Gammma = 2 is not in C++ Mode (it looks like C++ Gamma renamed; rename it by hand); fix "
     "does not delete code: remove it, or declare it an extension, then run fix again"),
])
def test_refusals_say_where_and_what_to_do(tmp_path, body, message):
    with pytest.raises(FixRefused) as e:
        fixed(tmp_path, HEAD + body)
    assert str(e.value).endswith(message), str(e.value)


def test_auto_refuses_only_when_something_would_change(tmp_path):
    header = "enum class Mode : int { Alpha = 1, Beta = 2, Gamma = 3 };\n"
    src = "from enum import IntEnum, auto\n\n\nclass Mode(IntEnum):\n    Alpha = auto()\n    Beta = auto()\n"
    with pytest.raises(FixRefused, match=r"mode.py:5: Mode uses auto\(\) \(Alpha\); inserting or renumbering"):
        fixed(tmp_path, src, header)
    header = "enum class Mode : int { Alpha = 1, Beta = 2 };\n"
    assert fixed(tmp_path, src, header).changes == []


def test_an_extension_is_kept_and_not_refused(tmp_path):
    src = HEAD + "    Alpha = 0\n    Beta = 1\n    Gamma = 2\n    Unspecified = 3\n    Custom = 100\n"
    r = fixed(tmp_path, src, extensions=("Custom",))
    assert r.changes == [] and r.text == src


# --- the byte layer: encodings, and the guard that refuses a bad result --------------------------

def test_a_latin1_file_is_edited_at_its_byte_offsets(tmp_path):
    src = (b"# -*- coding: latin-1 -*-\n" + HEAD.encode() +
           b"    Alpha = 0  # caf\xe9\n    Beta = 5  # \xe9\xe9\n    Gamma = 2\n    Unspecified = 3\n")
    r = fixed(tmp_path, src)
    assert r.data == src.replace(b"Beta = 5", b"Beta = 1")


def test_a_comment_the_file_encoding_cannot_hold_is_refused(tmp_path):
    header = HEADER.replace("Gamma: the new one", "Gamma: \u03b3")
    src = b"# -*- coding: latin-1 -*-\n" + HEAD.encode() + b"    # Alpha\n    Alpha = 0\n    Beta = 1\n    Unspecified = 3\n"
    with pytest.raises(FixRefused) as e:
        fixed(tmp_path, src, header)
    assert str(e.value).endswith("mode.py: '# Gamma: \u03b3\\n    Gamma = 2' cannot be written in the file's encoding "
                                 "(iso-8859-1); add it by hand")


def test_bytes_that_do_not_decode_are_refused(tmp_path):
    from enumsync.fixer import Source
    with pytest.raises(FixRefused, match=r"^x.py: cannot decode it as utf-8 .*; fix the file first$"):
        Source.read(b"A = '\xff'\n", "x.py", encoding="utf-8")
    with pytest.raises(FixRefused, match=r"^x.py: .*; fix the coding line first$"):
        Source.read(b"# -*- coding: nonsense-codec -*-\nA = 1\n", "x.py")


def test_source_lines_split_only_where_python_splits(tmp_path):
    from enumsync.fixer import Source
    s = Source.read(b"\xef\xbb\xbfa = 1\x0c\r\nb = '\xe2\x80\xa8'\rc = 3", "x.py")
    assert s.starts == [3, 11, 21, 26] and s.lines == ["a = 1\x0c\r\n", "b = '\u2028'\r", "c = 3"]
    assert not s.ends_with_break() and s.line_start(1) == 11 and s.line_start(9) == 26
    assert s.offset(2, 5) == 16            # after `b = '` on line 2
    assert s.splice([(26, 26, "\n"), (3, 4, "A")], "x.py") == b"\xef\xbb\xbfA = 1\x0c\r\nb = '\xe2\x80\xa8'\rc = 3\n"


def test_the_guard_refuses_a_result_that_touches_other_lines_or_does_not_compile(tmp_path):
    import ast

    from enumsync.fixer import Source, _verify
    raw = (HEAD + "    Alpha = 0\nX = 1\n").encode()
    src = Source.read(raw, "m.py")
    cls = next(n for n in ast.parse(src.text).body if isinstance(n, ast.ClassDef))
    _verify(src, raw.replace(b"Alpha = 0", b"Alpha = 1"), cls, "m.py")           # inside the class: fine
    with pytest.raises(FixRefused, match=r"^m.py: it would change bytes outside the class; nothing was written"):
        _verify(src, raw.replace(b"X = 1", b"X = 2"), cls, "m.py")
    with pytest.raises(FixRefused, match=r"^m.py: it would change bytes outside the class"):
        _verify(src, raw.replace(b"from enum", b"from  enum"), cls, "m.py")
    with pytest.raises(FixRefused, match=r"^m.py: the rewritten class would not compile \(.* at line 5\); nothing "
                                         r"was written; please report this$"):
        _verify(src, raw.replace(b"Alpha = 0", b"Alpha = = 0"), cls, "m.py")


# --- ties and majorities in the style decisions ------------------------------------------------
THREE = "enum class Mode : int {\n  // Alpha: first\n  Alpha = 0,\n  // Beta: second\n  Beta = 1,\n  // Gamma: the new one\n  Gamma = 2,\n};\n"


def test_a_tie_of_value_forms_is_plain(tmp_path):
    assert fixed(tmp_path, HEAD + "    Alpha = (0,)\n    Beta = 1\n", THREE).text.endswith("    Gamma = 2\n")


def test_no_literal_value_at_all_gives_the_tuple_form(tmp_path):
    assert fixed(tmp_path, HEAD + "    Alpha = 1 - 1\n    Beta = 0 + 1\n", THREE).text.endswith("    Gamma = (2,)\n")


def test_half_of_the_gaps_blank_is_no_rhythm(tmp_path):
    src = HEAD + "    Alpha = 0\n\n    Beta = 1\n    Unspecified = 3\n"
    assert fixed(tmp_path, src).text == HEAD + (
        "    Alpha = 0\n\n    Beta = 1\n    # Gamma: the new one\n    Gamma = 2\n    Unspecified = 3\n")


def test_comments_above_outnumbering_inline_ones_win(tmp_path):
    header = HEADER.replace("  // Unspecified\n  Unspecified = 3,\n",
                            "  // Delta: d\n  Delta = 3,\n  // Eps: e\n  Eps = 4,\n  // Unspecified\n  Unspecified = 5,\n")
    src = HEAD + ("    # Alpha: first\n    Alpha = 0\n    # Beta: second\n    Beta = 1\n    Delta = 3  # Delta: d\n"
                  "    Eps = 4  # Eps: e\n    # Unspecified\n    Unspecified = 5\n")
    assert "    # Gamma: the new one\n    Gamma = 2\n" in fixed(tmp_path, src, header).text
    # one above, one inline: a tie keeps comments above
    src = HEAD + "    # Alpha: first\n    Alpha = 0\n    Beta = 1  # Beta: second\n    Unspecified = 3\n"
    assert "    # Gamma: the new one\n    Gamma = 2\n" in fixed(tmp_path, src).text
    # two inline, one above: inline
    src = HEAD + ("    # Alpha: first\n    Alpha = 0\n    Beta = 1  # Beta: second\n    Unspecified = 3  # Unspecified\n")
    assert "    Gamma = 2  # Gamma: the new one\n" in fixed(tmp_path, src).text


def test_a_hash_inside_a_string_value_is_no_inline_comment(tmp_path):
    header = "enum class Mode : int { Alpha = 0, Beta = 1 };\n"
    src = "from enum import Enum\n\n\nclass Mode(int, Enum):\n    # Alpha: first\n    Alpha = 0\n"
    assert fixed(tmp_path, src, header).text.endswith("    Alpha = 0\n    Beta = 1\n")


def test_line_ends_come_from_the_class_header_line(tmp_path):
    src = ("from enum import IntEnum\n\n\nclass Mode(IntEnum):\r\n    Alpha = 0\r\n    Beta = 1\r\n"
           "    Unspecified = 3\r\n").encode()
    r = fixed(tmp_path, src)
    assert b"    # Gamma: the new one\r\n    Gamma = 2\r\n" in r.data


def test_a_member_written_over_several_lines(tmp_path):
    src = HEAD + "    Alpha = (\n        0,\n    )\n    Beta = 5\n    Unspecified = 3\n"
    r = fixed(tmp_path, src)
    assert r.text == HEAD + ("    Alpha = (\n        0,\n    )\n    Beta = 1\n    # Gamma: the new one\n    Gamma = 2\n"
                             "    Unspecified = 3\n")
    src = HEAD + "    Alpha = 0\n    Beta = (\n        1\n    )\n    # Unspecified\n    Unspecified = 3\n"
    assert fixed(tmp_path, src).text == HEAD + (
        "    Alpha = 0\n    Beta = (\n        1\n    )\n    # Gamma: the new one\n    Gamma = 2\n"
        "    # Unspecified\n    Unspecified = 3\n")


def test_inline_ignores_are_honoured_by_fix(tmp_path):
    src = HEAD + ("    Alpha = 0\n    Beta = 7  # enumsync: ignore[ES002]\n    Gamma = 2\n    Unspecified = 3\n"
                  "    Custom = 100  # enumsync: ignore[ES004]\n")
    r = fixed(tmp_path, src)
    assert (r.text, r.changes) == (src, [])


def test_bytes_that_are_not_python_are_refused_by_the_byte_api(tmp_path):
    cpp, spec = _specs(tmp_path, HEAD + "    Alpha = 0\n")
    with pytest.raises(FixRefused, match=r"mode.py:6: Python syntax error: '\(' was never closed; fix the file first$"):
        plan_fix_bytes((HEAD + "    Alpha = 0\n    Beta = (\n").encode(), spec, cpp)
    with pytest.raises(FixRefused, match=r"mode.py: (not Python source \(.*\)|Python syntax error: source code "
                                         r"string cannot contain null bytes); fix the file first$"):
        plan_fix_bytes((HEAD + "    Alpha = 0\n    B = '\0'\n").encode(), spec, cpp)


def test_a_hex_value_corrected_to_zero_is_written_0x0(tmp_path):
    header = "enum class Mode : int { Alpha = 0, Beta = -0x20 };\n"
    src = HEAD + "    Alpha = 0x5\n    Beta = -0x2\n"
    r = fixed(tmp_path, src, header)
    assert r.text == HEAD + "    Alpha = 0x0\n    Beta = -0x20\n"
    assert r.changes == ["Alpha: 5 -> 0", "Beta: -2 -> -32"]


def test_a_comment_looking_last_line_of_a_docstring_is_no_comment_block(tmp_path):
    # The docstring's last line starts with `#`; the comment block above Alpha must stop at its end.
    src = HEAD + '    """Modes.\n# not a comment"""\n    Beta = 1\n    Unspecified = 3\n'
    r = fixed(tmp_path, src)
    assert r.text == HEAD + ('    """Modes.\n# not a comment"""\n    # Alpha: first\n    Alpha = 0\n    Beta = 1\n'
                             "    # Gamma: the new one\n    Gamma = 2\n    Unspecified = 3\n")


def test_a_file_of_lone_cr_line_ends_gets_an_end_insertion_without_an_extra_line(tmp_path):
    header = HEADER.replace("  // Unspecified\n  Unspecified = 3,\n", "")
    src = "from enum import IntEnum\r\r\rclass Mode(IntEnum):\r    Alpha = 0\r    Beta = 1\r"
    r = fixed(tmp_path, src.encode(), header)
    assert r.data == (src + "    # Gamma: the new one\r    Gamma = 2\r").encode()
