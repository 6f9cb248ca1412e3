#!/bin/bash
# flute, session 4 (issue 7), second GPU call: the final binary's selftest, its nf4 bench against the old default and
# torch._weight_int4pack_mm in the same call, then kernel variants (ring depth, warps, split accumulators, scales by
# cp.async), then nf3/nf2 (unchanged kernels). Run from the repository root: LOWBIT=/path/to/lowbit scripts/flute_s4_final.sh
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
L=${LOWBIT:-/tmp/lowbit}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader
date -u
echo "=== selftest --filter flute (final binary, defaults)"; SECONDS=0
timeout 120 $L selftest --device cuda --filter flute > "$OUT/selftest.txt" 2>&1; echo "rc=$?"
grep -v "^PASS\|^      " "$OUT/selftest.txt" | tail -5; echo "($SECONDS s)"
B="$L bench gemm --device cuda --group-size 128 --repetitions 30"
bench() {  # name, format, batches, env...
    local name=$1 fmt=$2 batches=$3; shift 3
    echo "=== $name: $* --format $fmt --batches $batches"
    SECONDS=0
    env "$@" timeout 75 $B --format "$fmt" --batches "$batches" 2>"$OUT/tmp.err" | grep "auto\|read kernel" | sed "s/^/[$name] /"
    grep -i "error\|trap\|fail" "$OUT/tmp.err" | head -3
    echo "($SECONDS s)"
}
bench final nf4 1,2,4,8 LOWBIT_X=0
echo "=== torch int4"; SECONDS=0
timeout 90 python3 scripts/torch_int4_baseline.py --batches 1,2,4,8 2>&1 | grep -v Warn | grep -v "spin(spin_us)"
echo "($SECONDS s)"
bench old-default nf4 1,2,4,8 LOWBIT_FLUTE_STREAM_RWARP=0 LOWBIT_FLUTE_STREAM_EARLY=0 LOWBIT_FLUTE_STREAM_PACK=0 LOWBIT_FLUTE_STREAM_ROWS=1
bench final-again nf4 1,2 LOWBIT_X=0
bench pf4 nf4 1,2 LOWBIT_FLUTE_STREAM_PREFETCH=4
bench split-acc nf4 1,2 LOWBIT_FLUTE_DEFINES=FLUTE_SPLIT_ACC=1
bench warps12 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=12
bench warps20 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=20
bench async-scale nf4 1,2 LOWBIT_FLUTE_DEFINES=FLUTE_ASYNC_SCALE=1
bench final-nf4-16 nf4 16 LOWBIT_X=0
bench final-nf32 nf3,nf2 1,2,4,8,16 LOWBIT_X=0
