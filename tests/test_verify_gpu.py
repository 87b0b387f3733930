"""verify on a real GPU with flashinfer's kernels. Skipped (with the reason) elsewhere.

Needs a CUDA GPU of SM90 or newer with torch and apache-tvm-ffi. The routing build comes from
ENUMSYNC_VERIFY_BUILD_DIR, else the cache, else it is built here when nvcc and flashinfer-python
are present (about 6 min on 16 cores). The NVFP4 fused MoE runs on SM100/SM103 only; elsewhere
its test checks the ES303 answer. The committed proofs of these runs are under docs/gpu-runs/.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def gpu():
    from enumsync.kernels import environment as E
    from enumsync.kernels.arch import arch_major
    g = E.local_gpu()
    if g is None:
        pytest.skip("no CUDA GPU on this machine (nvidia-smi lists none and torch sees none)")
    if arch_major(g.arch) < 9:
        pytest.skip(f"{g.name} is {g.arch}; the trtllm-gen kernels need SM90 or newer")
    return g


@pytest.fixture(scope="module")
def build_dir(gpu):
    from enumsync.kernels import Unsupported
    from enumsync.kernels import build as B
    given = os.environ.get("ENUMSYNC_VERIFY_BUILD_DIR")
    if given:
        return Path(given)
    found = B.find_cached_builds(gpu.arch)
    if found:
        return Path(found[0]["dir"])
    try:                                   # build what the tests need (nvcc + flashinfer + export headers)
        plan = B.plan_build(gpu.arch)
    except Unsupported as e:
        pytest.skip(f"no routing build for {gpu.arch} in {B.cache_root()} and none can be built here: {e}")
    manifest, _ = B.ensure_build(plan, os.cpu_count())
    return Path(manifest["dir"])


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


def test_a_shape_the_custom_kernels_lack_is_es304(build_dir, tmp_path):
    """flashinfer 0.7.2's custom routing policies have no tier for 384 experts with top-8; DeepSeekV3 does."""
    r, doc = _verify(build_dir, tmp_path, "--methods", "Default,TopK,DeepSeekV3", "--shapes", "384:8")
    assert r.returncode == 0, r.stdout                     # ES304 is a warning
    rows = {m["member"]: m for m in doc["verify"]["methods"]}
    assert {n: m["verdict"] for n, m in rows.items()} == dict.fromkeys(rows, "pass")
    for n in ("Default", "TopK"):
        assert rows[n]["shapes"][0]["status"] == "unsupported"
        assert "no compiled tier covers numExperts" in rows[n]["shapes"][0]["message"]
    assert rows["DeepSeekV3"]["shapes"][0]["status"] == "pass"
    assert sorted((f["rule"], f["member"]) for f in doc["results"][0]["findings"]) == \
        [("ES304", "Default"), ("ES304", "TopK")]


def test_nvfp4_backend(gpu, tmp_path):
    """On SM100/SM103 the fused NVFP4 MoE runs and passes; elsewhere ES303 says what it needs."""
    from enumsync.kernels.environment import NVFP4_ARCHS, sm_name
    out = tmp_path / "n.json"
    r = run_cli("verify", "--backend", "trtllm-nvfp4", "--methods", "Renormalize,DeepSeekV3", "--json-out", str(out))
    assert "Traceback" not in r.stderr, r.stderr
    doc = json.loads(out.read_text())
    if gpu.arch in NVFP4_ARCHS:
        assert r.returncode == 0, r.stdout
        assert [m["verdict"] for m in doc["verify"]["methods"]] == ["pass", "pass"]
    else:
        assert r.returncode == 0
        f = doc["results"][0]["findings"][0]
        assert f["rule"] == "ES303" and f"needs SM100/SM103 (found {sm_name(gpu.arch)}" in f["message"]
