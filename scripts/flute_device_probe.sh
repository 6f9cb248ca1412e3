#!/bin/bash
# One GPU-machine call for FLUTE kernel work (run from the carry folder holding lowbit.gz, scripts/,
# Sources/LowBitCUDA/Kernels/flute.cu and flute_v3.cu = the committed v3 kernel):
#  1. the variant probe (scripts/flute_probe.py: timings of kernel variants side by side, each checked);
#  2. picks the fastest correct launch configuration the Swift launcher can express (A: defaults, B: +reduce-lite,
#     C: B + activations in shared memory + scales in the ring, E: C with activations loaded at use, E6/E8: E with
#     6/8 chunks in flight), by the probe's nf4 N=1 times (2% better than the previous pick to win);
#  3. selftest of that configuration through the Swift binary (LOWBIT_FLUTE_SOURCE = this flute.cu); if it
#     fails, the selftest of A as well;
#  4. the bench table of that configuration; ncu of v3 and the pick on 8192x8192.
# Logs under $OUT (8 files at most come back); a summary is printed last.
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
[ -f lowbit.gz ] && gunzip -f lowbit.gz; chmod +x lowbit
export LOWBIT_FLUTE_SOURCE=$PWD/Sources/LowBitCUDA/Kernels/flute.cu
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader | tee "$OUT/gpu.txt"
date -u | tee -a "$OUT/gpu.txt"
SECONDS=0
timeout ${PROBE_S:-170} python3 scripts/flute_probe.py --v3 flute_v3.cu --json /tmp/probe.json ${PROBE_ARGS:-} > "$OUT/probe.txt" 2>&1
echo "probe $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
PICK=$(python3 - <<'EOF'
import json
try: r = json.load(open("/tmp/probe.json"))
except Exception: r = []
names = {"A": "A: v3 + fill-first", "B": "B: A + reduce-lite", "C": "C: B + xsmem + scale-ahead",
         "E": "E: C, x slots 1", "E6": "E prefetch 6", "E8": "E prefetch 8"}
def total(k):
    pts = [x for x in r if x["bits"] == 4 and x["M"] == 1 and x["variant"] == names[k] and x["shape"] in ("8192x8192", "57344x8192")]
    if len(pts) != 2 or not all(x["ok"] for x in pts): return None
    return sum(x["us"] for x in pts)
t = {k: total(k) for k in names}
best = "A"
for k in ("B", "C", "E", "E6", "E8"):
    if t[k] is not None and t["A"] is not None and t[k] < 0.98 * t[best]: best = k
print(best)
EOF
)
echo "pick $PICK" | tee -a "$OUT/gpu.txt"
pick_env() {  # the Swift launcher's settings for configuration $1
    case "$1" in
        B) echo "LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1" ;;
        C) echo "LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1 LOWBIT_FLUTE_XSMEM_BYTES=49152" ;;
        E) echo "LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1,FLUTE_XSMEM_SLOTS=1 LOWBIT_FLUTE_XSMEM_BYTES=49152" ;;
        E6) echo "LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1,FLUTE_XSMEM_SLOTS=1 LOWBIT_FLUTE_XSMEM_BYTES=49152 LOWBIT_FLUTE_XSMEM_PREFETCH=6" ;;
        E8) echo "LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1,FLUTE_XSMEM_SLOTS=1 LOWBIT_FLUTE_XSMEM_BYTES=49152 LOWBIT_FLUTE_XSMEM_PREFETCH=8" ;;
        *) echo "LOWBIT_FLUTE_SCALE_AHEAD=0" ;;
    esac
}
env $(pick_env $PICK) timeout 120 ./lowbit selftest --device cuda --filter flute > "$OUT/selftest.txt" 2>&1
echo "selftest $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
if [ "$PICK" != A ] && { grep -q FAIL "$OUT/selftest.txt" || ! grep -q "28 of 28" "$OUT/selftest.txt"; }; then
    echo "pick $PICK failed its selftest: A" >> "$OUT/gpu.txt"; PICK=A
    env $(pick_env A) timeout 120 ./lowbit selftest --device cuda --filter flute > "$OUT/selftest-A.txt" 2>&1
fi
env $(pick_env $PICK) timeout ${BENCH_S:-120} ./lowbit bench gemm --device cuda --format nf4,nf3,nf2 --group-size 128 \
    --batches ${BATCHES:-1,2,4,8,16,512} > "$OUT/bench.txt" 2> "$OUT/bench.err"
echo "bench $SECONDS s" >> "$OUT/gpu.txt"; SECONDS=0
if [ "${NCU:-1}" = 1 ] && command -v ncu >/dev/null; then
    for v in v3 $(case "$PICK" in C) echo C ;; E*) echo E ;; *) echo A ;; esac); do
        timeout 60 ncu --clock-control none --section SpeedOfLight --section WarpStateStats --section SchedulerStats \
            --section Occupancy -k regex:flute_gemm -s 1 -c 1 \
            python3 scripts/flute_probe.py --v3 flute_v3.cu --ncu $v > "$OUT/ncu-$v.txt" 2>&1
    done
    echo "ncu $SECONDS s" >> "$OUT/gpu.txt"
fi
echo "== gpu"; cat "$OUT/gpu.txt"
echo "== selftest"; grep -v "^PASS\|^      " "$OUT/selftest.txt" | head -12
[ -f "$OUT/selftest-A.txt" ] && { echo "== selftest A"; grep -v "^PASS\|^      " "$OUT/selftest-A.txt" | head; }
echo "== probe"; grep -v "Warning\|warn\|ExternalStream\|^ *main()" "$OUT/probe.txt" | grep -v "^  v3 (c\|^  read" | cut -c1-140 | tail -120
echo "== bench"; cut -c1-110 "$OUT/bench.txt"; tail -2 "$OUT/bench.err"
echo "== ncu"; for f in "$OUT"/ncu-*.txt; do grep -E "Duration|DRAM Throughput|One or More Eligible|Warp Cycles Per Issued" "$f" 2>/dev/null | head -5 | sed "s|^|[$(basename $f)] |"; done
