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


@pytest.fixture
def scratch_ids():
    """Rule IDs a test may register; removed again afterwards."""
    ids = ["ES990", "ES991"]
    yield ids
    for i in ids:
        RULES.pop(i, None)


def test_declare_and_the_decorator_register_every_field(scratch_ids):
    from enumsync.rules import make, pair_rules, rule
    meta = declare("ES990", "scratch-meta", Severity.WARNING, "a declared rule", scope="table")
    assert (meta.id, meta.name, meta.severity, meta.doc, meta.scope, meta.check) == \
        ("ES990", "scratch-meta", Severity.WARNING, "a declared rule", "table", None)

    @rule("ES991", "scratch-check", Severity.ERROR, "a checked rule")
    def scratch(cpp, py, ctx):
        return []

    r = RULES["ES991"]
    assert (r.id, r.name, r.severity, r.doc, r.scope, r.check) == \
        ("ES991", "scratch-check", Severity.ERROR, "a checked rule", "pair", scratch)
    assert scratch(None, None, None) == []                # the decorator returns the function itself
    assert r in pair_rules() and meta not in pair_rules()   # only pair rules with a check run on pairs
    # declaring metadata again keeps the registered check; a new check replaces it
    assert declare("ES991", "scratch-check", Severity.INFO, "again") is r and RULES["ES991"].check is scratch
    f = make("ES991", "msg", member="A")
    assert (f.rule, f.name, f.severity, f.message, f.member) == ("ES991", "scratch-check", Severity.ERROR, "msg", "A")
    assert make("ES991", "m", severity=Severity.INFO).severity == Severity.INFO


@pytest.mark.parametrize("fields,url", [
    ([("Project-URL", "Bug Tracker, https://x.test/issues"), ("Project-URL", "Source , https://git.test/o/r/ ")],
     "https://git.test/o/r"),
    ([("Project-URL", "Documentation,https://docs.test/")], "https://docs.test"),
    ([("Project-URL", "HOMEPAGE, https://home.test")], "https://home.test"),
    ([("Project-URL", "Repository, https://github.com/o/r")], "https://github.com/o/r"),
    ([("Project-URL", "Source, ")], "https://pypi.org/project/enumsync-kernels"),
    ([("Project-URL", "Changelog, https://c.test"), ("Home-page", "https://hp.test/")], "https://hp.test"),
    ([], "https://pypi.org/project/enumsync-kernels"),
])
def test_project_url_from_the_installed_metadata(monkeypatch, fields, url):
    import importlib.metadata
    from email.message import Message

    from enumsync.rules import help_uri, project_url
    md = Message()
    for k, v in fields:
        md[k] = v
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: md if name == "enumsync-kernels" else None)
    assert project_url() == url
    anchor = "/blob/main/docs/rules.md#es002" if "github.com/" in url else "/#es002"
    assert help_uri("ES002") == url + anchor


def test_project_url_without_metadata_is_the_pypi_page(monkeypatch):
    import importlib.metadata

    from enumsync.rules import help_uri, project_url

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(importlib.metadata, "metadata", missing)
    assert project_url() == "https://pypi.org/project/enumsync-kernels"
    assert help_uri("ES101") == "https://pypi.org/project/enumsync-kernels/#es101"
