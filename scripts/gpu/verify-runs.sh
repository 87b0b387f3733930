#!/usr/bin/env bash
# Issue 5, runs (a)-(e) on the GPU machine, from the repository root. Results go to $OUT:
#   device.txt, timings.txt, and per run NAME.txt (the text report), NAME.json, NAME.err.
# Needs, carried from the build machine (see docs/verify.md):
#   $BUILD   a finished routing build (build.json + trtllm_gen_routing.so [+ tllm_enums.py])
#   $WHEELS  apache-tvm-ffi (and libclang) wheels for this machine's python3
set -u
OUT=${OUT:?set OUT to a results folder}
BUILD=${BUILD:-.carry/build}
WHEELS=${WHEELS:-.carry/wheels}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --target /tmp/enumsync-site "$WHEELS"/*.whl >"$OUT/pip.txt" 2>&1
export PYTHONPATH=/tmp/enumsync-site:$PWD ENUMSYNC_CACHE_DIR=/tmp/enumsync-cache COLUMNS=200 TERM=dumb
{ nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv
  python3 -c "import sys,torch,tvm_ffi; print('python', sys.version.split()[0]); print('torch', torch.__version__, 'cuda', torch.version.cuda); print('tvm_ffi', tvm_ffi.__version__)"
  nproc; } >"$OUT/device.txt" 2>&1
cp "$BUILD/build.json" "$OUT/build.json" 2>/dev/null
python3 -c "import time; t=time.time(); import torch; a=time.time(); torch.zeros(1, device='cuda'); torch.cuda.synchronize(); b=time.time(); print(f'worker floor: import torch {a-t:.2f} s, CUDA init {b-a:.2f} s')" >>"$OUT/device.txt" 2>&1

ms() { date +%s%N | cut -c1-13; }
run() {
  local name=$1; shift
  local s; s=$(ms)
  python3 -m enumsync verify --build-dir "$BUILD" --json-out "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"
  local rc=$?
  echo "$name rc=$rc seconds=$(( ($(ms) - s) ))ms args: $*" >>"$OUT/timings.txt"
}
run a                                                          # the flashinfer 0.7.2 pair (its own tllm_enums.py)
run b --python fixtures/gpu/sglang_0_5_23_routing.py           # Unspecified = 9, as in sglang 0.5.23
run c --python fixtures/gpu/shifted_sigmoid_renorm.py          # SigmoidRenorm = 8, Sigmoid = 6
run d --methods MiniMax2 --rsf 2.5                             # does the kernel follow routeScale=1.0?
run e --python fixtures/gpu/sigmoid_minimax2_swapped.py --methods Sigmoid,MiniMax2   # a crash stays in its worker
run a-again                                                    # warm: timing of all methods, cached build
run a-jobs11 --jobs 11                                         # one worker per member at once
cat "$OUT/timings.txt"
# the GPU tests, where pytest is installed
if python3 -c "import pytest" 2>/dev/null; then
  ENUMSYNC_VERIFY_BUILD_DIR=$BUILD python3 -m pytest -q -rs -p no:cacheprovider tests/test_verify_gpu.py >"$OUT/pytest-gpu.txt" 2>&1
  echo "pytest-gpu rc=$?" >>"$OUT/timings.txt"
else
  echo "pytest-gpu: pytest is not installed on this machine" >>"$OUT/timings.txt"
fi
