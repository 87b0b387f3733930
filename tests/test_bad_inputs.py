"""Bad input is one line on stderr and exit 2, never a traceback or `internal error`."""
from __future__ import annotations

import os
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


# --- the corpus: bad inputs through every command ------------------------------------------------
#
# Each input has a role (where it plugs in: the C++ header, the Python file, the pyproject.toml,
# an option value, the cache directory) and builds itself under a folder. Each command says how
# it takes each role (ADAPTERS); a command without a slot for a role does not run that input.
# All command lines run in one worker process (tests/bad_inputs_worker.py) and each must exit 2
# with exactly one stderr line, no `internal error` and no traceback.

GOOD_H = "enum class Mode : int {\n  // A: first\n  A = 0,\n  // B: second\n  B = 1,\n};\n"
GOOD_PY = "from enum import IntEnum\n\n\nclass Mode(IntEnum):\n    A = 0\n    B = 1\n"
OFFLINE = {"PIP_INDEX_URL": "http://127.0.0.1:9/", "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "1", "COLUMNS": "200"}
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))
BIG = 17 * 1024 * 1024      # over the 16 MiB source limit (a sparse file: no disk used)


def _text(content):
    def make(d: Path) -> str:
        p = d / "input"
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return str(p)
    return make


def _named(name: str, content):
    def make(d: Path) -> str:
        p = d / name
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return str(p)
    return make


def _missing(d: Path) -> str:
    return str(d / "does-not-exist")


def _directory(d: Path) -> str:
    (d / "a-dir").mkdir()
    return str(d / "a-dir")


def _fifo(d: Path) -> str:
    os.mkfifo(d / "fifo")
    return str(d / "fifo")


def _sparse(d: Path) -> str:
    p = d / "huge"
    with open(p, "wb") as f:
        f.truncate(BIG)
    return str(p)


def _loop(d: Path) -> str:
    (d / "loop").symlink_to(d / "loop")
    return str(d / "loop")


def _long_name(d: Path) -> str:
    return str(d / ("x" * 300))


def _dangling(d: Path) -> str:
    (d / "dangling").symlink_to(d / "nowhere")
    return str(d / "dangling")


FS = [("missing", _missing), ("directory", _directory), ("dev-zero", lambda d: "/dev/zero"),
      ("dev-null-empty", lambda d: "/dev/null"), ("fifo", _fifo), ("huge-sparse", _sparse),
      ("symlink-loop", _loop), ("dangling-symlink", _dangling), ("name-too-long", _long_name),
      ("binary", _text(ELF))]

CPP_INPUTS = [(f"cpp-{k}", m) for k, m in FS] + [
    ("cpp-empty", _text("")),
    ("cpp-no-enum", _text("enum class Other : int { A = 0 };\n")),
    ("cpp-forward-declared-only", _text("enum class Mode : int;\n")),
    ("cpp-unclosed-brace", _text("namespace n {\nenum class Mode : int {\n  A = 0,\n  B = 1,\n}\n")),
    ("cpp-truncated-body", _text("enum class Mode : int {\n  A = 0,\n  B = ")),
    ("cpp-syntax-error-in-value", _text("enum class Mode : int { A = 0 +, B = 1 };\n")),
    ("cpp-literal-too-large", _text("enum class Mode : int { A = 99999999999999999999999, B = 1 };\n")),
    ("cpp-out-of-range", _text("#include <cstdint>\nenum class Mode : uint8_t { A = 0, B = 300 };\n")),
    ("cpp-undefined-macro", _text("enum class Mode : int { A = 0, B = NOT_DEFINED_ANYWHERE };\n")),
    ("cpp-division-by-zero", _text("enum class Mode : int { A = 0, B = 1 / 0 };\n")),
    ("cpp-ambiguous", _text("namespace x { enum class Mode : int { A = 0 }; }\n"
                            "namespace y { enum class Mode : int { A = 1 }; }\n")),
    ("cpp-unterminated-comment", _text("/* never closed\nenum class Mode : int { A = 0, B = 1 };\n")),
    ("cpp-unterminated-if", _text("#if 1\nenum class Mode : int { A = 0, B = 1 };\n")),
    ("cpp-absolute-include-in-body", _text('enum class Mode : int {\n#include "/etc/hostname"\n  A = 0,\n};\n')),
    ("cpp-stray-token-in-body", _text("enum class Mode : int { A = 0, @@ B = 1 };\n")),
    ("cpp-not-utf8", _text(b"// caf\xe9 \xff\xfe\nenum class Mode : int { A = 0, B = 1 };\n")),
    ("cpp-deep-parens", _text("enum class Mode : int { A = " + "(" * 5000 + "0" + ")" * 5000 + ", B = 1 };\n")),
    ("cpp-error-directive", _text('#error "not this header"\nenum class Mode : int { A = 0, B = 1 };\n')),
]

