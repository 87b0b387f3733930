"""Python enums read from the AST only: values as ``enum`` computes them."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from enumsync.model import EnumsyncError
from enumsync.parsers.python_enum import parse_python_enum

STYLES = FIXTURES / "python" / "styles.py"


def vals(name):
    return {m.name: m.value for m in parse_python_enum(STYLES, name).members}


def test_tuples_constants_and_expressions_methods_and_properties_skipped():
    s = parse_python_enum(STYLES, "Tuples")
    # `_private = 99` is a real member: only _sunder_, __dunder__, private and descriptor names are not
    assert {m.name: m.value for m in s.members} == {"Zero": 0, "One": 1, "Shifted": 16, "Sum": 18,
                                                    "FromConst": 12, "Negative": -3, "_private": 99}
    assert s.kind == "IntEnum"
    assert s.by_name()["Zero"].comment == "Zero: the first"
    assert s.by_name()["One"].comment == "trailing comment"
    assert s.by_name()["Zero"].expr == "(0,)"


def test_auto_counts_on_from_the_last_value():
    assert vals("Autos") == {"First": 1, "Second": 2, "Jump": 10, "AfterJump": 11}
    assert vals("Flags") == {"A": 1, "B": 2, "C": 4}


def test_aliases_explicit_and_implicit():
    s = parse_python_enum(STYLES, "Aliased")
    assert [(m.name, m.alias_of) for m in s.members] == [
        ("Primary", None), ("Secondary", None), ("Other", "Primary"), ("Repeat", "Secondary")]
    assert [m.name for m in s.canonical()] == ["Primary", "Secondary"]


def test_int_mixin_and_plain_enum():
    assert vals("Mixed") == {"X": 3, "Y": 4}
    p = parse_python_enum(STYLES, "Plain").by_name()
    # a plain Enum keeps (0,) as a tuple: Python would send a tuple, not 0
    assert p["Tupled"].value is None and "(0,)" in p["Tupled"].error
    assert p["Number"].value == 1


def test_unknowable_value_is_reported_not_guessed_and_inline_ignore_is_read():
    d = parse_python_enum(STYLES, "Dynamic").by_name()
    assert d["Computed"].value is None and "len('abc')" in d["Computed"].error
    assert d["Ignored"].ignore == ("ES004",) and d["Ignored"].comment == ""


def test_not_found_lists_enum_classes_and_non_enum_is_refused():
    with pytest.raises(EnumsyncError, match=r"enum classes here: Tuples, Autos, Aliased, Flags, Mixed, Plain, Dynamic"):
        parse_python_enum(STYLES, "Missing")
    with pytest.raises(EnumsyncError, match="not an Enum subclass"):
        parse_python_enum(STYLES, "NotAnEnum")


def test_installed_tllm_enums(installed_flashinfer):
    s = parse_python_enum(installed_flashinfer.enum_py, "RoutingMethodType")
    src = installed_flashinfer.enum_py.read_text().splitlines()
    for m in s.members:
        # each line really holds that member, and (n,) tuples come out as n
        assert src[m.line - 1].strip().startswith(f"{m.name} = ")
        assert isinstance(m.value, int)
    assert s.members[0].name == "Default" and s.members[0].value == 0
