"""``enumsync check`` as a user runs it: real pairs, exit codes, JSON schema, bad input."""
from __future__ import annotations

import json
import sys

import pytest

from conftest import FIXTURES, ROOT, run_cli, wheel_file, flashinfer_runner_h

CPP, PY = FIXTURES / "cpp", FIXTURES / "python"
FINDING_KEYS = {"rule", "name", "severity", "member", "cpp_value", "python_value", "message", "path", "line"}


def check_json(*args, **kw):
    r = run_cli("check", "--format", "json", *args, **kw)
    assert r.returncode in (0, 1), r.stderr
    return r, json.loads(r.stdout)


def test_default_check_is_the_installed_flashinfer_pair_and_in_sync(installed_flashinfer, tmp_path):
    r, doc = check_json(cwd=tmp_path)
    assert r.returncode == 0
    assert doc["schema"] == 1 and doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 0
    (res,) = doc["results"]
    assert res["cpp"]["path"] == str(installed_flashinfer.runner_h)
    assert res["python"]["path"] == str(installed_flashinfer.enum_py)
    assert res["findings"] == []
    assert [m["name"] for m in res["cpp"]["members"]] == [m["name"] for m in res["python"]["members"]]
    assert installed_flashinfer.version in res["notes"][0]
    text = run_cli("check", cwd=tmp_path)
    assert text.returncode == 0 and "in sync" in text.stdout and "runner.h:" in text.stdout


@pytest.mark.parametrize("header, qual", [
    ("data/include/flashinfer/trtllm/fused_moe/runner.h", "tensorrt_llm::kernels::trtllmgen_moe::MoE::ActivationType"),
    ("data/csrc/nv_internal/tensorrt_llm/kernels/cutlass_kernels/include/common.h",
     "tensorrt_llm::kernels::cutlass_kernels::ActivationType"),
])
def test_installed_activation_types_in_sync(installed_flashinfer, header, qual):
    r, doc = check_json("--cpp", str(installed_flashinfer.root / header), "--python", str(installed_flashinfer.enum_py),
                        "--enum", "ActivationType")
    assert r.returncode == 0, doc["results"][0]["findings"]
    assert doc["results"][0]["cpp"]["qualname"] == qual
    assert doc["results"][0]["findings"] == []


@pytest.mark.network
def test_sglang_0_5_23_against_flashinfer_0_7_2_drifts_exactly_as_upstream():
    utils = wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py")
    runner = flashinfer_runner_h("0.7.2")
    r, doc = check_json("--cpp", str(runner), "--python", str(utils))
    assert r.returncode == 1
    got = sorted((f["rule"], f["member"], f["cpp_value"], f["python_value"]) for f in doc["results"][0]["findings"])
    assert got == [("ES001", "Unspecified", 10, 9), ("ES002", "Unspecified", 10, 9), ("ES003", "TopKSigmoid", 9, None)]
    es002 = next(f for f in doc["results"][0]["findings"] if f["rule"] == "ES002")
    assert "TopKSigmoid" in es002["message"]
    for f in doc["results"][0]["findings"]:
        assert FINDING_KEYS <= set(f) and f["path"] == str(utils) and isinstance(f["line"], int)
    assert doc["summary"]["errors"] == 2 and doc["summary"]["warnings"] == 1


def test_drift_fixture_findings_and_text_table():
    r, doc = check_json("--cpp", str(CPP / "values.h"), "--python", str(PY / "values_drift.py"), "--enum", "Values")
    assert r.returncode == 1
    got = sorted((f["rule"], f["member"]) for f in doc["results"][0]["findings"])
    assert got == [("ES001", "Next"), ("ES002", "Next"), ("ES003", "Sum"), ("ES004", "PythonOnly"),
                   ("ES006", "Total")]
    t = run_cli("check", "--cpp", str(CPP / "values.h"), "--python", str(PY / "values_drift.py"), "--enum", "Values")
    assert t.returncode == 1
    assert "values_drift.py:9" in t.stdout and "ES001" in t.stdout and "3 error(s), 2 warning(s)" in t.stdout


def test_out_of_range_for_narrow_underlying_type():
    r, doc = check_json("--cpp", str(CPP / "uint8.h"), "--python", str(PY / "narrow.py"), "--enum", "Narrow")
    assert r.returncode == 1
    fs = doc["results"][0]["findings"]
    assert sorted((f["rule"], f["member"]) for f in fs) == [("ES001", "High"), ("ES007", "High")]
    f = next(f for f in fs if f["rule"] == "ES007")
    assert f["python_value"] == 256
    assert "uint8_t [0, 255]" in f["message"]


def test_comment_fixture_pair_in_sync():
    r, doc = check_json("--cpp", str(CPP / "comments.h"), "--python", str(PY / "commented.py"), "--enum", "Commented")
    assert r.returncode == 0 and doc["results"][0]["findings"] == []


def test_config_pairs_and_extensions(tmp_path):
    (tmp_path / "pyproject.toml").write_text(f"""
[tool.enumsync]
extensions = {{ PythonOnly = "a Python-side convenience" }}

[[tool.enumsync.pairs]]
name = "values"
cpp = "{CPP / 'values.h'}"
python = "{PY / 'values_drift.py'}"
enum = "Values"

[[tool.enumsync.pairs]]
name = "narrow"
cpp = "{CPP / 'uint8.h'}"
python = "{PY / 'narrow.py'}"
enum = "Narrow"
""")
    r, doc = check_json(cwd=tmp_path)
    assert [x["label"] for x in doc["results"]] == ["values", "narrow"]
    rules0 = sorted(f["rule"] for f in doc["results"][0]["findings"])
    assert "ES004" not in rules0 and "ES001" in rules0
    assert sorted(f["rule"] for f in doc["results"][1]["findings"]) == ["ES001", "ES007"]


