"""The pre-commit hooks, run through the real `pre-commit` package on a temporary git repo.

`pre-commit try-repo` installs this repository as a hook repo (its .pre-commit-hooks.yaml,
uncommitted changes included) into a fresh virtualenv: that needs PyPI for the dependencies.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.network

HEADER = """#pragma once
namespace demo {
enum class Mode : int64_t {
  // Alpha: Softmax -> TopK
  Alpha = 0,
  // Beta: TopK -> Softmax
  Beta = 1,
  // Gamma: Sigmoid -> TopK
  Gamma = 2,
  // Unspecified
  Unspecified = 3,
};
}
"""
DRIFTED = """from enum import IntEnum


class Mode(IntEnum):
    # Alpha: Softmax -> TopK
    Alpha = (0,)
    # Beta: TopK -> Softmax
    Beta = (1,)
    # Unspecified
    Unspecified = 2


print("untouched")
"""
PYPROJECT = """[project]
name = "demo"
version = "0"

[tool.enumsync]
[[tool.enumsync.pairs]]
cpp = "include/mode.h"
python = "demo/mode.py"
enum = "Mode"
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    return tmp_path_factory.mktemp("pre-commit-home")


def _hook(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "SKIP": ""}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files",
                           "--verbose"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def _repo(tmp_path: Path, py_text: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "include").mkdir(parents=True)
    (repo / "demo").mkdir()
    (repo / "include/mode.h").write_text(HEADER)
    (repo / "demo/mode.py").write_text(py_text)
    (repo / "pyproject.toml").write_text(PYPROJECT)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "init")
    return repo


def test_drift_fails_fix_repairs_then_check_passes(tmp_path, pc_home):
    repo = _repo(tmp_path, DRIFTED)
    check = _hook(repo, pc_home, "enumsync")
    out = check.stdout + check.stderr
    assert check.returncode == 1, out
    assert "Failed" in out and "ES001" in out and "Unspecified" in out

    fix = _hook(repo, pc_home, "enumsync-fix")
    out = fix.stdout + fix.stderr
    assert fix.returncode == 1, out                       # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in out
    fixed = (repo / "demo/mode.py").read_text()
    assert "    # Gamma: Sigmoid -> TopK\n    Gamma = (2,)\n    # Unspecified\n    Unspecified = 3\n" in fixed
    assert fixed.endswith('\n\nprint("untouched")\n')

    _git(repo, "add", ".")
    again = _hook(repo, pc_home, "enumsync")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout
    fix2 = _hook(repo, pc_home, "enumsync-fix")
    assert fix2.returncode == 0, fix2.stdout + fix2.stderr   # nothing left to fix


def test_in_sync_passes(tmp_path, pc_home):
    in_sync = DRIFTED.replace("    # Unspecified\n    Unspecified = 2\n",
                              "    Gamma = (2,)\n    # Unspecified\n    Unspecified = 3\n")
    repo = _repo(tmp_path, in_sync)
    r = _hook(repo, pc_home, "enumsync")
    assert r.returncode == 0, r.stdout + r.stderr
