"""Member matching in detail: exact names, normalised names, and a prefix one side adds."""
from __future__ import annotations

import pytest

from enumsync.model import EnumSpec, Member
from enumsync.rules import Context, match_members, norm_name, type_range


def spec(lang: str, *names: str, kind: str = "") -> EnumSpec:
    return EnumSpec(language=lang, path=f"x.{'h' if lang == 'cpp' else 'py'}", name="E", qualname="E",
                    members=tuple(Member(n, i, i + 1) for i, n in enumerate(names)), kind=kind)


def pairs(cpp: EnumSpec, py: EnumSpec) -> dict[str, str]:
    return {p: c.name for p, c in match_members(cpp, py).py_to_cpp.items()}


@pytest.mark.parametrize("name,norm", [
    ("None_", "none"), ("_", ""), ("__", ""), ("_Private", "private"), ("kA", "a"), ("k", "k"),
    ("kb", "kb"), ("KFast", "kfast"), ("Fast__", "fast"),
])
def test_norm_name(name, norm):
    assert norm_name(name) == norm


def test_exact_names_win_over_normalised_ones():
    m = match_members(spec("cpp", "Fast", "FAST"), spec("python", "FAST", "fast"))
    assert {p: c.name for p, c in m.py_to_cpp.items()} == {"FAST": "FAST", "fast": "Fast"}
    assert m.restyled == (("Fast", "fast"),)
    assert {c: p.name for c, p in m.cpp_to_py.items()} == {"FAST": "FAST", "Fast": "fast"}


def test_an_ambiguous_normalised_name_is_not_matched():
    m = match_members(spec("cpp", "Fast", "FAST_"), spec("python", "fast"))
    assert m.py_to_cpp == {} and m.restyled == ()


def test_a_python_prefix_on_two_members_is_a_convention():
    cpp = spec("cpp", "OptWaitsMc", "OneShot", "Plain")
    py = spec("python", "FUSED_OPT_WAITS_MC", "FUSED_ONE_SHOT", "PLAIN")
    assert pairs(cpp, py) == {"FUSED_OPT_WAITS_MC": "OptWaitsMc", "FUSED_ONE_SHOT": "OneShot", "PLAIN": "Plain"}


def test_a_cpp_prefix_on_two_members_is_a_convention():
    cpp = spec("cpp", "MODE_FAST", "MODE_SLOW", "OTHER")
    py = spec("python", "FAST", "SLOW", "OTHER")
    assert pairs(cpp, py) == {"FAST": "MODE_FAST", "SLOW": "MODE_SLOW", "OTHER": "OTHER"}


def test_a_prefix_on_one_member_only_is_not_a_convention():
    cpp = spec("cpp", "OptWaitsMc", "Plain")
    py = spec("python", "FUSED_OPT_WAITS_MC", "PLAIN")
    assert pairs(cpp, py) == {"PLAIN": "Plain"}


def test_the_most_common_prefix_is_tried_first():
    # A_ would pair A_X with X; B_ (three members) claims B_X first, so A_X stays unmatched
    cpp = spec("cpp", "X", "Y", "Z")
    py = spec("python", "A_X", "A_Y", "B_X", "B_Y", "B_Z")
    assert pairs(cpp, py) == {"B_X": "X", "B_Y": "Y", "B_Z": "Z"}


def test_a_name_that_is_only_underscored_at_its_ends_has_no_prefix():
    cpp = spec("cpp", "A", "B")
    py = spec("python", "_A_", "_B_")
    assert pairs(cpp, py) == {"_A_": "A", "_B_": "B"}       # by normalised name, not as a prefix


def test_context_matching_is_computed_once_per_pair():
    ctx = Context()
    cpp, py = spec("cpp", "Fast"), spec("python", "FAST")
    first = ctx.matching(cpp, py)
    assert ctx.matching(cpp, py) is first
    other_cpp, other_py = spec("cpp", "Slow"), spec("python", "SLOW")
    assert ctx.matching(other_cpp, py) is not first and ctx.matching(other_cpp, py).py_to_cpp == {}
    assert ctx.matching(other_cpp, other_py).py_to_cpp["SLOW"].name == "Slow"
    assert ctx.matching(cpp, other_py).py_to_cpp == {}


@pytest.mark.parametrize("written,rng", [
    ("std::uint8_t", (0, 255)), (" int8_t ", (-128, 127)), ("std::int64_t", (-2**63, 2**63 - 1)),
    ("uint64_t", (0, 2**64 - 1)), ("my_t", None), ("", None), (None, None),
])
def test_type_range_as_written(written, rng):
    assert type_range(written) == rng
