#!/bin/bash
# One device call for the wgmma path's acceptance: its self-tests, the TC-FPx suite as a whole (dispatcher), the
# FP6 table with the auto path and dequantize + cuBLAS in the same run, the N = 32/64 threshold check and BF16.
# Run from the folder holding the static `lowbit` (BIN). Logs under $OUT. (Run 4 used the version of commit
# f30ea41, which also checked the since removed cluster reduction.)
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
B="$BIN bench gemm --device cuda --format fp6"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
step() { local name=$1 t=$2; shift 2; echo "== $name: $*"; timeout $t "$@" 2>&1 | grep -v "^note" > "$OUT/$name.txt"; }
step selftest 90 $BIN selftest --device cuda --filter wgmma
grep -E "FAIL|passed" "$OUT/selftest.txt"
step table 90 $B --batches 128,256,512,1024,4096 --path auto,dequant+cublas
cat "$OUT/table.txt"
step small 40 $B --batches 32,64 --path wgmma,fused --repetitions 20
grep -E "wgmma|fused" "$OUT/small.txt"
step bf16 60 $B --activation bf16 --batches 128,512,4096 --path auto --repetitions 20
grep auto "$OUT/bf16.txt"
step selftest-tcfpx 80 $BIN selftest --device cuda --filter tcfpx
grep -E "FAIL|passed" "$OUT/selftest-tcfpx.txt"
