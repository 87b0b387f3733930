"""Zero config, enumsync.lock, the pre-commit hook offline and the GitHub Action's steps.

Checkouts are throwaway git repositories laid out like sglang and vLLM. Offline tests build their
drifted copy from the installed flashinfer's own tllm_enums.py (TopKSigmoid removed and
Unspecified = 9, as sglang 0.5.23 ships it) and their lock from the installed runner.h; the
network tests use the real sglang 0.5.23 and vLLM 0.33.0 wheels.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli, wheel_file

SGLANG_COPY = "python/sglang/srt/layers/moe/utils.py"
VLLM_COPY = "vllm/model_executor/layers/fused_moe/config.py"
# what "no network, no pip index, nothing cached" looks like to pip and to enumsync
OFFLINE = {"PIP_INDEX_URL": "http://127.0.0.1:9/", "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "1"}


def _git_init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def drifted_copy(fi) -> str:
    """The installed tllm_enums.py as sglang 0.5.23 has it: no TopKSigmoid, Unspecified = 9."""
    text = fi.enum_py.read_text()
    text = re.sub(r"\n *# TopKSigmoid:[^\n]*\n *TopKSigmoid = \(9,\)", "", text)
    assert "TopKSigmoid" not in text
    return text.replace("Unspecified = (10,)", "Unspecified = (9,)")


def sglang_checkout(root: Path, copy_text: str, pin: str) -> Path:
    _git_init(root)
    _write(root, SGLANG_COPY, copy_text)
    _write(root, "python/pyproject.toml", '[project]\nname = "sglang"\nversion = "0.5.23"\n'
           f'dependencies = [\n  "torch",\n  "{pin}",\n]\n')
    return root


def lock_from_header(root: Path, runner_h: Path, version: str) -> Path:
    """enumsync.lock for the sglang pair, built from a runner.h on disk (what `enumsync lock` writes)."""
    from enumsync.lock import LOCK_NAME, entry_for, write_lock
    from enumsync.pairs import PairSpec
    spec = PairSpec(runner_h, root / SGLANG_COPY, label="sglang:RoutingMethodType", flashinfer_version=version,
                    pinned=f"flashinfer-python=={version} from python/pyproject.toml:6")
    write_lock(root / LOCK_NAME, [entry_for(spec, root)])
    return root / LOCK_NAME


def offline_env(tmp_path: Path) -> dict:
    cache = tmp_path / "empty-cache"
    cache.mkdir(exist_ok=True)
    return {**OFFLINE, "ENUMSYNC_CACHE_DIR": str(cache)}


def findings(doc) -> list:
    return [f for r in doc["results"] for f in r["findings"]]


# --- detection --------------------------------------------------------------------------

def test_detection_reads_files_only_and_finds_the_checkout_root(tmp_path):
    from enumsync.presets import detect_project
    sg = sglang_checkout(tmp_path / "sg", "class RoutingMethodType: pass\n", "flashinfer_python==0.7.2")
    for where in (sg, sg / "python", sg / "python/sglang/srt"):
        d = detect_project(where)
        assert d is not None and d.preset.name == "sglang" and d.root == sg, where
    assert detect_project(sg).evidence == "project name 'sglang' in python/pyproject.toml"
    vl = tmp_path / "vl"
    _git_init(vl)
    _write(vl, "pyproject.toml", '[project]\nname = "vllm"\nversion = "0"\n')
    assert detect_project(vl / "csrc").preset.name == "vllm"
    fi = tmp_path / "fi"
    _git_init(fi)
    _write(fi, "pyproject.toml", '[project]\nname = "flashinfer-python"\nversion = "0"\n')
    assert detect_project(fi).preset.name == "flashinfer"
    other = tmp_path / "other"
    _git_init(other)
    _write(other, "pyproject.toml", '[project]\nname = "sglang-router"\nversion = "0"\n')
    assert detect_project(other / "src") is None            # a name alone that is not a preset's
    inner = sg / "third_party" / "x"
    _git_init(inner)
    assert detect_project(inner) is None                     # stops at the nearest git root


def test_readme_preset_list_and_cli_choices_come_from_the_registry():
    from enumsync.presets import PRESETS, markdown_list
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- presets:start -->\n", 1)[1].split("<!-- presets:end -->", 1)[0]
    assert block == markdown_list()
    helps = run_cli("check", "--help").stdout
    assert f"[{'|'.join(PRESETS)}]" in re.sub(r"\s+", "", helps) or all(p in helps for p in PRESETS)
    models_help = run_cli("models", "--help").stdout
    assert all(p in models_help for p, v in PRESETS.items() if v.model_dirs)


def test_config_preset_validation_lists_the_registry(tmp_path):
    from enumsync.presets import PRESETS
    _write(tmp_path, "pyproject.toml", '[tool.enumsync]\npreset = "sglng"\n')
    r = run_cli("check", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "'sglng'" in r.stderr and all(name in r.stderr for name in PRESETS)


def test_preset_with_explicit_python_keeps_vllm_extensions(tmp_path, installed_flashinfer):
    text = installed_flashinfer.enum_py.read_text().replace(
        "    Unspecified = (10,)\n", "    Unspecified = (10,)\n    DeepseekV4 = (100,)\n    Custom = (101,)\n")
    py = _write(tmp_path, "config.py", text)
    args = ["--cpp", str(installed_flashinfer.runner_h), "--python", str(py), "--format", "json"]
    plain = json.loads(run_cli("check", *args).stdout)
    assert sorted(f["member"] for f in findings(plain) if f["rule"] == "ES004") == ["Custom", "DeepseekV4"]
    r = run_cli("check", "--preset", "vllm", *args)
    assert r.returncode == 0, r.stdout + r.stderr
    assert findings(json.loads(r.stdout)) == []


# --- enumsync.lock, offline --------------------------------------------------------------

@pytest.fixture
def locked_sglang(tmp_path, installed_flashinfer):
    co = sglang_checkout(tmp_path / "sglang", drifted_copy(installed_flashinfer),
                         f"flashinfer_python[cu13]=={installed_flashinfer.version}")
    lock_from_header(co, installed_flashinfer.runner_h, installed_flashinfer.version)
    return co


def test_lock_gives_the_header_verdict_with_no_download_and_no_parse(locked_sglang, installed_flashinfer, tmp_path):
    env = offline_env(tmp_path)
    r = run_cli("check", "--format", "json", cwd=locked_sglang / "python", env=env)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["origin"] == (f"sglang checkout at {locked_sglang}, flashinfer-python "
                                           f"{installed_flashinfer.version} pinned in python/pyproject.toml:6 "
                                           "(C++ enum from enumsync.lock)")
    header = run_cli("check", "--cpp", str(installed_flashinfer.runner_h), "--python",
                     str(locked_sglang / SGLANG_COPY), "--format", "json")
    assert header.returncode == 1
    assert findings(doc) == findings(json.loads(header.stdout))
    assert sorted((f["rule"], f["member"], f["cpp_value"], f["python_value"]) for f in findings(doc)) == [
        ("ES001", "Unspecified", 10, 9), ("ES002", "Unspecified", 10, 9), ("ES003", "TopKSigmoid", 9, None)]
    assert not any(Path(env["ENUMSYNC_CACHE_DIR"]).iterdir())       # nothing was downloaded or cached
    code = ("import runpy, sys; sys.argv = ['enumsync', 'check']\n"
            "try:\n    runpy.run_module('enumsync', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('CLANG', 'clang.cindex' in sys.modules or 'enumsync.parsers.cpp' in sys.modules, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=locked_sglang, capture_output=True, text=True,
                       env={**os.environ, **env})
    assert "CLANG False" in p.stderr                                # the C++ side was never parsed


def test_text_report_first_line_names_checkout_pin_and_lock(locked_sglang, tmp_path, installed_flashinfer):
    r = run_cli("check", cwd=locked_sglang, env=offline_env(tmp_path))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == (f"sglang checkout at {locked_sglang}, flashinfer-python "
                                        f"{installed_flashinfer.version} pinned in python/pyproject.toml:6 "
                                        "(C++ enum from enumsync.lock)")
    assert "✗ 2 error(s), 1 warning(s)" in r.stdout


def test_moved_pin_makes_the_lock_stale_es010_and_offline_says_how_to_refresh(locked_sglang, tmp_path):
    pyproject = locked_sglang / "python/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("==0.7.2", "==0.6.12"))
    r = run_cli("check", cwd=locked_sglang, env=offline_env(tmp_path))
    assert r.returncode == 2, r.stdout + r.stderr
    line, = r.stderr.strip().splitlines()
    assert "enumsync.lock locks flashinfer-python 0.7.2 for RoutingMethodType, but the pin is now ==0.6.12" in line
    assert "run `enumsync lock`" in line


@pytest.mark.parametrize("content, why", [
    ("{not json", "not JSON"),
    ('{"schema": 1, "pairs": [{"label": "x"}]}', "must contain"),
    ('{"schema": 9, "pairs": []}', "schema must be"),
])
def test_bad_lock_is_one_line_and_exit_2(locked_sglang, tmp_path, content, why):
    (locked_sglang / "enumsync.lock").write_text(content)
    r = run_cli("check", cwd=locked_sglang, env=offline_env(tmp_path))
    assert r.returncode == 2
    line, = r.stderr.strip().splitlines()
    assert "enumsync.lock: not a valid lock" in line and why in line and "Traceback" not in r.stderr


def test_lock_schema_is_the_data_model(locked_sglang):
    """An extra or missing EnumSpec/Member field is rejected: the lock serialises model.py, nothing else."""
    from enumsync.lock import read_lock
    from enumsync.model import EnumsyncError
    path = locked_sglang / "enumsync.lock"
    doc = json.loads(path.read_text())
    assert set(doc["pairs"][0]["cpp"]["members"][0]) == {
        "name", "value", "line", "comment", "expr", "alias_of", "end_line", "ignore", "error", "meaning"}
    lock = read_lock(path)
    assert lock.entries[0].cpp.by_name()["Unspecified"].value == 10
    doc["pairs"][0]["cpp"]["members"][0]["colour"] = "red"
    path.write_text(json.dumps(doc))
    with pytest.raises(EnumsyncError, match="not a valid lock"):
        read_lock(path)


def test_models_and_fix_use_the_pin_and_lock_like_check(locked_sglang, tmp_path, installed_flashinfer):
    models_dir = locked_sglang / "python/sglang/srt/models"
    shutil.copy(ROOT / "fixtures/models/literal.py", _write(models_dir, "x.py", "").parent / "literal.py")
    env = offline_env(tmp_path)
    m = run_cli("models", "--preset", "sglang", "--flashinfer", "pinned", "--format", "json", cwd=locked_sglang,
                env=env)
    assert m.returncode in (0, 1), m.stderr
    assert "python/pyproject.toml:6" in json.loads(m.stdout)["cpp"]["source"]
    z = run_cli("models", cwd=locked_sglang / "python", env=env)
    assert z.stdout.splitlines()[0] == (f"sglang checkout at {locked_sglang}, flashinfer-python "
                                        f"{installed_flashinfer.version} pinned in python/pyproject.toml:6")
    f = run_cli("fix", cwd=locked_sglang, env=env)
    assert f.returncode == 0, f.stderr
    assert "Unspecified: 9 -> 10; +TopKSigmoid = 9" in f.stdout
    assert run_cli("check", cwd=locked_sglang, env=env).returncode == 0


def test_outside_any_project_says_no_project_copy_was_found(tmp_path, installed_flashinfer):
    _git_init(tmp_path / "elsewhere")
    r = run_cli("check", cwd=tmp_path / "elsewhere")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0].startswith("no project copy found: no flashinfer, sglang, vLLM checkout at or "
                                               f"above {tmp_path / 'elsewhere'}")


def test_config_wins_over_detection(locked_sglang, installed_flashinfer, tmp_path):
    other = _write(locked_sglang, "python/mine.py", installed_flashinfer.enum_py.read_text())
    _write(locked_sglang, "pyproject.toml", f'[tool.enumsync]\n[[tool.enumsync.pairs]]\ncpp = "{installed_flashinfer.runner_h}"\n'
           f'python = "{other}"\n')
    r = run_cli("check", "--format", "json", cwd=locked_sglang, env=offline_env(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["python"]["path"] == str(other) and doc["results"][0]["origin"] == ""


# --- the pre-commit hook offline ----------------------------------------------------------

def _precommit(repo: Path, env: dict, home: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("pre_commit")
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose"], cwd=repo,
                          env={**os.environ, **env, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
                          capture_output=True, text=True, timeout=600)


def local_hook_config(repo: Path) -> None:
    """The README's `repo: local` hook (language: system), with this interpreter as `enumsync`."""
    _write(repo, ".pre-commit-config.yaml",
           "repos:\n  - repo: local\n    hooks:\n      - id: enumsync\n        name: enumsync check\n"
           f"        entry: {sys.executable} -m enumsync check\n        language: system\n"
           "        pass_filenames: false\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)


def test_precommit_hook_offline_with_lock_and_empty_cache(locked_sglang, tmp_path, installed_flashinfer):
    local_hook_config(locked_sglang)
    env = {**offline_env(tmp_path), "PYTHONPATH": str(ROOT)}
    r = _precommit(locked_sglang, env, tmp_path / "pc-home")
    out = " ".join((r.stdout + r.stderr).split())   # the report wraps long lines to the terminal width
    assert r.returncode == 1, out
    flat = " ".join(out.split())   # the report wraps its lines to the width
    assert "(C++ enum from enumsync.lock)" in flat and "ES002" in out and "✗ 2 error(s), 1 warning(s)" in out
    assert not any(Path(env["ENUMSYNC_CACHE_DIR"]).iterdir())
    (locked_sglang / "enumsync.lock").unlink()                 # without the lock, offline cannot check
    r = _precommit(locked_sglang, env, tmp_path / "pc-home")
    assert r.returncode == 1 and "cannot download flashinfer-python==" in r.stdout + r.stderr


# --- the GitHub Action's steps -------------------------------------------------------------

def run_action(workspace: Path, tmp_path: Path, env: dict | None = None, **inputs) -> tuple[int, dict]:
    """Run action.yml's steps (all but the install) as GitHub would: bash -eo pipefail, inputs via env."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    defaults = {k: v.get("default", "") for k, v in action["inputs"].items()}
    values = {**defaults, "python": sys.executable, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    files = {"summary": tmp_path / "step_summary.md", "output": tmp_path / "github_output"}
    base = {**os.environ, **(env or {}), "GITHUB_STEP_SUMMARY": str(files["summary"]),
            "GITHUB_OUTPUT": str(files["output"]), "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(ROOT), "PYTHONPATH": str(ROOT)}
    rc, logs = 0, []

    def sub(s: str) -> str:
        return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: str(values[m.group(1)]), s)

    for step in action["runs"]["steps"]:
        if step["id"] == "install":
            assert "$GITHUB_ACTION_PATH" in step["run"]
            continue
        step_env = {k: sub(str(v)) for k, v in step.get("env", {}).items()}
        cwd = workspace / sub(step.get("working-directory", "."))
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                           env={**base, **step_env}, capture_output=True, text=True, timeout=600)
        logs.append(p.stdout + p.stderr)
        rc = p.returncode
        if rc:
            break
    return rc, {"log": "\n".join(logs), "summary": files["summary"].read_text() if files["summary"].exists() else "",
                "output": files["output"].read_text() if files["output"].exists() else ""}


def test_action_steps_write_annotations_sarif_and_summary(locked_sglang, tmp_path):
    sarif = tmp_path / "enumsync.sarif"
    rc, got = run_action(locked_sglang, tmp_path, env=offline_env(tmp_path), sarif_file=str(sarif))
    assert rc == 1, got["log"]
    assert "exit-code=1" in got["output"]
    annotations = [l for l in got["log"].splitlines() if l.startswith("::error ")]
    assert [a.split("title=")[1].split("::")[0] for a in annotations] == ["ES001 value-mismatch",
                                                                          "ES002 value-collision"]
    assert all(f"file={SGLANG_COPY}," in a for a in annotations)
    doc = json.loads(sarif.read_text())
    assert doc["version"] == "2.1.0"
    assert sorted(r["ruleId"] for r in doc["runs"][0]["results"]) == ["ES001", "ES002", "ES003"]
    assert got["summary"].startswith("### enumsync: ❌ 2 error(s), 1 warning(s)")
    assert "| error | ES002 value-collision | Unspecified | 10 | 9 |" in got["summary"]


def test_action_summary_says_when_it_could_not_check(tmp_path):
    ws = tmp_path / "ws"
    _git_init(ws)
    _write(ws, "pyproject.toml", "[tool.enumsync]\nbogus = 1\n")
    rc, got = run_action(ws, tmp_path)
    assert rc == 2 and "exit-code=2" in got["output"]
    assert got["summary"].startswith("### enumsync: could not check (exit 2)")


# --- done-when: real sglang 0.5.23 and vLLM 0.33.0 -----------------------------------------

def _requires(dist: str, version: str) -> str:
    meta = wheel_file(dist, version, f"{dist}-{version}.dist-info/METADATA").read_text()
    return next(l.split(":", 1)[1].strip() for l in meta.splitlines()
                if l.startswith("Requires-Dist:") and "flashinfer" in l.lower() and "extra ==" not in l)


@pytest.mark.network
def test_real_sglang_0_5_23_checkout_zero_config_lock_and_offline_hook(tmp_path):
    pin = _requires("sglang", "0.5.23")
    assert pin == "flashinfer_python[cu13]==0.7.2"
    co = sglang_checkout(tmp_path / "sglang", wheel_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py")
                         .read_text(), pin)
    r = run_cli("check", "--format", "json", cwd=co / "python/sglang")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["origin"] == f"sglang checkout at {co}, flashinfer-python 0.7.2 pinned in python/pyproject.toml:6"
    verdict = sorted((f["rule"], f["member"], f["cpp_value"], f["python_value"]) for f in findings(doc))
    assert verdict == [("ES001", "Unspecified", 10, 9), ("ES002", "Unspecified", 10, 9),
                       ("ES003", "TopKSigmoid", 9, None)]
    lk = run_cli("lock", cwd=co)
    assert lk.returncode == 0 and "flashinfer-python 0.7.2" in lk.stdout, lk.stderr
    assert json.loads((co / "enumsync.lock").read_text())["pairs"][0]["runner_h_sha256"] == \
        __import__("hashlib").sha256(wheel_file("flashinfer-python", "0.7.2", "flashinfer/data/include/flashinfer/"
                                                "trtllm/fused_moe/runner.h").read_bytes()).hexdigest()
    offline = run_cli("check", "--format", "json", cwd=co, env=offline_env(tmp_path))
    assert offline.returncode == 1 and findings(json.loads(offline.stdout)) == findings(doc)
    assert run_cli("check", "--verify-lock", cwd=co).returncode == 1
    local_hook_config(co)
    hook = _precommit(co, {**offline_env(tmp_path), "PYTHONPATH": str(ROOT)}, tmp_path / "pc")
    flat = " ".join(hook.stdout.split())            # the report wraps long lines to the terminal width
    assert hook.returncode == 1 and "(C++ enum from enumsync.lock)" in flat and "ES002" in flat
    pyproject = co / "python/pyproject.toml"                       # the pin moves, the lock does not
    pyproject.write_text(pyproject.read_text().replace("==0.7.2", "==0.6.12"))
    stale = run_cli("check", "--format", "json", cwd=co)
    assert "ES011" in [f["rule"] for f in findings(json.loads(stale.stdout))], stale.stderr


@pytest.mark.network
def test_real_vllm_0_33_0_checkout_pinned_in_requirements(tmp_path):
    pin = _requires("vllm", "0.33.0")
    assert pin == "flashinfer-python==0.7.2.post1"
    co = tmp_path / "vllm"
    _git_init(co)
    _write(co, "pyproject.toml", '[project]\nname = "vllm"\ndynamic = ["version", "dependencies"]\n')
    _write(co, "requirements/common.txt", "numpy\n")
    _write(co, "requirements/cuda.txt", f"-r common.txt\ntorch==2.9.0\n{pin} ; platform_system == 'Linux'\n")
    _write(co, VLLM_COPY, wheel_file("vllm", "0.33.0", VLLM_COPY).read_text())
    r = run_cli("check", "--format", "json", cwd=co / "vllm")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["origin"] == (f"vLLM checkout at {co}, flashinfer-python 0.7.2.post1 pinned in "
                                           "requirements/cuda.txt:3")
    got = {(f["rule"], f["member"], f["cpp_value"], f["python_value"]) for f in findings(doc)}
    assert {("ES001", "Unspecified", 10, 9), ("ES002", "Unspecified", 10, 9)} <= got
    assert not any(f["rule"] == "ES004" for f in findings(doc))        # members >= 100 are extensions
    assert run_cli("lock", cwd=co).returncode == 0
    offline = run_cli("check", "--format", "json", cwd=co, env=offline_env(tmp_path))
    assert offline.returncode == 1 and findings(json.loads(offline.stdout)) == findings(doc)
    sarif = tmp_path / "v.sarif"
    rc, out = run_action(co, tmp_path, env=offline_env(tmp_path), sarif_file=str(sarif))
    assert rc == 1 and "::error file=vllm/model_executor/layers/fused_moe/config.py" in out["log"]
    assert json.loads(sarif.read_text())["runs"][0]["results"] and "ES002" in out["summary"]


def test_verify_zero_config_takes_the_checkouts_copy(locked_sglang, tmp_path):
    """`verify` with no --python, inside the checkout: its copy (test double launcher, no GPU needed)."""
    tests = str(Path(__file__).parent)
    r = run_cli("verify", "--launcher", "verify_double:DOUBLE", "--methods", "Unspecified", "--format", "json",
                cwd=locked_sglang / "python", env={"PYTHONPATH": os.pathsep.join([tests, str(ROOT)])})
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert f"sglang checkout at {locked_sglang}: {SGLANG_COPY}" in json.dumps(doc)
    assert "ES302" in r.stdout and "TopKSigmoid" in r.stdout


def test_flashinfer_option_overrides_the_pin_and_says_so(locked_sglang, installed_flashinfer):
    r = run_cli("check", "--flashinfer", "installed", "--format", "json", cwd=locked_sglang)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["origin"] == (f"sglang checkout at {locked_sglang}, flashinfer-python "
                                           f"{installed_flashinfer.version} (--flashinfer installed)")
    assert doc["results"][0]["cpp"]["path"] == str(installed_flashinfer.runner_h)   # the header, not the lock


def test_flashinfer_checkout_checks_its_own_header(tmp_path, installed_flashinfer):
    co = tmp_path / "flashinfer"
    _git_init(co)
    _write(co, "pyproject.toml", '[project]\nname = "flashinfer-python"\nversion = "0"\n')
    _write(co, "flashinfer/tllm_enums.py", installed_flashinfer.enum_py.read_text())
    header = _write(co, "include/flashinfer/trtllm/fused_moe/runner.h", installed_flashinfer.runner_h.read_text())
    r = run_cli("check", "--format", "json", cwd=co / "flashinfer")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["results"][0]["cpp"]["path"] == str(header)
    assert doc["results"][0]["origin"] == (f"flashinfer checkout at {co}: its own "
                                           "include/flashinfer/trtllm/fused_moe/runner.h")
