"""Where the C++ side comes from: installed, a version, a specifier; cache and offline behaviour."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import run_cli
from enumsync.model import EnumsyncError
from enumsync.sources import resolve_flashinfer

OFFLINE = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "/nonexistent-enumsync", "PIP_EXTRA_INDEX_URL": "",
           "PIP_INDEX_URL": "http://127.0.0.1:9/simple"}


def test_installed_is_found_without_import(installed_flashinfer):
    fi = resolve_flashinfer("installed", Path.cwd())
    assert fi.origin == "installed" and fi.version == installed_flashinfer.version
    assert fi.runner_h.name == "runner.h" and "enum class RoutingMethodType" in fi.runner_h.read_text()
    assert fi.enum_py.name == "tllm_enums.py"
    assert "installed" in fi.describe() and fi.version in fi.describe()
    assert "flashinfer" not in sys.modules


def test_bad_spec_is_one_clear_error():
    with pytest.raises(EnumsyncError, match="not a version or a specifier"):
        resolve_flashinfer("definitely not a spec", Path.cwd())


@pytest.mark.network
def test_version_keeps_only_two_files():
    fi = resolve_flashinfer("0.6.9", Path.cwd())
    assert fi.version == "0.6.9" and fi.origin in ("cache", "download")
    assert fi.enum_py.name == "tllm_enums.py"
    kept = sorted(str(p.relative_to(fi.root.parent)) for p in fi.root.parent.rglob("*") if p.is_file())
    assert kept == ["flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h", "flashinfer/tllm_enums.py"]
    text = fi.runner_h.read_text()
    assert "SigmoidRenorm = 6" in text and "Unspecified = 8" in text
    again = resolve_flashinfer("==0.6.9", Path.cwd())
    assert again.origin == "cache" and again.runner_h == fi.runner_h


@pytest.mark.network
def test_old_versions_keep_the_enum_in_fused_moe_core():
    fi = resolve_flashinfer("0.6.6", Path.cwd())
    assert fi.enum_py.as_posix().endswith("flashinfer/fused_moe/core.py")
    assert "class RoutingMethodType" in fi.enum_py.read_text()


@pytest.mark.network
def test_specifier_selects_newest_matching_release_and_says_so():
    from enumsync.sources import matching_versions, newest_matching
    hits, source = matching_versions(">=0.6.11,<0.6.12")
    assert hits[0] == "0.6.11" and "0.6.11.post1" in hits and "0.6.12" not in hits
    v, how = newest_matching(">=0.6.11,<0.6.12")
    assert v == hits[-1] and "pip index versions" in how and ">=0.6.11,<0.6.12" in how


@pytest.mark.network
def test_warm_cache_works_offline_cold_cache_offline_is_exit_2(tmp_path):
    resolve_flashinfer("0.6.9", Path.cwd())           # warm the shared cache
    resolve_flashinfer("0.6.11", Path.cwd())
    warm = run_cli("diff", "0.6.9", "0.6.11", "--format", "json", env=OFFLINE)
    assert warm.returncode == 0, warm.stderr
    assert '"Sigmoid"' in warm.stdout
    cold = run_cli("diff", "0.6.9", "0.6.11", env={**OFFLINE, "ENUMSYNC_CACHE_DIR": str(tmp_path / "cold")})
    assert cold.returncode == 2
    lines = cold.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in cold.stderr, cold.stderr
    assert "0.6.9" in lines[0] and "cannot download" in lines[0]
