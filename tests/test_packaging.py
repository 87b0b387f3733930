"""Packaging metadata, the pre-commit hook definitions and the action's shape, read from the files."""
from __future__ import annotations

import re

import yaml

from conftest import ROOT, run_cli
from enumsync import __version__
from enumsync.tomlfile import load


def test_one_version_source_license_and_typed_marker():
    project = load(ROOT / "pyproject.toml")
    meta = project["project"]
    assert "version" not in meta and meta["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "enumsync.__version__"}
    assert meta["license"] == "Apache-2.0" and meta["license-files"] == ["LICENSE"]
    assert not [c for c in meta["classifiers"] if c.startswith("License ::")]   # PEP 639: the SPDX string only
    assert {"Homepage", "Changelog", "Issues"} <= set(meta["urls"])
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License\n") and \
        "Version 2.0, January 2004" in (ROOT / "LICENSE").read_text()
    assert (ROOT / "enumsync/py.typed").is_file()
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["enumsync"]
    assert any(d.startswith("tomli") and "python_version < '3.11'" in d for d in meta["dependencies"])
    assert run_cli("--version").stdout.strip().endswith(__version__)


def test_changelog_starts_with_this_release():
    first = re.search(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert first and first.group(1) == __version__


def test_hooks_keep_both_ids_and_name_a_minimum_pre_commit():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"enumsync", "enumsync-fix"}
    for h in hooks.values():
        assert h["minimum_pre_commit_version"] and h["pass_filenames"] is False and h["language"] == "python"
        assert re.search(h["files"], "enumsync.lock") and re.search(h["files"], "python/pyproject.toml")
    assert hooks["enumsync"]["entry"] == "enumsync check" and hooks["enumsync-fix"]["entry"] == "enumsync fix"


def test_readme_precommit_snippet_pins_a_sha_and_has_a_local_variant():
    readme = (ROOT / "README.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    remote = next(b for b in blocks if isinstance(b, dict) and b.get("repos") and "rev" in b["repos"][0])
    assert re.fullmatch(r"[0-9a-f]{40}", str(remote["repos"][0]["rev"]))
    assert remote["repos"][0]["hooks"][0]["id"] == "enumsync"
    local = next(b for b in blocks if isinstance(b, dict) and b.get("repos") and b["repos"][0]["repo"] == "local")
    assert local["repos"][0]["hooks"][0]["language"] == "system"
    assert any(isinstance(b, dict) and b.get("ci") == {"skip": ["enumsync"]} for b in blocks)
    assert "pre-commit autoupdate" in readme
