"""`enumsync scan`: pairs found by config, mirror comments and names, checked like `check`."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum

DEMO = FIXTURES / "scan" / "demo"
TLLM = ("RoutingMethodType", "RoutingInputMode", "ActivationType", "DtypeTrtllmGen", "SfLayout",
        "WeightLayout", "GatedActType", "Fp8QuantizationType")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(d))
    return {"ENUMSYNC_CACHE_DIR": str(d)}


def _scan(*args, env=None):
    r = run_cli("scan", *args, "--format", "json", env=env)
    assert r.returncode in (0, 1), r.stderr
    return r, json.loads(r.stdout)


def _by_python(doc):
    return {r["python"]["name"]: r for r in doc["results"]}


def test_list_says_how_each_pair_was_found_and_skips_tags(cache):
    r, doc = _scan(str(DEMO), "--list", env=cache)
    pairs = {p["python_enum"]: p for p in doc["pairs"]}
    assert set(pairs) == {"Method", "TieBreak", "Layout", "Mode", "Dtype", "CommMode"}   # not Colour (str), Counted (auto)
    assert pairs["Method"]["found"] == "mirror comment" and pairs["Method"]["cpp"].endswith("include/demo/runner.h:5")
    assert pairs["TieBreak"]["found"] == "name match" and pairs["Mode"]["cpp"].endswith("csrc/launcher.cu:4")
    assert pairs["Layout"]["cpp"] == "" and "ambiguous" in pairs["Layout"]["reason"]
    assert "include/demo/gen/DtypeDecl.h is not in the scanned tree" in pairs["Dtype"]["reason"]


def test_scan_checks_every_pair_with_the_rules_of_check(cache):
    r, doc = _scan(str(DEMO), env=cache)
    assert r.returncode == 1
    res = _by_python(doc)
    rules = {n: sorted({f["rule"] for f in x["findings"]}) for n, x in res.items()}
    assert rules == {"Method": ["ES001", "ES002", "ES003"], "TieBreak": ["ES008"], "Layout": ["ES010"],
                     "Mode": [], "Dtype": ["ES010"], "CommMode": ["ES008"]}
    # "Fused values must be aligned": NCCL is Python's own, said so in the pair's notes
    assert any("Python-only: NCCL" in n for n in res["CommMode"]["notes"])
    cpp = parse_cpp_enum(DEMO / "csrc" / "launcher.cu", "Mode")
    assert [m["value"] for m in res["Mode"]["cpp"]["members"]] == [m.value for m in cpp.members] == [0, 4]
    assert {x["found"] for x in doc["results"]} == {"mirror comment", "name match"}


def test_include_dir_resolves_a_mirror_header_outside_the_tree(tmp_path, cache):
    inc = tmp_path / "inc" / "demo" / "gen"
    inc.mkdir(parents=True)
    (inc / "DtypeDecl.h").write_text("#define ENC(a, b) ((a << 8) | b)\nenum class Dtype : unsigned { Bfloat16 = ENC(1, 0) };\n")
    r, doc = _scan(str(DEMO), "-I", str(tmp_path / "inc"), env=cache)
    d = _by_python(doc)["Dtype"]
    assert d["cpp"]["members"][0]["value"] == 256
    assert [f["rule"] for f in d["findings"]] == ["ES001"]


def test_config_pairs_win_over_discovery(tmp_path, cache):
    tree = tmp_path / "t"
    shutil.copytree(DEMO, tree)
    (tree / "pyproject.toml").write_text(
        '[tool.enumsync]\n[[tool.enumsync.pairs]]\nname = "layout"\ncpp = "include/demo/runner.h"\n'
        'python = "pkg/enums.py"\nenum = "Method"\n')
    r, doc = _scan(str(tree), env=cache)
    methods = [x for x in doc["results"] if x["python"]["name"] == "Method"]
    assert [x["found"] for x in methods] == ["config"]


def test_index_cache_follows_file_changes(tmp_path, cache):
    tree = tmp_path / "t"
    shutil.copytree(DEMO, tree)
    _, doc = _scan(str(tree), "--list", env=cache)
    assert any(p["python_enum"] == "Mode" for p in doc["pairs"])
    cu = tree / "csrc" / "launcher.cu"
    cu.write_text(cu.read_text().replace("enum class Mode", "enum class Mood"))
    _, doc = _scan(str(tree), "--list", env=cache)
    assert not any(p["python_enum"] == "Mode" for p in doc["pairs"])
    assert list((Path(cache["ENUMSYNC_CACHE_DIR"]) / "scan").glob("cpp-*.json"))


def test_missing_path_is_one_line_exit_2(tmp_path):
    r = run_cli("scan", str(tmp_path / "nope"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file or folder" in r.stderr


def test_installed_flashinfer_lists_all_tllm_enums_with_verdicts(installed_flashinfer, cache):
    r, doc = _scan("--flashinfer", "installed", env=cache)
    res = {}
    for x in doc["results"]:
        if x["python"]["path"].endswith("tllm_enums.py"):
            res[x["python"]["name"]] = x
    assert set(TLLM) <= set(res)
    root = installed_flashinfer.root
    rmt = res["RoutingMethodType"]
    assert rmt["found"] == "mirror comment" and rmt["cpp"]["path"] == str(installed_flashinfer.runner_h)
    real = parse_cpp_enum(installed_flashinfer.runner_h, "RoutingMethodType")
    py = parse_python_enum(installed_flashinfer.enum_py, "RoutingMethodType")
    assert [m["value"] for m in rmt["cpp"]["members"]] == [m.value for m in real.members]
    same = [m.name for m in real.members] == [m.name for m in py.members] and \
        [m.value for m in real.members] == [m.value for m in py.members]
    assert (not any(f["severity"] == "error" for f in rmt["findings"])) == same
    # the comment names runner.h, which (in this version) has no GatedActType
    gat = res["GatedActType"]
    runner_enums = {e.split("::")[-1] for e in __import__("enumsync.parsers.cpp", fromlist=["x"]).list_cpp_enums(
        installed_flashinfer.runner_h)}
    if "GatedActType" not in runner_enums:
        assert [f["rule"] for f in gat["findings"]] == ["ES010"] and "defines no enum GatedActType" in \
            gat["findings"][0]["message"]
    # DtypeDecl.h is not in the flashinfer-python wheel
    if not list(root.rglob("DtypeDecl.h")):
        msg = res["DtypeTrtllmGen"]["findings"][0]["message"]
        assert "DtypeDecl.h is not in the scanned tree" in msg and "flashinfer-cubin" in msg
    # the naming-convention pair in the same package: TopKTieBreak (C++ None/Small/Large)
    tk = [x for x in doc["results"] if x["python"]["name"] == "TopKTieBreak"]
    if tk:
        rules = [f["rule"] for f in tk[0]["findings"]]
        assert "ES002" not in rules and "ES008" in rules


def test_installed_partial_mirror_keeps_python_only_members_out(installed_flashinfer, cache):
    """flashinfer's MixedCommMode: "Fused values must be aligned with MixedCommMode in mixed_comm.cuh"."""
    mixed = installed_flashinfer.root / "comm" / "mixed_comm.py"
    if not mixed.is_file():
        pytest.skip("this flashinfer has no comm/mixed_comm.py")
    _, doc = _scan(str(installed_flashinfer.root), env=cache)
    r = next(x for x in doc["results"] if x["python"]["name"] == "MixedCommMode")
    own = [m.name for m in parse_python_enum(mixed, "MixedCommMode").members if not m.name.startswith("FUSED_")]
    assert own and any(n.startswith("Python-only: " + ", ".join(own)) for n in r["notes"])
    assert not [f for f in r["findings"] if f["severity"] != "info"]


