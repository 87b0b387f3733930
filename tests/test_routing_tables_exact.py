"""Routing tables read from small model files written here, with every row asserted: the path walk
(table_walk), the grid interpreter (table_grid), call sites of table functions and the settings."""
from __future__ import annotations

import ast
import textwrap

import pytest

from conftest import FIXTURES
from enumsync.parsers.interpreter import Unsupported
from enumsync.parsers.routing_tables import (COULD_NOT, extract_file, extract_paths, extract_source, setting_items,
                                             settings_text)
from enumsync.parsers.table_grid import grid_rows

M = FIXTURES / "models"
HEAD = "from somewhere import RoutingMethodType, TopK, FusedMoE, make, ctx\n"


def rows_of(body: str, enum: str = "RoutingMethodType"):
    return extract_source(HEAD + textwrap.dedent(body), "model.py", enum)


def table(rows):
    return [(r.line, r.member, r.condition_text) for r in rows]


# --- the path walk ----------------------------------------------------------------------------

def test_a_branch_that_only_sometimes_returns_does_not_guard_what_follows():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.a:
                    if config.b:
                        return
                    else:
                        x = 1
                self.experts = make(routing_method_type=RoutingMethodType.Default)
        """)
    # reached both when `not config.a` and when `config.a and not config.b`: no condition (the walk keeps no `or`)
    assert table(rows) == [(10, "Default", "always")]


def test_an_else_that_returns_guards_what_follows_with_the_if():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.c:
                    m = RoutingMethodType.Default
                else:
                    return
                self.experts = make(routing_method_type=m)
        """)
    assert table(rows) == [(6, "Default", "config.c")]


def test_a_name_bound_only_in_the_else_branch():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.c:
                    pass
                else:
                    m = RoutingMethodType.Sigmoid
                self.experts = make(routing_method_type=m)
        """)
    assert sorted(table(rows), key=str) == [(8, "Sigmoid", "not config.c"), (9, None, "config.c")]
    assert [r.note.split(":")[0] for r in rows if r.member is None] == ["pass-through"]


def test_a_name_untouched_by_an_if_keeps_one_alternative():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                m = RoutingMethodType.Llama4
                if config.c:
                    x = 1
                else:
                    x = 2
                self.experts = make(routing_method_type=m)
        """)
    assert table(rows) == [(5, "Llama4", "always")]


def test_loops_with_blocks_and_try_are_walked():
    rows = rows_of("""
        class Block:
            def __init__(self, config, layers):
                for layer in layers:
                    if config.c:
                        layer.experts = make(routing_method_type=RoutingMethodType.Default)
                with ctx(top_k=self.top_k):
                    self.experts = make(routing_method_type=RoutingMethodType.Renormalize)
                try:
                    n = RoutingMethodType.Llama4
                except ImportError:
                    pass
                self.shared = make(routing_method_type=n)
        """)
    assert table(rows) == [(7, "Default", "config.c"), (9, "Renormalize", "always"), (11, "Llama4", "always")]


@pytest.mark.parametrize("block", [
    "for layer in layers:\n    m = RoutingMethodType.Renormalize",
    "try:\n    import fast\nexcept ImportError:\n    m = RoutingMethodType.Renormalize",
    "match config.kind:\n    case 'a':\n        m = RoutingMethodType.Renormalize",
])
def test_a_rebinding_in_a_loop_handler_or_case_is_its_own_row(block):
    body = textwrap.indent(block, " " * 8)
    rows = rows_of(f"""
class Block:
    def __init__(self, config, layers):
        m = RoutingMethodType.Default
{body}
        self.experts = make(routing_method_type=m)
""")
    # the call reads the binding from before the block (the walk does not carry the block's bindings
    # past it); the one inside is a row of its own, and nothing is reported as unread
    assert [(r.member, r.note) for r in rows] == [("Default", ""), ("Renormalize", "")]
    assert rows[0].line == 5 and rows[1].line == 6 + block.count("\n")


def test_a_loop_else_and_a_tuple_target_are_walked():
    rows = rows_of("""
        class Block:
            def __init__(self, config, layers):
                m = RoutingMethodType.Llama4
                for layer in layers:
                    pass
                else:
                    if config.c:
                        self.shared = make(routing_method_type=RoutingMethodType.Default)
                m, n = split(config)
                if config.d:
                    self.experts = make(routing_method_type=m)
        """)
    # `m, n = ...` rebinds m: the call no longer picks the member assigned before
    assert table(rows) == [(5, "Llama4", "always"), (10, "Default", "config.c")]


