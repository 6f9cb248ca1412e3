#!/bin/bash
# One GPU-machine call for FLUTE kernel work (run from the carry folder holding lowbit.gz, scripts/,
# Sources/LowBitCUDA/Kernels/flute.cu and flute_v3.cu = the committed v3 kernel): the variant probe
# (scripts/flute_probe.py), the selftest of the current kernel through the Swift binary (LOWBIT_FLUTE_SOURCE),
# the bench table, and ncu warp-state sections of v3 and v5 on 8192x8192. Logs under $OUT; summary last.
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
[ -f lowbit.gz ] && gunzip -f lowbit.gz; chmod +x lowbit
export LOWBIT_FLUTE_SOURCE=$PWD/Sources/LowBitCUDA/Kernels/flute.cu
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader | tee "$OUT/gpu.txt"
date -u | tee -a "$OUT/gpu.txt"
SECONDS=0
timeout ${PROBE_S:-150} python3 scripts/flute_probe.py --v3 flute_v3.cu ${PROBE_ARGS:-} > "$OUT/probe.txt" 2>&1
echo "probe $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
timeout 120 ./lowbit selftest --device cuda --filter flute > "$OUT/selftest.txt" 2>&1
echo "selftest $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
if grep -q FAIL "$OUT/selftest.txt" || ! grep -q PASS "$OUT/selftest.txt"; then
    LOWBIT_FLUTE_SCALE_AHEAD=0 timeout 120 ./lowbit selftest --device cuda --filter flute > "$OUT/selftest-v3scales.txt" 2>&1
fi
timeout ${BENCH_S:-120} ./lowbit bench gemm --device cuda --format nf4,nf3,nf2 --group-size 128 \
    --batches ${BATCHES:-1,4,16} > "$OUT/bench.txt" 2> "$OUT/bench.err"
echo "bench $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
if [ "${NCU:-1}" = 1 ] && command -v ncu >/dev/null; then
    for v in v3 v5; do
        timeout 60 ncu --clock-control none --section SpeedOfLight --section WarpStateStats --section SchedulerStats \
            --section Occupancy -k regex:flute_gemm -s 1 -c 1 \
            python3 scripts/flute_probe.py --v3 flute_v3.cu --ncu $v > "$OUT/ncu-$v.txt" 2>&1
    done
    echo "ncu $SECONDS s" >> "$OUT/gpu.txt"
fi
echo "== gpu"; cat "$OUT/gpu.txt"
echo "== selftest"; grep -c PASS "$OUT/selftest.txt"; grep -v "^PASS\|^      " "$OUT/selftest.txt" | head -12
[ -f "$OUT/selftest-v3scales.txt" ] && { echo "== selftest v3 scales"; grep -c PASS "$OUT/selftest-v3scales.txt"; grep FAIL "$OUT/selftest-v3scales.txt" | head; }
echo "== probe"; grep -v "Warning\|warn\|ExternalStream\|^ *main()" "$OUT/probe.txt" | cut -c1-150 | tail -150
echo "== bench"; cut -c1-120 "$OUT/bench.txt"; tail -3 "$OUT/bench.err"
echo "== ncu"; for v in v3 v5; do grep -E "Duration|Memory Throughput|DRAM Throughput|Issued Ipc|Warp Cycles Per Issued|Achieved Occupancy|No Eligible|Stall|stall" "$OUT/ncu-$v.txt" 2>/dev/null | head -14 | sed "s/^/[$v] /"; done
