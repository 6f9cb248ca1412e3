#!/bin/bash
# One GPU-machine call for FLUTE (run from the folder holding `lowbit`, scripts/ and Sources/…/flute.cu):
# selftest, the bench table (nf4/nf3/nf2, G = 128), a launch-configuration sweep, PyTorch's int4 kernel, and
# the CuPy harness's quick correctness pass. Everything goes to $OUT; a summary is printed last.
set -u
OUT=${OUT:-/tmp/flute-out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu --format=csv,noheader | tee "$OUT/gpu.txt"
./lowbit selftest --device cuda --filter flute 2>&1 | tee "$OUT/selftest.txt"
./lowbit bench gemm --device cuda --format nf4,nf3,nf2 --group-size 128 \
    --batches ${BATCHES:-1,2,4,8,16,32,64,128,256,1024,4096} > "$OUT/bench.txt" 2> "$OUT/bench.err"
for v in ${SWEEP:-}; do  # warps/prefetch/ctasPerSM
    IFS=/ read w p c <<< "$v"
    LOWBIT_FLUTE_WARPS=$w LOWBIT_FLUTE_PREFETCH=$p LOWBIT_FLUTE_CTAS_PER_SM=$c ./lowbit bench gemm --device cuda \
        --format nf4,nf2 --shapes 8192x8192,57344x8192 --batches 1,16 2>/dev/null | sed "s|^|[$v] |" >> "$OUT/sweep.txt"
done
if [ "${EXPERIMENTAL_TOO:-1}" = 1 ]; then  # the opt-in variant (docs/flute.md, v6 "C"), side by side
    export LOWBIT_FLUTE_DEFINES=FLUTE_REDUCE_LITE=1 LOWBIT_FLUTE_XSMEM_BYTES=49152
    ./lowbit selftest --device cuda --filter flute > "$OUT/selftest-exp.txt" 2>&1
    ./lowbit bench gemm --device cuda --format nf4,nf3,nf2 --group-size 128 \
        --batches 1,4,16,64,512,4096 > "$OUT/bench-exp.txt" 2> "$OUT/bench-exp.err"
    unset LOWBIT_FLUTE_DEFINES LOWBIT_FLUTE_XSMEM_BYTES
fi
python3 scripts/torch_int4_baseline.py --batches ${TORCH_BATCHES:-1,2,4,8,16,32,64,128,256,1024,4096} > "$OUT/torch.txt" 2>&1
python3 scripts/flute_gpu_harness.py --quick --skip-timing > "$OUT/harness.txt" 2>&1
echo "== selftest"; grep -c PASS "$OUT/selftest.txt"; grep -v PASS "$OUT/selftest.txt" | head -20
echo "== bench"; cut -c1-150 "$OUT/bench.txt"
echo "== experimental"; grep -c PASS "$OUT/selftest-exp.txt" 2>/dev/null; grep FAIL "$OUT/selftest-exp.txt" 2>/dev/null | head; cut -c1-150 "$OUT/bench-exp.txt" 2>/dev/null
echo "== sweep"; cat "$OUT/sweep.txt" 2>/dev/null | cut -c1-120
echo "== torch"; cat "$OUT/torch.txt" | head -60
echo "== harness"; tail -3 "$OUT/harness.txt"