PY_INPUTS = [(f"py-{k}", m) for k, m in FS] + [
    ("py-empty", _named("m.py", "")),
    ("py-no-class", _named("m.py", "X = 1\n")),
    ("py-syntax-error", _named("m.py", "class Mode(IntEnum:\n    A = 0\n")),
    ("py-unterminated-string", _named("m.py", 'class Mode(IntEnum):\n    """never closed\n    A = 0\n')),
    ("py-tab-space-mix", _named("m.py", "class Mode(IntEnum):\n    A = 0\n\tB = 1\n")),
    ("py-latin1-without-coding-line", _named("m.py", b"# caf\xe9\nclass Mode(IntEnum):\n    A = 0\n    B = 1\n")),
    ("py-unknown-coding", _named("m.py", "# -*- coding: klingon -*-\nclass Mode(IntEnum):\n    A = 0\n")),
    ("py-utf8-coding-with-bad-bytes", _named("m.py", b"# coding: utf-8\n# \xff\nclass Mode(IntEnum):\n    A = 0\n")),
    ("py-utf16", _named("m.py", "class Mode(IntEnum):\n    A = 0\n    B = 1\n".encode("utf-16"))),
    ("py-nul-after-8k", _named("m.py", GOOD_PY + "#" + "x" * 9000 + "\0\n")),
    ("py-deep-parens", _named("m.py", "class Mode(IntEnum):\n    A = " + "(" * 300 + "0" + ")" * 300 + "\n")),
    ("py-not-dot-py", _named("m.txt", GOOD_PY)),
    ("py-indentation-error", _named("m.py", "class Mode(IntEnum):\nA = 0\n")),
]

CFG_PAIR = "[tool.enumsync]\n[[tool.enumsync.pairs]]\ncpp = 'good.h'\npython = 'good.py'\nenum = 'Mode'\n"
CONFIG_INPUTS = [
    ("cfg-invalid-toml", "[tool.enumsync\n"),
    ("cfg-not-utf8", b"[tool.enumsync]\nflashinfer = 'caf\xe9'\n"),
    ("cfg-tool-not-a-table", "tool = 5\n"),
    ("cfg-enumsync-not-a-table", "[tool]\nenumsync = 5\n"),
    ("cfg-unknown-key", "[tool.enumsync]\npairz = []\n"),
    ("cfg-flashinfer-int", "[tool.enumsync]\nflashinfer = 5\n"),
    ("cfg-preset-unknown", "[tool.enumsync]\npreset = 'nope'\n"),
    ("cfg-models-not-a-list", "[tool.enumsync]\nmodels = 'x'\n"),
    ("cfg-extensions-not-a-table", "[tool.enumsync]\nextensions = 5\n"),
    ("cfg-python-int", "[tool.enumsync]\n[[tool.enumsync.pairs]]\npython = 5\n"),
    ("cfg-pair-without-python", "[tool.enumsync]\n[[tool.enumsync.pairs]]\ncpp = 'good.h'\n"),
    ("cfg-include-dirs-string", CFG_PAIR + "include_dirs = 'x'\n"),
    ("cfg-include-dirs-int", CFG_PAIR + "include_dirs = [5]\n"),
    ("cfg-cpp-enum-int", CFG_PAIR + "cpp_enum = 5\n"),
    ("cfg-suppress-bad-rule", CFG_PAIR + "[[tool.enumsync.suppress]]\nrule = 'E4'\nreason = 'r'\n"),
    ("cfg-suppress-bad-date", CFG_PAIR + "[[tool.enumsync.suppress]]\nrule = 'ES003'\nreason = 'r'\nexpires = 'soon'\n"),
    ("cfg-pair-python-missing", CFG_PAIR.replace("good.py", "missing.py")),
    ("cfg-pair-cpp-is-a-directory", CFG_PAIR.replace("good.h", "a-dir")),
    ("cfg-pair-python-is-dev-zero", CFG_PAIR.replace("good.py", "/dev/zero")),
]

