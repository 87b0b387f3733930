"""ES202 at the grouped-selection boundary: one expert group is no grouping; two or more is."""
from __future__ import annotations

import pytest

from enumsync.parsers.cpp import parse_cpp_enum
from enumsync.parsers.routing_tables import extract_source
from enumsync.table_rules import check_tables

HEADER = """\
enum class RoutingMethodType : int64_t {
  // Renormalize: TopK -> Softmax
  Renormalize = 1,
  // DeepSeekV3: Sigmoid -> RoutingBiasAdd -> Top2 in group -> Top4 groups -> Top8 experts from the Top4 groups
  DeepSeekV3 = 2,
};
"""


def _es202(tmp_path, source):
    h = tmp_path / "runner.h"
    h.write_text(HEADER)
    rows = extract_source(source, "model.py")
    assert rows, "the table was not read"
    return [f for f in check_tables(rows, parse_cpp_enum(h, "RoutingMethodType")) if f.rule == "ES202"]


@pytest.mark.parametrize("groups,flagged", [(None, False), (0, False), (1, False), (2, True), (8, True)])
def test_num_expert_group_setting(tmp_path, groups, flagged):
    src = ("from x import RoutingMethodType, TopK\n"
           f"t = TopK(top_k=8, num_expert_group={groups!r}, routing_method_type=RoutingMethodType.Renormalize)\n")
    found = _es202(tmp_path, src)
    assert bool(found) == flagged, [f.message for f in found]
    if flagged:
        assert "grouped top-k" in found[0].message and "Renormalize" in found[0].message


@pytest.mark.parametrize("groups,flagged", [(1, False), (2, True)])
def test_num_expert_group_condition(tmp_path, groups, flagged):
    src = ("from x import RoutingMethodType\n"
           f"if num_expert_group == {groups}:\n"
           "    routing_method_type = RoutingMethodType.Renormalize\n"
           "else:\n"
           "    routing_method_type = RoutingMethodType.DeepSeekV3\n")
    found = [f for f in _es202(tmp_path, src) if f.member == "Renormalize"]
    assert bool(found) == flagged, [f.message for f in found]


def test_a_grouped_member_chosen_without_groups_is_not_flagged_for_groups(tmp_path):
    # DeepSeekV3 with one group runs the ungrouped path of the same kernel (flashinfer-facts: n_group <= 1)
    src = ("from x import RoutingMethodType, TopK\n"
           "t = TopK(num_expert_group=1, routing_method_type=RoutingMethodType.DeepSeekV3)\n")
    assert not [f for f in _es202(tmp_path, src) if "group" in f.message]
