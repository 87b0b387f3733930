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


INC = CPP / "includes"


def test_values_at_the_types_maximum_and_std_qualified_types():
    s = parse_cpp_enum(CPP / "range.h", "Max64")
    assert s.underlying == "std::uint64_t" and values(s) == {"Zero": 0, "Top": 2**64 - 1}
    s = parse_cpp_enum(CPP / "range.h", "Signed64")
    assert s.underlying == "std::int64_t" and values(s) == {"Min": -2**63, "Max": 2**63 - 1}
    assert values(parse_cpp_enum(CPP / "range.h", "Top8")) == {"High": 255}
    assert values(parse_cpp_enum(CPP / "range.h", "Low8")) == {"Bottom": -128, "Top": 127}
    assert values(parse_cpp_enum(CPP / "range.h", "Wide")) == {"Big": 2**63, "After": 2**63 + 1}


@pytest.mark.parametrize("header, member, line, compiler", [
    ("too_big.h", "TooBig::Wrapped", 5, "evaluates to 256, which cannot be narrowed to type 'uint8_t'"),
    ("overflow.h", "Overflow::Over", 4, "enumerator value 128 is not representable"),
])
def test_a_value_that_does_not_fit_is_an_error_naming_the_member(header, member, line, compiler):
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(CPP / header, member.split("::")[0])
    msg = str(e.value)
    assert f"{header}:{line}: {member} does not fit the enum's underlying type" in msg
    assert compiler in msg            # the compiler's own narrowing diagnostic, not hidden


@pytest.mark.parametrize("header, name, line", [("truncated.h", "Cut", 5), ("unclosed.h", "Unclosed", 6)])
def test_a_truncated_body_or_unclosed_braces_is_an_error_not_a_prefix(header, name, line):
    with pytest.raises(EnumsyncError, match=rf"{header}:{line}: .*{name} is truncated or its braces do not close"):
        parse_cpp_enum(CPP / header, name)


def test_constexpr_function_and_macro_packing_come_from_the_compiler():
    s = parse_cpp_enum(CPP / "constexpr_pack.h", "Packed")
    pack = lambda s_, i, b, u: s_ << 24 | i << 16 | b << 8 | u   # noqa: E731  (the fixture's formula)
    assert values(s) == {"Int8": pack(1, 1, 8, 0), "UInt8": pack(0, 1, 8, 1), "Fp16": pack(1, 0, 16, 2),
                         "Fp32": pack(1, 0, 32, 3), "Next": pack(1, 0, 32, 4)}


@pytest.mark.parametrize("name, expected", [
    ("Width", {"Bits": 64, "Next": 65}),                    # #ifdef on a macro from config.h picks WIDTH
    ("Guarded", {"Wide": 2}),                               # the enum itself sits in #ifndef / #else
    ("Op", {"None": 0, "Add": 3, "Mul": 7}),                # X-macro #include inside the braces
    ("Inside", {"Always": 1, "OnlyWide": 10, "Last": 11}),  # #if inside the braces
])
def test_preprocessing_that_depends_on_an_existing_include_gives_the_compilers_value(name, expected):
    # with the includes blanked these would be Width 32, Guarded Narrow, Op without members, Inside Last=2
    assert values(parse_cpp_enum(INC / "ifdef_enum.h", name)) == expected


def test_a_branch_on_a_macro_from_a_missing_include_is_an_error_naming_it():
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(INC / "missing_config.h", "Level")
    assert "missing_config.h:3: the values of Level depend on `#ifdef FROM_MISSING`" in str(e.value)
    assert '"not_here/config.h"' in str(e.value) and "--include-dir" in str(e.value)
    assert values(parse_cpp_enum(INC / "missing_config.h", "Plain")) == {"A": 1}   # an enum that does not care


def test_a_missing_x_macro_include_is_an_error_naming_it():
    with pytest.raises(EnumsyncError, match=r'missing_xmacro.h:4: members of Listed come from #include "absent.def"'):
        parse_cpp_enum(INC / "missing_xmacro.h", "Listed")


