#!/bin/bash
# flute, session 4 (issue 7), last GPU call: the final binary's selftest (--filter flute), its nf4 bench and
# torch._weight_int4pack_mm in the same call, then one A/B (20 streaming warps). Run from the repository root:
# LOWBIT=/path/to/lowbit scripts/flute_s4_last.sh
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
L=${LOWBIT:-/tmp/lowbit}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader
date -u
B="$L bench gemm --device cuda --group-size 128 --repetitions 30"
bench() {  # name, format, batches, env...
    local name=$1 fmt=$2 batches=$3; shift 3
    echo "=== $name: $* --format $fmt --batches $batches"
    SECONDS=0
    env "$@" timeout 60 $B --format "$fmt" --batches "$batches" 2>"$OUT/tmp.err" | grep "auto\|read kernel" | sed "s/^/[$name] /"
    grep -i "error\|trap\|fail" "$OUT/tmp.err" | head -3
    echo "($SECONDS s)"
}
bench final nf4 1,2,4,8 LOWBIT_X=0
echo "=== torch int4"; SECONDS=0
timeout 60 python3 scripts/torch_int4_baseline.py --batches 1,2,4,8 2>&1 | grep -v Warn | grep -v "spin(spin_us)"
echo "($SECONDS s)"
bench warps20 nf4 1,2 LOWBIT_FLUTE_STREAM_WARPS=20
echo "=== selftest --filter flute (final binary, defaults)"; SECONDS=0
timeout 100 $L selftest --device cuda --filter flute > "$OUT/selftest.txt" 2>&1; echo "rc=$?"
grep -v "^PASS\|^      " "$OUT/selftest.txt" | tail -5; echo "($SECONDS s)"
