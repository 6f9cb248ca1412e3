#!/bin/bash
# One device call for the small-batch wgmma tiles (BN = 32 / 64), the producer-side activation permute and the
# cost-model dispatch (session 3): self-tests of every TC-FPx path (wgmma included), then the FP6 table with
# auto / fused / wgmma in one run, forced-tile
# timings for calibrating the planner (CALIBRATE="BN/SLABS/WGS …", CAL_N), and fp5 / fp4 at a few N (SMALL).
# BIN = the static lowbit. Step outputs go to $RUN, packed into $OUT/run.tgz at the end (plus the log).
OUT=${OUT:-./out}; mkdir -p "$OUT"
RUN=${RUN:-/tmp/wgmma-run}; mkdir -p "$RUN"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-/tmp/lowbit}
B="$BIN bench gemm --device cuda"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.draw --format=csv > "$RUN/gpu.txt" 2>&1
step() { local name=$1 t=$2; shift 2; echo "== $name ($(date -u +%H:%M:%S)): $*"; timeout $t "$@" 2>&1 | grep -v "^note" > "$RUN/$name.txt"; }
row() { grep -E "^fp[0-9]" "$1" | sed -E 's/ +/ /g' | cut -d" " -f2-5,12,14-; }
if [ -z "$SKIP_SELFTEST" ]; then
  step selftest ${SELFTEST_S:-150} $BIN selftest --device cuda --filter tcfpx
  grep -E "FAIL|passed" "$RUN/selftest.txt" | tail -4
fi
step table ${TABLE_S:-120} $B --format fp6 --batches ${BATCHES:-1,16,32,64,128,256,512,1024,4096} --path ${PATHS:-auto,fused,wgmma} --repetitions 20
row "$RUN/table.txt"
if [ -n "$CALIBRATE" ]; then
  for t in $CALIBRATE; do IFS=/ read bn sl wgs <<< "$t"
    LOWBIT_WGMMA_BN=$bn LOWBIT_WGMMA_SLABS=$sl LOWBIT_WGMMA_WGS=${wgs:-2} step cal-$bn-$sl-${wgs:-2} 40 $B --format fp6 --batches ${CAL_N:-64} --path wgmma --repetitions 10
    row "$RUN/cal-$bn-$sl-${wgs:-2}.txt"
  done
fi
if [ -n "$SMALL" ]; then
  step fp54 60 $B --format fp5,fp4 --batches $SMALL --path auto --repetitions 20
  row "$RUN/fp54.txt"
fi
tar czf "$OUT/run.tgz" -C "$RUN" .
