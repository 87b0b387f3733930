"""Routing tables read from model code by AST, and the ES201/ES202 table rules."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from conftest import FIXTURES, flashinfer_runner_h, wheel_file, wheel_tree
from enumsync.parsers.routing_tables import (COULD_NOT, extract_file, extract_paths, extract_source, mapped_members,
                                             setting_items, settings_text)
from enumsync.table_rules import check_tables

M = FIXTURES / "models"


def _cpp(path):
    from enumsync.parsers.cpp import parse_cpp_enum
    return parse_cpp_enum(path)


def by_member(rows):
    return {r.member: r for r in rows}


# --- fixtures, one per code shape ---------------------------------------------------------

def test_conditional_expressions_in_if_else():
    rows = extract_file(M / "ifexp.py")
    assert [(r.line, r.member, r.condition_text) for r in rows] == [
        (14, "SigmoidRenorm", "selection == 'sigmoid' and norm_topk_prob"),
        (16, "Sigmoid", "selection == 'sigmoid' and not norm_topk_prob"),
        (21, "RenormalizeNaive", "selection != 'sigmoid' and norm_topk_prob"),
        (21, "Default", "selection != 'sigmoid' and not norm_topk_prob"),
    ]
    b = by_member(rows)
    assert b["Sigmoid"].conditions == (("selection", "sigmoid"), ("norm_topk_prob", False))
    assert b["Default"].owner == "SparseBlock.__init__"
    # the settings come from the TopK call, with the local scoring_func resolved per branch
    assert dict(setting_items(b["Default"].settings))["scoring_func"] == "softmax"
    assert dict(setting_items(b["Sigmoid"].settings))["scoring_func"] == "sigmoid"
    # `if ...: raise` is a precondition, not a table condition
    assert all("num_experts" not in r.condition_text for r in rows)


def test_nested_if_elif_with_none_branch():
    rows = extract_file(M / "ifchain.py")
    b = by_member(rows)
    assert b["DeepSeekV3"].condition_text == "norm_topk_prob and use_grouped_topk and correction_bias is not None"
    assert b["DeepSeekV3"].conditions == (("norm_topk_prob", True), ("use_grouped_topk", True),
                                          ("correction_bias", "not None"))
    assert b["RenormalizeNaive"].condition_text == "norm_topk_prob and not use_grouped_topk and correction_bias is None"
    nones = [r for r in rows if r.member is None]
    assert len(nones) == 2 and all(r.note == "no member (None)" and r.line == 16 for r in nones)
    assert {r.condition_text for r in nones} >= {"not norm_topk_prob"}
    assert mapped_members(rows) == {"DeepSeekV3", "RenormalizeNaive"}
    assert mapped_members(extract_file(M / "table_function.py")) == {"DeepSeekV3", "Llama4", "Default",
                                                                     "RenormalizeNaive", "Renormalize"}


def test_literal_members_and_settings():
    rows = extract_file(M / "literal.py")
    assert [(r.owner, r.member) for r in rows] == [
        ("GoodQwen.__init__", "Renormalize"), ("SigmoidAsSoftmax.__init__", "Renormalize"),
        ("LlamaTopTwo.__init__", "Llama4"), ("GroupedNotDeepSeek.__init__", "MiniMax2")]
    assert settings_text(rows[1].settings) == \
        "TopK(top_k=8, renormalize=True, scoring_func='sigmoid', correction_bias=config.bias)"
    assert all(r.condition_text == "always" and r.conditions == () for r in rows)


def test_getattr_default():
    (row,) = extract_file(M / "getattr_default.py")
    assert row.member == "DeepSeekV3" and row.line == 8
    assert row.conditions == (("config.routing_method_type", "unset"),)
    assert "getattr default" in row.note
    s = dict(setting_items(row.settings))   # from the dict(...) of TopK kwargs
    assert s["use_grouped_topk"] is True and s["scoring_func"] == "sigmoid"


def test_table_function_grid():
    rows = [r for r in extract_file(M / "table_function.py") if r.owner == "pick_routing"]
    assert all("grid" in r.note for r in rows)
    # every input combination matches exactly one row, and that row gives what the function returns
    def evident(s, k, renorm, groups, bias):
        if s == "fancy":
            return "Fancy"
        if bias:
            return "DeepSeekV3" if s == "sigmoid" and renorm and (groups or 0) > 1 else "Unspecified"
        if k == 1 and s == "sigmoid":
            return "Llama4"
        if s == "softmax":
            return "RenormalizeNaive" if renorm else "Default"
        return "Unspecified"
    names = ("scoring_func", "top_k", "renormalize", "num_expert_group", "has_e_score_bias")
    for point in itertools.product(["fancy", "sigmoid", "softmax", "something-else"], [1, 8], [False, True],
                                   [None, 1, 8], [False, True]):
        hits = [r for r in rows if _matches(r.conditions, dict(zip(names, point)))]
        assert len(hits) == 1, (point, [h.condition_text for h in hits])
        assert hits[0].member == evident(*point), point
    # the Python-only member and the sentinel are labelled
    assert all(r.note.startswith("python-only") for r in rows if r.member == "Fancy")
    assert all("sentinel" in r.note for r in rows if r.member == "Unspecified")


def test_function_with_loop_falls_back_to_path_walk():
    rows = [r for r in extract_file(M / "table_function.py") if r.owner == "Router.routing_method_type"]
    assert [(r.member, r.condition_text) for r in rows] == [
        ("Unspecified", "custom is not None"),
        ("Renormalize", "custom is None and renormalize"),
        ("Default", "custom is None and not renormalize")]


def test_could_not_extract_is_explicit():
    (row,) = extract_file(M / "compared_only.py")
    assert row.member is None and row.note.startswith(COULD_NOT) and "only compared or listed" in row.note
    odd = extract_file(M / "odd_shape.py")
    assert [r.line for r in odd] == [4, 12] and all(r.note.startswith(COULD_NOT) for r in odd)
    assert mapped_members(odd) == set()
    bad = extract_source("x = RoutingMethodType.Default(\n", "broken.py")
    assert len(bad) == 1 and bad[0].note.startswith(f"{COULD_NOT}: syntax error")
    assert extract_source("import os\n", "plain.py") == []


def test_extract_paths_errors():
    from enumsync.model import EnumsyncError
    with pytest.raises(EnumsyncError, match="no such file"):
        extract_paths([M / "nope.py"])


def test_table_rules_on_fixtures():
    cpp = _cpp(M / "routing.h")
    findings = check_tables(extract_paths([M]), cpp)
    es202 = {(Path(f.path).name, f.line): f for f in findings if f.rule == "ES202"}
    assert sorted(es202) == [("literal.py", 14), ("literal.py", 20), ("literal.py", 27)]
    assert "setting `scoring_func='sigmoid'` (scoring sigmoid) disagrees with the score stage `softmax` of " \
           "Renormalize" in es202[("literal.py", 14)].message
    assert "top_k=2" in es202[("literal.py", 20)].message and "top-1 stage of Llama4" in \
        es202[("literal.py", 20)].message
    assert "grouped top-k" in es202[("literal.py", 27)].message
    es201 = [f for f in findings if f.rule == "ES201"]
    assert [(f.member, f.severity.value) for f in es201] == [("Fancy", "info")]


def test_es201_unknown_member_is_an_error(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("def f(x):\n    return make(routing_method_type=RoutingMethodType.TopKSigmoid)\n")
    (f,) = check_tables(extract_paths([p]), _cpp(M / "routing.h"))
    assert (f.rule, f.severity.value, f.member, f.line) == ("ES201", "error", "TopKSigmoid", 2)
    # a member the config declares an extension is only a notice, and the reason is quoted
    (g,) = check_tables(extract_paths([p]), _cpp(M / "routing.h"), {"TopKSigmoid": "ours, never sent"})
    assert (g.rule, g.severity.value) == ("ES201", "info") and "ours, never sent" in g.message


def _matches(conditions, point) -> bool:
    for name, want in conditions:
        have = point[name]
        if isinstance(want, str) and want.startswith("not in "):
            if have in ast.literal_eval(want[len("not in "):]):
                return False
        elif isinstance(want, bool) or want is None:
            if have is not want and not (isinstance(have, bool) and have == want):
                return False
        elif have != want:
            return False
    return True


# --- real upstream code ----------------------------------------------------------------------

def _sglang_models() -> Path:
    return wheel_tree("sglang", "0.5.23", "sglang/srt/models")


@pytest.mark.network
def test_sglang_cohere2_moe_four_rows():
    rows = extract_file(_sglang_models() / "cohere2_moe.py")
    got = {(r.conditions, r.member) for r in rows}
    assert got == {
        ((("expert_selection_fn", "sigmoid"), ("norm_topk_prob", True)), "SigmoidRenorm"),
        ((("expert_selection_fn", "sigmoid"), ("norm_topk_prob", False)), "Sigmoid"),
        ((("expert_selection_fn", "!= 'sigmoid'"), ("norm_topk_prob", True)), "RenormalizeNaive"),
        ((("expert_selection_fn", "!= 'sigmoid'"), ("norm_topk_prob", False)), "Default"),
    }
    # the softmax branch is softmax because the TopK next to it says so
    assert {r.member: dict(setting_items(r.settings))["scoring_func"] for r in rows} == {
        "SigmoidRenorm": "sigmoid", "Sigmoid": "sigmoid", "RenormalizeNaive": "softmax", "Default": "softmax"}


@pytest.mark.network
def test_sglang_bailing_nested_ifs_and_none():
    rows = extract_file(_sglang_models() / "bailing_moe.py")
    b = by_member(rows)
    assert b["DeepSeekV3"].conditions == (("norm_topk_prob", True), ("use_grouped_topk", True),
                                          ("correction_bias", "not None"))
    assert b["RenormalizeNaive"].conditions == (("norm_topk_prob", True), ("use_grouped_topk", False),
                                                ("correction_bias", None))
    nones = [r for r in rows if r.member is None]
    assert nones and all(r.note == "no member (None)" for r in nones)
    assert ("norm_topk_prob", False) in {c for r in nones for c in r.conditions}


@pytest.mark.network
def test_sglang_deepseek_v2_getattr_default():
    rows = [r for r in extract_file(_sglang_models() / "deepseek_v2.py") if r.member]
    assert [(r.member, r.conditions) for r in rows] == [("DeepSeekV3", (("config.routing_method_type", "unset"),))]
    s = dict(setting_items(rows[0].settings))
    assert s["use_grouped_topk"] is True and s["scoring_func"] == "config.scoring_func"


@pytest.mark.network
def test_sglang_qwen3_moe_literal():
    (row,) = extract_file(_sglang_models() / "qwen3_moe.py")
    assert (row.member, row.condition_text, row.owner) == ("Renormalize", "always", "Qwen3MoeSparseMoeBlock.__init__")
    assert dict(setting_items(row.settings))["use_grouped_topk"] is False


@pytest.mark.network
def test_sglang_whole_models_dir():
    root = _sglang_models()
    rows = extract_paths([root])
    mentioning = {p for p in root.rglob("*.py") if "RoutingMethodType." in p.read_text(encoding="utf-8")}
    assert len(mentioning) >= 15
    with_rows = {Path(r.path) for r in rows}
    assert mentioning <= with_rows
    for p in mentioning:
        mine = [r for r in rows if Path(r.path) == p]
        assert any(r.member for r in mine) or any(r.note.startswith(COULD_NOT) for r in mine), p
    assert {"DeepSeekV3", "Renormalize", "RenormalizeNaive", "Llama4", "TopK"} <= mapped_members(rows)


@pytest.mark.network
def test_sglang_es202_against_flashinfer_072():
    rows = extract_paths([_sglang_models()])
    findings = check_tables(rows, _cpp(flashinfer_runner_h("0.7.2")))
    es202 = sorted((Path(f.path).name, f.member) for f in findings if f.rule == "ES202")
    # each is a softmax member next to TopK(scoring_func='sigmoid' or a sigmoid default)
    assert es202 == [("exaone_moe.py", "RenormalizeNaive"), ("sarvam_moe.py", "Renormalize"),
                     ("step3p5.py", "Renormalize"), ("xllm.py", "RenormalizeNaive")]
    assert all("score stage `softmax`" in f.message for f in findings if f.rule == "ES202")
    assert [f for f in findings if f.rule == "ES201"] == []


def _vllm_fused_moe() -> Path:
    return wheel_tree("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe")


@pytest.mark.network
def test_vllm_get_routing_method_type_grid():
    config = wheel_file("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe/config.py")
    rows = [r for r in extract_paths([config]) if r.owner == "get_routing_method_type"]
    src = config.read_text()
    fn = next(n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.FunctionDef)
              and n.name == "get_routing_method_type")
    assert [a.arg for a in fn.args.args] == ["scoring_func", "top_k", "renormalize", "num_expert_group",
                                             "has_e_score_bias"]

    def evident(scoring, top_k, renorm, groups, bias):  # read off the function by a person
        if scoring == "sqrtsoftplus":
            return "DeepseekV4" if renorm else "Unspecified"
        if bias:
            if scoring != "sigmoid" or not renorm:
                return "Unspecified"
            return "DeepSeekV3" if (groups or 0) > 0 else "MiniMax2"
        if scoring == "sigmoid":
            return "SigmoidRenorm" if renorm else "Sigmoid"
        if scoring == "softmax":
            return "RenormalizeNaive" if renorm else "Default"
        return "Unspecified"

    names = ("scoring_func", "top_k", "renormalize", "num_expert_group", "has_e_score_bias")
    for point in itertools.product(["softmax", "sigmoid", "sqrtsoftplus", "relu"], [1, 8], [False, True],
                                   [None, 1, 8], [False, True]):
        hits = [r for r in rows if _matches(r.conditions, dict(zip(names, point)))]
        assert len(hits) == 1, (point, [h.condition_text for h in hits])
        assert hits[0].member == evident(*point), point
        assert src.splitlines()[hits[0].line - 1].strip() == f"return RoutingMethodType.{hits[0].member}"
    # top_k never matters to this function, so no row mentions it
    assert all(name != "top_k" for r in rows for name, _ in r.conditions)
    b = {r.member: r for r in rows}
    assert b["DeepseekV4"].note.startswith("python-only") and "not passed to FlashInfer" in b["DeepseekV4"].note
    assert all("sentinel" in r.note for r in rows if r.member == "Unspecified")


@pytest.mark.network
def test_vllm_fused_moe_tables_against_flashinfer_072():
    rows = extract_paths([_vllm_fused_moe()])
    findings = check_tables(rows, _cpp(flashinfer_runner_h("0.7.2")))
    assert [f for f in findings if f.rule == "ES202"] == []
    es201 = {(f.member, f.severity.value) for f in findings if f.rule == "ES201"}
    assert es201 == {("Custom", "info"), ("DeepseekV4", "info"), ("Simulated", "info")}
    assert mapped_members(rows) == {"Default", "RenormalizeNaive", "Renormalize", "Sigmoid", "SigmoidRenorm",
                                    "MiniMax2", "DeepSeekV3", "Llama4"}


@pytest.mark.network
def test_vllm_router_call_sites_pin_literal_arguments():
    rows = extract_paths([_vllm_fused_moe()])
    def table(owner):
        return {(r.condition_text, r.member) for r in rows if r.owner == owner}
    plain = table("FusedTopKRouter.routing_method_type")   # num_expert_group=None, has_e_score_bias=False
    assert {("scoring_func == 'softmax' and renormalize", "RenormalizeNaive"),
            ("scoring_func == 'softmax' and not renormalize", "Default"),
            ("scoring_func == 'sigmoid' and renormalize", "SigmoidRenorm"),
            ("scoring_func == 'sigmoid' and not renormalize", "Sigmoid")} <= plain
    assert not any(m in ("MiniMax2", "DeepSeekV3") for _, m in plain)
    biased = table("FusedTopKBiasRouter.routing_method_type")  # has_e_score_bias=True
    assert ("scoring_func == 'sigmoid' and renormalize", "MiniMax2") in biased
    assert not any(m in ("Default", "RenormalizeNaive", "Sigmoid", "SigmoidRenorm") for _, m in biased)
    r = next(r for r in rows if r.owner == "FusedTopKRouter.routing_method_type")
    assert "via get_routing_method_type() of config.py:135" in r.note
    assert dict(setting_items(r.settings))["has_e_score_bias"] is False
    # files that only list supported members say so
    listed = [r for r in rows if Path(r.path).name == "trtllm_nvfp4_moe.py"]
    assert listed and all(r.note.startswith(COULD_NOT) for r in listed)


def test_value_forms_and_pass_through():
    rows = extract_file(M / "value_forms.py")
    got = [(r.line, r.member, r.condition_text, r.note.split(":")[0]) for r in rows]
    assert got == [
        (6, "TopK", "always", ""),
        (7, None, "getattr(layer, 'routing_method_type', None)", "pass-through"),
        (7, "DeepSeekV3", "not getattr(layer, 'routing_method_type', None)", ""),
        (8, "TopK", "materialized", ""),
        (8, None, "not materialized", "pass-through"),
    ]
    assert mapped_members(rows) == {"TopK", "DeepSeekV3"}
