"""`enumsync models PATH...` as a user runs it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli, wheel_tree

M = FIXTURES / "models"
HEADER = str(M / "routing.h")


def _json(r):
    assert r.stdout, r.stderr
    return json.loads(r.stdout)


def test_text_table_and_findings():
    r = run_cli("models", str(M), "--cpp", HEADER)
    assert r.returncode == 1, r.stderr
    out = r.stdout
    assert "routing tables under" in out and "ifexp.py:14" in out and "SigmoidRenorm" in out
    assert "ES202 table-meaning-mismatch" in out and "literal.py:14" in out
    assert "disagrees with the score stage `softmax` of Renormalize" in out
    assert "✗ 3 error(s), 0 warning(s) in 36 rows of 8 files" in out


def test_json_output():
    d = _json(run_cli("models", str(M), "--cpp", HEADER, "--format", "json"))
    assert d["schema"] == 1 and d["cpp"]["qualname"] == "demo::RoutingMethodType"
    assert d["summary"]["errors"] == 3 and d["summary"]["rows"] == len(d["rows"])
    row = next(x for x in d["rows"] if x["path"].endswith("ifchain.py") and x["member"] == "DeepSeekV3")
    assert row["conditions"] == [["norm_topk_prob", True], ["use_grouped_topk", True],
                                 ["correction_bias", "not None"]]
    assert row["meaning"] == "sigmoid+bias -> groups -> topk (renorm unstated)"
    assert row["settings"]["correction_bias"] == {"expr": "correction_bias"}
    lit = next(x for x in d["rows"] if x["path"].endswith("literal.py") and x["line"] == 27)
    assert lit["settings"]["scoring_func"] == {"expr": "getattr(config, 'scoring_func', 'sigmoid')",
                                               "default": "sigmoid"}
    f = next(f for f in d["findings"] if f["rule"] == "ES202" and f["line"] == 14)
    assert f["name"] == "table-meaning-mismatch" and f["severity"] == "error" and f["member"] == "Renormalize"
    assert f["path"].endswith("literal.py")


def test_mapped_and_no_rules():
    r = run_cli("models", str(M), "--mapped")
    assert r.returncode == 0
    assert r.stdout.split() == sorted(["Default", "DeepSeekV3", "Llama4", "MiniMax2", "Renormalize",
                                       "RenormalizeNaive", "Sigmoid", "SigmoidRenorm", "TopK"])
    assert _json(run_cli("models", str(M / "ifchain.py"), "--mapped", "--format", "json"))["mapped"] == \
        ["DeepSeekV3", "RenormalizeNaive"]
    r = run_cli("models", str(M), "--no-rules", "--format", "json")
    assert r.returncode == 0 and _json(r)["findings"] == [] and _json(r)["cpp"] is None


@pytest.mark.parametrize("args,needle", [
    ((), "give PATH"),
    (("fixtures/models/nope.py",), "no such file"),
    (("fixtures/models", "--cpp", "nope.h"), "--cpp nope.h: no such file"),
    (("--preset", "sglang", "fixtures"), "--preset sglang"),
    (("fixtures/models", "--cpp", HEADER, "--cpp-enum", "demo::Nope"), "Nope"),
])
def test_bad_input_is_one_line_exit_2(args, needle):
    root = Path(__file__).resolve().parent.parent
    r = run_cli("models", *args, cwd=root)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_default_cpp_is_installed_flashinfer(installed_flashinfer):
    d = _json(run_cli("models", str(M / "literal.py"), "--format", "json"))
    assert d["cpp"]["path"] == str(installed_flashinfer.runner_h)
    assert "installed" in d["cpp"]["source"]


@pytest.mark.network
def test_flashinfer_version_without_sigmoid_members():
    # flashinfer 0.6.7.post2 has neither SigmoidRenorm nor Sigmoid: the table picks members C++ lacks
    r = run_cli("models", str(M / "ifexp.py"), "--flashinfer", "0.6.7.post2", "--format", "json")
    assert r.returncode == 1, r.stderr
    es201 = sorted(f["member"] for f in _json(r)["findings"] if f["rule"] == "ES201")
    assert es201 == ["Sigmoid", "SigmoidRenorm"]


@pytest.mark.network
def test_preset_sglang_on_wheel_tree():
    root = wheel_tree("sglang", "0.5.23", "sglang/srt/models").parent.parent.parent
    r = run_cli("models", "--preset", "sglang", str(root), "--flashinfer", "0.7.2", "--format", "json")
    assert r.returncode == 1, r.stderr
    d = _json(r)
    assert sorted(Path(f["path"]).name for f in d["findings"] if f["rule"] == "ES202") == \
        ["exaone_moe.py", "sarvam_moe.py", "step3p5.py", "xllm.py"]
    assert {"DeepSeekV3", "Renormalize", "RenormalizeNaive", "Llama4", "TopK", "SigmoidRenorm", "Sigmoid",
            "Default"} == set(d["summary"]["mapped"])


@pytest.mark.network
def test_preset_vllm_on_wheel_tree():
    root = wheel_tree("vllm", "0.33.0", "vllm/model_executor/models").parent.parent.parent
    r = run_cli("models", "--preset", "vllm", str(root), "--flashinfer", "0.7.2")
    assert r.returncode == 0, r.stderr + r.stdout
    assert "get_routing_method_type" in r.stdout and "✓ no errors or warnings in" in r.stdout
