#!/bin/bash
# One device call: TC-FPx selftests, then the bench (both paths, Llama-2-70B shapes). Run from the folder holding
# the static `lowbit` binary; logs go to $OUT (or ./out).
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,power.draw --format=csv | tee "$OUT/gpu.txt"
set -o pipefail
timeout ${SELFTEST_TIMEOUT:-200} $BIN selftest --device cuda --filter "${FILTER:-tcfpx}" 2>&1 | tee "$OUT/selftest.log"
timeout ${BENCH_TIMEOUT:-300} $BIN bench gemm --device cuda --format ${FORMATS:-fp6} --path ${PATHS:-fused,dequant+cublas} \
    --batches ${BATCHES:-1,2,4,8,16,32,64,128,256,512,1024,4096} --repetitions ${REPS:-30} ${EXTRA:-} 2>"$OUT/bench.err" \
    | tee "$OUT/bench.txt"
tail -5 "$OUT/bench.err"
