#!/bin/bash
# One device call for the wgmma large-batch path: GPU self-tests, then the bench of each tile configuration
# (CONFIGS: "label|ENV=… ENV=…" lines) on the Llama-2-70B shapes, plus the dequantize + cuBLAS path, all in the
# same run (same cuBLAS baseline). Run from the folder holding the static `lowbit` (BIN). Logs go to $OUT.
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
FORMAT=${FORMAT:-fp6}
EXTRA=${EXTRA:-}
BATCHES=${BATCHES:-128,256,512,1024,4096}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
timeout ${SELFTEST_S:-150} $BIN selftest --device cuda --filter "${FILTER:-wgmma}" > "$OUT/selftest.log" 2>&1
grep -E "FAIL|passed|error" "$OUT/selftest.log" | head -40
while IFS='|' read label envs; do
  [ -z "$label" ] && continue
  echo "== $label ($envs)"
  env $envs timeout ${BENCH_S:-100} $BIN bench gemm --device cuda --format $FORMAT $EXTRA --path ${PATHS:-wgmma} \
      --batches $BATCHES --repetitions ${REPS:-20} 2>&1 | grep -v "^note" | tee -a "$OUT/bench-$label.txt"
done <<< "${CONFIGS:-default|}"
