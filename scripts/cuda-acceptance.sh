#!/usr/bin/env bash
# Issue 5's acceptance run on a GPU machine, in one call: the static binary's devices, selftest and roofline,
# then the PyTorch baseline on the same shapes and the ratios. Usage (from a folder holding lowbit and
# the scripts): scripts/cuda-acceptance.sh [output folder]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${LOWBIT_BIN:-$here/lowbit}"
out="${1:-${OUT:-/tmp}}"
mkdir -p "$out"
export LOWBIT_CACHE="${LOWBIT_CACHE:-/tmp/lowbit-cache}"
status=0
echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv || true
echo "== lowbit devices"; "$bin" devices || status=1
echo "== lowbit selftest --device cuda"; "$bin" selftest --device cuda 2>&1 | tee "$out/selftest.txt"; [ "${PIPESTATUS[0]}" = 0 ] || status=1
echo "== lowbit selftest (second run: kernels from the disk cache, new random inputs)"; "$bin" selftest --device cuda --filter cuBLAS | tail -n 2 || status=1
echo "== lowbit bench roofline --device cuda --json"; "$bin" bench roofline --device cuda --json > "$out/roofline.json" || status=1
echo "== lowbit bench roofline --device cuda"; "$bin" bench roofline --device cuda --repetitions 30 2>/dev/null | tee "$out/roofline.txt" || status=1
echo "== PyTorch baseline"; PYTHONUNBUFFERED=1 python3 "$here/torch-roofline.py" "$out/roofline.json" 2>&1 | tee "$out/torch.txt" || status=1
if command -v compute-sanitizer >/dev/null; then
    echo "== compute-sanitizer memcheck on the self-tests (report only)"
    timeout 240 compute-sanitizer --tool memcheck --print-limit 20 "$bin" selftest --device cuda 2>&1 | tail -n 25 | tee "$out/memcheck.txt"
fi
echo "== exit status $status"
exit $status