def test_the_sentinel_is_named_before_other_notes():
    (row,) = rows_of("""
        class Block:
            def __init__(self, config):
                self.experts = make(routing_method_type=getattr(config, "routing_method_type",
                                                                RoutingMethodType.Unspecified))
        """)
    assert (row.member, row.note) == \
        ("Unspecified", "sentinel; getattr default: config.routing_method_type overrides it")


def test_a_name_as_the_or_fallback_is_resolved_once():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                fallback = RoutingMethodType.Default
                self.experts = make(routing_method_type=config.method or fallback)
        """)
    assert [(r.line, r.member, r.condition_text, r.note.split(":")[0]) for r in rows] == [
        (5, "Default", "not config.method", ""), (6, None, "config.method", "pass-through")]


def test_notes_survive_the_merge_of_two_branches():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.a:
                    m = RoutingMethodType.Default
                else:
                    m = getattr(config, "routing_method_type", RoutingMethodType.DeepSeekV3)
                self.experts = make(routing_method_type=m)
        """)
    assert [(r.member, r.condition_text, r.note) for r in rows] == [
        ("Default", "config.a", ""),
        ("DeepSeekV3", "not config.a and config.routing_method_type unset",
         "getattr default: config.routing_method_type overrides it")]


def test_loop_headers_and_try_star_are_read():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.c:
                    for e in build(top_k=self.top_k, routing_method_type=RoutingMethodType.Default):
                        pass
                while config.retry:
                    pass
                try:
                    self.experts = make(routing_method_type=RoutingMethodType.Llama4)
                except* ValueError:
                    pass
        """)
    assert table(rows) == [(6, "Default", "config.c"), (11, "Llama4", "always")]


def test_an_augmented_assignment_forgets_the_member():
    rows = rows_of("""
        class Block:
            def __init__(self, config, extra):
                m = RoutingMethodType.DeepSeekV3
                m |= extra
                if config.d:
                    self.experts = make(routing_method_type=m)
        """)
    # `m` is no longer the member at the call: the row is the assignment's, without the call's condition
    assert table(rows) == [(5, "DeepSeekV3", "always")]


def test_a_returned_name_gives_the_rows_once():
    rows = rows_of("""
        class Router:
            def routing_method_type(self):
                m = RoutingMethodType.Renormalize if self.fast else RoutingMethodType.Default
                return m
        """)
    assert table(rows) == [(5, "Renormalize", "fast"), (5, "Default", "not fast")]   # `self.` is left out
    assert all(r.owner == "Router.routing_method_type" for r in rows)


def test_names_inside_a_conditional_expression_and_an_or_fallback_are_resolved_once():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                fast = RoutingMethodType.Llama4
                self.experts = make(routing_method_type=fast if config.f else RoutingMethodType.Default)
        """)
    assert table(rows) == [(5, "Llama4", "config.f"), (6, "Default", "not config.f")]
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                m = RoutingMethodType.Llama4 if config.a else None
                self.experts = make(routing_method_type=m or RoutingMethodType.Default)
        """)
    assert [(r.member, r.condition_text) for r in rows] == [
        ("Llama4", "m and config.a"), (None, "m and not config.a"), ("Default", "not m")]


def test_an_or_test_in_a_conditional_expression_is_negated_into_both_parts():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                self.experts = make(routing_method_type=RoutingMethodType.Sigmoid if config.x or config.y
                                    else RoutingMethodType.Default)
        """)
    assert [(r.member, r.condition_text) for r in rows] == [
        ("Sigmoid", "config.x or config.y"), ("Default", "not config.x and not config.y")]


