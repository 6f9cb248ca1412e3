#!/bin/bash
# flute, session 4 (issue 7): one GPU call = A/B of the streaming-kernel options against the default (nf4 g128,
# N = 1, 2, 4, 8, the Llama-2-70B shapes), torch._weight_int4pack_mm on the same shapes, and the selftest with the
# options forced on for every N <= 8. Run from the repository root: LOWBIT=/path/to/lowbit scripts/flute_s4_ab.sh
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
L=${LOWBIT:-/tmp/lowbit}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader
date -u
B="$L bench gemm --device cuda --format nf4 --group-size 128 --repetitions 30"
ALL="LOWBIT_FLUTE_STREAM_RWARP=1 LOWBIT_FLUTE_STREAM_EARLY=1 LOWBIT_FLUTE_STREAM_PACK=1"
bench() {  # name, batches, env...
    local name=$1 batches=$2; shift 2
    echo "=== $name: $* --batches $batches"
    SECONDS=0
    env "$@" timeout 75 $B --batches "$batches" 2>"$OUT/tmp.err" | grep "auto" | sed "s/^/[$name] /"
    grep -i "error\|trap\|fail" "$OUT/tmp.err" | head -3
    echo "($SECONDS s)"
}
bench V0-default 1,2,4,8 LOWBIT_X=0
bench V3-all-pf6 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2
bench V4-all-pf8 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2 LOWBIT_FLUTE_STREAM_PREFETCH=8
bench V5-all-pf10 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2 LOWBIT_FLUTE_STREAM_PREFETCH=10
echo "=== torch int4"; SECONDS=0
timeout 90 python3 scripts/torch_int4_baseline.py --batches 1,2,4,8 2>&1 | grep -v Warn | grep -v "spin(spin_us)"
echo "($SECONDS s)"
bench V1-early 1 LOWBIT_FLUTE_STREAM_EARLY=1
bench V2-rwarp 1 LOWBIT_FLUTE_STREAM_RWARP=1
bench V6-all-pf8-rows8 4,8 $ALL LOWBIT_FLUTE_STREAM_ROWS=8 LOWBIT_FLUTE_STREAM_PREFETCH=8 LOWBIT_FLUTE_STREAM_SLOTS=2
echo "=== selftest, options forced on for N <= 8 (pf8)"; SECONDS=0
for f in "flute n" "flute l"; do
    env $ALL LOWBIT_FLUTE_STREAM_ROWS=8 LOWBIT_FLUTE_STREAM_PREFETCH=8 timeout 90 $L selftest --device cuda --filter "$f" \
        > "$OUT/selftest-${f// /_}.txt" 2>&1
    grep -v "^PASS\|^      " "$OUT/selftest-${f// /_}.txt" | tail -5
done
echo "($SECONDS s)"
