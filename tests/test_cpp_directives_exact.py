"""Preprocessing directives found by the C++ lexing rules, on small headers written here.

The expected directives are what the C++ standard says ([lex.phases], [cpp.pre]): a ``#`` or
``%:`` first on a logical line, outside comments and literals; line splices join lines; a block
comment continues a directive over newlines. Checked field by field (name, args, offsets, lines).
"""
from __future__ import annotations

import pytest

from enumsync.parsers.cpp_directives import blank, identifiers, scan


def fields(text):
    return [(d.name, d.args, d.line, d.end_line) for d in scan(text)]


def test_plain_directives_with_offsets_and_lines():
    text = "#include <a.h>\nint x;\n  #  define  N  3 // three\n%:if N\n#\n#endif"
    ds = scan(text)
    assert [(d.name, d.args, d.line, d.end_line) for d in ds] == [
        ("include", "<a.h>", 1, 1), ("define", "N  3", 3, 3), ("if", "N", 4, 4), ("", "", 5, 5), ("endif", "", 6, 6)]
    assert [(d.start, d.end) for d in ds] == [(0, 14), (24, 48), (49, 55), (56, 57), (58, 64)]
    assert text[ds[1].start] == "#" and text[ds[2].start:ds[2].start + 2] == "%:"


def test_no_hash_no_directives():
    assert scan("int x = 1;\n/* comment */\n") == [] and scan("") == []


def test_splices_and_block_comments_continue_a_directive():
    text = "#define A 1 + \\\n  2\n#define B /* a\n comment */ 3\nint y;\n#define C \\   \n 4\n"
    assert fields(text) == [("define", "A 1 +   2", 1, 2), ("define", "B   3", 3, 4), ("define", "C  4", 6, 7)]


@pytest.mark.parametrize("text", [
    'const char* s = "#define X 1";\n', "char c = '#';\n", "// #define X\n", "/* #define X */\n",
    "/* a\n#define X\n*/\n", 'auto r = R"(\n#define X\n)";\n', 'auto r = R"d(\n)"\n#define X\n)d";\n',
    "int a; #define X 1\n", "x /* c */ y # z\n",
])
def test_a_hash_inside_a_comment_literal_or_mid_line_is_not_a_directive(text):
    assert scan(text) == []


def test_a_comment_before_the_hash_still_starts_a_directive():
    assert fields("/* lead */ # include \"x.h\"\n") == [("include", '"x.h"', 1, 1)]
    assert fields("\t\f\v#pragma once\n") == [("pragma", "once", 1, 1)]
    assert fields("int x; /* open\n*/ #define Y 2\n") == [("define", "Y 2", 2, 2)]


def test_after_comments_and_raw_strings_lines_are_counted_right():
    text = "/* one\n two */\nauto r = R\"x(\n#no\n)x\";\n'#';\n#if 1 // c\n#endif\n"
    assert fields(text) == [("if", "1", 7, 7), ("endif", "", 8, 8)]
    text = "#define S \"a#b\" '#'\n#define T 1\n"
    assert fields(text) == [("define", "S \"a#b\" '#'", 1, 1), ("define", "T 1", 2, 2)]


def test_unterminated_comment_and_raw_string_run_to_the_end():
    assert scan("/* never closed\n#define X\n") == []
    assert scan('auto r = R"(never\n#define X\n') == []


def test_digit_separators_and_char_literals():
    text = "int n = 1'000'000; #x\n#define K 'a'\n"
    assert fields(text) == [("define", "K 'a'", 2, 2)]


def test_blank_keeps_every_newline_and_identifiers():
    text = "a\nbb\nccc\ndddd\n"
    assert blank(text, [(2, 8, "X"), (0, 1, "")]) == "\nX\n\ndddd\n"
    assert blank(text, []) == text
    assert identifiers("A(x) + _b1 * 3 - 4c") == {"A", "x", "_b1", "c"}


def _clang_record(text: str) -> list[tuple[str, int]]:
    """(define|include, line) of each directive in clang's own preprocessing record."""
    import clang.cindex as ci
    path = "/enumsync-virtual/record.h"
    tu = ci.Index.create().parse(path, args=["-x", "c++", "-std=c++17", "-nostdinc", "-w"],
                                 unsaved_files=[(path, text)],
                                 options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
    kinds = {ci.CursorKind.MACRO_DEFINITION: "define", ci.CursorKind.INCLUSION_DIRECTIVE: "include"}
    return sorted((kinds[c.kind], c.location.line) for c in tu.cursor.get_children()
                  if c.kind in kinds and c.location.file is not None and c.location.file.name == path)


@pytest.mark.parametrize("text, want", [
    # a second block comment on a directive's line that runs over lines continues the directive
    ("#define X 1 /* a */ /* b\n#define Z 9 */ + 2\n#define Y 3\n", [("define", "X 1     + 2", 1, 2),
                                                                     ("define", "Y 3", 3, 3)]),
    # a raw string's end is searched from its start, not from an earlier `)"`
    ('const char* p = ")";\nauto s = R"(\n#define NOT_ONE\n)";\n#define REAL 1\n', [("define", "REAL 1", 5, 5)]),
    # two adjacent raw strings: the second starts right after the first one's quote
    ('auto s = R"(a\n)"R"(b\n#define FAKE\n)";\n#define REAL 2\n', [("define", "REAL 2", 5, 5)]),
    # a // comment that ends in a line splice goes on over the next line (not on line 1, and twice)
    ("int x;\n// note \\\n#define HIDDEN 1\n#define SHOWN 2\n// two \\\n  \\\n#define GONE\n#define LAST\n",
     [("define", "SHOWN 2", 4, 4), ("define", "LAST", 8, 8)]),
    ("int y; // #define NO\n#define YES 1\n", [("define", "YES 1", 2, 2)]),
    # a backslash, then blanks (form feed, vertical tab, space, tab), then the newline is still a splice
    ("#define A 1 \\\f\n#define B 2\n", [("define", "A 1 #define B 2", 1, 2)]),
    ("#define A 1 \\\v \t\n#define B 2\n#define C\n", [("define", "A 1 #define B 2", 1, 2), ("define", "C", 3, 3)]),
    ("int x;\n// c \\ \n#define X 1\n#define Y 2\n", [("define", "Y 2", 4, 4)]),
    # ... but not other control characters (Python's str.strip would take \x1c as a blank)
    ("#define A 1 \\\x1c\n#define B 2\n", [("define", "A 1 \\", 1, 1), ("define", "B 2", 2, 2)]),
    # a spliced // comment takes exactly one more line, even an empty one
    ("int x;\n// c \\\n\n#define X 1\n", [("define", "X 1", 4, 4)]),
    # `/*/` at a line's end opens a comment (its '/' is not the '/' of a '*/')
    ("int a; /*/\n#define HIDDEN\n*/\n#define SHOWN\n", [("define", "SHOWN", 4, 4)]),
    # a one-line comment on a later line does not make the rest of its line a line start
    ("int a;\nint b; /* c */ #define X 1\n#define Y 2\n", [("define", "Y 2", 3, 3)]),
])
def test_directives_are_the_ones_in_clangs_preprocessing_record(text, want):
    assert fields(text) == want
    assert sorted((n, line) for n, _, line, _ in want) == _clang_record(text)
