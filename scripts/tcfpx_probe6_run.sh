#!/bin/bash
# One device call for v6 (intra-CTA split-K, docs/tcfpx.md): TC-FPx self-tests with the defaults, then the fused
# kernel's CTA shapes (LOWBIT_TCFPX_KW = warps along K, _MT = row tiles per warp, _WARPS, _STAGES) timed on the four
# Llama-2-70B shapes at small batches, and the empty-kernel probe of the default grid. Run from the folder holding the
# static `lowbit` (BIN). Logs go to $OUT (or ./out); the short table printed last is what the reply carries.
OUT=${OUT:-./out}; mkdir -p "$OUT"
export LOWBIT_CACHE=/tmp/lowbit-cache
BIN=${BIN:-./lowbit}
SHAPES=${SHAPES:-8192x8192,10240x8192,57344x8192,8192x28672}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw,power.limit --format=csv > "$OUT/gpu.txt" 2>&1
if [ -z "$SKIP_SELFTEST" ]; then
  timeout ${SELFTEST_TIMEOUT:-150} $BIN selftest --device cuda --filter tcfpx > "$OUT/selftest.log" 2>&1
  grep -E "FAIL|passed" "$OUT/selftest.log" | cut -c1-200
fi
bench() {   # label, then env assignments; fused path, $SHAPES × $B
  local label=$1; shift
  env "$@" timeout 90 $BIN bench gemm --device cuda --format ${FORMAT:-fp6} --path fused --shapes "$SHAPES" \
      --batches "$B" --repetitions ${REPS:-20} 2>>"$OUT/bench.err" | grep -v -e roofline -e "^note" \
      | sed "s/^/[$label] /" >> "$OUT/probe.txt"
}
B=${BATCHES:-1,8,16,32,64}
while IFS='|' read label envs; do
  [ -n "$label" ] && bench "$label" $envs
done <<< "${SWEEP:-default|
kw1|LOWBIT_TCFPX_KW=1
kw4mt1s6|LOWBIT_TCFPX_KW=4 LOWBIT_TCFPX_MT=1 LOWBIT_TCFPX_STAGES=6
kw4mt2|LOWBIT_TCFPX_KW=4 LOWBIT_TCFPX_MT=2
kw8w8|LOWBIT_TCFPX_KW=8 LOWBIT_TCFPX_WARPS=8 LOWBIT_TCFPX_MT=1
kw2mt1|LOWBIT_TCFPX_KW=2 LOWBIT_TCFPX_MT=1
kw2mt2|LOWBIT_TCFPX_KW=2 LOWBIT_TCFPX_MT=2
kw4w8mt1|LOWBIT_TCFPX_KW=4 LOWBIT_TCFPX_WARPS=8 LOWBIT_TCFPX_MT=1}"
B=1 bench probe1 LOWBIT_TCFPX_PROBE=1
# label shape N µs speed-up plan
awk '{for(i=1;i<=NF;i++){if($i~/^N=/)n=$i; if($i=="µs"&&!t)t=$(i-1); if($i~/[0-9]×\*?$/&&!x)x=$i}; print $1, $4, n, t, x; t="";x=""}' "$OUT/probe.txt"