def test_an_unreachable_alternative_is_skipped_and_the_next_one_kept():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                if config.kind == "a":
                    m = RoutingMethodType.Llama4 if config.kind == "b" else RoutingMethodType.Default
                    self.experts = make(routing_method_type=m)
        """)
    assert [r.member for r in rows] == ["Default"]


@pytest.mark.parametrize("nested", ["orelse", "body"])
def test_conditional_expressions_nested_past_depth_20_stop_there(nested):
    expr = "RoutingMethodType.M0"
    for i in range(1, 25):
        if nested == "orelse":
            expr = f"RoutingMethodType.M{i} if c{i} else ({expr})"
        else:
            expr = f"({expr}) if c{i} else RoutingMethodType.X"
    rows = rows_of(f"def f(c):\n    make(routing_method_type={expr})\n")
    cut = [r for r in rows if r.member is None]
    assert len(cut) == 1 and cut[0].note.startswith(f"{COULD_NOT}: the value `")
    # the 21 levels above the cut are read: 21 members, 20 of them from the other branch (orelse) or X (body)
    got = [r.member for r in rows if r.member]
    if nested == "orelse":
        assert sorted(got, key=lambda m: int(m[1:])) == [f"M{i}" for i in range(4, 25)]
    else:
        assert got == ["X"] * 21


@pytest.mark.parametrize("wrap,extra", [
    ("({chain}) or RoutingMethodType.Z", ["Z"]),
    ("config.m or ({chain})", []),
    ("getattr(config, 'routing_method_type', {chain})", []),
])
def test_a_fallback_or_getattr_default_is_one_level_deeper(wrap, extra):
    chain = "RoutingMethodType.M0"
    for i in range(1, 25):
        chain = f"RoutingMethodType.M{i} if c{i} else ({chain})"
    rows = rows_of(f"def f(c, config):\n    make(routing_method_type={wrap.format(chain=chain)})\n")
    assert len([r for r in rows if r.note.startswith(COULD_NOT)]) == 1
    got = [r.member for r in rows if r.member]
    # one level fewer of the chain than at the top (M5..M24), and the fallback itself
    assert sorted(got, key=lambda m: (len(m), m)) == extra + [f"M{i}" for i in range(5, 25)]


# --- routing settings -------------------------------------------------------------------------

def test_settings_resolved_through_names_keep_their_values_and_defaults():
    rows = rows_of("""
        class Block:
            def __init__(self, config):
                scoring = "sigmoid" if config.a else "sigmoid"
                fn = getattr(config, "routing_fn", "softmax")
                self.topk = TopK(top_k=config.top_k, scoring_func=scoring, custom_routing_function=fn)
                self.experts = FusedMoE(routing_method_type=RoutingMethodType.Default)
        """)
    (row,) = rows
    s = dict(setting_items(row.settings))
    assert type(s["scoring_func"]) is str and s["scoring_func"] == "sigmoid"
    fn = s["custom_routing_function"]
    assert (str(fn), fn.has_default, fn.default, fn.via) == \
        ("fn", True, "softmax", "getattr(config, 'routing_fn', 'softmax')")
    assert (str(s["top_k"]), s["top_k"].via, s["top_k"].has_default) == ("config.top_k", "", False)
    assert setting_items(row.settings) == [("top_k", s["top_k"]), ("scoring_func", "sigmoid"),
                                           ("custom_routing_function", fn)]
    assert settings_text(row.settings) == "TopK(top_k=config.top_k, scoring_func='sigmoid', custom_routing_function=fn)"


def test_settings_prefer_topk_then_dict_and_add_the_choice_call():
    rows = rows_of("""
        class A1:
            def __init__(self, config):
                self.topk = TopK(top_k=8, scoring_func="sigmoid")
                self.experts = FusedMoE(renormalize=True, routing_method_type=RoutingMethodType.Default)

        class A2:
            def __init__(self, config):
                kw = dict(top_k=4, renormalize=False)
                self.topk = TopK(top_k=8, renormalize=True)
                self.experts = FusedMoE(routing_method_type=RoutingMethodType.Default)

        class A3:
            def __init__(self, config):
                self.gate = make_gate(top_k=2, renormalize=False)
                kw = dict(top_k=4, renormalize=True)
                self.experts = FusedMoE(routing_method_type=RoutingMethodType.Default)

        class A4:
            def __init__(self, config):
                self.experts = FusedMoE(routing_method_type=RoutingMethodType.Default)
        """)
    assert [settings_text(r.settings) for r in rows] == [
        "TopK(top_k=8, renormalize=True, scoring_func='sigmoid')",
        "TopK(top_k=8, renormalize=True)",
        "dict(top_k=4, renormalize=True)",
        ""]
    assert rows[3].settings == ()


# --- the grid ---------------------------------------------------------------------------------

def test_grid_rows_of_small_table_functions():
    rows = rows_of("""
        def by_not(renormalize: bool):
            if not renormalize:
                return RoutingMethodType.Default
            return RoutingMethodType.Renormalize

        def by_identity(renormalize: bool, current: int | None):
            if current is RoutingMethodType.Llama4:
                return RoutingMethodType.Llama4
            return RoutingMethodType.Renormalize if renormalize else RoutingMethodType.Default

        def by_arithmetic(top_k: int):
            if top_k - 1 > 0:
                return RoutingMethodType.Renormalize
            return RoutingMethodType.Llama4

        def by_list(scoring_func: str):
            if scoring_func in ["sigmoid", "softmax"]:
                return RoutingMethodType.Default
            return RoutingMethodType.Unspecified

        def falls_off(renormalize: bool, scoring_func: str):
            if renormalize and scoring_func == "softmax":
                return RoutingMethodType.RenormalizeNaive
        """)
    got = {}
    for r in rows:
        assert r.note.endswith("grid") and not r.note.startswith(COULD_NOT), r
        got.setdefault(r.owner, []).append((r.line, r.member, r.condition_text))
    assert got == {
        "by_not": [(5, "Default", "not renormalize"), (6, "Renormalize", "renormalize")],
        # `current` is never the member (None, 1 or 8), so it drops out
        "by_identity": [(11, "Default", "not renormalize"), (11, "Renormalize", "renormalize")],
        "by_arithmetic": [(15, "Renormalize", "top_k == 8"), (16, "Llama4", "top_k == 1")],
        "by_list": [(20, "Default", "scoring_func == 'sigmoid'"), (20, "Default", "scoring_func == 'softmax'"),
                    (21, "Unspecified", "scoring_func not in ('sigmoid', 'softmax')")],
        # falling off the end picks no member; those rows sit at the last statement
        "falls_off": [(24, None, "not renormalize and scoring_func == 'softmax'"),
                      (24, None, "scoring_func not in ('softmax',)"),
                      (25, "RenormalizeNaive", "renormalize and scoring_func == 'softmax'")],
    }
    assert all("sentinel" in r.note for r in rows if r.member == "Unspecified")


def test_untyped_parameters_get_a_value_equal_to_no_constant():
    rows = rows_of("""
        def by_string(mode):
            if mode == "a":
                return RoutingMethodType.Default
            return RoutingMethodType.Renormalize

        def by_number(mode):
            if mode == 2:
                return RoutingMethodType.Default
            if not mode:
                return RoutingMethodType.Llama4
            return RoutingMethodType.Renormalize

        def by_truth(flag, mode):
            if flag and mode == 2:
                return RoutingMethodType.Default
            return RoutingMethodType.Renormalize if mode or flag else RoutingMethodType.Llama4

        def by_none(mode):
            if mode is None:
                return RoutingMethodType.Default
            if mode in ("a", "b"):
                return RoutingMethodType.Renormalize
            return RoutingMethodType.Llama4

        def by_bound(limit):
            if limit is None:
                return RoutingMethodType.Default
            return RoutingMethodType.Renormalize if limit > 2 else RoutingMethodType.Llama4

        def by_plain_truth(mode):
            if mode == 2:
                return RoutingMethodType.Default
            if mode:
                return RoutingMethodType.Renormalize
            return RoutingMethodType.Llama4

        def by_flag_names(is_sigmoid, enable_bias):
            if is_sigmoid == 1 and enable_bias == 1:
                return RoutingMethodType.DeepSeekV3
            return RoutingMethodType.Sigmoid if is_sigmoid == 1 else RoutingMethodType.Default

        def by_group(num_expert_group):
            if num_expert_group > 1:
                return RoutingMethodType.DeepSeekV3
            return RoutingMethodType.Renormalize
        """)
    got = {}
    for r in rows:
        got.setdefault(r.owner, []).append((r.member, r.condition_text))
    assert got == {
        "by_string": [("Default", "mode == 'a'"), ("Renormalize", "mode not in ('a',)")],
        "by_number": [("Default", "mode == 2"), ("Llama4", "not mode"), ("Renormalize", "mode == 1"),
                      ("Renormalize", "mode == 3")],
        # mode is tried at 1, 2, 3 and False (tested for truth); rows where flag does not matter omit it
        "by_truth": [("Default", "flag and mode == 2"), ("Renormalize", "flag and not mode"),
                     ("Renormalize", "mode == 1"), ("Renormalize", "mode == 3"),
                     ("Renormalize", "not flag and mode == 2"), ("Llama4", "not flag and not mode")],
        "by_none": [("Default", "mode is None"), ("Renormalize", "mode == 'a'"), ("Renormalize", "mode == 'b'"),
                    ("Llama4", "mode not in (None, 'a', 'b')")],
        "by_bound": [("Default", "limit is None"), ("Llama4", "limit == 1"), ("Llama4", "limit == 2"),
                     ("Renormalize", "limit == 3")],
        "by_plain_truth": [("Default", "mode == 2"), ("Renormalize", "mode == 1"), ("Renormalize", "mode == 3"),
                           ("Llama4", "not mode")],
        # names that say "flag" are tried at False and True (True == 1)
        "by_flag_names": [("DeepSeekV3", "is_sigmoid and enable_bias"), ("Sigmoid", "is_sigmoid and not enable_bias"),
                          ("Default", "not is_sigmoid")],
        "by_group": [("DeepSeekV3", "num_expert_group == 8"), ("Renormalize", "num_expert_group == 1")],
    }


@pytest.mark.parametrize("src,why", [
    ("def f(n: int):\n    if ~n == -2:\n        return RoutingMethodType.Default\n", "unary operator at line 2"),
    ("def f(s: str):\n    if s < 'm':\n        return RoutingMethodType.Default\n",
     "ordering of an arbitrary string at line 2"),
    ("def f(n: int):\n    if n > 'a':\n        return RoutingMethodType.Default\n",
     "comparison of 1 and 'a' at line 2"),
    ("def f(top_k: int):\n    if top_k / 2 > 1:\n        return RoutingMethodType.Default\n",
     "expression `top_k / 2` at line 2"),
    ("def f(" + ", ".join(f"b{i}: bool" for i in range(13)) + "):\n"
     "    if b0:\n        return RoutingMethodType.Default\n",
     "grid of 8192 points (limit 4096) at line 1"),
])
def test_grid_refuses_what_it_cannot_evaluate(src, why):
    fn = ast.parse(src).body[0]
    with pytest.raises(Unsupported) as e:
        grid_rows(fn, "t.py", "f")
    assert str(e.value) == why


def test_a_function_that_returns_no_member_is_not_a_table():
    rows = rows_of("""
        def validate(method):
            if method != RoutingMethodType.Llama4:
                return
            raise ValueError("Llama4 is not supported here")
        """)
    assert [(r.line, r.member, r.note) for r in rows] == [
        (4, None, f"{COULD_NOT}: RoutingMethodType members are only compared or listed here (lines 4), never chosen")]


def test_a_grid_function_leaves_no_uncovered_member():
    rows = extract_file(M / "table_function.py")
    assert [r for r in rows if r.note.startswith(COULD_NOT)] == []
    assert {r.owner for r in rows} == {"pick_routing", "Router.routing_method_type"}


# --- call sites of table functions, across files ---------------------------------------------

TABLE = """\
from somewhere import {enum}


