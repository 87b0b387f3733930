"""Which includes are read, and when blanking them could change an enum (headers written here).

The rules are the issue's (§2): an include is read only inside the header's directory or an
``-I`` directory (after symlinks); an absolute path, a ``..`` escape, ``#include_next``,
``#import`` and a computed include are never read. Blanking includes is distrusted exactly when
a conditional or include sits in the enum's braces, around the enum, or around a macro or
declaration it uses, and names a macro the header has not defined before it (the include guard
and the compiler's own macros do not count).
"""
from __future__ import annotations

from enumsync.parsers import cpp_includes
from enumsync.parsers.cpp_depends import reasons
from enumsync.parsers.cpp_directives import scan
from enumsync.parsers.cpp_includes import blank_includes, with_includes


def test_includes_are_read_only_inside_the_allowed_directories(tmp_path, monkeypatch):
    root, inc, out = tmp_path / "hdr", tmp_path / "inc", tmp_path / "outside"
    for d in (root, inc, out, root / "sub"):
        d.mkdir()
    (root / "local.h").write_text("#define LOCAL 1\n#include \"sub/deep.h\"\n")
    (root / "sub" / "deep.h").write_text("#define DEEP 2\n#include \"local.h\"\n")   # cycle: read once
    (inc / "api.h").write_text("#define API 3\n")
    (out / "secret.h").write_text("#define SECRET 4\n")
    (root / "link.h").symlink_to(out / "secret.h")
    main = root / "main.h"
    text = ("#include \"local.h\"\n#include <api.h>\n#include \"../outside/secret.h\"\n#include \"link.h\"\n"
            f"#include \"{out / 'secret.h'}\"\n#include_next <api.h>\n#import \"local.h\"\n#include HDR\n"
            "#include \"missing.h\"\n#include <local.h>\nenum E { A };\n")
    main.write_text(text)
    src = with_includes(str(main), text, [str(inc), str(tmp_path / "no-such-dir")])
    got = [(i.line, i.spelled, i.resolved) for i in src.includes if i.file == str(main)]
    assert got == [(1, '"local.h"', str(root / "local.h")), (2, "<api.h>", str(inc / "api.h")),
                   (3, '"../outside/secret.h"', None), (4, '"link.h"', None), (5, f'"{out / "secret.h"}"', None),
                   (6, "#include_next <api.h>", None), (7, '#import "local.h"', None), (8, "HDR", None),
                   (9, '"missing.h"', None), (10, "<local.h>", str(root / "local.h"))]
    assert set(src.unsaved) == {str(root / "local.h"), str(root / "sub" / "deep.h"), str(inc / "api.h")}
    assert src.defines == {"LOCAL", "DEEP", "API"}
    assert "SECRET" not in "".join(src.unsaved.values())
    lines = src.main.split("\n")
    assert len(lines) == len(text.split("\n"))      # every line kept
    assert lines[0] == f'#include "{root / "local.h"}"' and lines[2] == "" and lines[5] == "" and lines[7] == ""
    assert [i.spelled for i in src.missing] == [i[1] for i in got if i[2] is None]
    monkeypatch.setattr(cpp_includes, "MAX_FILES", 2)          # the header + one file
    small = with_includes(str(main), text, [str(inc)])
    assert set(small.unsaved) == {str(root / "local.h")}
    assert [i.resolved for i in small.includes if i.file == str(main)][:2] == [str(root / "local.h"), None]


def test_blank_includes_blanks_only_include_like_directives():
    text = "#include <a.h>\n#define X 1\n#import \"b.h\"\n#embed \"c.bin\"\n#include_next <d.h>\nint x;\n"
    assert blank_includes(text, scan(text)) == "\n#define X 1\n\n\n\nint x;\n"


def _why(text, start, end, used=(), decl_lines=()):
    return [(r.directive.line, r.spelled(), sorted(r.unknown), r.what)
            for r in reasons(scan(text), start, end, set(used), set(decl_lines))]


def test_no_reason_without_conditionals_or_includes_near_the_enum():
    text = "#include <x.h>\n#define N 3\nenum E { A = N };\n"
    assert _why(text, 3, 3, used={"N"}) == []


def test_include_guard_and_local_macros_are_not_reasons():
    text = ("#ifndef E_H\n#define E_H\n#define LOCAL 1\n#ifdef LOCAL\n#if 0\n#endif\n"
            "enum E { A };\n#endif\n#endif\n")
    assert _why(text, 7, 7) == []
    guard_if = "#if !defined(G_H)\n#define G_H\nenum E { A };\n#endif\n"
    assert _why(guard_if, 3, 3) == []


def test_a_default_is_not_a_guard():
    text = "#ifndef N\n#define N 8\n#endif\nenum E { A = N };\n"
    assert _why(text, 4, 4, used={"N"}) == [(1, "#ifndef N", ["N"], "around the definition of macro N")]


def test_reasons_inside_around_macro_and_declaration():
    text = ("#ifdef FROM_INCLUDE\n#define M 1\n#else\n#define M 2\n#endif\n"     # 1-5
            "#if HAVE_X && __GNUC__ > 3 || defined(_WIN32)\nconstexpr int k = 4;\n#endif\n"  # 6-8
            "#if OUTER\nenum E {\n  A = M,\n#if INNER\n  B = k,\n#endif\n#include \"more.h\"\n};\n#endif\n")
    got = _why(text, 10, 16, used={"M"}, decl_lines={7})
    assert got == [(12, "#if INNER", ["INNER"], "inside the enum's braces"),
                   (15, '#include "more.h"', [], "inside the enum's braces"),
                   (9, "#if OUTER", ["OUTER"], "around the enum"),
                   (1, "#ifdef FROM_INCLUDE", ["FROM_INCLUDE"], "around the definition of macro M"),
                   (6, "#if HAVE_X && __GNUC__ > 3 || defined(_WIN32)", ["HAVE_X"],
                    "around the declaration on line 7")]


def test_macros_used_transitively_and_elif_chains():
    text = ("#if A_FLAG\n#define BASE 1\n#elif B_FLAG\n#define BASE 2\n#endif\n#define USED (BASE + 1)\n"
            "enum E { X = USED };\n")
    got = _why(text, 7, 7, used={"USED"})
    assert got == [(1, "#if A_FLAG", ["A_FLAG"], "around the definition of macro BASE"),
                   (3, "#elif B_FLAG", ["B_FLAG"], "around the definition of macro BASE")]


def test_a_macro_defined_before_the_condition_is_known():
    text = "#define CFG 1\n#if CFG\nenum E { A };\n#endif\n#define LATE 1\n#if LATE\n#endif\n"
    assert _why(text, 3, 3) == []
    text = "#if CFG\n#define CFG 1\nenum E { A };\n#endif\n"
    assert _why(text, 3, 3) == [(1, "#if CFG", ["CFG"], "around the enum")]


def test_has_include_and_strings_are_not_macros():
    text = "#if __has_include(<cuda_fp8.h>) && defined(X) && true\nenum E { A };\n#endif\n"
    assert _why(text, 2, 2) == [(1, "#if __has_include(<cuda_fp8.h>) && defined(X) && true", ["X"],
                                 "around the enum")]
