"""`history`/`diff --enum` for any enum of the package, not only runner.h's."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli
from enumsync.parsers.cpp import parse_cpp_enum


def test_diff_finds_an_enum_outside_runner_h_by_its_copys_comment(installed_flashinfer):
    r = run_cli("diff", "installed", "installed", "--enum", "RoutingInputMode", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    launcher = installed_flashinfer.root / "data/csrc/trtllm_fused_moe_kernel_launcher.cu"
    assert doc["new"]["path"] == str(launcher)
    assert doc["new"]["qualname"] == parse_cpp_enum(launcher, "RoutingInputMode").qualname
    assert doc["changes"] == []


def test_python_name_of_a_copy_leads_to_its_cpp_enum(installed_flashinfer):
    r = run_cli("diff", "installed", "installed", "--enum", "SfLayout", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    header = installed_flashinfer.root / "data/include/flashinfer/fp4_layout.cuh"
    assert doc["new"]["path"] == str(header)
    assert doc["new"]["qualname"] == parse_cpp_enum(header, "QuantizationSFLayout").qualname


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