def pick(scoring_func: str, renormalize: bool, limit: int):
    if limit > 100:
        return helper
    if scoring_func == "sigmoid":
        return {enum}.Sigmoid
    if renormalize:
        return {enum}.Renormalize
    return {enum}.Default
"""
ROUTER = """\
from table import pick


class Router:
    def method(self, scoring):
        return pick(scoring, renormalize=True, limit=1)


pick("softmax", False, 500)
"""


@pytest.mark.parametrize("enum", ["RoutingMethodType", "Method"])
def test_call_sites_pin_literal_arguments(tmp_path, enum):
    (tmp_path / "table.py").write_text(TABLE.format(enum=enum))
    (tmp_path / "router.py").write_text(ROUTER)
    rows = [r for r in extract_paths([tmp_path], enum) if r.path.endswith("router.py")]
    assert [(r.line, r.owner, r.member, r.conditions, r.condition_text) for r in rows] == [
        # the parameter is named after the call's argument
        (6, "Router.method", "Sigmoid", (("scoring", "sigmoid"),), "scoring == 'sigmoid'"),
        (6, "Router.method", "Renormalize", (("scoring", "not in ('sigmoid',)"),), "scoring not in ('sigmoid',)"),
        (9, "<module>", None, (), ""),
    ]
    assert rows[0].note == "via pick() of table.py:4; grid"
    assert settings_text(rows[0].settings) == "pick(scoring_func=scoring, renormalize=True, limit=1)"
    assert setting_items(rows[0].settings) == [("scoring_func", "scoring"), ("renormalize", True),
                                               ("limit", 1)]
    # with limit=500 the function reaches a name it cannot know: that call is not a table
    assert rows[2].note == f"{COULD_NOT}: call of pick(): unknown name `helper` at line 6"


def test_python_only_members_are_labelled_in_other_files(tmp_path):
    (tmp_path / "enum.py").write_text((M / "table_function.py").read_text())
    (tmp_path / "model.py").write_text(HEAD + "make(routing_method_type=RoutingMethodType.Fancy)\n")
    (row,) = [r for r in extract_paths([tmp_path]) if r.path.endswith("model.py")]
    assert (row.member, row.note) == \
        ("Fancy", "python-only: other routing types (not passed to FlashInfer kernels) (enum.py:12)")


# --- rows that say what could not be read ----------------------------------------------------

def test_could_not_extract_rows_say_where():
    (bad,) = extract_source("x = RoutingMethodType.Default(\n", "broken.py")
    assert (bad.path, bad.line, bad.owner, bad.member) == ("broken.py", 1, "<module>", None)
    (row,) = extract_file(M / "compared_only.py")
    assert row.line == 4 and "(lines 4, 8)" in row.note
