"""Bad input is one line on stderr and exit 2, never a traceback or `internal error`."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from enumsync.config import parse_config
from enumsync.model import EnumsyncError

# --- config: every key of [tool.enumsync], its pairs and suppress tables, with a wrong type ----------

PAIR = '[[pairs]]\npython = "x.py"\n'
BAD_CONFIG = [
    ("flashinfer = 5", "tool.enumsync.flashinfer must be a string: installed | pinned | VERSION | SPECIFIER, not int 5"),
    ("flashinfer = ''", "tool.enumsync.flashinfer must be a string: installed"),
    ("preset = 5", "tool.enumsync.preset must be a string: flashinfer | sglang | vllm, not int 5"),
    ("preset = 'nope'", "tool.enumsync.preset must be flashinfer | sglang | vllm, not 'nope'"),
    ("models = 'x'", "tool.enumsync.models must be a list of paths (strings), not str 'x'"),
    ("models = ['a', 5]", "tool.enumsync.models[1] must be a path (a non-empty string), not int 5"),
    ("extensions = 5", 'tool.enumsync.extensions must be a table of member = "reason", not int 5'),
    ("extensions = {A = 5}", "tool.enumsync.extensions.A must be a non-empty reason (string), not int 5"),
    ("extensions = {A = ' '}", "tool.enumsync.extensions.A must be a non-empty reason (string), not str ' '"),
    ("extensions = {'a b' = 'x'}", "tool.enumsync.extensions has the key 'a b', which is not a member name"),
    ("python = 5", "unknown key 'python' in tool.enumsync (allowed: extensions, flashinfer, models, pairs,"),
    ("pairs = 5", "tool.enumsync.pairs must be an array of tables ([[tool.enumsync.pairs]]), not int 5"),
    ("pairs = [5]", "tool.enumsync.pairs[0] must be a table ([[tool.enumsync.pairs]]), not int 5"),
    ("[[pairs]]\ncpp = 'x.h'", "tool.enumsync.pairs[0] needs `python`: a path (a non-empty string)"),
    ("[[pairs]]\npython = 5", "tool.enumsync.pairs[0].python must be a path (a non-empty string), not int 5"),
    ("[[pairs]]\npython = ''", "tool.enumsync.pairs[0].python must be a path (a non-empty string), not str ''"),
    (PAIR + "cpp = 5", "tool.enumsync.pairs[0].cpp must be a path (a non-empty string), not int 5"),
    (PAIR + "name = 5", "tool.enumsync.pairs[0].name must be a non-empty string, not int 5"),
    (PAIR + "enum = [1]", "tool.enumsync.pairs[0].enum must be a non-empty string, not list [1]"),
    (PAIR + "cpp_enum = 5", "tool.enumsync.pairs[0].cpp_enum must be a non-empty string, not int 5"),
    (PAIR + "python_enum = true", "tool.enumsync.pairs[0].python_enum must be a non-empty string, not bool True"),
    (PAIR + "include_dirs = 'x'", "tool.enumsync.pairs[0].include_dirs must be a list of paths (strings), not str 'x'"),
    (PAIR + "include_dirs = [5]", "tool.enumsync.pairs[0].include_dirs[0] must be a path (a non-empty string), not int 5"),
    (PAIR + "extensions = 'x'", 'tool.enumsync.pairs[0].extensions must be a table of member = "reason", not str'),
    (PAIR + "extensions = {A = 1.5}", "tool.enumsync.pairs[0].extensions.A must be a non-empty reason (string), not float"),
    (PAIR + "flashinfer = 0.7", "tool.enumsync.pairs[0].flashinfer must be a non-empty string, not float 0.7"),
    (PAIR + "pyhton = 'x'", "unknown key 'pyhton' in tool.enumsync.pairs[0] (allowed: cpp, cpp_enum, enum,"),
    ("suppress = 5", "tool.enumsync.suppress must be an array of tables ([[tool.enumsync.suppress]]), not int 5"),
    ("suppress = [5]", "tool.enumsync.suppress[0] must be a table ([[tool.enumsync.suppress]]), not int 5"),
    ("[[suppress]]\nrule = 5\nreason = 'r'", "tool.enumsync.suppress[0].rule must be a non-empty string, not int 5"),
    ("[[suppress]]\nrule = 'ES004'\nreason = 5", "tool.enumsync.suppress[0].reason must be a non-empty string, not int 5"),
    ("[[suppress]]\nrule = 'ES004'\nreason = 'r'\nmember = 5", "tool.enumsync.suppress[0].member must be a non-empty"),
    ("[[suppress]]\nrule = 'ES004'\nreason = 'r'\npath = 5", "tool.enumsync.suppress[0].path must be a path"),
    ("[[suppress]]\nrule = 'ES004'\nreason = 'r'\nexpires = 5", "expires = 5 is not a date; write it as YYYY-MM-DD"),
    ("[[suppress]]\nrule = 'ES004'", "`reason` is required"),
]


@pytest.mark.parametrize("toml, msg", BAD_CONFIG, ids=[t.replace("\n", " ") for t, _ in BAD_CONFIG])
def test_every_bad_config_value_is_one_line_naming_the_key(toml, msg):
    with pytest.raises(EnumsyncError) as e:
        parse_config(tomllib.loads(toml), Path("pyproject.toml"))
    text = str(e.value)
    assert text.startswith("pyproject.toml: ") and "\n" not in text
    assert msg in text, text


def test_a_whole_valid_config_passes():
    cfg = parse_config(tomllib.loads(
        "flashinfer = 'pinned'\npreset = 'sglang'\nmodels = ['m']\nextensions = {A = 'why'}\n"
        "[[pairs]]\nname = 'n'\ncpp = 'a.h'\npython = 'a.py'\nenum = 'E'\ncpp_enum = 'ns::E'\npython_enum = 'E'\n"
        "include_dirs = ['inc']\nextensions = {B = 'why'}\nflashinfer = '0.7.2'\n"
        "[[suppress]]\nrule = 'ES003'\nmember = 'A'\nreason = 'r'\nexpires = 2027-01-31\npath = 'a.py'\n"),
        Path("/p/pyproject.toml"))
    assert cfg.flashinfer == "pinned" and cfg.models == [Path("/p/m")] and cfg.pairs[0]["include_dirs"] == ["inc"]
    assert cfg.pairs[0]["extensions"] == {"B": "why"} and cfg.suppress[0]["expires"].year == 2027


def test_the_generated_config_validator_is_current():
    """enumsync/config_validator.py is generated from config.SCHEMA: regenerate it after a schema change."""
    pytest.importorskip("fastjsonschema")
    import importlib.util
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts/gen_config_validator.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    current = (ROOT / "enumsync/config_validator.py").read_text()
    assert current == gen.render(), "run: python3 scripts/gen_config_validator.py"


def test_a_stale_generated_validator_is_compiled_again(monkeypatch):
    pytest.importorskip("fastjsonschema")
    from enumsync import config, config_validator
    monkeypatch.setattr(config_validator, "SCHEMA", {})
    config._validator.cache_clear()
    try:
        assert config._validator() is not config_validator.validate
        with pytest.raises(EnumsyncError, match=r"pairs\[0\]\.include_dirs\[0\] must be a path"):
            parse_config(tomllib.loads(PAIR + "include_dirs = [5]"), Path("pyproject.toml"))
    finally:
        config._validator.cache_clear()
