"""--format github / sarif, and suppressions (config with reason/expires, inline ignore)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from enumsync.model import EnumsyncError, PairResult, Severity
from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.python_enum import parse_python_enum
from enumsync.rules import Context, run_pair_rules
from enumsync.suppressions import apply_suppressions, validate_suppressions

HEADER = """enum class Mode : int64_t {
  // Alpha
  Alpha = 0,
  // Beta
  Beta = 1,
  // Gamma
  Gamma = 2,
};
"""
PY = """from enum import IntEnum


class Mode(IntEnum):
    Alpha = 0
    Beta = 2
    Custom = 100  # enumsync: ignore[ES004]
    Other = 101
"""


@pytest.fixture()
def pair(tmp_path):
    h, p = tmp_path / "mode.h", tmp_path / "mode.py"
    h.write_text(HEADER)
    p.write_text(PY)
    return h, p, parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")


def _result(pair, sup=(), today=date(2026, 6, 1)):
    h, p, cpp, py = pair
    fs = apply_suppressions(run_pair_rules(cpp, py, Context()), list(sup), py, today)
    return PairResult(cpp, py, fs, label="demo")


def test_inline_ignore_and_config_suppression(pair):
    sup = validate_suppressions([{"rule": "ES004", "member": "Other", "reason": "ours", "expires": "2026-12-31"}], "x")
    r = _result(pair, sup)
    by = {(f.rule, f.member): f for f in r.findings}
    assert by[("ES004", "Custom")].suppressed.startswith("inline `# enumsync: ignore[ES004]`")
    assert by[("ES004", "Other")].suppressed == "ours (until 2026-12-31)"
    assert by[("ES001", "Beta")].suppressed is None


def test_expired_suppression_stops_working_and_says_so(pair):
    sup = validate_suppressions([{"rule": "ES004", "member": "Other", "reason": "ours", "expires": date(2026, 1, 31)}], "x")
    r = _result(pair, sup, today=date(2026, 2, 1))
    other = [f for f in r.findings if f.rule == "ES004" and f.member == "Other"][0]
    assert other.suppressed is None
    notice = [f for f in r.findings if f.rule == "ES901"]
    assert len(notice) == 1 and "expired on 2026-01-31" in notice[0].message
    assert notice[0].severity == Severity.WARNING and notice[0].line == other.line
    still = _result(pair, sup, today=date(2026, 1, 31))          # the last day still counts
    assert not [f for f in still.findings if f.rule == "ES901"]


@pytest.mark.parametrize("raw, msg", [
    ([{"rule": "ES004", "member": "X"}], "`reason` is required"),
    ([{"rule": "ES004", "reason": "  "}], "`reason` is required"),
    ([{"rule": "E4", "reason": "r"}], "must be a rule ID"),
    ([{"rule": "ES999", "reason": "r"}], "no rule ES999"),
    ([{"rule": "ES004", "reason": "r", "expires": "soon"}], "is not a date"),
    ([{"rule": "ES004", "reason": "r", "until": "2027-01-01"}], "unknown key 'until'"),
    ({"rule": "ES004"}, "array of tables"),
])
def test_bad_suppressions_are_one_clear_error(raw, msg):
    with pytest.raises(EnumsyncError, match=msg.replace("(", r"\(")):
        validate_suppressions(raw, "pyproject.toml")


def _report(pair):
    from enumsync.commands.check import check_report
    return check_report([_result(pair)])


def test_github_annotations(pair):
    from enumsync.report.github import render
    out = render(_report(pair)).splitlines()
    beta = [l for l in out if "ES001" in l][0]
    assert beta.startswith("::error file=") and ",line=6," in beta and "title=ES001 value-mismatch::" in beta
    assert "mode.py" in beta and "Beta is 2 in Python but 1 in C++" in beta
    assert not [l for l in out if "Custom" in l and "ES004" in l]          # suppressed: no annotation
    assert any(l.startswith("::warning ") and "ES003" in l for l in out)
    assert out[-1].startswith("::notice title=enumsync::enumsync check: 3 error(s), 1 warning(s)") and "1 suppressed" in out[-1]


def test_github_escapes_newlines_and_commas():
    from enumsync.report.github import _data, _prop
    assert _data("a\nb%") == "a%0Ab%25" and _prop("x,y:z") == "x%2Cy%3Az"


def test_sarif_2_1_0_with_registry_rules(pair):
    from enumsync.report.sarif import render
    from enumsync.rules import all_rules
    doc = json.loads(render(_report(pair)))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    assert {"ES001", "ES004", "ES901", "ES303"} <= {r["id"] for r in rules}
    es001 = next(r for r in rules if r["id"] == "ES001")
    assert es001["name"] == "value-mismatch" and es001["defaultConfiguration"]["level"] == "error"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note") and res["message"]["text"]
    beta = next(r for r in run["results"] if r["ruleId"] == "ES001")
    assert beta["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert beta["properties"]["member"] == "Beta" and beta["properties"]["cpp_value"] == 1
    custom = next(r for r in run["results"] if r["ruleId"] == "ES004" and r["properties"]["member"] == "Custom")
    assert custom["suppressions"][0]["kind"] == "inSource"
    # what code scanning needs to track results across runs
    assert run["automationDetails"]["id"] == "enumsync/check/"
    assert all(r["helpUri"].startswith("https://") and r["helpUri"].endswith("#" + r["id"].lower()) for r in rules)
    prints = [r["partialFingerprints"]["enumsyncFinding/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints) and all(len(p) == 32 for p in prints)


def _validator():
    import jsonschema
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_official_2_1_0_schema(pair):
    from enumsync.report.sarif import render
    v = _validator()
    doc = json.loads(render(_report(pair)))
    errors = sorted(v.iter_errors(doc), key=str)
    assert not errors, errors[0]
    # the validator is not a rubber stamp: a result without a message is rejected
    del doc["runs"][0]["results"][0]["message"]
    assert list(v.iter_errors(doc))


def test_sarif_fingerprint_ignores_the_line_but_not_the_member(pair):
    from dataclasses import replace
    from enumsync.report.sarif import fingerprint
    f = next(f for f in _result(pair).findings if f.rule == "ES001")
    assert fingerprint(f, "demo") == fingerprint(replace(f, line=f.line + 40), "demo")
    assert fingerprint(f, "demo") != fingerprint(replace(f, member="Gamma"), "demo")


def test_formats_share_findings(pair):
    from enumsync.report import render
    r = _report(pair)
    j = json.loads(render(r, "json"))
    s = json.loads(render(r, "sarif"))
    g = render(r, "github")
    c = render(r, "concise").splitlines()
    live = [f for f in j["results"][0]["findings"] if not f["suppressed"]]
    assert j["schema"] == 1 and j["command"] == "check"
    assert len(s["runs"][0]["results"]) == len(j["results"][0]["findings"])
    assert len([l for l in g.splitlines() if not l.startswith("::notice title=enumsync")]) == len(live)
    assert len(c) == len(live) + 1 and c[-1] == "Found 3 error(s), 1 warning(s), 1 suppressed."
    beta = next(l for l in c if "ES001" in l)
    assert beta.endswith("mode.py:6: ES001 value-mismatch: Beta is 2 in Python but 1 in C++")


@pytest.mark.network
def test_check_cli_github_and_sarif_on_the_real_stale_copy(installed_flashinfer):
    from conftest import wheel_file
    py = wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py")
    g = run_cli("check", "--cpp", str(installed_flashinfer.runner_h), "--python", str(py), "--format", "github")
    assert g.returncode == 1, g.stderr
    assert "title=ES002 value-collision::Python sends 9 for Unspecified, but to the kernel 9 means TopKSigmoid" in g.stdout
    s = run_cli("check", "--cpp", str(installed_flashinfer.runner_h), "--python", str(py), "--format", "sarif")
    assert s.returncode == 1
    res = json.loads(s.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in res} >= {"ES001", "ES002", "ES003"}
