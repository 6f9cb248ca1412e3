#!/bin/bash
# flute, session 4 (issue 7): one GPU call of the H100 A/B. Run from the repository root:
#   LOWBIT=/path/to/lowbit scripts/flute_s4_ab.sh call1|call2|last
# call1: the streaming options by environment against the old default (nf4 g128, N = 1, 2, 4, 8), torch int4, selftest
#        with the options forced on for every N <= 8 (ring depth 8);
# call2: selftest of the binary's defaults, its bench against the old default and torch in the same call, then kernel
#        variants (ring depth, warps, split accumulators, scale ring), then nf3/nf2;
# last:  bench + torch + 20 warps + selftest (the check that branch flute-async, scale ring on, needs).
set -u
MODE=${1:-call2}
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
L=${LOWBIT:-/tmp/lowbit}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader
date -u
B="$L bench gemm --device cuda --group-size 128 --repetitions 30"
ALL="LOWBIT_FLUTE_STREAM_RWARP=1 LOWBIT_FLUTE_STREAM_EARLY=1 LOWBIT_FLUTE_STREAM_PACK=1"
OLD="LOWBIT_FLUTE_STREAM_RWARP=0 LOWBIT_FLUTE_STREAM_EARLY=0 LOWBIT_FLUTE_STREAM_PACK=0 LOWBIT_FLUTE_STREAM_ROWS=1"
bench() {  # name, format, batches, env...
    local name=$1 fmt=$2 batches=$3; shift 3
    echo "=== $name: $* --format $fmt --batches $batches"
    SECONDS=0
    env "$@" timeout 75 $B --format "$fmt" --batches "$batches" 2>"$OUT/tmp.err" | grep "auto\|read kernel" | sed "s/^/[$name] /"
    grep -i "error\|trap\|fail" "$OUT/tmp.err" | head -3
    echo "($SECONDS s)"
}
torch_int4() {
    echo "=== torch int4"; SECONDS=0
    timeout 90 python3 scripts/torch_int4_baseline.py --batches 1,2,4,8 2>&1 | grep -v Warn | grep -v "spin(spin_us)"
    echo "($SECONDS s)"
}
selftest() {  # file tag, filter, env...
    local tag=$1 filter=$2; shift 2
    echo "=== selftest $tag: $* --filter $filter"; SECONDS=0
    env "$@" timeout 120 $L selftest --device cuda --filter "$filter" > "$OUT/selftest-$tag.txt" 2>&1; echo "rc=$?"
    grep -v "^PASS\|^      " "$OUT/selftest-$tag.txt" | tail -5; echo "($SECONDS s)"
}
case "$MODE" in
call1)
    bench V0-default nf4 1,2,4,8 $OLD
    bench V3-all-pf6 nf4 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2
    bench V4-all-pf8 nf4 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2 LOWBIT_FLUTE_STREAM_PREFETCH=8
    bench V5-all-pf10 nf4 1,2 $ALL LOWBIT_FLUTE_STREAM_ROWS=2 LOWBIT_FLUTE_STREAM_PREFETCH=10
    torch_int4
    bench V1-early nf4 1 LOWBIT_FLUTE_STREAM_EARLY=1 LOWBIT_FLUTE_STREAM_RWARP=0 LOWBIT_FLUTE_STREAM_PACK=0 LOWBIT_FLUTE_STREAM_ROWS=1
    bench V2-rwarp nf4 1 LOWBIT_FLUTE_STREAM_RWARP=1 LOWBIT_FLUTE_STREAM_EARLY=0 LOWBIT_FLUTE_STREAM_PACK=0 LOWBIT_FLUTE_STREAM_ROWS=1
    bench V6-all-pf8-rows8 nf4 4,8 $ALL LOWBIT_FLUTE_STREAM_ROWS=8 LOWBIT_FLUTE_STREAM_PREFETCH=8 LOWBIT_FLUTE_STREAM_SLOTS=2
    selftest forced-n "flute n" $ALL LOWBIT_FLUTE_STREAM_ROWS=8 LOWBIT_FLUTE_STREAM_PREFETCH=8
    selftest forced-l "flute l" $ALL LOWBIT_FLUTE_STREAM_ROWS=8 LOWBIT_FLUTE_STREAM_PREFETCH=8 ;;
call2)
    selftest defaults flute
    bench final nf4 1,2,4,8
    torch_int4
    bench old-default nf4 1,2,4,8 $OLD
    bench final-again nf4 1,2
    bench pf4 nf4 1,2 LOWBIT_FLUTE_STREAM_PREFETCH=4
    bench split-acc nf4 1,2 LOWBIT_FLUTE_DEFINES=FLUTE_SPLIT_ACC=1
    bench warps12 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=12
    bench warps20 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=20
    bench async-scale nf4 1,2 LOWBIT_FLUTE_DEFINES=FLUTE_ASYNC_SCALE=1
    bench final-nf4-16 nf4 16
    bench final-nf32 nf3,nf2 1,2,4,8,16 ;;
last)
    bench final nf4 1,2,4,8
    torch_int4
    bench warps20 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=20
    selftest defaults flute ;;
*) echo "usage: $0 call1|call2|last"; exit 2 ;;
esac