def test_an_include_outside_the_headers_directory_needs_an_include_dir():
    with pytest.raises(EnumsyncError, match=r'uses_parent.h:3: .*USE_WIDE .*"\.\./config.h"'):
        parse_cpp_enum(INC / "sub" / "uses_parent.h", "FromParent")
    assert values(parse_cpp_enum(INC / "sub" / "uses_parent.h", "FromParent", include_dirs=[INC])) == {"Wide": 2}


@pytest.mark.parametrize("spell", ["ABS", "../outside/secret.h", "link/secret.h", "LINKDIR/secret.h"])
def test_includes_outside_the_allowed_directories_are_never_read(tmp_path, spell):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.h"
    secret.write_text("#define SECRET 7\nTOP-SECRET-CONTENT\n")
    hdr_dir = tmp_path / "hdr"
    hdr_dir.mkdir()
    (hdr_dir / "link").symlink_to(outside)           # a symlink that leaves the header's directory
    (hdr_dir / "LINKDIR").symlink_to(outside, target_is_directory=True)
    name = str(secret) if spell == "ABS" else spell
    h = hdr_dir / "h.h"
    h.write_text(f'#include "{name}"\nenum class E : int {{ A = SECRET }};\n')
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(h, "E")
    assert "SECRET" in str(e.value) and "TOP-SECRET-CONTENT" not in str(e.value)
    assert "not found: " in str(e.value)


def test_an_include_dir_allows_reading_it(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "base.h").write_text('#pragma once\n#include "/etc/hostname"\n#define BASE 40\n')
    h = tmp_path / "h.h"
    h.write_text('#include <base.h>\nenum class E : int { A = BASE, B };\n')
    assert values(parse_cpp_enum(h, "E", include_dirs=[inc])) == {"A": 40, "B": 41}


def test_a_fifo_behind_an_absolute_include_is_never_opened(tmp_path):
    import os
    import subprocess
    import sys
    fifo = tmp_path / "fifo.h"
    os.mkfifo(fifo)   # opening it for reading would block: the parse must finish without touching it
    h = tmp_path / "hdr" / "h.h"
    h.parent.mkdir()
    h.write_text(f'#include "{fifo}"\nenum class E : int {{ A = 1 }};\n')
    code = f"from enumsync.parsers.cpp import parse_cpp_enum as p; print(p({str(h)!r}, 'E').members[0].value)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "1", r.stderr


CUBIN_EXPORT = ("flashinfer_cubin/cubins/d2c5915bf45ae64308a947824c14966c2718a292/batched_gemm-91e0ba0-896b90b/"
                "include/trtllmGen_bmm_export/")


@pytest.mark.network
def test_real_dtype_decl_h_values_are_what_gxx_computes(tmp_path):
    """flashinfer-cubin 0.6.13's DtypeDecl.h packs five fields per member with a macro."""
    import shutil
    import subprocess
    from conftest import wheel_tree
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ is not installed (.ci/run installs it)")
    root = wheel_tree("flashinfer-cubin", "0.6.13", CUBIN_EXPORT)
    spec = parse_cpp_enum(root / "trtllm/gen/DtypeDecl.h", "Dtype")
    assert spec.qualname == "batchedGemm::trtllm::gen::Dtype" and spec.underlying == "uint32_t"
    assert len(spec.members) >= 20
    prints = "".join(f'  std::printf("{m.name} %u\\n", (unsigned)batchedGemm::trtllm::gen::Dtype::{m.name});\n'
                     for m in spec.members)
    (tmp_path / "main.cpp").write_text('#include "trtllm/gen/DtypeDecl.h"\n#include <cstdio>\n'
                                       f"int main() {{\n{prints}}}\n")
    subprocess.run([gxx, "-std=c++17", "-w", "-I", str(root), str(tmp_path / "main.cpp"), "-o", str(tmp_path / "m")],
                   check=True, capture_output=True, timeout=300)
    out = subprocess.run([str(tmp_path / "m")], capture_output=True, text=True, check=True).stdout
    compiled = {a: int(b) for a, b in (ln.split() for ln in out.splitlines())}
    assert values(spec) == compiled
    assert compiled["Bfloat16"] == 1 << 20 | 16 << 8     # signed, 16 bits, uid 0: the packing is real


