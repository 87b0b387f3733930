#!/usr/bin/env bash
# Fill .carry/real with real upstream files from PyPI wheels (through enumsync's wheel cache), for
# scripts/gpu/verify-real.sh. Run from the repository root on a machine with PyPI access.
set -euo pipefail
python3 - <<'PY'
import shutil
from pathlib import Path
from enumsync.wheelcache import fetch_file, fetch_tree
real = Path(".carry/real")
shutil.rmtree(real, ignore_errors=True)
(real / "sglang").mkdir(parents=True)
(real / "vllm").mkdir(parents=True)
shutil.copy(fetch_file("sglang", "0.5.23", "sglang/srt/layers/moe/utils.py"), real / "sglang/utils.py")
shutil.copytree(fetch_tree("sglang", "0.5.23", "sglang/srt/models"), real / "sglang/models")
shutil.copy(fetch_file("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe/config.py"), real / "vllm/config.py")
shutil.copytree(fetch_tree("vllm", "0.33.0", "vllm/model_executor/layers/fused_moe"), real / "vllm/fused_moe")
shutil.copytree(fetch_tree("vllm", "0.33.0", "vllm/model_executor/models"), real / "vllm/models")
PY
du -sh .carry/real
