#!/usr/bin/env bash
# verify on REAL upstream copies (no fixtures): sglang 0.5.23's and vLLM 0.33.0's RoutingMethodType,
# each with its default method set taken from that project's own model routing tables.
# Needs (carried, ignored by git): $BUILD, $WHEELS (as verify-runs.sh) and .carry/real, filled from
# the enumsync wheel cache by scripts/gpu/prepare-real.sh on the build machine.
set -u
OUT=${OUT:?set OUT to a results folder}
BUILD=${BUILD:-.carry/build}
WHEELS=${WHEELS:-.carry/wheels}
REAL=${REAL:-.carry/real}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --target /tmp/enumsync-site "$WHEELS"/*.whl >"$OUT/pip.txt" 2>&1
export PYTHONPATH=/tmp/enumsync-site:$PWD ENUMSYNC_CACHE_DIR=/tmp/enumsync-cache COLUMNS=200 TERM=dumb
nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv >"$OUT/device.txt" 2>&1
run() {
  local name=$1; shift
  local s; s=$(date +%s%N)
  python3 -m enumsync verify --build-dir "$BUILD" --json-out "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"
  echo "$name rc=$? ms=$(( ($(date +%s%N) - s) / 1000000 )) args: $*" >>"$OUT/timings.txt"
}
run sglang-mapped --python "$REAL/sglang/utils.py" --models "$REAL/sglang/models"
run vllm-mapped --python "$REAL/vllm/config.py" --models "$REAL/vllm/fused_moe" --models "$REAL/vllm/models"
run vllm-all --python "$REAL/vllm/config.py"
cat "$OUT/timings.txt"