def test_form_feeds_and_unicode_line_separators_do_not_shift_comments(tmp_path):
    h = tmp_path / "ff.h"
    h.write_text("// \f page break \u2028 and a separator\nenum class F : int {\n  // first\n  A = 1,\n"
                 "  B = 2,  // second \x0b tab\n};\n")
    s = parse_cpp_enum(h, "F")
    assert [(m.name, m.line, m.comment) for m in s.members] == [("A", 4, "first"), ("B", 5, "second \x0b tab")]


def test_includes_past_the_file_budget_are_not_read_and_say_so(tmp_path, monkeypatch):
    import enumsync.parsers.cpp_includes as inc
    monkeypatch.setattr(inc, "MAX_FILES", 2)     # the header and one include
    (tmp_path / "a.h").write_text('#pragma once\n#include "b.h"\n')
    (tmp_path / "b.h").write_text("#pragma once\n#define FLAG 1\n")
    h = tmp_path / "h.h"
    h.write_text('#include "a.h"\n#ifdef FLAG\nenum class E : int { A = 1 };\n#else\nenum class E : int { A = 2 };\n#endif\n')
    with pytest.raises(EnumsyncError, match=r'h.h:2: .*FLAG may come from an include that was not found \("b.h"\)'):
        parse_cpp_enum(h, "E")
    monkeypatch.setattr(inc, "MAX_FILES", 10)
    assert values(parse_cpp_enum(h, "E")) == {"A": 1}


@pytest.mark.parametrize("header, enum, says", [
    ("too_big.h", "TooBig", "TooBig::Wrapped does not fit"),
    ("truncated.h", "Cut", "cut::Cut is truncated"),
    ("includes/missing_config.h", "Level", '"not_here/config.h"'),
    ("includes/missing_xmacro.h", "Listed", '#include "absent.def"'),
])
def test_cli_exit_2_with_one_line(tmp_path, header, enum, says):
    from conftest import run_cli
    py = tmp_path / "p.py"
    py.write_text(f"from enum import IntEnum\nclass {enum}(IntEnum):\n    A = 1\n")
    r = run_cli("check", "--cpp", str(CPP / header), "--python", str(py), "--enum", enum)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and says in r.stderr and "Traceback" not in r.stderr


def test_a_default_macro_that_an_include_overrides_is_the_includes_value():
    # `#ifndef NUM_SLOTS / #define NUM_SLOTS 8` is not an include guard: override.h defines 16 first
    assert values(parse_cpp_enum(INC / "defaults.h", "Slots")) == {"Count": 16}
    assert values(parse_cpp_enum(INC / "defaults.h", "Plain2")) == {"A": 3}


def test_a_macro_behind_a_constant_or_constexpr_function_is_traced():
    # kLanes = LANES * 2 and doubled(x) = x * LANES, with LANES chosen by #ifdef USE_WIDE from config.h
    assert values(parse_cpp_enum(INC / "indirect.h", "Lanes")) == {"Total": 16, "Scaled": 24}


@pytest.mark.parametrize("header,line,what", [
    ('#error "needs CUDA"\nenum class Mode : int { A = 0 };\n', 1, '#error "needs CUDA"'),
    ('#ifndef FOO\n#error "define FOO"\n#endif\nenum class Mode : int { A = 0 };\n', 2, '#error "define FOO"'),
    ("#if 1\nenum class Mode : int { A = 0 };\n", 1, "unterminated conditional directive"),
])
def test_a_header_the_compiler_rejects_has_no_values(tmp_path, header, line, what):
    h = tmp_path / "mode.h"
    h.write_text(header)
    with pytest.raises(EnumsyncError) as e:
        parse_cpp_enum(h, "Mode")
    assert str(e.value) == (f"{h}:{line}: the header does not compile ({what}), so Mode has no values; fix the "
                            "header, or pass --include-dir if the condition depends on an include")


def test_an_error_directive_in_a_branch_not_taken_is_no_error(tmp_path):
    h = tmp_path / "mode.h"
    h.write_text('#define FOO\n#ifndef FOO\n#error "define FOO"\n#endif\n#if 0\n#error "never"\n#endif\n'
                 "enum class Mode : int { A = 3 };\n")
    assert [(m.name, m.value) for m in parse_cpp_enum(h, "Mode").members] == [("A", 3)]
