"""The fast parse may leave out function definitions no enum can use (``cpp_prune``): it must not
change a single value, diagnostic or dependency, and must keep every definition an enum uses.

Ground truth: g++ (the values of the pruned parse are the values g++ computes) and the unpruned
fast parse (with pruning on or off, libclang must show the same enum: values, the errors that
``trouble`` keeps, the identifiers, declaration lines and declarations ``_usage`` finds). The size gates are
turned off here so that small generated headers are pruned too.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from conftest import GXX, gxx_print

from enumsync.model import EnumsyncError
from enumsync.parsers import cpp, cpp_prune
from enumsync.parsers.cpp_diagnostics import trouble
from enumsync.parsers.cpp_directives import scan
from enumsync.parsers.cpp_includes import blank_includes
from enumsync.parsers.cpp_prune import fast_text, unused_definitions

needs_gxx = pytest.mark.skipif(GXX is None, reason="g++ is not installed (.ci/run installs it)")


@pytest.fixture(autouse=True)
def prune_small_headers(monkeypatch):
    monkeypatch.setattr(cpp, "PRUNE_MIN_BYTES", 0)
    monkeypatch.setattr(cpp_prune, "MIN_SHARE", 0.0)


def pruned_names(text: str) -> list[str]:
    """Names of the functions whose definitions are left out (every head here starts a line with
    ``inline``)."""
    import re
    out = []
    for s, e in unused_definitions(text, scan(text)):
        out += re.findall(r"^\s*inline\b[^(\n]*?(\w+)\s*\(", text[s:e], re.M)
    return out


def fast_view(path: str, text: str, name: str, qualname: str | None, prune: bool):
    """What the fast parse shows of one enum: values and lines, the errors ``trouble`` keeps,
    and ``_usage`` (or the error message)."""
    ci, index = cpp._clang()
    ds = scan(text)
    src = fast_text(text, ds) if prune else blank_includes(text, ds)
    tu = cpp._parse(ci, index, path, src, {})
    try:
        cur = cpp._select(cpp._enums(ci, tu, path, src, ds), name, qualname, path)
    except EnumsyncError as e:
        return str(e)
    u = cpp._usage(ci, cur, path)
    problems = [(d.location.line, d.spelling)
                for d in trouble(ci, tu, cur, text.count("\n") + 1, cpp._whole_file_error_lines(ds), used=u.decls)]
    values = [(c.spelling, c.enum_value, c.location.line) for c in cur.get_children()
              if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL]
    return values, problems, sorted(u.names), sorted(u.lines), sorted(u.decls.items())


def same_fast_view(path: Path, name: str, qualname: str | None = None):
    text = path.read_text()
    on = fast_view(str(path), text, name, qualname, True)
    assert on == fast_view(str(path), text, name, qualname, False)
    return on


# ---- which definitions are left out ----

PLAIN = "\n".join(f"inline int f{i}(int x) {{ int y = x * {i}; return y + 1; }}" for i in range(6))


def test_plain_functions_are_left_out_and_lines_are_kept():
    text = f"#pragma once\n#include <cstdint>\n{PLAIN}\nenum class E : int64_t {{ A, B = 5 }};\n"
    assert pruned_names(text) == [f"f{i}" for i in range(6)]
    fast = fast_text(text, scan(text))
    assert fast.count("\n") == text.count("\n") and "f3" not in fast and "enum class E" in fast


@pytest.mark.parametrize("use", [
    "sizeof(f2(0))",          # a call in an unevaluated operand: f2 must stay declared
    "sizeof(&f2) / 2",        # its address
])
def test_a_function_the_enum_names_is_kept(use, tmp_path):
    text = f"{PLAIN}\nenum E {{ A = {use}, B }};\n"
    assert "f2" not in pruned_names(text) and "f3" in pruned_names(text)
    h = tmp_path / "h.h"
    h.write_text(text)
    assert same_fast_view(h, "E")[0][0][1] == 4


def test_a_function_named_by_a_kept_declaration_or_macro_is_kept_and_so_are_its_callees():
    text = (f"{PLAIN}\ninline long g(int x) {{ return f4(x); }}\n#define SZ sizeof(f1(0))\n"
            "constexpr int K = sizeof(g(0));\nenum E { A = K, B = SZ };\n")
    names = pruned_names(text)
    assert "g" not in names and "f1" not in names
    assert "f4" not in names   # a definition that stays brings every name it holds (g's body calls f4)
    assert {"f0", "f2", "f3", "f5"} <= set(names)


def test_overloads_are_kept_together():
    text = "inline int ov(int x) { return x; }\ninline char ov(char c) { return c; }\n" \
           "inline int other(int x) { return x; }\nenum E { A = sizeof(ov('a')), B = sizeof(ov(1)) };\n"
    assert pruned_names(text) == ["other"]


@pytest.mark.parametrize("head", [
    "constexpr int h(int x)", "auto h(int x)", "template <class T> int h(T x)", "int h(int x = 3)",
    "int h(decltype(1) x)", "virtual int h(int x)", "inline int operator+(S a, S b)", "int N::h(int x)",
    "int h(int x) const", "[[gnu::cold(1)]] int h(int x)", "__attribute__((cold)) int h(int x)",
    "static_assert(true); int h(int x)",
])
def test_definitions_clang_would_look_into_are_kept(head):
    text = f"struct S {{}};\n{head} {{ return 0; }}\ninline int p(int x) {{ return x; }}\nenum E {{ A }};\n"
    p = [(text.index("inline int p("), text.index("\nenum E"))]
    # only p is left out (a head with '=' reads as an initializer's brace: then nothing follows a declaration)
    assert unused_definitions(text, scan(text)) == ([] if "=" in head else p)


@pytest.mark.parametrize("body", [
    "{ return 1; } /* } */", '{ const char* s = "}"; return 1; }', "{ return '}'; }", "{ return 1'000; }",
    '{ const char* s = R"x(}{)x"; return 1; }', "{ // } here\n return 1; }", "{ if (x) { return 2; } return 1; }",
    "{ return [&](int a) { return a + x; }(x); }", "{ int a[2] = {1, 2}; return a[x > 0]; }",
])
def test_bodies_with_literals_comments_and_nesting_are_read_as_clang_reads_them(body, tmp_path):
    text = f"inline int q(int x) {body}\ninline int r(int x) {{ return x; }}\nenum E {{ A = 3, B }};\n"
    assert pruned_names(text) == ["q", "r"]
    h = tmp_path / "h.h"
    h.write_text(text)
    line = text[:text.index("enum")].count("\n") + 1
    assert same_fast_view(h, "E")[0] == [("A", 3, line), ("B", 4, line)]


@pytest.mark.parametrize("case", [
    "#define OPEN {\n",                                   # a macro with an unbalanced brace
    "inline int s(int x) { return x; \\\n}\n",            # a splice outside a directive
    "inline int s(int x) <% return x; %>\n",              # digraphs
    "#ifdef A\nnamespace a {\n#else\nnamespace b {\n#endif\n}\n",   # braces that differ per branch
    "struct T {\n#if 0\n};\n#endif\n};\n",               # a branch that closes a brace opened before it
    "const char* u = \"never closed;\n",                 # a literal that does not close
])
def test_text_read_with_doubt_is_left_as_it_is(case):
    text = f"{case}{PLAIN}\nenum E {{ A }};\n"
    assert pruned_names(text) == []


def test_a_definition_holding_a_macro_or_pragma_or_counter_is_kept():
    text = ("#define ONE 1\ninline int m(int x) { return x + ONE; }\n"
            "inline int pr(int x) { _Pragma(\"pack(1)\") return x; }\n"
            "inline int cn(int x) { return __COUNTER__; }\n"
            f"{PLAIN}\nenum E {{ A = __COUNTER__ }};\n")
    names = pruned_names(text)
    assert {"m", "pr", "cn"}.isdisjoint(names) and "f0" in names


def test_only_namespace_scope_definitions_after_a_declaration_are_left_out():
    text = ("namespace a { inline int n1(int x) { return x; }\n}\n"
            "extern \"C\" {\ninline int n2(int x) { return x; }\n}\n"
            "struct H {\n  inline int n3(int x) { return x; }\n};\n"
            "int v = (1 +\ninline int n4(int x) { return x; }\n);\n"
            "static\ninline int n0(int x) { return x; }\n"   # `static` is part of the definition
            "int z =\ninline int n5(int x) { return x; }\n"
            "inline int n6(int x) { return x; }\n"           # follows n5, which is not read as a declaration
            "int w;\ninline int n7(int x) { return x; }\n"
            "template <class T> T t(T x) { return x; }\ninline int n8(int x) { return x; }\n"
            "struct P { int a; }\ninline int n9(int x) { return x; }\n"   # after a class, only a ';' ends it
            "enum E { A };\n")
    names = pruned_names(text)
    assert {"n0", "n2", "n7", "n8"} <= set(names)
    assert {"n3", "n4", "n5", "n6", "n9"}.isdisjoint(names)


def test_the_last_two_lines_are_never_blanked():
    text = f"{PLAIN}\nenum E {{ A }};\ninline int t1(int x) {{ return x; }}\ninline int t2(int x) {{ return x; }}"
    assert "t2" not in pruned_names(text) and "t1" not in pruned_names(text)


def test_with_templates_around_only_unknown_or_builtin_types_are_left_out():
    text = ("template <class T> struct Box { static_assert(sizeof(T) > 100, \"boom\"); };\n"
            "typedef Box<int> IntBox;\n"
            "inline int k1(IntBox b) { return 0; }\n"      # completing IntBox would instantiate Box<int>
            "inline int k2(Unknown u) { return 0; }\n"
            "inline int k3(int v) { return v; }\n"
            "enum E { A };\n")
    names = pruned_names(text)
    assert "k1" not in names and {"k2", "k3"} <= set(names)


# ---- the contract: errors are reported exactly as without pruning ----

@pytest.mark.parametrize("name,tail,match", [
    ("E", "#error stop here\n", r"does not compile \(#error stop here\)"),
    ("Cut", "enum Cut { A = 1,\n", r"truncated or its braces do not close"),
    ("Wide", "enum Wide : unsigned char { W = 256 };\n", r"does not fit"),
    ("Odd", "enum Odd { O = missing_thing };\n", r"cannot compute the values"),
])
def test_errors_are_still_reported_when_definitions_are_left_out(name, tail, match, tmp_path):
    h = tmp_path / "h.h"
    h.write_text(f"{PLAIN}\nenum E {{ A }};\n{tail}")
    if name != "Cut":   # braces that never close: nothing is pruned (see test_text_read_with_doubt...)
        assert pruned_names(h.read_text())
    with pytest.raises(EnumsyncError, match=match):
        cpp.parse_cpp_enum(h, name)


def test_a_function_and_an_enumerator_of_the_same_name_still_clash(tmp_path):
    h = tmp_path / "h.h"
    h.write_text(f"inline int Red(int x) {{ return x; }}\n{PLAIN}\nenum Color {{ Red, Green }};\n")
    assert "Red" not in pruned_names(h.read_text())
    with pytest.raises(EnumsyncError, match="redefinition of 'Red'"):
        cpp.parse_cpp_enum(h, "Color")


def test_the_benchmark_header_hands_libclang_almost_nothing(tmp_path):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from cpp_parse import big_header     # the header the benchmark times, not a copy of its shape
    for unknown in (False, True):
        h = big_header(tmp_path / f"big{unknown}.h", n=2000, unknown_types=unknown)
        text = h.read_text()
        fast = fast_text(text, scan(text))
        assert fast.count("\n") == text.count("\n") and len(fast.replace("\n", "")) < 200
        assert same_fast_view(h, "Late")[0] == [("A", 0, 2004), ("B", 5, 2004), ("C", 6, 2004)]


# ---- generated headers: values as g++ computes them, the same fast parse with and without ----

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("ENUMSYNC_CPP_PRUNE_EXAMPLES", "12"))

BODIES = ["{{ return x * {i}; }}", "{{ int y = x; for (int k = 0; k < {i}; ++k) y += k; return y; }}",
          '{{ const char* s = "{{ }}"; return s[0] + {i}; }}', "{{ return '}}' + {i}; /* {{ */ }}",
          "{{ return 1'0{i}; // }}\n}}", "{{ if (x) {{ return {i}; }} return [](int a) {{ return a; }}({i}); }}"]
CUDA_TYPES = ("#pragma once\ntypedef int cudaError_t;\ntypedef void* cudaStream_t;\n"
              "inline int launch(cudaStream_t, int v) { return v; }\n")


@st.composite
def blocks(draw, i: int):
    """(lines before the enum, the enum's member initializer, its value, the definitions that
    must be left out)."""
    body = draw(st.sampled_from(BODIES)).format(i=i)
    kind = draw(st.sampled_from(["plain", "unknown", "ns", "extern", "constexpr", "sizeof", "const", "macro",
                                 "overload"]))
    if kind == "plain":
        return [f"inline int p{i}(int x) {body}"], str(i), i, [f"p{i}"]
    if kind == "unknown":
        return [f"inline cudaError_t u{i}(cudaStream_t s) {{ return launch(s, {i}); }}"], str(i), i, [f"u{i}"]
    if kind == "ns":
        return [f"namespace n{i} {{", f"inline int p{i}(int x) {body}", "}"], str(i), i, [f"p{i}"]
    if kind == "extern":
        return ['extern "C" {', f"inline int e{i}(int x) {body}", "}"], str(i), i, [f"e{i}"]
    if kind == "constexpr":
        return [f"constexpr int c{i}(int v) {{ return v * 3; }}"], f"c{i}({i})", 3 * i, []
    if kind == "sizeof":
        return [f"inline long long s{i}(int x) {body}"], f"sizeof(s{i}(0))", 8, []
    if kind == "const":
        return [f"inline int k{i}f(int x) {body}", f"constexpr int K{i} = {i} + 7;"], f"K{i}", i + 7, [f"k{i}f"]
    if kind == "macro":
        return [f"#define M{i} ({i} * 5)", f"inline int m{i}f(int x) {body}"], f"M{i}", 5 * i, [f"m{i}f"]
    return ([f"inline int o{i}(int x) {body}", f"inline char o{i}(char c) {{ return c; }}"],
            f"sizeof(o{i}('a')) + sizeof(o{i}(1))", 5, [])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("ENUMSYNC_CPP_PROPS_RANDOM"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.integers(2, 12).flatmap(lambda n: st.tuples(*[blocks(i) for i in range(n)])))
@needs_gxx
def test_generated_headers_give_gxx_values_and_the_same_fast_parse(parts):
    lines = ["#pragma once", "#include <cstdint>", '#include "cuda_types.h"']
    members = []
    for i, (before, init, _, _) in enumerate(parts):
        lines += before
        members.append(f"  V{i} = {init},")
    lines += ["enum class Gen : int64_t {", *members, "};", ""]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "cuda_types.h").write_text(CUDA_TYPES)
        h = tmp / "gen.h"
        h.write_text("\n".join(lines))
        want = gxx_print(tmp, "gen.h", [f"Gen::V{i}" for i in range(len(parts))], ["-I", d])
        assert want == [v for _, _, v, _ in parts]
        assert sorted(pruned_names(h.read_text())) == sorted(n for *_, names in parts for n in names)
        got = [m.value for m in cpp.parse_cpp_enum(h, "Gen").members]
        assert got == want, h.read_text()
        same_fast_view(h, "Gen")


# ---- bounded work on any text ----

def _cpu(fn):
    import time
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def test_long_enums_and_word_lists_cost_linear_time():
    """Every line start is tried as a definition's start: a 20,000-member enum (commas on lines
    of their own) and 5,000 lines of words once took minutes (backtracking over all of them)."""
    members = "".join(f"  Member{i}\n  ,\n" for i in range(20000))
    words = "".join(f"  unsigned int member{i}\n" for i in range(5000))
    text = f"{PLAIN}\nenum Big {{\n{members}}};\nstruct S {{\n{words};}};\nenum E {{ A }};\n"
    names, cpu = _cpu(lambda: pruned_names(text))
    assert names == [f"f{i}" for i in range(6)] and cpu < 5


def test_a_chain_of_callers_is_kept_whole_in_linear_time():
    """The enum uses the last function, whose body calls the one before it, and so on: all stay."""
    n = 3000
    chain = "\n".join(f"inline int c{i}(int x) {{ return {'c%d(x)' % (i - 1) if i else 'x'}; }}" for i in range(n))
    text = f"{chain}\n{PLAIN}\nenum E {{ A = sizeof(c{n - 1}(0)) }};\n"
    names, cpu = _cpu(lambda: pruned_names(text))
    assert names == [f"f{i}" for i in range(6)] and cpu < 5


def test_with_many_macros_a_definition_that_uses_one_is_still_kept():
    macros = "".join(f"#define MAC{i} {i}\n" for i in range(40))    # past the count that is found one by one
    text = f"{macros}inline int uses(int x) {{ return x + MAC7; }}\n{PLAIN}\nenum E {{ A = MAC3 }};\n"
    assert "uses" not in pruned_names(text) and "f0" in pruned_names(text)


def test_a_template_function_body_ends_a_declaration_and_a_class_key_outside_angles_does_not():
    text = ("template <class T, typename U> T tf(T x, U u) { return x; }\ninline int after1(int x) { return x; }\n"
            "struct Base {};\nstruct DS : decltype(Base()) { int a; }\ninline int after2(int x) { return x; }\n"
            "template<class T>struct DT : decltype(T()) { int a; }\ninline int after3(int x) { return x; }\n"
            "enum E { A };\n")
    names = pruned_names(text)
    assert "after1" in names and "after2" not in names and "after3" not in names


# ---- the lexing, the macro check, the tail and the type rule, one case each ----

@pytest.mark.parametrize("lit", [
    'u8"}"', 'L"{"', 'u"}"', 'U"{"', "L'}'", "u'{'", "U'}'", "u8'{'", 'LR"(})"', 'u8R"x(}{)x"', 'uR"(})"',
    'UR"(})"', 'R"(")"', 'LR"(")"', 'uR"(")"', 'UR"(")"', 'u8R"(")"',
    "0x1'F", ".5'0f", "'\\''", '"\\"}"', "1 / 2", "'}'",
])
def test_every_literal_form_is_masked_as_the_compiler_reads_it(lit, tmp_path):
    text = f"inline int q(int x) {{ auto v = {lit}; return 1; }}\n{PLAIN}\nenum E {{ A = 3 }};\n"
    assert pruned_names(text)[:2] == ["q", "f0"]


@pytest.mark.parametrize("code", ["int v = abc'x';", "int v = '}", 'int v = "}', "auto v = R\"x(}", "/* } "])
def test_a_literal_or_comment_read_with_doubt_prunes_nothing(code):
    text = f"inline int q(int x) {{ {code}\n return 1; }}\n{PLAIN}\nenum E {{ A = 3 }};\n"
    assert pruned_names(text) == []


def test_a_macro_name_counts_only_as_a_whole_word():
    text = ("#define ONE 1\ninline int w1(int x) { return x + ONEX + XONE + ONE_ + MY_ONE; }\n"
            "inline int w2(int x) { return ONE; }\n" f"{PLAIN}\nenum E {{ A }};\n")
    assert "w1" in pruned_names(text) and "w2" not in pruned_names(text)


@pytest.mark.parametrize("end", ["\n", ""])
def test_the_tail_is_the_last_two_lines_exactly(end):
    body = f"{PLAIN}\nenum E {{ A }};\ninline int t0(int x) {{ return x; }}\n"
    text = body + "inline int t1(int x) { return x; }\n" + "inline int t2(int x) { return x; }" + end
    names = pruned_names(text)
    assert "t0" in names and ("t1" in names) == (end == "\n") and "t2" not in names


def test_with_templates_parameter_names_are_not_types():
    text = ("template <class T> struct Box { T v; };\ntypedef Box<int> IntBox;\n"
            "inline int k4(int T) { return T; }\n"                 # T is the parameter's name here
            "inline int k5(IntBox) { return 0; }\n"                # a lone word is a type
            "inline unsigned int k6(unsigned int v) { return v; }\n"
            "inline int k7(const IntBox& b) { return 0; }\n"
            "enum E { A };\n")
    names = pruned_names(text)
    assert "k4" in names and "k6" in names and "k5" not in names and "k7" not in names


def test_a_kept_definition_that_names_template_brings_the_type_rule():
    text = ("struct Plain { int v; };\n"
            "inline int uses_template(int x) { return x.template get<0>(); }\n"   # kept: the enum names it
            "inline int k8(Plain p) { return 0; }\n"
            f"{PLAIN}\nenum E {{ A = sizeof(uses_template(0)) }};\n")
    names = pruned_names(text)
    assert "uses_template" not in names and "k8" not in names and "f0" in names


def test_a_namespace_glued_to_a_semicolon_or_a_brace_is_still_a_namespace(tmp_path):
    text = (f"int w;namespace a {{namespace b {{\ninline int g1(int x) {{ return x; }}\n}}}}\n{PLAIN}\n"
            "enum E { A = 2 };\n")
    assert pruned_names(text) == ["g1"] + [f"f{i}" for i in range(6)]
    h = tmp_path / "h.h"
    h.write_text(text)
    assert same_fast_view(h, "E")[0] == [("A", 2, 10)]


def test_a_body_whose_head_holds_a_function_pointer_ends_a_declaration(tmp_path):
    text = (f"inline int fp(int (*p)(int)) {{ return p(1); }}\ninline int after4(int x) {{ return x; }}\n{PLAIN}\n"
            "enum E { A = 7 };\n")
    assert pruned_names(text) == ["after4"] + [f"f{i}" for i in range(6)]
    h = tmp_path / "h.h"
    h.write_text(text)
    assert same_fast_view(h, "E")[0] == [("A", 7, 9)]


def test_a_run_split_for_a_macro_leaves_out_only_its_own_clean_definitions():
    text = ("#define ONE 1\nstruct H {\n  inline int in_class(int x) { return x; }\n};\n"
            "inline int s1(int x) { return x; }\ninline int s2(int x) { return x + ONE; }\n"
            f"inline int s3(int x) {{ return x; }}\n{PLAIN}\nenum E {{ A }};\n")
    assert pruned_names(text) == ["s1", "s3"] + [f"f{i}" for i in range(6)]


def test_a_macro_name_at_the_very_start_of_the_text_keeps_its_definition():
    text = f"ONE w0(int x) {{ return x; }}\n#define ONE int\n{PLAIN}\nenum E {{ A }};\n"
    spans = unused_definitions(text, scan(text))
    assert spans and spans[0][0] == text.index("inline int f0")


def test_the_fast_text_is_the_include_blanked_text_with_the_definitions_emptied():
    text = f"#pragma once\n#include <cstdint>\n#include \"other.h\"\n{PLAIN}\nenum class E : int64_t {{ A }};\n"
    ds = scan(text)
    base = blank_includes(text, ds)
    a, b = base.index("inline int f0"), base.index("\nenum")
    assert fast_text(text, ds) == base[:a] + "\n" * 5 + base[b:]


@pytest.mark.parametrize("extra,pruned", [(0, True), (2, False)])
def test_definitions_are_left_out_only_when_they_are_half_the_text(extra, pruned, monkeypatch):
    """The share is the runs' length (line start to closing brace) over the text's length."""
    monkeypatch.setattr(cpp_prune, "MIN_SHARE", 0.5)
    g = "inline int g(int x) { int y = x + 1; int z = y * 2; return y + z + 3; }"
    def header(pad: int) -> str:
        return f"{PLAIN}\nint sep;\n{g}\nenum E {{ A }};\n// {'x' * pad}\n"
    share = len(PLAIN) + len(g)
    pad = 2 * share - len(header(0)) + extra
    assert pad > 0
    text = header(pad)
    assert len(text) == 2 * share + extra
    assert pruned_names(text) == ([f"f{i}" for i in range(6)] + ["g"] if pruned else [])


def test_a_closing_brace_that_starts_the_next_to_last_line_is_in_the_tail():
    text = f"{PLAIN}\nenum E {{ A }};\ninline int t3(int x) {{ return x;\n}}\nint last;"
    assert pruned_names(text) == [f"f{i}" for i in range(6)]
    assert pruned_names(text + "\n") == [f"f{i}" for i in range(6)] + ["t3"]


def test_balanced_if_elif_else_branches_still_allow_pruning(tmp_path):
    text = f"#if A\nint a;\n#elif B\nint b;\n#else\nint c;\n#endif\n{PLAIN}\nenum E {{ A = 4 }};\n"
    assert pruned_names(text) == [f"f{i}" for i in range(6)]
    h = tmp_path / "h.h"
    h.write_text(text)
    assert same_fast_view(h, "E")[0] == [("A", 4, 14)]


def test_a_body_after_a_trailing_return_type_that_holds_a_lambda_ends_a_declaration():
    text = (f"auto g() -> decltype([]{{ return 1; }}) {{ return {{}}; }}\ninline int after5(int x) {{ return x; }}\n"
            f"{PLAIN}\nenum E {{ A }};\n")
    assert pruned_names(text) == ["after5"] + [f"f{i}" for i in range(6)]
