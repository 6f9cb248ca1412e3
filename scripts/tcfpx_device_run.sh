#!/bin/bash
# One device call: TC-FPx selftests, a sweep of tuning overrides, then the bench. Run from the folder holding
# the static `lowbit` binary (BIN); logs go to $OUT (or ./out).
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv | tee "$OUT/gpu.txt"
timeout ${SELFTEST_TIMEOUT:-200} $BIN selftest --device cuda --filter "${FILTER:-tcfpx}" > "$OUT/selftest.log" 2>&1
grep -E "FAIL|passed" "$OUT/selftest.log"
if [ -n "$NCU" ] && command -v ncu >/dev/null; then   # hardware counters of the fused kernel (Firecracker machines)
  for n in 1 16; do
    timeout 240 ncu --clock-control none -k tcfpx_gemm -c 2 --section SpeedOfLight --section WarpStateStats \
      --section MemoryWorkloadAnalysis --section LaunchStats --section Occupancy \
      $BIN bench gemm --device cuda --format fp6 --shapes 8192x8192 --batches $n --path fused --repetitions 3 \
      > "$OUT/ncu-n$n.txt" 2>&1
    grep -E "Duration|Memory Throughput|DRAM Throughput|Achieved Occupancy|Issue Slots Busy|Stall|Warp Cycles" "$OUT/ncu-n$n.txt" | head -20
  done
fi
if [ -n "$SWEEP" ]; then
  for cfg in $SWEEP; do   # cfg = stages:warps:acc2, e.g. SWEEP="4:4:0 2:8:0 4:4:1 2:8:1"
    IFS=: read st wp a2 <<< "$cfg"
    LOWBIT_TCFPX_STAGES=$st LOWBIT_TCFPX_WARPS=$wp LOWBIT_TCFPX_ACC2=$a2 timeout 120 $BIN bench gemm --device cuda --format fp6 \
      --path fused --shapes ${SWEEP_SHAPES:-8192x8192,57344x8192} --batches ${SWEEP_BATCHES:-1,16,64} --repetitions 20 \
      2>/dev/null | grep -v roofline | sed "s/^/[$cfg] /" | tee -a "$OUT/sweep.txt" | awk '{print $1, $4, $5, $6, $10, $16}'
  done
fi
timeout ${BENCH_TIMEOUT:-300} $BIN bench gemm --device cuda --format ${FORMATS:-fp6} --path ${PATHS:-auto} \
    --shapes ${SHAPES:-8192x8192,10240x8192,57344x8192,8192x28672} \
    --batches ${BATCHES:-1,2,4,8,16,32,64,128,256,512,1024,4096} --repetitions ${REPS:-30} ${EXTRA:-} 2>"$OUT/bench.err" \
    > "$OUT/bench.txt"
if [ -n "$FORMATS2" ]; then
  timeout ${BENCH_TIMEOUT:-300} $BIN bench gemm --device cuda --format $FORMATS2 --path auto \
      --shapes ${SHAPES:-8192x8192,10240x8192,57344x8192,8192x28672} --batches ${BATCHES2:-1,16,64,256} \
      --repetitions ${REPS:-30} 2>"$OUT/bench2.err" > "$OUT/bench2.txt"
fi
cut -c1-118 "$OUT/bench.txt"; grep -E "weights/s" "$OUT/bench.err" | head -4
[ -f "$OUT/bench2.txt" ] && cut -c1-118 "$OUT/bench2.txt"
