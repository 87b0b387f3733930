"""Meaning: member comments parsed into canonical routing pipelines, and ES101 meaning-drift."""
from __future__ import annotations

import pytest

from conftest import FIXTURES, flashinfer_runner_h, wheel_file
from enumsync.meaning import differences, parse_meaning, weight_family
from enumsync.rules import run_pair_rules

FORMS = [tuple(line.split("\t")) for line in (FIXTURES / "meaning" / "forms.txt").read_text().splitlines()
         if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("comment,expected", FORMS, ids=[c[:40] or "<empty>" for c, _ in FORMS])
def test_comment_forms(comment, expected):
    m = parse_meaning(comment)
    assert m.summary() == expected
    assert m.known == (expected != "unknown")
    assert m.text == comment


def test_equivalences_compare_equal():
    a = parse_meaning("Renormalize: TopK -> Softmax")
    b = parse_meaning("RenormalizeNaive: Softmax -> TopK -> Renormalize")
    assert differences(a, b) == []
    assert (a.score, a.topk, a.post, a.renormalize) == ("softmax", "k", None, True)
    # a monotone post-op selects the same experts and gives the same weights
    assert differences(parse_meaning("TopK -> Sigmoid"), parse_meaning("Sigmoid -> TopK")) == []
    # but renormalizing is a real difference
    d = differences(parse_meaning("Sigmoid -> TopK"), parse_meaning("Sigmoid -> TopK -> Renormalize"))
    assert d == ["renormalize: no vs yes"]


def test_stages_and_parameters():
    m = parse_meaning("MiniMax2: Sigmoid + Bias -> TopK -> ScaledSumNormalize (routeScale=1.0, epsilon=1e-20)")
    assert (m.score, m.bias, m.groups, m.topk, m.renormalize, m.scale, m.epsilon) == \
        ("sigmoid", True, False, "k", True, "1.0", 1e-20)
    g = parse_meaning("Sigmoid -> RoutingBiasAdd -> Top2 in group -> Top4 groups -> Top8 experts from the\n"
                      "Top4 groups")
    assert (g.score, g.bias, g.groups, g.renormalize) == ("sigmoid", True, True, None)
    assert weight_family(parse_meaning("Llama4: Top1 -> Sigmoid")) == "sigmoid"
    assert parse_meaning("Llama4: Top1 -> Sigmoid").topk == "1"
    assert weight_family(parse_meaning("TopK only (no softmax)")) == "none"


def test_raw_comment_markers_and_wrapping():
    # a comment handed over with its markers and clang-format wrapping still parses
    m = parse_meaning("// DeepSeekV3: Sigmoid -> RoutingBiasAdd -> Top2 in group -> Top4 groups -> Top8 experts from the\n"
                      "  // Top4 groups")
    assert m.known and m.groups and m.bias


@pytest.mark.parametrize("junk", ["->", "-> -> ->", "((((", "Top", ":", "Softmax ->", "x" * 5000, "\x00\x01",
                                  "TopK -> Softmax -> Softmax -> Softmax", "(epsilon=abc) TopK"])
def test_junk_never_crashes(junk):
    m = parse_meaning(junk)
    assert isinstance(m.known, bool)
    assert m.summary()


def test_unknown_vs_known_difference():
    assert differences(parse_meaning("Unspecified"), parse_meaning("Unspecified")) == []
    assert differences(parse_meaning("Unspecified"), parse_meaning("Softmax -> TopK")) == \
        ["meaning: unknown vs softmax -> topk"]


def test_es101_on_fixture_pair():
    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.parsers.python_enum import parse_python_enum
    cpp = parse_cpp_enum(FIXTURES / "meaning" / "drift.h")
    py = parse_python_enum(FIXTURES / "meaning" / "drift.py", "RoutingMethodType")
    es101 = [f for f in run_pair_rules(cpp, py) if f.rule == "ES101"]
    by = {f.member: f for f in es101}
    # Renormalize (equivalent forms) and Grouped (wrapped differently) agree; Unspecified is unknown
    assert sorted(by) == ["Plain", "Scaled"]
    assert "routeScale: 1.0 vs routed_scaling_factor" in by["Scaled"].message
    assert "renormalize: no vs yes" in by["Plain"].message
    assert by["Plain"].line == 17


# --- real upstream comments ---------------------------------------------------------------

def _tllm_enums(version: str):
    return wheel_file("flashinfer-python", version, "flashinfer/tllm_enums.py")


@pytest.mark.network
@pytest.mark.parametrize("version", ["0.6.7.post2", "0.6.9", "0.6.12", "0.7.2"])
def test_flashinfer_comments_parse_and_agree(version):
    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.parsers.python_enum import parse_python_enum
    cpp = parse_cpp_enum(flashinfer_runner_h(version))
    py = parse_python_enum(_tllm_enums(version), "RoutingMethodType")
    for m in cpp.members:
        assert m.meaning is not None
        # every member but the sentinel has a known meaning
        assert m.meaning.known == (m.name != "Unspecified"), (m.name, m.comment)
    c = {m.name: m.meaning for m in cpp.members}
    assert c["Default"].summary() == "softmax -> topk"
    assert differences(c["Renormalize"], c["RenormalizeNaive"]) == []
    assert c["DeepSeekV3"].groups and c["DeepSeekV3"].bias
    assert c["Llama4"].topk == "1"
    if "MiniMax2" in c:
        assert c["MiniMax2"].scale == "1.0" and c["MiniMax2"].epsilon == 1e-20
    # flashinfer's own Python copy says the same thing in every version
    assert [f for f in run_pair_rules(cpp, py) if f.rule == "ES101"] == []


@pytest.mark.network
def test_vllm_033_minimax2_drift():
    from enumsync.parsers.cpp import parse_cpp_enum
    from enumsync.parsers.python_enum import parse_python_enum
    cpp = parse_cpp_enum(flashinfer_runner_h("0.7.2"))
    py = parse_python_enum(wheel_file("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe/config.py"),
                           "RoutingMethodType")
    pm = py.by_name()
    assert pm["DeepseekV4"].meaning.summary() == "sqrtsoftplus+bias -> topk -> renorm"
    assert pm["TopK"].meaning.summary() == "none -> topk"
    assert differences(pm["TopK"].meaning, cpp.by_name()["TopK"].meaning) == []
    es101 = [f for f in run_pair_rules(cpp, py) if f.rule == "ES101"]
    assert [f.member for f in es101] == ["MiniMax2"]
    assert "routeScale: 1.0 vs routed_scaling_factor" in es101[0].message
    assert es101[0].extra["cpp_meaning"] == "sigmoid+bias -> topk -> renorm (scale=1.0)"
    assert es101[0].extra["python_meaning"] == "sigmoid+bias -> topk -> renorm (scale=routed_scaling_factor)"


@pytest.mark.network
def test_sglang_0523_comments():
    from enumsync.parsers.python_enum import parse_python_enum
    py = parse_python_enum(wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py"), "RoutingMethodType")
    pm = py.by_name()
    # sglang's MiniMax2 comment is just the name: unknown, reported as such
    assert pm["MiniMax2"].meaning.known is False
    assert pm["Sigmoid"].meaning.summary() == "sigmoid -> topk"
    assert pm["SigmoidRenorm"].meaning.summary() == "sigmoid -> topk -> renorm"
