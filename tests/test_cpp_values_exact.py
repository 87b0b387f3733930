"""C++ enum values at both ends of every underlying type, and one past them (headers written here).

Expected values are the language's: a fixed underlying type T holds exactly T's range
([dcl.enum]/8, [basic.fundamental]); an enumerator outside it is ill-formed (the compiler
refuses it, so enumsync must exit 2 naming the member, never a wrapped value). ``std::``
qualified, plain fixed-width, and builtin spellings are each read through their canonical type.
"""
from __future__ import annotations

import pytest

from enumsync.model import EnumsyncError
from enumsync.parsers.cpp import list_cpp_enums, parse_cpp_enum

TYPES = {   # as written -> (bits, signed)
    "int8_t": (8, True), "std::uint8_t": (8, False), "std::int16_t": (16, True), "uint16_t": (16, False),
    "int": (32, True), "std::uint32_t": (32, False), "long long": (64, True), "unsigned long long": (64, False),
    "std::size_t": (64, False), "unsigned char": (8, False), "signed char": (8, True), "short": (16, True),
    "char16_t": (16, False), "char32_t": (32, False), "unsigned": (32, False), "std::int64_t": (64, True),
}


def _range(bits, signed):
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def _lit(v: int) -> str:
    # the most negative value has no literal form: write it as (-MAX - 1), as <cstdint> does
    if v < 0:
        return f"(-{-v - 1} - 1)"
    return f"{v}ull" if v > (1 << 63) - 1 else str(v)


@pytest.mark.parametrize("under", sorted(TYPES))
def test_both_ends_of_the_type_and_the_implicit_value_before_the_maximum(tmp_path, under):
    lo, hi = _range(*TYPES[under])
    h = tmp_path / "e.h"
    h.write_text(f"#include <cstdint>\nnamespace a {{ namespace b {{\nenum class E : {under} {{\n"
                 f"  Lo = {_lit(lo)},\n  Near = {_lit(hi - 1)},\n  Hi,\n}};\n}} }}\n")
    s = parse_cpp_enum(h, "E")
    assert {m.name: m.value for m in s.members} == {"Lo": lo, "Near": hi - 1, "Hi": hi}
    assert (s.qualname, s.kind, s.underlying) == ("a::b::E", "enum class", under)
    lo_tokens = f"( - {-lo - 1} - 1 )" if lo < 0 else _lit(lo)     # the expression's tokens, space-joined
    assert [(m.name, m.line, m.expr) for m in s.members] == [("Lo", 4, lo_tokens), ("Near", 5, _lit(hi - 1)),
                                                             ("Hi", 6, "")]


@pytest.mark.parametrize("under", sorted(TYPES))
def test_one_past_the_maximum_is_refused_naming_the_member(tmp_path, under):
    lo, hi = _range(*TYPES[under])
    h = tmp_path / "e.h"
    h.write_text(f"#include <cstdint>\nenum struct E : {under} {{\n  Top = {_lit(hi)},\n  Past,\n}};\n")
    with pytest.raises(EnumsyncError, match=r"E::Past does not fit the enum's underlying type"):
        parse_cpp_enum(h, "E")


def test_plain_enum_bool_and_no_fixed_type(tmp_path):
    h = tmp_path / "e.h"
    h.write_text("enum B : bool { No, Yes };\nenum P { M = -1, Z, Big = 0x7fffffff };\n"
                 "enum U { Huge = 0xffffffffu };\nstruct S { enum Inner : unsigned short { X = 65535 }; };\n")
    b = parse_cpp_enum(h, "B")
    assert ({m.name: m.value for m in b.members}, b.kind, b.underlying) == ({"No": 0, "Yes": 1}, "enum", "bool")
    p = parse_cpp_enum(h, "P")
    assert {m.name: m.value for m in p.members} == {"M": -1, "Z": 0, "Big": 2**31 - 1} and p.underlying is None
    assert {m.name: m.value for m in parse_cpp_enum(h, "U").members} == {"Huge": 2**32 - 1}
    i = parse_cpp_enum(h, "Inner")
    assert (i.qualname, i.members[0].value, i.underlying) == ("S::Inner", 65535, "unsigned short")
    assert list_cpp_enums(h) == ["B", "P", "U", "S::Inner"]