BINARY = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))


@pytest.mark.parametrize("case", ["missing", "directory", "binary", "syntax", "no-enum", "ambiguous", "config-key",
                                  "bad-option"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    args, cwd = [], tmp_path
    if case == "missing":
        args = ["--cpp", str(CPP / "values.h"), "--python", str(tmp_path / "nope.py"), "--enum", "Values"]
    elif case == "directory":
        args = ["--cpp", str(CPP), "--python", str(PY / "narrow.py"), "--enum", "Narrow"]
    elif case == "binary":
        (tmp_path / "blob.py").write_bytes(BINARY)
        args = ["--cpp", str(CPP / "uint8.h"), "--python", str(tmp_path / "blob.py"), "--enum", "Narrow"]
    elif case == "syntax":
        (tmp_path / "broken.py").write_text("class Narrow(IntEnum:\n    Low = 0\n")
        args = ["--cpp", str(CPP / "uint8.h"), "--python", str(tmp_path / "broken.py"), "--enum", "Narrow"]
    elif case == "no-enum":
        args = ["--cpp", str(CPP / "uint8.h"), "--python", str(PY / "narrow.py"), "--enum", "Wide"]
    elif case == "ambiguous":
        args = ["--cpp", str(CPP / "namespaces.h"), "--python", str(PY / "narrow.py"), "--enum", "Mode"]
    elif case == "config-key":
        (tmp_path / "pyproject.toml").write_text("[tool.enumsync]\npairz = []\n")
    elif case == "bad-option":
        args = ["--no-such-flag"]
    r = run_cli("check", *args, cwd=cwd)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("enumsync: error:"), r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    expect = {"missing": "no such file", "directory": "is a directory", "binary": "binary",
              "syntax": "broken.py:1: Python syntax error", "no-enum": "no enum named Wide",
              "ambiguous": "alpha::Mode", "config-key": "unknown key 'pairz'", "bad-option": "--no-such-flag"}[case]
    assert expect in lines[0]


def test_static_path_imports_no_torch_flashinfer_or_tvm_ffi(installed_flashinfer, tmp_path):
    code = ("import sys\nfrom enumsync.cli import main\n"
            "try:\n    main(['check', '--format', 'json'])\nexcept SystemExit as e:\n    code = e.code\n"
            "heavy = sorted(m for m in ('torch', 'flashinfer', 'tvm_ffi') if m in sys.modules)\n"
            "print('HEAVY', code, ','.join(heavy), file=sys.stderr)\n")
    import subprocess
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    line = [l for l in r.stderr.splitlines() if l.startswith("HEAVY")][0]
    assert line.split(" ", 2)[1] == "0"
    assert line.split(" ", 2)[2].strip() == "", line


def test_readme_rule_table_is_generated_from_the_registry():
    from enumsync.commands.rules import markdown_table
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in readme and end in readme
    assert readme.split(start, 1)[1].split(end, 1)[0] == markdown_table()


def test_unresolved_macro_is_exit_2_and_include_dir_is_accepted(tmp_path):
    r = run_cli("check", "--cpp", str(CPP / "unresolved_macro.h"), "--python", str(PY / "narrow.py"),
                "--enum", "Unresolved")
    assert r.returncode == 2 and "UNDEFINED_MACRO" in r.stderr and "--include-dir" in r.stderr
    (tmp_path / "m.h").write_text("#define UNDEFINED_MACRO 6\n")
    hdr = tmp_path / "e.h"
    hdr.write_text('#include "m.h"\nenum class Unresolved : int { Known = 1, Mystery = UNDEFINED_MACRO + 1 };\n')
    (tmp_path / "e.py").write_text("import enum\n\n\nclass Unresolved(enum.IntEnum):\n    Known = 1\n    Mystery = 7\n")
    r = run_cli("check", "--cpp", str(hdr), "--python", str(tmp_path / "e.py"), "--enum", "Unresolved")
    assert r.returncode == 0, r.stderr


def test_config_models_make_check_run_the_table_rules(tmp_path):
    names = ["Default", "Renormalize", "DeepSeekV3", "Llama4", "RenormalizeNaive", "TopK", "SigmoidRenorm",
             "MiniMax2", "Sigmoid", "Unspecified"]
    (tmp_path / "enums.py").write_text("from enum import IntEnum\n\n\nclass RoutingMethodType(IntEnum):\n"
                                       + "".join(f"    {n} = {i}\n" for i, n in enumerate(names)))
    (tmp_path / "pyproject.toml").write_text(f"""
[tool.enumsync]
models = ["{FIXTURES / 'models' / 'literal.py'}"]

[[tool.enumsync.pairs]]
cpp = "{FIXTURES / 'models' / 'routing.h'}"
python = "enums.py"
""")
    r, doc = check_json(cwd=tmp_path)
    assert r.returncode == 1
    got = sorted((f["rule"], f["member"], f["line"]) for f in doc["results"][0]["findings"])
    # the pair itself is in sync; the errors are the model rows whose settings contradict the meaning
    assert got == [("ES202", "Llama4", 20), ("ES202", "MiniMax2", 27), ("ES202", "Renormalize", 14)]
    assert all(f["path"].endswith("literal.py") for f in doc["results"][0]["findings"])
    quiet = run_cli("check", "--no-models", "--format", "json", cwd=tmp_path)
    assert quiet.returncode == 0 and json.loads(quiet.stdout)["summary"]["errors"] == 0
