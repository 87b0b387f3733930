"""Property tests: enumsync's C++ values are the values g++ computes, or an error when g++ refuses.

Hypothesis generates headers of many enums (implicit values, expressions, macros, constexpr
constants, a macro chosen by ``#ifdef`` on a flag from an included header or by an ``#ifndef``
default that the included header overrides, ``#ifdef`` inside the braces, X-macro includes,
nested namespaces and structs, every integer width and signedness, ``std::`` types, plain enums
and enum class). Each example is ONE header: g++ compiles a program that prints every
enumerator, and enumsync parses every enum of the same header; the values must be identical.
A second property puts one value that does not fit its type into each enum: g++ must reject
that line and enumsync must refuse the enum, naming the member. A third checks the directive
scanner (on which blanking includes rests) against clang's own preprocessing record, and a
fourth cuts a header inside an enum: enumsync must refuse it, never return a prefix.
Settings: 25 examples each (ENUMSYNC_CPP_PROPS_EXAMPLES), derandomized for CI
(ENUMSYNC_CPP_PROPS_RANDOM=1 explores), no deadline.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from enumsync.model import EnumsyncError  # noqa: E402
from enumsync.parsers.cpp import parse_cpp_enum  # noqa: E402

GXX = shutil.which("g++")
pytestmark = pytest.mark.skipif(GXX is None, reason="g++ is not installed (.ci/run installs it: apt-get install g++)")

EXAMPLES = int(os.environ.get("ENUMSYNC_CPP_PROPS_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, print_blob=True,
                    derandomize=not os.environ.get("ENUMSYNC_CPP_PROPS_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

I64, U64 = (-2**63, 2**63 - 1), (0, 2**64 - 1)
TYPES = {  # underlying type as written -> (min, max)
    "int8_t": (-2**7, 2**7 - 1), "uint8_t": (0, 2**8 - 1), "int16_t": (-2**15, 2**15 - 1),
    "uint16_t": (0, 2**16 - 1), "int32_t": (-2**31, 2**31 - 1), "uint32_t": (0, 2**32 - 1),
    "int64_t": I64, "uint64_t": U64, "std::int8_t": (-2**7, 2**7 - 1), "std::uint16_t": (0, 2**16 - 1),
    "std::int32_t": (-2**31, 2**31 - 1), "std::int64_t": I64, "std::uint64_t": U64,
    "char": (-2**7, 2**7 - 1), "signed char": (-2**7, 2**7 - 1), "unsigned char": (0, 2**8 - 1),
    "short": (-2**15, 2**15 - 1), "unsigned short": (0, 2**16 - 1), "int": (-2**31, 2**31 - 1),
    "unsigned": (0, 2**32 - 1), "long": I64, "unsigned long": U64, "long long": I64, "unsigned long long": U64,
}
INT = (-2**31, 2**31 - 1)


def lit(v: int, plain: bool = True) -> str:
    """``v`` as a C++ constant expression: long long or unsigned long long (``plain``: sometimes
    an unsuffixed hex literal, whose type the compiler picks)."""
    if v == -2**63:
        return "(-9223372036854775807LL - 1)"
    if v < 0:
        return f"(-{-v}LL)"
    if v > 2**63 - 1:
        return f"0x{v:X}ULL"
    return f"0x{v:x}" if plain and v % 3 == 0 else f"{v}LL"


@dataclass
class Gen:
    """One generated enum: its text pieces and the name g++ and enumsync know it by."""
    index: int
    kind: str
    under: str | None
    scope: list[str]
    struct: bool
    members: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)   # lines for flags.h, the included header
    bad: str | None = None     # the member that does not fit (second property)

    @property
    def name(self) -> str:
        return f"E{self.index}"

    @property
    def qualname(self) -> str:
        return "::".join(self.scope + ([f"S{self.index}"] if self.struct else []) + [self.name])

    @property
    def unsigned(self) -> bool:
        return self.under is not None and TYPES[self.under][0] == 0

    def text(self) -> str:
        head = f"{self.kind} {self.name}" + (f" : {self.under}" if self.under else "")
        enum = "\n".join([head + " {", *self.body, "};"])
        if self.struct:
            enum = f"struct S{self.index} {{\n{enum}\n}};"
        opens = "".join(f"namespace {n} {{\n" for n in self.scope)
        closes = "}\n" * len(self.scope)
        return "\n".join(self.before) + "\n" + opens + enum + "\n" + closes


def _range(kind: str, under: str | None) -> tuple[int, int]:
    if under is not None:
        return TYPES[under]
    return INT if kind == "enum class" else I64


@st.composite
def values_in(draw, lo: int, hi: int):
    return draw(st.one_of(st.integers(lo, hi), st.sampled_from(sorted({lo, hi, 0 if lo <= 0 <= hi else lo,
                                                                       min(hi, lo + 1), max(lo, hi - 1)}))))


@st.composite
def member_expr(draw, g: Gen, j: int, lo: int, hi: int, prev: int | None, prev_name: str | None):
    """(C++ initializer or None for implicit, value)."""
    m = f"{g.name}_M{j}"
    forms = ["literal", "sum", "shift", "macro", "constexpr", "ifdef", "default", "in-braces", "prev"]
    if prev is not None and prev + 1 <= hi:
        forms.append("implicit")
    if prev is None and lo <= 0 <= hi:
        forms.append("implicit")
    form = draw(st.sampled_from(forms))
    if form == "implicit":
        return None, 0 if prev is None else prev + 1
    if form == "prev" and prev is not None:
        plo, phi = (lo, hi) if g.under else INT if INT[0] <= prev <= INT[1] else (lo, hi)
        d = draw(st.integers(max(-5, plo - prev), min(5, phi - prev)))
        return f"{prev_name} {'+' if d >= 0 else '-'} {abs(d)}", prev + d
    if form == "shift" and hi > 0:
        s = draw(st.integers(0, max(0, hi.bit_length() - 1)))
        k = draw(st.integers(0, hi >> s))
        if k << s >= lo:
            return f"({k}ULL << {s})", k << s
    v = draw(values_in(lo, hi))
    if form == "sum":
        dom = I64 if v <= I64[1] else U64
        a = draw(st.integers(max(dom[0], v - dom[1]), min(dom[1], v - dom[0])))
        return (f"({lit(a, False)} + {lit(v - a, False)})" if dom == I64 else f"({a}ULL + {v - a}ULL)"), v
    if form == "macro":
        g.before.append(f"#define {m}_MAC {lit(v)}")
        return f"{m}_MAC", v
    if form == "constexpr":
        t = "long long" if v <= I64[1] else "unsigned long long"
        g.before.append(f"constexpr {t} {m}_C = {lit(v)};")
        return f"{m}_C", v
    if form == "ifdef":   # GEN_FLAG comes from flags.h: blanking includes would pick the #else value
        other = lo if v != lo else hi
        g.before += ["#ifdef GEN_FLAG", f"#define {m}_IF {lit(v)}", "#else", f"#define {m}_IF {lit(other)}",
                     "#endif"]
        return f"{m}_IF", v
    if form == "default":  # flags.h defines it first; the #ifndef default here must lose
        other = lo if v != lo else hi
        g.flags.append(f"#define {m}_DEF {lit(v)}")
        g.before += [f"#ifndef {m}_DEF", f"#define {m}_DEF {lit(other)}", "#endif"]
        return f"{m}_DEF", v
    if form == "in-braces":  # the member's initializer chosen by #ifdef inside the enum's braces
        other = lo if v != lo else hi
        g.body += ["#ifdef GEN_FLAG", f"  {m} = {lit(v)},", "#else", f"  {m} = {lit(other)},", "#endif"]
        return "IN-BRACES", v
    return lit(v), v


@st.composite
def enums(draw, index: int, out_of_range: bool = False):
    kind = draw(st.sampled_from(["enum", "enum class"]))
    under = draw(st.sampled_from([*TYPES] if out_of_range and kind == "enum" else [None, *TYPES]))
    scope = draw(st.lists(st.sampled_from(["alpha", "beta", "detail", "v2"]), max_size=3))
    g = Gen(index, kind, under, scope, draw(st.booleans()))
    lo, hi = _range(kind, under)
    prev = prev_name = None
    n = draw(st.integers(1, 6))
    bad_at = draw(st.integers(0, n - 1)) if out_of_range else -1
    xmacro_at = draw(st.integers(0, n - 1)) if not out_of_range and draw(st.integers(0, 3)) == 0 else -1
    for j in range(n):
        if j == xmacro_at:
            k = draw(st.integers(1, 3))
            vals = [draw(values_in(lo, hi)) for _ in range(k)]
            names = [f"{g.name}_X{i}" for i in range(k)]
            g.files[f"gen_{g.name}.def"] = "".join(f"X({a}, {lit(v)})\n" for a, v in zip(names, vals))
            g.body += ["#define X(name, value) name = value,", f'#include "gen_{g.name}.def"', "#undef X"]
            g.members += names
            prev, prev_name = vals[-1], names[-1]
        m = f"{g.name}_M{j}"
        if j == bad_at:   # just past the type's range: explicit, or an implicit increment after the maximum
            v = draw(st.sampled_from(([hi + 1] if hi < U64[1] else []) + ([lo - 1] if lo > I64[0] else [])))
            expr = None if prev is not None and v == prev + 1 and draw(st.booleans()) else lit(v)
            g.bad = m
        elif j == bad_at - 1 and hi < U64[1] and draw(st.booleans()):
            expr, v = lit(hi), hi
        else:
            expr, v = draw(member_expr(g, j, lo, hi, prev, prev_name))
        if expr != "IN-BRACES":
            g.body.append(f"  {m}," if expr is None else f"  {m} = {expr},")
        g.members.append(m)
        prev, prev_name = v, m
        if j == bad_at:
            break
    return g


def header(gens: list[Gen]) -> str:
    return "#pragma once\n#include <cstdint>\n#include \"flags.h\"\n\n" + "\n".join(g.text() for g in gens)


def write(tmp: Path, gens: list[Gen]) -> Path:
    (tmp / "flags.h").write_text("#pragma once\n#define GEN_FLAG 1\n" + "".join(f + "\n" for g in gens for f in g.flags))
    for g in gens:
        for name, text in g.files.items():
            (tmp / name).write_text(text)
    h = tmp / "gen.h"
    h.write_text(header(gens))
    return h


def compiled_values(tmp: Path, gens: list[Gen]) -> dict[tuple[str, str], int]:
    lines = []
    for g in gens:
        fmt, cast = ("%llu", "unsigned long long") if g.unsigned else ("%lld", "long long")
        for m in g.members:
            lines.append(f'  std::printf("{g.name} {m} {fmt}\\n", ({cast}){g.qualname}::{m});')
    (tmp / "main.cpp").write_text('#include "gen.h"\n#include <cstdio>\nint main() {\n' + "\n".join(lines) + "\n}\n")
    exe = tmp / "main"
    r = subprocess.run([GXX, "-std=c++17", "-w", "-I", str(tmp), str(tmp / "main.cpp"), "-o", str(exe)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, "the generator made a header g++ rejects:\n" + r.stderr[-3000:]
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, check=True).stdout
    return {(a, b): int(c) for a, b, c in (ln.split() for ln in out.splitlines())}


@SETTINGS
@given(st.integers(1, 10).flatmap(lambda n: st.tuples(*[enums(i) for i in range(n)])))
def test_values_are_what_gxx_computes(gens):
    gens = list(gens)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        h = write(tmp, gens)
        want = compiled_values(tmp, gens)
        for g in gens:
            spec = parse_cpp_enum(h, g.name, g.qualname)
            got = {(g.name, m.name): m.value for m in spec.members}
            assert got == {k: v for k, v in want.items() if k[0] == g.name}, g.text()
            assert spec.underlying == g.under


@SETTINGS
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(*[enums(i, out_of_range=True) for i in range(n)])))
def test_a_value_that_does_not_fit_is_refused_as_gxx_refuses_it(gens):
    gens = list(gens)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        h = write(tmp, gens)
        r = subprocess.run([GXX, "-std=c++17", "-fsyntax-only", "-I", str(tmp), str(h)], capture_output=True,
                           text=True, timeout=300)
        text = h.read_text().splitlines()
        for g in gens:
            line = next(i for i, t in enumerate(text, 1) if re.match(rf"\s*{g.bad}\b", t))
            assert re.search(rf"gen\.h:{line}:\d+: error", r.stderr), (g.text(), r.stderr[-2000:])
            with pytest.raises(EnumsyncError) as e:
                parse_cpp_enum(h, g.name, g.qualname)
            assert f"gen.h:{line}: {g.qualname}::{g.bad} does not fit" in str(e.value), str(e.value)


# ---- the directive scanner (blanking includes rests on it) finds exactly what clang finds ----

DIRECTIVES = [
    "#define D{i} {i}", "  #  define D{i} {i}", "/* c */ #define D{i} {i}", "%:define D{i} {i}",
    "#define D{i}(a) \\\n  ((a) + {i})", "#define D{i} /* a comment\n that runs on */ {i}",
    '#include "nope{i}.h"', '  # include <nope{i}.h>', '%:include "nope{i}.h" // trailing',
]
DECOYS = [
    "// #define X{i} 1", "/* #define X{i} 1 */", "/* a comment\n#define X{i} 1\n#include \"x{i}.h\"\n*/",
    'const char* s{i} = "#define X{i} 1";', 'auto r{i} = R"t(\n#define X{i} 1\n#include "x{i}.h"\n)t";',
    "char c{i} = '#';", "int n{i} = 1'000'000; // it's", "int a{i}; /* spans\n lines */ int b{i};",
    "int d{i} = 3 % 2;", "/* ends here\n*/ int e{i};", "// a comment that goes on \\\n#define X{i} 1",
    "int f{i}; // so does this one \\\n#include \"x{i}.h\"",
]


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 100)), min_size=1, max_size=25))
def test_directive_scan_matches_clangs_preprocessing_record(picks):
    import clang.cindex as ci
    from enumsync.parsers.cpp_directives import scan
    chunks = [(DIRECTIVES if real else DECOYS)[k % len(DIRECTIVES if real else DECOYS)].format(i=i)
              for i, (real, k) in enumerate(picks)]
    text = "\n".join(chunks) + "\n"
    path = "/enumsync-virtual/scan.h"
    tu = ci.Index.create().parse(path, args=["-x", "c++", "-std=c++17", "-nostdinc", "-w"],
                                 unsaved_files=[(path, text)],
                                 options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
    kinds = {ci.CursorKind.MACRO_DEFINITION: "define", ci.CursorKind.INCLUSION_DIRECTIVE: "include"}
    clang_sees = sorted((kinds[c.kind], c.location.line) for c in tu.cursor.get_children()
                        if c.kind in kinds and c.location.file is not None and c.location.file.name == path)
    ours = sorted((d.name, d.line) for d in scan(text) if d.name in ("define", "include"))
    assert ours == clang_sees, text


@SETTINGS
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(*[enums(i) for i in range(n)])), st.data())
def test_a_header_cut_inside_an_enum_is_refused_never_a_prefix(gens, data):
    gens = list(gens)
    g = data.draw(st.sampled_from(gens))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        h = write(tmp, gens)
        text = h.read_text()
        body = text.index(f"{g.kind} {g.name}")
        close = text.index("};", body)
        cut = data.draw(st.integers(text.index("{", body) + 1, close + 1))   # up to and including the '}'
        h.write_text(text[:cut] + data.draw(st.sampled_from(["", "\n", "\n// trailing comment\n"])))
        with pytest.raises(EnumsyncError):
            parse_cpp_enum(h, g.name, g.qualname)
