#!/bin/bash
# One device call (run 6b, docs/tcfpx.md): TC-FPx self-tests with the defaults, a short A/B of opt-in variants
# (the best intra-CTA split-K shape, the loads-only probe) on two shapes, then the
# FP6 table and the FP5/FP4 table for N = 1…64 with the library defaults (each with the read-kernel reference for the same
# bytes). Run from the folder holding the static `lowbit` (BIN). Logs go to $OUT (or ./out).
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
SHAPES4=8192x8192,10240x8192,57344x8192,8192x28672
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit,driver_version --format=csv > "$OUT/gpu.txt" 2>&1
timeout ${SELFTEST_TIMEOUT:-150} $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest.log" 2>&1
grep -E "FAIL|passed" "$OUT/selftest.log" | cut -c1-200
ab() {   # label, then env assignments
  local label=$1; shift
  env "$@" timeout 60 $BIN bench gemm --device cuda --format fp6 --path fused --shapes ${AB_SHAPES:-8192x8192,57344x8192} \
      --batches ${AB_BATCHES:-1,8,16} --repetitions 20 2>>"$OUT/ab.err" | grep -v -e "read roofline" -e "^note" \
      | sed "s/^/[$label] /" >> "$OUT/ab.txt"
}
while IFS='|' read label envs; do
  [ -n "$label" ] && ab "$label" $envs
# (Run 6b also timed TCFPX_L2HINT=1/2, an L2 prefetch-size hint since removed from the kernel: docs/tcfpx.md, v6.)
done <<< "${AB:-default|
kw2mt2|LOWBIT_TCFPX_KW=2 LOWBIT_TCFPX_MT=2
loads-only|LOWBIT_TCFPX_PROBE=3}"
grep -v "read kernel" "$OUT/ab.txt" | awk '{for(i=1;i<=NF;i++){if($i~/^N=/)n=$i; if($i=="µs"&&!t)t=$(i-1); if($i~/[0-9]×\*?$/&&!x)x=$i}; print $1, $4, n, t, x; t="";x=""}'
grep "read kernel" "$OUT/ab.txt" | head -2
timeout ${BENCH_TIMEOUT:-120} $BIN bench gemm --device cuda --format fp6 --path auto --shapes $SHAPES4 \
    --batches ${BATCHES:-1,2,4,8,16,32,64} --repetitions ${REPS:-30} 2>"$OUT/bench.err" > "$OUT/bench-fp6.txt"
timeout ${BENCH_TIMEOUT:-120} $BIN bench gemm --device cuda --format fp5,fp4 --path auto --shapes $SHAPES4 \
    --batches ${BATCHES2:-1,4,16,32,64} --repetitions ${REPS:-30} 2>"$OUT/bench2.err" > "$OUT/bench-fp5-fp4.txt"
for f in "$OUT/bench-fp6.txt" "$OUT/bench-fp5-fp4.txt"; do
  grep "read kernel" "$f" | awk '{print $3, $4, $(NF-6), $(NF-4), $(NF-1)}'
  grep -v -e "read kernel" -e "read roofline" "$f" | awk '{print $1, $3, $4, $5, $9, $14}'
done
tail -2 "$OUT/bench-fp6.txt"
