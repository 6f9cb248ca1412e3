#!/usr/bin/env bash
# CI without a GPU: compile every embedded CUDA kernel with NVRTC for sm_80 and sm_90a, failing on any
# compile error or on register spills a kernel does not declare acceptable (CUDAKernelSource.allowedSpillBytes).
# NVRTC and the CUDA headers come from pip (nvidia-cuda-nvrtc, nvidia-cuda-runtime) in a venv cached under
# ~/.cache/lowbit/cuda-ci (created once). Usage: scripts/ci-cuda-compile.sh [architectures, default sm_80,sm_90a]
set -euo pipefail
cd "$(dirname "$0")/.."
archs="${1:-sm_80,sm_90a}"
cache="${LOWBIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lowbit}/cuda-ci"
venv="$cache/venv"

find_cu13() { ls -d "$venv"/lib/python3*/site-packages/nvidia/cu13 2>/dev/null | head -n 1; }
cu13="$(find_cu13 || true)"
if [ -z "$cu13" ] || [ ! -f "$cu13/lib/libnvrtc.so.13" ] || [ ! -f "$cu13/include/cuda_fp16.h" ]; then
    echo "ci-cuda-compile: installing nvidia-cuda-nvrtc and nvidia-cuda-runtime into $venv" >&2
    mkdir -p "$cache"
    python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check nvidia-cuda-nvrtc nvidia-cuda-runtime
    cu13="$(find_cu13)"
fi
[ -f "$cu13/lib/libnvrtc.so.13" ] || { echo "ci-cuda-compile: no libnvrtc.so.13 under $cu13/lib" >&2; exit 1; }

swift build --product lowbit
LOWBIT_NVRTC_PATH="$cu13/lib/libnvrtc.so.13" LOWBIT_CUDA_INCLUDE="$cu13/include" LOWBIT_KERNEL_CACHE=0 \
    "$(swift build --show-bin-path)/lowbit" selftest --compile-only --arch "$archs"