# option values: (id, option, value); a command runs it when its --help lists the option
OPTION_INPUTS = [
    ("opt-enum-empty", "--enum", ""),
    ("opt-cpp-enum-garbage", "--cpp-enum", "::"),
    ("opt-python-enum-missing", "--python-enum", "NoSuchClass"),
    ("opt-flashinfer-bad-spec", "--flashinfer", ">=x,"),
    ("opt-format-unknown", "--format", "nope"),
    ("opt-config-missing", "--config", "/nonexistent/pyproject.toml"),
    ("opt-config-directory", "--config", "/"),
    ("opt-config-dev-zero", "--config", "/dev/zero"),
    ("opt-jobs-zero", "--jobs", "0"),
    ("opt-header-outside", "--header", "../../../../etc/passwd"),
    ("opt-unknown-flag", "--no-such-flag", None),
]

CACHE_INPUTS = [
    ("cache-dir-is-a-file", lambda d: _text("not a folder")(d)),
    ("cache-dir-under-a-file", lambda d: os.path.join(_text("x")(d), "sub")),
    ("cache-dir-is-dev-null", lambda d: "/dev/null"),
]

def _pair_with(o: list[str], g) -> list[str]:
    """The explicit pair plus an option; ``--flashinfer`` replaces ``--cpp`` (it would be ignored beside it)."""
    cpp = [] if o[0] == "--flashinfer" else ["--cpp", g.h]
    return [*cpp, "--python", g.py, *(["--enum", "Mode"] if o[0] != "--enum" else []), *o]


def _diff_with(o: list[str], g) -> list[str]:
    """Two headers plus an option; ``--header`` only means something for a package (``installed``)."""
    sides = ["installed", "installed"] if o[0] == "--header" else [g.h, g.h]
    return [*sides, *(["--enum", "Mode"] if o[0] not in ("--enum", "--header") else []), *o]


def _models_with(o: list[str], g) -> list[str]:
    cpp = [] if o[0] == "--flashinfer" else ["--cpp", g.h]
    return [g.models, *cpp, *(["--enum", "Mode"] if o[0] != "--enum" else []), *o]


# how each command takes each role; a role absent from a command's table: it has no slot for it
ADAPTERS = {
    "check": {"cpp": lambda p, g: ["--cpp", p, "--python", g.py, "--enum", "Mode"],
              "python": lambda p, g: ["--cpp", g.h, "--python", p, "--enum", "Mode"],
              "config": lambda p, g: [],
              "option": _pair_with,
              "cache": lambda p, g: ["--flashinfer", "0.6.1"]},
    "fix": {"cpp": lambda p, g: ["--cpp", p, "--python", g.py, "--enum", "Mode"],
            "python": lambda p, g: ["--cpp", g.h, "--python", p, "--enum", "Mode"],
            "config": lambda p, g: [],
            "option": _pair_with,
            "cache": lambda p, g: ["--flashinfer", "0.6.1"]},
    "lock": {"cpp": lambda p, g: ["--cpp", p, "--python", g.py, "--enum", "Mode"],
             "python": lambda p, g: ["--cpp", g.h, "--python", p, "--enum", "Mode"],
             "config": lambda p, g: [],
             "option": _pair_with},
    "diff": {"cpp": lambda p, g: [p, g.h, "--enum", "Mode"],
             "option": _diff_with,
             "cache": lambda p, g: ["0.6.1", "0.6.2"]},
    "history": {"option": lambda o, g: ["--flashinfer", "==0.6.1", *o],
                "cache": lambda p, g: ["--flashinfer", "==0.6.1"]},
    "models": {"cpp": lambda p, g: [g.models, "--cpp", p],
               "python": lambda p, g: [p],
               "config": lambda p, g: [g.models],
               "option": _models_with},
    "scan": {"config": lambda p, g: ["."],
             "option": lambda o, g: [g.dir, *o]},
    "rules": {"option": lambda o, g: [*o]},
}


class _Good:
    """The good half of every pair, in a folder of its own."""

    def __init__(self, d: Path):
        d.mkdir(parents=True, exist_ok=True)
        self.dir = str(d)
        (d / "good.h").write_text(GOOD_H)
        (d / "good.py").write_text(GOOD_PY)
        self.h, self.py = str(d / "good.h"), str(d / "good.py")
        self.models = str(ROOT / "fixtures/models/literal.py")


# inputs that are fine for a command: `models` reads folders and empty files, and no pairs
VALID_FOR = {
    "models": {"py-directory", "py-empty", "py-no-class", "py-not-dot-py", "cfg-pair-python-missing",
               "cfg-pair-cpp-is-a-directory", "cfg-pair-python-is-dev-zero"},
}


def _cases():
    """(case id, command, role, input id) for every input a command has a slot for."""
    inputs = ([(i, "cpp") for i, _ in CPP_INPUTS] + [(i, "python") for i, _ in PY_INPUTS]
              + [(i, "config") for i, _ in CONFIG_INPUTS] + [(i[0], "option") for i in OPTION_INPUTS]
              + [(i, "cache") for i, _ in CACHE_INPUTS])
    return [(f"{cmd}:{i}", cmd, role, i) for i, role in inputs for cmd, slots in ADAPTERS.items()
            if role in slots and i not in VALID_FOR.get(cmd, ())]


