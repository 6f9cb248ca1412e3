#!/bin/bash
# One device call for the fixed-cost investigation (docs/tcfpx.md, v4): TC-FPx self-tests (default, then with the
# opt-in options forced on), kernel probes that leave one stage out (LOWBIT_TCFPX_PROBE), a sweep of options, an
# optional ncu profile, with the SM clock logged throughout. Run from the folder holding the static `lowbit` (BIN)
# and, optionally, kernel sources to compile instead of the built-in one (SRC, OLDSRC: LOWBIT_TCFPX_SOURCE).
# Logs go to $OUT (or ./out); the short table printed last is what a device call's reply carries.
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
SHAPES=${SHAPES:-8192x8192,57344x8192}
[ -n "$SRC" ] && export LOWBIT_TCFPX_SOURCE=$SRC
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
  timeout ${SELFTEST_TIMEOUT:-120} $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest.log" 2>&1
  grep -E "FAIL|passed" "$OUT/selftest.log"
  if [ -n "$SELFTEST2" ]; then   # e.g. SELFTEST2="LOWBIT_TCFPX_BULK=1 LOWBIT_TCFPX_DEFINES=TCFPX_KINTERLEAVE=1"
    env $SELFTEST2 timeout ${SELFTEST_TIMEOUT:-120} $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest2.log" 2>&1
    grep -E "FAIL|passed" "$OUT/selftest2.log" | sed "s/^/[$SELFTEST2] /"
  fi
fi
B=${PROBE_BATCHES:-1,8,16}
bench base
[ -n "$OLDSRC" ] && bench oldsrc LOWBIT_TCFPX_SOURCE=$OLDSRC
for pr in ${PROBES:-1 2 3 4}; do bench probe$pr LOWBIT_TCFPX_PROBE=$pr; done
[ -n "$PROBES" ] || bench probe3-bulk LOWBIT_TCFPX_PROBE=3 LOWBIT_TCFPX_BULK=1
B=${SWEEP_BATCHES:-1,16,64}
# label|env assignments (space-separated)
while IFS='|' read label envs; do
  [ -n "$label" ] && bench "$label" $envs
done <<< "${SWEEP:-8w|LOWBIT_TCFPX_WARPS=8
8w-2st|LOWBIT_TCFPX_WARPS=8 LOWBIT_TCFPX_STAGES=2
acc2|LOWBIT_TCFPX_ACC2=1
8w-acc2|LOWBIT_TCFPX_WARPS=8 LOWBIT_TCFPX_ACC2=1
bulk|LOWBIT_TCFPX_BULK=1
kint|LOWBIT_TCFPX_DEFINES=TCFPX_KINTERLEAVE=1
bulk-kint|LOWBIT_TCFPX_BULK=1 LOWBIT_TCFPX_DEFINES=TCFPX_KINTERLEAVE=1
6st|LOWBIT_TCFPX_STAGES=6
all8w|LOWBIT_TCFPX_WARPS=8 LOWBIT_TCFPX_ACC2=1 LOWBIT_TCFPX_BULK=1 LOWBIT_TCFPX_DEFINES=TCFPX_KINTERLEAVE=1}"
if [ -n "$NCU" ] && command -v ncu >/dev/null; then
  timeout 90 ncu --clock-control none -k tcfpx_gemm -c 1 --section SpeedOfLight --section WarpStateStats \
    --section MemoryWorkloadAnalysis --section LaunchStats --section Occupancy \
    $BIN bench gemm --device cuda --format fp6 --shapes 8192x8192 --batches 1 --path fused --repetitions 3 \
    > "$OUT/ncu-n1.txt" 2>&1
fi
kill $CLK 2>/dev/null
# label shape N µs speed-up
awk '{for(i=1;i<=NF;i++){if($i~/^N=/)n=$i; if($i=="µs"&&!t)t=$(i-1); if($i~/[0-9]×\*?$/&&!x)x=$i}; print $1, $4, n, t, x; t="";x=""}' "$OUT/probe.txt"
[ -f "$OUT/ncu-n1.txt" ] && grep -E "Duration|SM Frequency|DRAM Throughput|Memory Throughput|Issue Slots|Achieved Occupancy|Warp Cycles Per Issued|Stall|ERR" "$OUT/ncu-n1.txt" | head -24
awk -F, '{print $2}' "$OUT/clocks.csv" | sort | uniq -c | sort -rn | head -4