@pytest.mark.network
def test_cubin_headers_by_include_dir_resolve_dtype_and_weight_layout(installed_flashinfer, cache):
    """DtypeDecl.h and Enums.h are not in flashinfer-python: -I on flashinfer-cubin's export headers."""
    from conftest import wheel_tree
    export = wheel_tree("flashinfer-cubin", "0.6.13", "flashinfer_cubin/cubins/d2c5915bf45ae64308a947824c14966c2718a292/"
                        "batched_gemm-91e0ba0-896b90b/include/trtllmGen_bmm_export/")
    _, doc = _scan("--flashinfer", "installed", "-I", str(export.parent), env=cache)
    res = {x["python"]["name"]: x for x in doc["results"] if x["python"]["path"].endswith("tllm_enums.py")}
    dt = res["DtypeTrtllmGen"]
    real = {m.name: m.value for m in parse_cpp_enum(export / "trtllm/gen/DtypeDecl.h", "Dtype").members}
    assert {m["name"]: m["value"] for m in dt["cpp"]["members"]} == real and dt["found"] == "mirror comment"
    unknown = {f["member"] for f in dt["findings"] if f["rule"] == "ES000"}
    for m in dt["python"]["members"]:      # computed and equal, or ES000 with its reason
        assert m["value"] == real[m["name"]] or (m["value"] is None and m["name"] in unknown)
    wl = res["WeightLayout"]
    ml = parse_cpp_enum(export / "Enums.h", "MatrixLayout")
    assert wl["cpp"]["qualname"] == ml.qualname and [m["value"] for m in wl["cpp"]["members"]] == \
        [m.value for m in ml.members]
