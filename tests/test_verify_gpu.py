"""verify on a real GPU with flashinfer's routing kernels. Skipped (with the reason) elsewhere.

Needs: a CUDA GPU of SM90 or newer, torch with CUDA, apache-tvm-ffi, and a finished routing
build for that arch (built here with `enumsync verify --build-only`, or carried in with
ENUMSYNC_VERIFY_BUILD_DIR). The committed proofs of these runs are under docs/gpu-runs/.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def build_dir():
    from enumsync.kernels import build as B
    from enumsync.kernels import environment as E
    from enumsync.kernels.arch import arch_major
    gpu = E.local_gpu()
    if gpu is None:
        pytest.skip("no CUDA GPU on this machine (nvidia-smi lists none and torch sees none)")
    if arch_major(gpu.arch) < 9:
        pytest.skip(f"{gpu.name} is {gpu.arch}; the trtllm-gen routing kernels need SM90 or newer")
    given = os.environ.get("ENUMSYNC_VERIFY_BUILD_DIR")
    if given:
        return Path(given)
    found = B.find_cached_builds(gpu.arch)
    if not found:
        pytest.skip(f"no routing build for {gpu.arch} in {B.cache_root()} "
                    f"(make one: enumsync verify --build-only --arch {gpu.arch})")
    return Path(found[0]["dir"])


def _verify(build_dir, tmp_path, *args):
    out = tmp_path / "r.json"
    r = run_cli("verify", "--build-dir", str(build_dir), "--json-out", str(out), *args)
    assert "Traceback" not in r.stderr, r.stderr
    return r, json.loads(out.read_text())


def test_flashinfer_pair_every_method_passes(build_dir, tmp_path):
    r, doc = _verify(build_dir, tmp_path)
    rows = {m["member"]: m["verdict"] for m in doc["verify"]["methods"]}
    assert r.returncode == 0, r.stdout
    assert rows == dict.fromkeys(rows, "pass") and len(rows) >= 10


def test_unspecified_9_runs_topksigmoid(build_dir, tmp_path):
    r, doc = _verify(build_dir, tmp_path, "--python", str(FIXTURES / "gpu" / "sglang_0_5_23_routing.py"),
                     "--methods", "Unspecified")
    assert r.returncode == 1
    row = doc["verify"]["methods"][0]
    assert row["verdict"] == "ES302" and row["kernel_ran"][0] == "TopKSigmoid"


def test_shifted_sigmoid_renorm_runs_sigmoid(build_dir, tmp_path):
    r, doc = _verify(build_dir, tmp_path, "--python", str(FIXTURES / "gpu" / "shifted_sigmoid_renorm.py"),
                     "--methods", "SigmoidRenorm")
    assert r.returncode == 1
    row = doc["verify"]["methods"][0]
    assert row["verdict"] == "ES302" and row["kernel_ran"][0] == "Sigmoid"
