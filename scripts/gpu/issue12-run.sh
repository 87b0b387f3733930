#!/usr/bin/env bash
# Issue 12 on the GPU machine (an H200, SM90), from the repository root; results go to $OUT.
#   (a) NVFP4 quantisation + reference MoE on the GPU against the CPU (pytest tests/test_nvfp4.py)
#   (b) --backend trtllm-nvfp4 on SM90: ES303 "needs SM100/SM103 (found SM90 ...)"; auto picks routing
#   (0) build the routing module for sm_90a from a flashinfer 0.7.2 source subset (~6 min on 16 cores),
#       unless .carry/build holds one (build.json, trtllm_gen_routing.so, tllm_enums.py) from an earlier run
#   (c) --shapes 384:8 over the default set: ES304 for the custom policies, a pass for DeepSeekV3;
#       --model-config of a DeepSeek-V3-shaped config.json (256 experts, top 8, 8 groups / top 4, rsf 2.5)
#   (d) a routing run of the default set (every member of flashinfer 0.7.2's own tllm_enums.py)
#   (e) pytest tests/test_verify_gpu.py against that build
# Carried (.carry, gitignored; made on the CPU machine): wheels/ and export-headers/ from
# /work/shared/scripts/gpu-carry.sh, and flashinfer-0.7.2-routing-src.tar.xz (the routing units, the
# headers nvcc -M lists for them, data/include, data/cutlass/include, data/cccl, spdlog, tllm_enums.py).
# Steps already done on a warm machine (pip, tar, build) are skipped, so a second call resumes.
# Only 8 files come back from $OUT: every result lies in $R and is packed into $OUT/results.tgz
# after each step (so a run stopped at its limit still returns what it finished).
set -u
OUT=${OUT:?set OUT to a results folder}
R=/tmp/issue12-results
C=${CARRY:-.carry}
SITE=/tmp/enumsync-site
FI=/tmp/fi
mkdir -p "$OUT" "$R"
[ -d "$SITE/tvm_ffi" ] || python3 -m pip install -q --no-index --no-deps --target "$SITE" "$C"/wheels/*.whl >"$R/pip.txt" 2>&1
[ -d "$FI/flashinfer" ] || { mkdir -p "$FI" && tar -xJf "$C/flashinfer-0.7.2-routing-src.tar.xz" -C "$FI"; }
export PYTHONPATH=$SITE:$PWD ENUMSYNC_CACHE_DIR=$PWD/build/enumsync-cache COLUMNS=200 TERM=dumb
{ date -u; nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv
  python3 -c "import sys,torch,tvm_ffi; print('python', sys.version.split()[0]); print('torch', torch.__version__, 'cuda', torch.version.cuda); print('tvm_ffi', tvm_ffi.__version__)"
  nvcc --version | tail -2; nproc; git log --oneline -1; } >"$R/device.txt" 2>&1
ms() { date +%s%3N; }
step() {
  local name=$1; shift
  local s; s=$(ms)
  "$@" >"$R/$name.txt" 2>"$R/$name.err"
  echo "$name rc=$? s=$(( ($(ms) - s) / 1000 )) $*" >>"$R/timings.txt"
  tar -czf "$OUT/results.tgz" -C "$R" . && cp "$R/timings.txt" "$OUT/timings.txt"
}
step a-nvfp4-pytest python3 -m pytest -q -rs -p no:cacheprovider tests/test_nvfp4.py
step b-nvfp4-backend python3 -m enumsync verify --backend trtllm-nvfp4 --json-out "$R/b-nvfp4-backend.json"
if [ -f "$C/build/build.json" ]; then      # a build carried back from an earlier run (build.json, .so, tllm_enums.py)
  BUILD=$PWD/$C/build
else
  step build python3 -m enumsync verify --build-only --arch sm_90a --flashinfer-root "$FI/flashinfer" \
    --export-headers "$C/export-headers/trtllmGen_bmm_export" --jobs 16
  BUILD=$(python3 -c "from enumsync.kernels.build import find_cached_builds as f; b=f('sm_90a'); print(b[0]['dir'] if b else '')")
fi
cp "$BUILD/build.json" "$R/build.json" 2>/dev/null
step b-auto python3 -m enumsync verify --build-dir "$BUILD" --methods Renormalize --json-out "$R/b-auto.json"
step c-shapes python3 -m enumsync verify --build-dir "$BUILD" --jobs 8 --shapes 384:8 --json-out "$R/c-shapes.json"
printf '{"n_routed_experts": 256, "num_experts_per_tok": 8, "n_group": 8, "topk_group": 4, "routed_scaling_factor": 2.5}\n' >"$R/dsv3-config.json"
step c-model-config python3 -m enumsync verify --build-dir "$BUILD" --jobs 8 --methods DeepSeekV3,Default --model-config "$R/dsv3-config.json" --json-out "$R/c-model-config.json"
step d-default python3 -m enumsync verify --build-dir "$BUILD" --jobs 8 --json-out "$R/d-default.json"
ENUMSYNC_VERIFY_BUILD_DIR=$BUILD step e-gpu-pytest python3 -m pytest -q -rs -p no:cacheprovider tests/test_verify_gpu.py
cat "$R/timings.txt"
