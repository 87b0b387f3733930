"""C++ enums read by libclang from our fixtures and from the installed flashinfer-python."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from enumsync.model import EnumsyncError
from enumsync.parsers.cpp import list_cpp_enums, parse_cpp_enum

CPP = FIXTURES / "cpp"


def values(spec):
    return {m.name: m.value for m in spec.members}


def test_implicit_shift_sum_negative_and_constexpr():
    s = parse_cpp_enum(CPP / "values.h", "Values")
    assert values(s) == {"Zero": 0, "One": 1, "Shifted": 16, "Next": 17, "Sum": 18, "Negative": -3,
                         "AfterNegative": -2, "FromConst": 42}
    assert s.qualname == "fx::Values" and s.underlying == "int32_t" and s.kind == "enum class"
    assert [m.line for m in s.members][:3] == [11, 12, 13]
    assert s.by_name()["Shifted"].expr == "1 << 4"


def test_macro_made_members():
    s = parse_cpp_enum(CPP / "macros.h", "Macro")
    assert values(s) == {"First": 100, "Second": 101, "Third": 200}
    assert s.underlying is None and s.kind == "enum"


def test_macro_from_an_include_that_exists_beside_it():
    s = parse_cpp_enum(CPP / "included_macro.h", "FromInclude")
    assert values(s) == {"Base": 40, "Next": 41}


def test_unresolvable_macro_is_an_error_not_a_wrong_value():
    with pytest.raises(EnumsyncError, match=r"unresolved_macro.h:2: .*UNDEFINED_MACRO.*--include-dir"):
        parse_cpp_enum(CPP / "unresolved_macro.h", "Unresolved")


def test_same_plain_name_in_two_namespaces_is_ambiguous_and_lists_them():
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(CPP / "namespaces.h", "Mode")
    assert "alpha::Mode" in str(e.value) and "beta::Mode" in str(e.value)
    s = parse_cpp_enum(CPP / "namespaces.h", "Mode", "beta::Mode")
    assert values(s) == {"A": 0, "B": 2, "C": 3} and s.underlying == "long"


def test_enum_nested_in_a_struct():
    s = parse_cpp_enum(CPP / "namespaces.h", "Kind")
    assert s.qualname == "gamma::Holder::Kind"
    assert values(s) == {"Small": 1, "Large": 2}


def test_unsigned_underlying_type_reads_unsigned_values_without_its_header():
    s = parse_cpp_enum(CPP / "uint8.h", "Narrow")
    assert s.underlying == "uint8_t"
    assert values(s) == {"Low": 0, "High": 255}


def test_every_comment_style():
    s = parse_cpp_enum(CPP / "comments.h", "Commented")
    c = {m.name: m.comment for m in s.members}
    assert c == {
        "LineAbove": "line comment above",
        "Wrapped": "a line comment that clang-format wrapped over two lines",
        "BlockAbove": "block comment above",
        "BlockMulti": "a block comment over three lines",
        "Trailing": "trailing line comment",
        "TrailingBlock": "trailing block comment",
        "Doxygen": "doxygen trailing",
        "Continued": "trailing comment that continues on the next line",
        "Bare": "",
        "DoxAbove": "doxygen above",
    }


def test_bom_crlf_cuda_keywords_and_missing_includes():
    s = parse_cpp_enum(CPP / "cuda_bom_crlf.cuh", "Kernel")
    assert s.qualname == "cu::Kernel" and s.underlying == "int64_t"
    assert [(m.name, m.value, m.line, m.comment) for m in s.members] == [
        ("Plain", 0, 13, "Plain: the first"), ("Fancy", 5, 14, "trailing")]


def test_missing_enum_lists_what_is_there():
    with pytest.raises(EnumsyncError, match=r"no enum named Nope \(enums here: fx::Values\)"):
        parse_cpp_enum(CPP / "values.h", "Nope")


def test_installed_runner_h(installed_flashinfer):
    s = parse_cpp_enum(installed_flashinfer.runner_h)
    assert s.qualname == "tensorrt_llm::kernels::trtllmgen_moe::Routing::RoutingMethodType"
    assert s.underlying == "int64_t"
    # values as the compiler sees them: dense from 0, Unspecified last
    vals = [m.value for m in s.members]
    assert vals == list(range(len(vals)))
    assert s.members[-1].name == "Unspecified"
    # the DeepSeekV3 comment is wrapped over two lines in the header and comes back whole
    ds = s.by_name()["DeepSeekV3"]
    text = installed_flashinfer.runner_h.read_text().splitlines()
    assert text[ds.line - 1].strip().startswith("DeepSeekV3")
    assert "Top4 groups" in ds.comment and ds.comment.startswith("DeepSeekV3:")


def test_two_activation_types_in_flashinfer(installed_flashinfer):
    common = installed_flashinfer.root / "data/csrc/nv_internal/tensorrt_llm/kernels/cutlass_kernels/include/common.h"
    a = parse_cpp_enum(installed_flashinfer.runner_h, "ActivationType")
    b = parse_cpp_enum(common, "ActivationType")
    assert a.qualname.endswith("MoE::ActivationType") and b.qualname.endswith("cutlass_kernels::ActivationType")
    assert a.underlying == "int64_t" and b.underlying is None
    implicit = [m.name for m in b.members if m.expr == ""]
    assert "Relu" in implicit and len(implicit) >= len(b.members) - 2     # implicit values
    assert [m.value for m in b.members] == list(range(len(b.members)))
    assert "tensorrt_llm::kernels::trtllmgen_moe::Routing::RoutingMethodType" in list_cpp_enums(
        installed_flashinfer.runner_h)
