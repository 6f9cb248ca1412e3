#!/bin/bash
# One device call for the wgmma path's acceptance: self-tests (default = cluster split-K reduction, then the
# global-partials fallback), the TC-FPx suite as a whole (dispatcher change), the FP6 table with the auto path and
# dequantize + cuBLAS in the same run, the fallback A/B, the N = 32/64 threshold check and BF16. Logs under $OUT.
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
B="$BIN bench gemm --device cuda --format fp6"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
step() { local name=$1 t=$2; shift 2; echo "== $name: $*"; timeout $t "$@" 2>&1 | grep -v "^note" > "$OUT/$name.txt"; }
step selftest 90 $BIN selftest --device cuda --filter wgmma
grep -E "FAIL|passed" "$OUT/selftest.txt"
# If the cluster reduction failed or hung, everything below runs on the global-partials fallback.
grep -q "^10 of 10 self-tests passed" "$OUT/selftest.txt" || { echo "FALLBACK: LOWBIT_WGMMA_CLUSTER=0"; export LOWBIT_WGMMA_CLUSTER=0; }
LOWBIT_WGMMA_CLUSTER=0 step selftest-global 60 $BIN selftest --device cuda --filter wgmma
grep -E "FAIL|passed" "$OUT/selftest-global.txt"
step table 90 $B --batches 128,256,512,1024,4096 --path auto,dequant+cublas
cat "$OUT/table.txt"
LOWBIT_WGMMA_CLUSTER=0 step global 60 $B --batches 128,256,512,1024 --path wgmma --repetitions 20
grep wgmma "$OUT/global.txt"
step small 40 $B --batches 32,64 --path wgmma,fused --repetitions 20
grep -E "wgmma|fused" "$OUT/small.txt"
step bf16 60 $B --activation bf16 --batches 128,512,4096 --path auto --repetitions 20
grep auto "$OUT/bf16.txt"
step selftest-tcfpx 80 $BIN selftest --device cuda --filter tcfpx
grep -E "FAIL|passed" "$OUT/selftest-tcfpx.txt"
