"""The rule registry: one ID names one rule."""
from __future__ import annotations

import pytest

from enumsync.model import Severity
from enumsync.rules import RULES, all_rules, declare


def test_a_taken_id_cannot_be_given_to_another_rule():
    rules = all_rules()
    taken = rules[0]
    with pytest.raises(ValueError, match=f"rule ID {taken.id} is taken by '{taken.name}'"):
        declare(taken.id, taken.name + "-other", Severity.INFO, "another rule")
    assert RULES[taken.id] is taken


def test_ids_and_names_are_unique():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
