"""An error in a declaration an enum's values rest on, checked against g++ (headers written here).

The fast parse blanks the includes and so ignores errors outside the enum (unknown types that
an include would declare). An error in a declaration the enum uses (a constant, a constexpr
function, a macro, the typedef of its underlying type, a struct under ``sizeof``, another enum)
is kept: the header is parsed again with its includes, and a value g++ would not compute is
exit 2 at the line g++ names, never a value. An error in a declaration the enum does not use
is still ignored. Each case: enumsync's values equal g++'s, or g++ refuses and so does enumsync.
An enum inside a template has values per instantiation only: refused, never read as zeros.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GXX, gxx_print

from enumsync.model import EnumsyncError
from enumsync.parsers.cpp import parse_cpp_enum

pytestmark = pytest.mark.skipif(GXX is None, reason="g++ is not installed (.ci/run installs it: apt-get install g++)")

BAD_CALL = "inline int f(int x) { return x; }\n"

# name -> (header, the declaration the refusal names, the member that uses it or None: the underlying type)
REFUSED = {
    "sizeof_bad_call": (BAD_CALL + "constexpr int K2 = sizeof(f(1, 2));\nenum E { A = K2, B };\n", "K2", "A"),
    "static_member_undeclared": ("struct S { static constexpr int k = sizeof(NOT_DECLARED_T); };\n"
                                 "enum E { A = 1, B = S::k };\n", "k", "B"),
    "macro_through_constant": (BAD_CALL + "#define M sizeof(f(1, 2))\nconstexpr int K = M;\n"
                               "enum E { A = 3, B = K };\n", "K", "B"),
    "broken_underlying_typedef": ("typedef unknown_t my_t;\nenum E : my_t { A = 1, B };\n", "my_t", None),
    "broken_alias_chain": ("using base_t = unknown_t;\ntypedef base_t my_t;\nenum class E : my_t { A };\n",
                           "my_t", None),
    "sizeof_broken_struct": ("struct S {\n  unknown_t x;\n  int y;\n};\nenum E { A = sizeof(S), B };\n", "S", "A"),
    "other_enums_member": (BAD_CALL + "enum O { X = sizeof(f(1, 2)), Y };\nenum E { A = 5, B = Y };\n", "Y", "B"),
    "typedef_under_sizeof": ("typedef unknown_t my_t;\nenum E { A = sizeof(my_t), B };\n", "my_t", "A"),
}

# refused at the enum's own line: the error is where a macro is expanded, or clang drops the decl
REFUSED_AT_ENUM = {
    "macro_in_the_enum": BAD_CALL + "#define M sizeof(f(1, 2))\nenum E { A = M, B };\n",
    "constant_undeclared_name": "constexpr int K = UNDECLARED + 1;\nenum E { A = K, B };\n",
    "constexpr_function_bad_call": ("constexpr int h(int x) { return x; }\nconstexpr int g(int x) {\n"
                                    "  return x + h(x, 2);\n}\nenum E { A = g(1), B };\n"),
}


def _gxx_errors(tmp: Path, header: str) -> list[tuple[str, int]]:
    """(file, line) of each error g++ gives for a file that includes ``header`` ([] when it compiles),
    and of the macro expansions that lead to one."""
    (tmp / "use.cpp").write_text(f'#include "{header}"\n')
    r = subprocess.run([GXX, "-std=c++17", "-fsyntax-only", str(tmp / "use.cpp")], capture_output=True,
                       text=True, timeout=120)
    errs = [(f, int(n)) for f, n in re.findall(r"^(\S+?):(\d+):\d+: (?:error|fatal error|note: in expansion of macro)",
                                                r.stderr, re.M)]
    assert (r.returncode != 0) == bool(errs), r.stderr
    return errs


def _gxx_values(tmp: Path, header: str, names: list[str], flags=()) -> list[int]:
    return gxx_print(tmp, header, [f"E::{n}" for n in names], flags)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_error_in_a_used_declaration_is_refused_at_the_line_gxx_names(case, tmp_path):
    text, decl, member = REFUSED[case]
    (tmp_path / "e.h").write_text(text)
    gxx = {n for f, n in _gxx_errors(tmp_path, "e.h") if Path(f).name == "e.h"}
    who = rf"E::{member}" if member else r"the underlying type of E"
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'e.h'))}:(\d+): {who} uses {decl}, "
                                            r"declared here, which does not compile \(compiler: .+\); "
                                            r"fix the declaration$") as e:
        parse_cpp_enum(tmp_path / "e.h", "E")
    line = int(re.match(r".*?:(\d+): ", str(e.value)).group(1))
    assert line in gxx     # a line where g++ reports the error (or expands the macro that holds it)


@pytest.mark.parametrize("case", sorted(REFUSED_AT_ENUM))
def test_an_error_that_clang_reports_at_the_enum_is_refused_there(case, tmp_path):
    text = REFUSED_AT_ENUM[case]
    (tmp_path / "e.h").write_text(text)
    assert _gxx_errors(tmp_path, "e.h")      # g++ computes no value
    enum_line = next(i for i, t in enumerate(text.split("\n"), 1) if t.startswith("enum "))
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'e.h'))}:{enum_line}: "
                                            r"cannot compute the values of E: "):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_the_header_of_the_issue_exits_2_with_one_line(tmp_path):
    (tmp_path / "e.h").write_text(REFUSED["sizeof_bad_call"][0])
    (tmp_path / "e.py").write_text("import enum\nclass E(enum.IntEnum):\n    A = 0\n    B = 1\n")
    r = subprocess.run([sys.executable, "-m", "enumsync", "check", "--cpp", str(tmp_path / "e.h"),
                        "--python", str(tmp_path / "e.py"), "--enum", "E"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "e.h:2: E::A uses K2" in lines[0] and "Traceback" not in r.stderr


def test_an_unused_declaration_with_a_type_from_a_blanked_include_is_still_ignored(tmp_path):
    # enumsync reads no <vector>: std::vector is unknown in both parses, on a line the enum never uses
    (tmp_path / "e.h").write_text("#include <vector>\nint unrelated(std::vector<int> v);\n"
                                  "constexpr int K = 4;\nenum E { A = K, B };\n")
    assert _gxx_errors(tmp_path, "e.h") == []
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E").members] == _gxx_values(tmp_path, "e.h", ["A", "B"])


def test_a_used_declaration_that_needs_an_include_found_beside_it_gets_its_values(tmp_path):
    # blanked, my_int is unknown on K's line: the parse with t.h gives the value g++ gives
    (tmp_path / "t.h").write_text("typedef short my_int;\nstruct P { my_int a; long b; };\n")
    (tmp_path / "e.h").write_text('#include "t.h"\nconstexpr my_int K = 7;\n'
                                  "enum class E : my_int { A = K, B, C = sizeof(P) };\n")
    assert _gxx_errors(tmp_path, "e.h") == []
    want = _gxx_values(tmp_path, "e.h", ["A", "B", "C"])
    assert [m.value for m in parse_cpp_enum(tmp_path / "e.h", "E").members] == want


def test_a_used_declaration_that_needs_a_missing_include_is_refused_naming_it(tmp_path):
    # g++ reads <cstddef>; enumsync never does, and must not guess alignof(std::max_align_t)
    (tmp_path / "e.h").write_text("#include <cstddef>\nconstexpr std::size_t K = alignof(std::max_align_t);\n"
                                  "enum E { A = K, B };\n")
    assert _gxx_errors(tmp_path, "e.h") == []
    # (clang drops K, so the error it reports is at the enum)
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'e.h'))}:3: cannot compute the values of E: "
                                            r".*; pass --include-dir for the headers that define it "
                                            r"\(not found: <cstddef>\)$"):
        parse_cpp_enum(tmp_path / "e.h", "E")




@pytest.mark.parametrize("text, s, args", [
    ("template <int N> struct S {\n  enum E { A = N, B };\n};\n", "S", ("3", "5")),
    ("template <class T> struct S {\n  enum E : int { A = 4, B };\n};\n", "S", ("char", "long")),
    ("struct P { template <int N> struct S {\n  enum class E { A = N + 1 };\n}; };\n", "P::S", ("3", "5")),
])
def test_an_enum_inside_a_template_is_refused_not_read_as_zeros(text, s, args, tmp_path):
    # g++ gives the values of an instantiation only (libclang reads 0 for each member of the template's enum)
    (tmp_path / "e.h").write_text(text)
    prints = ", ".join(f"(int){s}<{a}>::E::A" for a in args)
    (tmp_path / "run.cpp").write_text(f'#include "e.h"\n#include <cstdio>\n'
                                      f'int main() {{ std::printf("%d %d", {prints}); }}\n')
    subprocess.run([GXX, "-std=c++17", "-w", str(tmp_path / "run.cpp"), "-o", str(tmp_path / "run")], check=True,
                   timeout=120)
    out = subprocess.run([str(tmp_path / "run")], capture_output=True, text=True, check=True, timeout=60).stdout
    assert 0 not in [int(v) for v in out.split()]
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'e.h'))}:2: {s}::E is declared inside "
                                            rf"the template {s} \(line 1\), so its values exist only per "
                                            r"instantiation; pass an enum declared outside any template$"):
        parse_cpp_enum(tmp_path / "e.h", "E")


def test_a_used_declaration_error_with_an_include_missing_names_the_include(tmp_path):
    (tmp_path / "e.h").write_text('#include "nothere.h"\n' + BAD_CALL + "constexpr int K = sizeof(f(1, 2));\n"
                                  "enum E { A = K };\n")
    assert _gxx_errors(tmp_path, "e.h")      # g++ refuses too (no nothere.h)
    with pytest.raises(EnumsyncError, match=rf"^{re.escape(str(tmp_path / 'e.h'))}:3: E::A uses K, declared here, "
                                            r"which does not compile \(compiler: .+\); pass --include-dir for the "
                                            r'headers it needs \(not found: "nothere.h"\)$'):
        parse_cpp_enum(tmp_path / "e.h", "E")