CASES = _cases()
BUILDERS = dict(CPP_INPUTS + PY_INPUTS + CACHE_INPUTS)
OPTIONS = {i: (o, v) for i, o, v in OPTION_INPUTS}
CONFIGS = dict(CONFIG_INPUTS)

# Known defects, strict so that they fail loudly once fixed: remove an entry then. (None today.)
XFAIL: dict[str, str] = {}


def _argv(cmd: str, role: str, input_id: str, root: Path, help_text: dict) -> tuple[list[str], str, dict] | None:
    """The command line, working directory and environment of one case (None: not applicable)."""
    d = root / input_id.replace(":", "_") / cmd
    g = _Good(d / "good")
    env = dict(OFFLINE, ENUMSYNC_CACHE_DIR=str(root / "cache"))
    slot = ADAPTERS[cmd][role]
    if role == "option":
        opt, val = OPTIONS[input_id]
        if opt != "--no-such-flag" and f"{opt} " not in help_text[cmd] and f"{opt}," not in help_text[cmd]:
            return None
        return [cmd, *slot([opt] + ([val] if val is not None else []), g)], g.dir, env
    if role == "config":
        content = CONFIGS[input_id]
        (Path(g.dir) / "a-dir").mkdir(exist_ok=True)
        (Path(g.dir) / "pyproject.toml").write_bytes(content.encode() if isinstance(content, str) else content)
        return [cmd, *slot(None, g)], g.dir, env
    path = BUILDERS[input_id](d)
    if role == "cache":
        env["ENUMSYNC_CACHE_DIR"] = path
        return [cmd, *slot(path, g)], g.dir, env
    return [cmd, *slot(path, g)], g.dir, env


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory):
    """Every case, run once in one worker process: {case id: {code, stdout, stderr}} (None: no such command)."""
    import json
    import subprocess
    import sys
    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "cache").mkdir()
    probes = [{"id": f"help:{c}", "argv": [c, "--help"], "cwd": str(root), "env": {}} for c in ADAPTERS]
    cases, skipped = [], set()
    (root / "probe.json").write_text(json.dumps(probes))
    subprocess.run([sys.executable, str(ROOT / "tests/bad_inputs_worker.py"), str(root / "probe.json"),
                    str(root / "help.json")], check=True, timeout=300)
    helps = json.loads((root / "help.json").read_text())
    help_text = {c: helps[f"help:{c}"]["stdout"] for c in ADAPTERS}
    exists = {c for c in ADAPTERS if helps[f"help:{c}"]["code"] == 0}
    for cid, cmd, role, input_id in CASES:
        built = _argv(cmd, role, input_id, root, help_text) if cmd in exists else None
        if built is None:
            skipped.add(cid)
            continue
        argv, cwd, env = built
        cases.append({"id": cid, "argv": argv, "cwd": cwd, "env": env})
    (root / "cases.json").write_text(json.dumps(cases))
    w = subprocess.run([sys.executable, str(ROOT / "tests/bad_inputs_worker.py"), str(root / "cases.json"),
                        str(root / "results.json")], capture_output=True, text=True, timeout=900)
    assert w.returncode == 0, w.stderr[-3000:]
    results = json.loads((root / "results.json").read_text())
    return {**results, **{cid: None for cid in skipped}}, exists


def test_the_corpus_has_at_least_60_inputs():
    assert len({i for _, _, _, i in CASES}) >= 60
    assert not set(XFAIL) - {c for c, *_ in CASES}, "an XFAIL entry names no case"


@pytest.mark.parametrize("case_id", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=XFAIL[c])) if c in XFAIL else c
    for c, *_ in CASES])
def test_bad_input_is_exit_2_with_one_line(corpus_results, case_id):
    results, exists = corpus_results
    r = results[case_id]
    if r is None:
        cmd = case_id.split(":")[0]
        pytest.skip(f"`enumsync {cmd}` does not exist here" if cmd not in exists
                    else "the command has no such option")
    lines = r["stderr"].strip().splitlines()
    shown = f"exit {r['code']}; stderr: {r['stderr'][-600:]!r}; stdout: {r['stdout'][-200:]!r}"
    assert r["code"] == 2, shown
    assert len(lines) == 1, shown
    assert "internal error" not in r["stderr"] and "Traceback" not in r["stderr"], shown
    assert lines[0].startswith("enumsync: error: "), shown
