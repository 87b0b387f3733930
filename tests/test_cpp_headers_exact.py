"""Headers at the edges of the C++ parser, each checked against g++ (headers written here).

Values are what a program compiled by g++ prints; a refusal must be at the line g++ rejects,
naming the member. The cases: an enum found only by walking (a commented-out definition, a
non-ASCII comment, ``enum`` spelled by a macro here or in an include, a body spelled by a
macro), an ``enum``-typed variable that is not an enum, a value that does not fit in an X-macro
file, an unknown underlying type on the enum's first line, a call to a non-constexpr function,
``#include "~/x.h"`` (no tilde expansion), the range of each underlying type, and a fresh
libclang index and diagnostic API (mutmut forks after they are cached, so they are reset here).
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import GXX, gxx_print

from enumsync.meaning import parse_meaning
from enumsync.model import EnumsyncError
from enumsync.parsers import cpp, cpp_diagnostics
from enumsync.parsers.cpp import _keyword_offsets, list_cpp_enums, parse_cpp_enum

pytestmark = pytest.mark.skipif(GXX is None, reason="g++ is not installed (.ci/run installs it: apt-get install g++)")

HEADERS = {   # file -> (text, {enum qualname: member names})
    "nonascii.h": ("enum NA { NX, // " + "\u00e9" * 10 + " (bytes != chars)\n};\n"
                   "enum NB { NY = 5, NZ };\n", {"NA": ["NX"], "NB": ["NY", "NZ"]}),
    "vardef.h": ("enum VE { VA = 2, VB };\nenum VE ve_default = VA;\nstruct VS { enum VE e; };\n",
                 {"VE": ["VA", "VB"]}),
    "commented.h": ("/* enum Legacy { LX }; */\nenum class CE { CA = 1, CB };\n", {"CE": ["CA", "CB"]}),
    "body.h": ("#define BODY { BA = 4, BB }\nenum BE BODY;\n", {"BE": ["BA", "BB"]}),
    "braces.h": ("#define OPEN {\n#define CLOSE }\nenum OE OPEN OA = 1, OB };\n"
                 "enum CE2 { CA2 = 3, // three\n  CB2 CLOSE;\n",
                 {"OE": ["OA", "OB"], "CE2": ["CA2", "CB2"]}),
    "macro_kw.h": ("#define ENUM_CLASS_HERE enum class\nENUM_CLASS_HERE Shade : int { Dark = 3, Light };\n",
                   {"Shade": ["Dark", "Light"]}),
    "include_kw.h": ('#include "kw.h"\n#include "plain.h"\nENUM_CLASS_THERE Color : short { Red = 3, Green };\n',
                     {"Color": ["Red", "Green"]}),
    "kw.h": ("#define ENUM_CLASS_THERE enum class\n", {}),
    "plain.h": ("#define PLAIN_ONE 1\n", {}),   # read after kw.h: its macros spell no enum
    "nested.h": ("namespace qa { namespace qb { enum class QE : unsigned { QA = 7, QB }; } }\n",
                 {"qa::qb::QE": ["QA", "QB"]}),
}


def _gxx_values(tmp: Path) -> dict[tuple[str, str], int]:
    """Every member of HEADERS as a program compiled by g++ prints it."""
    prints = [f'  std::printf("{q} {m} %lld\\n", (long long){q}::{m});'
              for _, enums in HEADERS.values() for q, ms in enums.items() for m in ms]
    incs = "".join(f'#include "{f}"\n' for f in HEADERS if f not in ("kw.h", "plain.h"))
    (tmp / "main.cpp").write_text(incs + "#include <cstdio>\nint main() {\n" + "\n".join(prints) + "\n}\n")
    subprocess.run([GXX, "-std=c++17", "-w", str(tmp / "main.cpp"), "-o", str(tmp / "m")], check=True, timeout=120)
    out = subprocess.run([str(tmp / "m")], capture_output=True, text=True, check=True, timeout=60).stdout
    return {(q, m): int(v) for q, m, v in (ln.split() for ln in out.splitlines())}


def test_enums_found_by_walking_or_by_keyword_have_gxx_values(tmp_path):
    for f, (text, _) in HEADERS.items():
        (tmp_path / f).write_text(text, encoding="utf-8")
    want = _gxx_values(tmp_path)
    for f, (_, enums) in HEADERS.items():
        for q in enums:
            plain = q.split("::")[-1]
            s = parse_cpp_enum(tmp_path / f, plain, q.split("::", 1)[-1] if "::" in q else None)
            assert (s.language, s.path, s.qualname, s.name) == ("cpp", str(tmp_path / f), q, plain)
            lines = (tmp_path / f).read_text(encoding="utf-8").split("\n")
            first = next(i for i, t in enumerate(lines, 1) if re.search(rf"\b{plain}\b", t))
            last = next(i for i, t in enumerate(lines, 1) if i >= first and ("}" in t or ";" in t))
            assert (s.line, s.end_line) == (first, last)
            # a member's meaning is parsed from its comment; no comment, no meaning
            assert [m.meaning for m in s.members] == [parse_meaning(m.comment) if m.comment else None
                                                      for m in s.members]
            assert {(q, m.name): m.value for m in s.members} == {k: v for k, v in want.items() if k[0] == q}
    assert list_cpp_enums(tmp_path / "nonascii.h") == ["NA", "NB"]
    assert list_cpp_enums(tmp_path / "vardef.h") == ["VE"]     # `enum VE ve_default` is a variable
    assert list_cpp_enums(tmp_path / "commented.h") == ["CE"]


def _gxx_error_lines(tmp: Path, header: str) -> list[str]:
    (tmp / "use.cpp").write_text(f'#include "{header}"\n')
    r = subprocess.run([GXX, "-std=c++17", "-fsyntax-only", str(tmp / "use.cpp")], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0
    return re.findall(r"^(\S+?:\d+):\d+: error", r.stderr, re.M)


def test_a_value_that_does_not_fit_in_an_x_macro_file_is_refused_at_its_line(tmp_path):
    (tmp_path / "e.h").write_text("enum class E : unsigned char {\n#include \"m.def\"\n};\n")
    (tmp_path / "m.def").write_text("A = 255,\nB,\nC = 300,\n")
    first = _gxx_error_lines(tmp_path, "e.h")[0]
    assert first.endswith("m.def:2")
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / first))}: E::B does not fit"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_an_unknown_type_on_the_first_line_is_not_trusted_from_the_blanked_parse(tmp_path):
    # blanked, `small_t` is unknown on the enum's first line; with t.h, B = 200 does not fit a signed char
    (tmp_path / "t.h").write_text("typedef signed char small_t;\n")
    (tmp_path / "e.h").write_text('#include "t.h"\nenum class E : small_t {\n  A = 100,\n  B = 200,\n};\nint z;\n')
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("e.h:4")
    with pytest.raises(EnumsyncError, match=r"e\.h:4: E::B does not fit"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_call_to_a_function_that_is_not_constexpr_is_refused_at_its_line(tmp_path):
    (tmp_path / "e.h").write_text("inline int f() { return 2; }\nenum E {\n  A = 1,\n  B = f(),\n};\n")
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("e.h:4")
    with pytest.raises(EnumsyncError, match=r"e\.h:4: cannot compute the values of E: .*; "
                                            r"pass --include-dir for the headers that define it$"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_no_enum_at_all_says_none(tmp_path):
    (tmp_path / "e.h").write_text("int x;\n")
    with pytest.raises(EnumsyncError, match=r"no enum named E \(enums here: none\)"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_tilde_include_is_a_directory_named_tilde_never_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "x.h").parent.mkdir(parents=True)
    (home / "x.h").write_text("#define XV 99\n")
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "h" / "~").mkdir(parents=True)
    (tmp_path / "h" / "~" / "x.h").write_text("#define XV 7\n")
    (tmp_path / "h" / "e.h").write_text('#include "~/x.h"\nenum E { A = XV };\n')
    (tmp_path / "h" / "main.cpp").write_text('#include "e.h"\n#include <cstdio>\n'
                                             'int main() { std::printf("%d", A); }\n')
    subprocess.run([GXX, str(tmp_path / "h" / "main.cpp"), "-o", str(tmp_path / "m")], check=True, timeout=120)
    gxx = int(subprocess.run([str(tmp_path / "m")], capture_output=True, text=True, check=True).stdout)
    assert [m.value for m in parse_cpp_enum(tmp_path / "h" / "e.h", "E").members] == [gxx] == [7]


TYPES = ["bool", "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned",
         "long", "unsigned long", "long long", "unsigned long long", "char16_t", "char32_t", "wchar_t"]


def test_the_range_of_each_underlying_type_is_what_gxx_says(tmp_path):
    names = [f"T{i}" for i in range(len(TYPES))]
    text = "".join(f"enum class {n} : {t} {{ Z }};\n" for n, t in zip(names, TYPES))
    (tmp_path / "e.h").write_text(text)
    lim = "std::numeric_limits<std::underlying_type_t<{}>>"
    prints = [f'  std::printf("{n} %lld %llu\\n", (long long){lim.format(n)}::min(), '
              f'(unsigned long long){lim.format(n)}::max());' for n in names]
    (tmp_path / "m.cpp").write_text('#include "e.h"\n#include <cstdio>\n#include <limits>\n#include <type_traits>\n'
                                    "int main() {\n" + "\n".join(prints) + "\n}\n")
    subprocess.run([GXX, "-std=c++17", str(tmp_path / "m.cpp"), "-o", str(tmp_path / "m")], check=True, timeout=120)
    out = subprocess.run([str(tmp_path / "m")], capture_output=True, text=True, check=True).stdout
    want = {n: (int(lo), int(hi)) for n, lo, hi in (ln.split() for ln in out.splitlines())}
    text = (tmp_path / "e.h").read_text()
    got = {}
    for n in names:
        ci, _, cur = cpp._find_enum(str(tmp_path / "e.h"), text, n, None, ())
        got[n] = cpp._bounds(ci, cur)
    assert got == want


def test_keyword_offsets_are_whole_identifiers_only():
    # [lex.name]: an identifier is a maximal run of letters, digits and '_'
    text = "enum enumerate xenum _enum enum_ enum9 9enum (enum)\tenum"
    assert _keyword_offsets(text, "enum") == [0, 46, 52]
    assert _keyword_offsets("", "enum") == [] and _keyword_offsets("enum", "enum") == [0]


def test_a_fresh_index_and_diagnostic_api_give_the_same_values_and_refusal(tmp_path, monkeypatch):
    (tmp_path / "e.h").write_text("enum class E : unsigned char {\n  A = 255,\n  B,\n};\n")
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("e.h:3")
    # t.h has an error for enumsync (no <vector> is read) on line 3, a line the enum spans in
    # g.h: it is not the enum's error (it is another file's), and g++ compiles the header
    (tmp_path / "t.h").write_text("#include <vector>\n\nstd::vector<int> v;\n")
    (tmp_path / "g.h").write_text('#include "t.h"\n#ifndef FLAG\nenum G {\n  GA = 1,\n  GB\n};\n#endif\n')
    want = gxx_print(tmp_path, "g.h", ["GA", "GB"])
    monkeypatch.setattr(cpp, "_index", None)
    monkeypatch.setattr(cpp_diagnostics, "_diag", None)
    with pytest.raises(EnumsyncError, match=r"e\.h:3: E::B does not fit"):
        parse_cpp_enum(tmp_path / "e.h", "E")
    index = cpp._index
    assert index is not None and cpp._clang()[1] is index and cpp_diagnostics._diag is not None
    monkeypatch.setattr(cpp_diagnostics, "_diag", None)
    assert [m.value for m in parse_cpp_enum(tmp_path / "g.h", "G").members] == want


def test_an_undeclared_name_in_an_x_macro_file_is_refused_at_its_line(tmp_path):
    (tmp_path / "e.h").write_text("enum E {\n  A = 1,\n#include \"m.def\"\n};\n")
    (tmp_path / "m.def").write_text("B = 2,\nC = NOT_DECLARED,\n")
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("m.def:2")
    where = re.escape(str(tmp_path / "m.def"))
    with pytest.raises(EnumsyncError, match=rf"^{where}:2: cannot compute the values of E"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_an_error_directive_stays_the_reason_when_the_enum_is_parsed_again_with_bodies(tmp_path):
    # the call's "constant expression" error makes the parser parse again with function bodies;
    # the #error that stops the whole header must still be what the refusal names
    (tmp_path / "e.h").write_text("#error stop here\ninline int f() { return 2; }\nenum E {\n  A = f(),\n};\n")
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("e.h:1")
    with pytest.raises(EnumsyncError, match=r"e\.h:1: the header does not compile \(#error stop here\)"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_flag_no_include_defines_with_a_standard_header_missing(tmp_path):
    # <cstdint> is never read; SOME_FLAG is not a macro it could define, so the #else branch is known
    (tmp_path / "e.h").write_text("#include <cstdint>\n#ifdef SOME_FLAG\nenum E { A = 1, B };\n#else\n"
                                  "enum E { A = 2, B };\n#endif\n")
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E").members] == gxx_print(tmp_path, "e.h", ["A", "B"])


def test_same_named_enums_picked_by_qualname_after_reading_includes(tmp_path):
    (tmp_path / "t.h").write_text("typedef short small_t;\n")
    (tmp_path / "e.h").write_text('#include "t.h"\nnamespace sa { enum class E : small_t { X = 1 }; }\n'
                                  "namespace sb { enum class E : small_t { X = 2, Y }; }\n")
    want = gxx_print(tmp_path, "e.h", ["sb::E::X", "sb::E::Y"])
    for q in ("sb::E", "::sb::E"):
        s = parse_cpp_enum(tmp_path / "e.h", "E", q)
        assert (s.qualname, [m.value for m in s.members]) == ("sb::E", want)
    with pytest.raises(EnumsyncError, match=r"enum name E is ambiguous: sa::E \(line 2\), sb::E \(line 3\)"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_quoted_include_is_searched_beside_the_file_that_includes_it_first(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.h").write_text("#define V 1\n")
    (tmp_path / "sub" / "b.h").write_text("#define V 2\n")
    (tmp_path / "sub" / "a.h").write_text('#include "b.h"\n')
    (tmp_path / "e.h").write_text('#include "sub/a.h"\nenum E { A = V };\n')
    want = gxx_print(tmp_path, "e.h", ["A"], ["-I", str(tmp_path)])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path]).members] == want == [2]


def test_a_truncated_enum_is_refused_at_the_line_gxx_names(tmp_path):
    (tmp_path / "e.h").write_text("enum class E {\n  A = 1,\n  B = 2,\n")
    line = _gxx_error_lines(tmp_path, "e.h")[0].rsplit(":", 1)[1]
    with pytest.raises(EnumsyncError, match=rf"e\.h:{line}: E is truncated or its braces do not close "
                                            r"\(compiler: expected '}'\); pass a complete header$"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_an_error_on_the_enums_last_line_is_the_enums(tmp_path):
    (tmp_path / "e.h").write_text("enum E {\n  A = 1,\n  B = 2 + UNDECLARED };\nint z;\n")
    assert _gxx_error_lines(tmp_path, "e.h")[0].endswith("e.h:3")
    with pytest.raises(EnumsyncError, match=r"e\.h:3: cannot compute the values of E: .*UNDECLARED"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_header_that_includes_itself_without_a_guard_is_refused(tmp_path):
    (tmp_path / "e.h").write_text('#include "e.h"\n#ifndef SOMETHING\nenum E { A = 1 };\n#endif\n')
    assert _gxx_error_lines(tmp_path, "e.h")
    with pytest.raises(EnumsyncError, match=r"e\.h:\d+: cannot compute the values of E"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_an_include_dir_that_is_a_symlink_loop_is_refused_as_gxx_refuses_it(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "v.h").write_text("#define V 5\n")
    (tmp_path / "e.h").write_text('#include "v.h"\nenum E { A = V };\n')
    (tmp_path / "use.cpp").write_text('#include "e.h"\n')
    r = subprocess.run([GXX, "-fsyntax-only", f"-I{tmp_path / 'loop'}", f"-I{tmp_path / 'real'}",
                        str(tmp_path / "use.cpp")], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "loop: Too many levels of symbolic links" in r.stderr
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'loop'))}: this include directory cannot be "
                                            r"resolved \(.*\); pass --include-dir with a directory that exists$"):
        parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path / "loop", tmp_path / "real"])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path / "real"]).members] == [5]


def test_a_resolved_x_macro_include_does_not_hide_a_condition_from_a_missing_include(tmp_path):
    (tmp_path / "m.def").write_text("A = 1,\n")
    (tmp_path / "e.h").write_text('#include "missing.h"\n#ifndef FROM_MISSING\nenum E {\n#include "m.def"\n};\n'
                                  "#endif\n")
    (tmp_path / "use.cpp").write_text('#include "e.h"\n')
    r = subprocess.run([GXX, "-fsyntax-only", str(tmp_path / "use.cpp")], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "missing.h" in r.stderr    # g++ cannot know either
    with pytest.raises(EnumsyncError, match=r"e\.h:2: the values of E depend on `#ifndef FROM_MISSING`"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def _gxx_first_error(tmp: Path, header: str) -> str:
    """``file:line`` of the first error or fatal error g++ reports (a column is not always printed)."""
    r = subprocess.run([GXX, "-std=c++23", "-fsyntax-only", "-x", "c++", "-"],
                       input=f'#include "{header}"\n', capture_output=True, text=True, timeout=120, cwd=tmp)
    assert r.returncode != 0
    return re.search(r"^(\S+?:\d+):(?:\d+:)? (?:fatal )?error", r.stderr, re.M).group(1)


def test_a_stray_brace_after_the_enum_is_not_the_enums_error(tmp_path):
    # g++ rejects line 2, outside the enum; by design only errors in the enum's lines, at the file's
    # end or in directives that stop the whole header count, so the enum keeps the values g++ gives it
    (tmp_path / "e.h").write_text("enum E { A = 4, B };\n}\nint z;\nint w;\n")
    assert [ln.rsplit(":", 1)[1] for ln in _gxx_error_lines(tmp_path, "e.h")] == ["2"]
    (tmp_path / "alone.h").write_text("enum E { A = 4, B };\n")
    want = gxx_print(tmp_path, "alone.h", ["A", "B"])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E").members] == want


def test_an_unterminated_if_before_the_enum_is_refused_at_its_line(tmp_path):
    (tmp_path / "e.h").write_text("#if 1\n#define V 2\nenum E { A = V };\nint z;\n")
    assert _gxx_first_error(tmp_path, "e.h") == "e.h:1"
    with pytest.raises(EnumsyncError, match=r"^.*e\.h:1: the header does not compile \(unterminated conditional "
                                            r"directive\), so E has no values; "):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_an_elifdef_on_a_missing_include_is_a_condition_the_values_depend_on(tmp_path):
    text = ('#include "missing.h"\n#define KNOWN 1\n#ifndef KNOWN\nenum E { A = 1 };\n#elifdef FROM_MISSING\n'
            "enum E { A = 2 };\n#else\nenum E { A = 3 };\n#endif\n")
    (tmp_path / "e.h").write_text(text)
    assert _gxx_first_error(tmp_path, "e.h") == "e.h:1"     # g++ cannot know either
    with pytest.raises(EnumsyncError, match=r"e\.h:5: the values of E depend on `#elifdef FROM_MISSING`"):
        parse_cpp_enum(tmp_path / "e.h", "E")
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "missing.h").write_text("#define FROM_MISSING\n")
    want = gxx_print(tmp_path, "e.h", ["A"], ["-std=c++23", "-I", str(tmp_path / "inc")])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path / "inc"]).members] \
        == want == [2]


def test_an_angle_include_is_not_searched_beside_the_file_that_includes_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "inc").mkdir()
    (tmp_path / "sub" / "b.h").write_text("#define V 1\n")
    (tmp_path / "inc" / "b.h").write_text("#define V 2\n")
    (tmp_path / "sub" / "a.h").write_text("#include <b.h>\n")
    (tmp_path / "e.h").write_text('#include "sub/a.h"\nenum E { A = V };\n')
    want = gxx_print(tmp_path, "e.h", ["A"], ["-I", str(tmp_path / "inc")])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path / "inc"]).members] \
        == want == [2]
    (tmp_path / "b.h").write_text("#define V 3\n")     # beside the header itself: g++ still reads inc/b.h
    (tmp_path / "e.h").write_text("#include <b.h>\nenum E { A = V };\n")
    want = gxx_print(tmp_path, "e.h", ["A"], ["-I", str(tmp_path / "inc")])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E", include_dirs=[tmp_path / "inc"]).members] \
        == want == [2]


def test_a_missing_x_macro_file_says_which_flag_to_pass(tmp_path):
    (tmp_path / "e.h").write_text('enum E {\n#include "m.def"\n};\n')
    assert _gxx_first_error(tmp_path, "e.h") == "e.h:2"
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(tmp_path / "e.h", "E")
    assert str(e.value) == (f'{tmp_path / "e.h"}:2: members of E come from #include "m.def", which is not in the '
                            "header's directory or an --include-dir; pass --include-dir DIR for the directory that "
                            "holds it")


def test_the_first_four_missing_includes_are_named(tmp_path):
    names = [f"m{i}.h" for i in range(6)]
    (tmp_path / "e.h").write_text("".join(f'#include "{n}"\n' for n in names) + "enum E { A = NOWHERE };\n")
    assert _gxx_first_error(tmp_path, "e.h") == "e.h:1"
    named = ", ".join('"' + n + '"' for n in names[:4])   # as spelled in the #include lines
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(tmp_path / "e.h", "E")
    assert str(e.value) == (f"{tmp_path / 'e.h'}:7: cannot compute the values of E: use of undeclared identifier "
                            f"'NOWHERE'; pass --include-dir for the headers that define it (not found: "
                            f"{named})")
