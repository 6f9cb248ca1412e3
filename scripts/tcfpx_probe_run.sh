#!/bin/bash
# One device call for the fixed-cost investigation (docs/tcfpx.md, v4): TC-FPx self-tests, kernel probes that
# leave one stage out (LOWBIT_TCFPX_PROBE), a sweep of the opt-in options (stages:warps:acc2:bulk), an optional
# ncu profile, with the SM clock logged throughout. Run from the folder holding the static `lowbit` (BIN).
# Logs go to $OUT (or ./out); the short table printed last is what a device call's reply carries.
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
SHAPES=${SHAPES:-8192x8192,57344x8192}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv,noheader -lms 250 \
    > "$OUT/clocks.csv" 2>&1 &
CLK=$!
bench() {   # label, then env assignments; fused path, $SHAPES × $B
  local label=$1; shift
  env "$@" timeout 90 $BIN bench gemm --device cuda --format fp6 --path fused --shapes "$SHAPES" --batches "$B" \
      --repetitions ${REPS:-20} 2>>"$OUT/bench.err" | grep -v -e roofline -e "^note" | sed "s/^/[$label] /" >> "$OUT/probe.txt"
}
if [ -z "$SKIP_SELFTEST" ]; then
  timeout ${SELFTEST_TIMEOUT:-150} $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest.log" 2>&1
  grep -E "FAIL|passed" "$OUT/selftest.log"
fi
B=${PROBE_BATCHES:-1,16}
bench base
bench empty LOWBIT_TCFPX_PROBE=1
bench noloop LOWBIT_TCFPX_PROBE=2
bench loads LOWBIT_TCFPX_PROBE=3
bench noAload LOWBIT_TCFPX_PROBE=4
bench loads-bulk LOWBIT_TCFPX_PROBE=3 LOWBIT_TCFPX_BULK=1
B=${SWEEP_BATCHES:-1,16,64}
for cfg in ${SWEEP:-0:4:0:0 0:8:0:0 2:8:0:0 0:4:1:0 0:8:1:0 0:4:0:1 0:8:1:1}; do
  IFS=: read st wp a2 bk <<< "$cfg"
  bench "$cfg" LOWBIT_TCFPX_STAGES=$st LOWBIT_TCFPX_WARPS=$wp LOWBIT_TCFPX_ACC2=$a2 LOWBIT_TCFPX_BULK=$bk
done
if [ -n "$NCU" ] && command -v ncu >/dev/null; then
  timeout 90 ncu --clock-control none -k tcfpx_gemm -c 1 --section SpeedOfLight --section WarpStateStats \
    --section MemoryWorkloadAnalysis --section LaunchStats --section Occupancy \
    $BIN bench gemm --device cuda --format fp6 --shapes 8192x8192 --batches 1 --path fused --repetitions 3 \
    > "$OUT/ncu-n1.txt" 2>&1
fi
kill $CLK 2>/dev/null
# label shape N µs speed-up (and plan flags)
awk '{for(i=1;i<=NF;i++){if($i~/^N=/)n=$i; if($i=="µs"&&!t)t=$(i-1); if($i~/[0-9]×\*?$/&&!x)x=$i}; print $1, $4, n, t, x; t="";x=""}' "$OUT/probe.txt"
[ -f "$OUT/ncu-n1.txt" ] && grep -E "Duration|SM Frequency|DRAM Throughput|Memory Throughput|Issue Slots|Achieved Occupancy|Warp Cycles Per Issued|Stall" "$OUT/ncu-n1.txt" | head -24
sort -t, -k2 "$OUT/clocks.csv" | awk -F, '{print $2}' | sort | uniq -c | sort -rn | head -4
