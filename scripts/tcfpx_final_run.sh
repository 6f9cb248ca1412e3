#!/bin/bash
# One device call: TC-FPx self-tests (default, then with CANDIDATE's options forced on), a short A/B of the
# options, then the full FP6 table and the FP5/FP4 table with the library's defaults (or, with
# TABLES_WITH_CANDIDATE=1, with the candidate options when their self-tests passed — what run 5 did). Run from the
# folder holding the static `lowbit` (BIN); SRC = kernel source to compile instead of the built-in one
# (LOWBIT_TCFPX_SOURCE). Logs go to $OUT (or ./out).
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
[ -n "$SRC" ] && export LOWBIT_TCFPX_SOURCE=$SRC
CANDIDATE=${CANDIDATE:-LOWBIT_TCFPX_CLUSTER=1 LOWBIT_TCFPX_ACC2=1}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
timeout 120 $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest.log" 2>&1
grep -E "FAIL|passed" "$OUT/selftest.log"
env $CANDIDATE timeout 120 $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest2.log" 2>&1
grep -E "FAIL|passed" "$OUT/selftest2.log" | sed "s/^/[$CANDIDATE] /"
FINAL=""
if [ -n "$TABLES_WITH_CANDIDATE" ]; then
  grep -q "FAIL" "$OUT/selftest2.log" || ! grep -q "passed" "$OUT/selftest2.log" || FINAL=$CANDIDATE
fi
echo "final options: ${FINAL:-defaults}"
bench() {   # label, then env assignments
  local label=$1; shift
  env "$@" timeout 90 $BIN bench gemm --device cuda --format fp6 --path fused --shapes ${AB_SHAPES:-8192x8192,57344x8192} \
      --batches ${AB_BATCHES:-1,8,16,64} --repetitions 20 2>>"$OUT/bench.err" | grep -v -e roofline -e "^note" \
      | sed "s/^/[$label] /" >> "$OUT/ab.txt"
}
while IFS='|' read label envs; do
  [ -n "$label" ] && bench "$label" $envs
done <<< "${AB:-default|
global|LOWBIT_TCFPX_CLUSTER=0
cluster|LOWBIT_TCFPX_CLUSTER=1
no-acc2|LOWBIT_TCFPX_ACC2=0
8w|LOWBIT_TCFPX_WARPS=8}"
awk '{for(i=1;i<=NF;i++){if($i~/^N=/)n=$i; if($i=="µs"&&!t)t=$(i-1); if($i~/[0-9]×\*?$/&&!x)x=$i}; print $1, $4, n, t, x; t="";x=""}' "$OUT/ab.txt"
env $FINAL timeout ${BENCH_TIMEOUT:-200} $BIN bench gemm --device cuda --format fp6 --path auto \
    --shapes 8192x8192,10240x8192,57344x8192,8192x28672 \
    --batches ${BATCHES:-1,2,4,8,16,32,64,128,256,512,1024,4096} --repetitions ${REPS:-30} 2>"$OUT/bench.err2" > "$OUT/bench.txt"
env $FINAL timeout ${BENCH_TIMEOUT:-200} $BIN bench gemm --device cuda --format fp5,fp4 --path auto \
    --shapes 8192x8192,10240x8192,57344x8192,8192x28672 --batches ${BATCHES2:-1,16,64,256} \
    --repetitions ${REPS:-30} 2>"$OUT/bench2.err" > "$OUT/bench2.txt"
awk '{print $3, $4, $5, $9, $14}' "$OUT/bench.txt"
awk '{print $1, $3, $4, $5, $9, $14}' "$OUT/bench2.txt"
