"""`history`/`diff --enum` for any enum of the package, not only runner.h's."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli
from enumsync.parsers.cpp import parse_cpp_enum


@pytest.mark.parametrize("enum, header, cpp_name", [
    ("RoutingInputMode", "data/csrc/trtllm_fused_moe_kernel_launcher.cu", "RoutingInputMode"),   # by the copy's comment
    ("SfLayout", "data/include/flashinfer/fp4_layout.cuh", "QuantizationSFLayout"),              # the copy's name
])
def test_diff_finds_an_enum_outside_runner_h(installed_flashinfer, enum, header, cpp_name):
    r = run_cli("diff", "installed", "installed", "--enum", enum, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    path = installed_flashinfer.root / header
    assert doc["new"]["path"] == str(path)
    assert doc["new"]["qualname"] == parse_cpp_enum(path, cpp_name).qualname
    assert doc["changes"] == []


@pytest.mark.network
def test_history_of_a_launcher_enum_matches_each_versions_file():
    r = run_cli("history", "--flashinfer", "0.6.12,0.7.2", "--enum", "RoutingInputMode", "--format", "json")
    assert r.returncode == 0, r.stderr
    from conftest import wheel_file
    doc = json.loads(r.stdout)
    for row in doc["versions"]:
        f = wheel_file("flashinfer-python", row["version"], "flashinfer/data/csrc/trtllm_fused_moe_kernel_launcher.cu")
        assert row["members"] == {m.name: m.value for m in parse_cpp_enum(f, "RoutingInputMode").members}


def test_unknown_enum_is_one_line_exit_2(installed_flashinfer):
    r = run_cli("diff", "installed", "installed", "--enum", "NoSuchEnumAnywhere")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "defines no C++ enum NoSuchEnumAnywhere" in r.stderr


def test_header_option_picks_one_of_two_definitions(installed_flashinfer):
    common = "csrc/nv_internal/tensorrt_llm/kernels/cutlass_kernels/include/common.h"
    r = run_cli("diff", "installed", "installed", "--enum", "ActivationType", "--header", common, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new"]["path"].endswith(common)


@pytest.mark.network
def test_diff_of_a_launcher_enum_between_versions():
    r = run_cli("diff", "0.6.12", "0.7.2", "--enum", "Fp8QuantizationType", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    from conftest import wheel_file
    old = parse_cpp_enum(wheel_file("flashinfer-python", "0.6.12",
                                    "flashinfer/data/csrc/trtllm_fused_moe_kernel_launcher.cu"), "Fp8QuantizationType")
    new = parse_cpp_enum(wheel_file("flashinfer-python", "0.7.2",
                                    "flashinfer/data/csrc/trtllm_fused_moe_kernel_launcher.cu"), "Fp8QuantizationType")
    added = {m.name for m in new.members} - {m.name for m in old.members}
    assert {c["member"] for c in doc["changes"] if c["kind"] == "added"} == added and added
