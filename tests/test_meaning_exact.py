"""Meaning, field by field: every stage, parameter, assertion and note that the parser reads.

Each row was written from the pipeline language's rules (docs/meaning.md), then checked once
against the parser; a row states the whole Meaning, so a change to any field is caught.
Fields: known, score, bias, groups, topk, post, renormalize, scale, epsilon, notes.
"""
from __future__ import annotations

import pytest

from enumsync.meaning import differences, parse_meaning, weight_family
from enumsync.model import Meaning

FOLD_SOFTMAX = "TopK -> Softmax == Softmax -> TopK -> Renormalize"
FOLD_SIGMOID = "TopK -> Sigmoid == Sigmoid -> TopK (sigmoid is monotone)"
UNSTATED = "renormalization unstated"

# comment, (score, bias, groups, topk, post, renormalize, scale, epsilon, notes)
KNOWN = [
    ("Default: Softmax -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    ("Renormalize: TopK -> Softmax", ("softmax", False, False, "k", None, True, None, None, (FOLD_SOFTMAX,))),
    ("TopK -> Sigmoid", ("sigmoid", False, False, "k", None, False, None, None, (FOLD_SIGMOID,))),
    # a bias before a monotone post-op changes the selection: no folding
    ("TopK -> Sigmoid + Bias", ("none", True, False, "k", "sigmoid", False, None, None, ())),
    ("Sigmoid + Bias -> TopK -> Sigmoid", ("sigmoid", True, False, "k", "sigmoid", False, None, None, ())),
    ("/* Llama4: Top1 -> Sigmoid */", ("sigmoid", False, False, "1", None, False, None, None, (FOLD_SIGMOID,))),
    ("# Default: Softmax -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    ("/// Default:\n/// Softmax -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    ("// Default: Softmax\n   // -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    (" * Default: Softmax -> TopK\n */", ("softmax", False, False, "k", None, False, None, None, ())),
    ("TopK only", ("none", False, False, "k", None, False, None, None, ())),
    ("TopK + only", ("none", False, False, "k", None, False, None, None, ())),
    ("Only + Softmax -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    ("Top 1 only", ("none", False, False, "1", None, False, None, None, ())),
    ("Top-8 experts", ("none", False, False, "k", None, False, None, None, ())),
    ("Sigmoid -> TopK -> Scaled Sum Normalize", ("sigmoid", False, False, "k", None, True, None, None, ("scale unstated",))),
    ("Sigmoid -> TopK -> ScaledSumNormalize", ("sigmoid", False, False, "k", None, True, None, None, ("scale unstated",))),
    ("Sigmoid -> TopK -> SCALEDSUMNORMALIZE (routeScale=2)", ("sigmoid", False, False, "k", None, True, "2.0", None, ())),
    ("Sigmoid -> TopK -> Renorm", ("sigmoid", False, False, "k", None, True, None, None, ())),
    ("Sigmoid -> TopK -> Normalization", ("sigmoid", False, False, "k", None, True, None, None, ())),
    ("Softmax -> TopK (scale=2.5)", ("softmax", False, False, "k", None, False, "2.5", None, ())),
    ("Softmax -> TopK (SCALE=1)", ("softmax", False, False, "k", None, False, "1.0", None, ())),
    ("Softmax -> TopK (routed_scaling_factor = rsf)", ("softmax", False, False, "k", None, False, "rsf", None, ())),
    ("Softmax -> TopK (ROUTED_SCALING_FACTOR=rsf)", ("softmax", False, False, "k", None, False, "rsf", None, ())),
    ("Softmax -> TopK (eps=1e-6)", ("softmax", False, False, "k", None, False, None, 1e-6, ())),
    ("Softmax -> TopK (EPS=2e-6)", ("softmax", False, False, "k", None, False, None, 2e-6, ())),
    ("Softmax -> TopK (foo=bar)", ("softmax", False, False, "k", None, False, None, None, ("foo=bar",))),
    ("Softmax -> TopK (fast path, x=1)", ("softmax", False, False, "k", None, False, None, None, ("fast path", "x=1"))),
    ("Sigmoid -> TopK (no bias)", ("sigmoid", False, False, "k", None, False, None, None, ())),
    ("Sigmoid -> TopK (No Bias)", ("sigmoid", False, False, "k", None, False, None, None, ())),
    ("Sigmoid -> TopK (no softmax)", ("sigmoid", False, False, "k", None, False, None, None, ())),
    ("Softmax -> TopK (NO SIGMOID)", ("softmax", False, False, "k", None, False, None, None, ())),
    ("Sigmoid -> TopK (no re-normalization)", ("sigmoid", False, False, "k", None, False, None, None, ())),
    ("Sigmoid -> group -> TopK (no renormalize)", ("sigmoid", False, True, "k", None, False, None, None, ())),
    ("Sigmoid -> TopK (sum of weights)", ("sigmoid", False, False, "k", None, False, None, None, ("sum of weights",))),
    ("Sigmoid -> TopK -> Renormalize (SUM of weights)", ("sigmoid", False, False, "k", None, True, None, None, ())),
    ("Sigmoid -> TopK -> Renormalize (summary)", ("sigmoid", False, False, "k", None, True, None, None, ("summary",))),
    ("Sigmoid -> group -> TopK", ("sigmoid", False, True, "k", None, None, None, None, (UNSTATED,))),
    ("Sigmoid -> TopK groups", ("sigmoid", False, True, "k", None, None, None, None, ("top-k implied", UNSTATED))),
    ("Sigmoid -> Top8 experts from the Top4 groups", ("sigmoid", False, True, "k", None, None, None, None, (UNSTATED,))),
    ("Softmax", ("softmax", False, False, "k", None, False, None, None, ("top-k implied",))),
    ("Name with spaces: Softmax -> TopK", ("softmax", False, False, "k", None, False, None, None, ())),
    ("sqrt-softplus -> TopK", ("sqrtsoftplus", False, False, "k", None, False, None, None, ())),
    ("Softmax -> TopK (, )", ("softmax", False, False, "k", None, False, None, None, ())),
]

# comment, the note that says why it is unknown
UNKNOWN = [
    ("Softmax -> TopK (epsilon=abc)", "epsilon 'abc' is not a number"),
    ("Softmax -> TopK (no softmax)", "'Softmax -> TopK (no softmax)' both applies and denies softmax"),
    ("TopK -> Softmax (no softmax)", "'TopK -> Softmax (no softmax)' both applies and denies softmax"),
    ("Sigmoid -> TopK (no sigmoid)", "'Sigmoid -> TopK (no sigmoid)' both applies and denies sigmoid"),
    ("Sigmoid + Bias -> TopK (no bias)", "'Sigmoid + Bias -> TopK (no bias)' both adds and denies a bias"),
    ("Sigmoid -> TopK -> Renormalize (no renorm)",
     "'Sigmoid -> TopK -> Renormalize (no renorm)' both renormalizes and denies it"),
    ("Softmax + Sigmoid -> TopK", "two score functions in 'Softmax + Sigmoid -> TopK'"),
    ("TopK -> Softmax -> Sigmoid", "two post-ops in 'TopK -> Softmax -> Sigmoid'"),
    ("Softmax -> TopK -> Frobnicate", "unknown stage 'Frobnicate' in 'Softmax -> TopK -> Frobnicate'"),
    ("Unspecified", "no routing stage in 'Unspecified'"),
    ("Method -> Unspecified", "no routing stage in 'Method -> Unspecified'"),
]


@pytest.mark.parametrize("comment,fields", KNOWN, ids=[c for c, _ in KNOWN])
def test_known_meaning_field_by_field(comment, fields):
    score, bias, groups, topk, post, renorm, scale, eps, notes = fields
    assert parse_meaning(comment) == Meaning(known=True, text=comment, score=score, bias=bias, groups=groups,
                                             topk=topk, post=post, renormalize=renorm, scale=scale,
                                             epsilon=eps, notes=notes)


@pytest.mark.parametrize("comment,why", UNKNOWN, ids=[c for c, _ in UNKNOWN])
def test_unknown_meaning_says_why(comment, why):
    assert parse_meaning(comment) == Meaning(known=False, text=comment, notes=(why,))


@pytest.mark.parametrize("comment", ["", None, "   ", "//", "# \n #"])
def test_empty_comment_is_unknown_with_its_text(comment):
    m = parse_meaning(comment)
    assert m == Meaning(known=False, text=comment or "")


def test_differences_name_each_stage_with_both_values():
    a = parse_meaning("Sigmoid + Bias -> group -> TopK (eps=1e-20)")
    b = parse_meaning("Softmax -> Top1 -> Sigmoid (routeScale=2.5)")
    assert differences(a, b) == [
        "score function: sigmoid vs softmax", "bias: yes vs no", "group selection: yes vs no",
        "top-k: k vs 1", "post-op: none vs sigmoid", "renormalize: unstated vs no",
        "routeScale: unstated vs 2.5", "epsilon: 1e-20 vs unstated"]
    assert differences(b, a)[0] == "score function: softmax vs sigmoid"


def test_differences_with_unknown_sides():
    known, unknown = parse_meaning("Softmax -> TopK"), parse_meaning("Unspecified")
    assert differences(unknown, parse_meaning("Frobnicate")) == []
    assert differences(known, unknown) == ["meaning: softmax -> topk vs unknown"]
    assert differences(unknown, known) == ["meaning: unknown vs softmax -> topk"]


def test_weight_family_is_the_last_function_applied():
    assert weight_family(parse_meaning("Unspecified")) is None
    assert weight_family(parse_meaning("TopK -> Sigmoid + Bias")) == "sigmoid"
    assert weight_family(parse_meaning("Softmax -> TopK")) == "softmax"
    assert weight_family(parse_meaning("TopK only")) == "none"
