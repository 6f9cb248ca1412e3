#!/usr/bin/env bash
# The test command (README; CI runs it through .ci/run on a fresh clone, 2 cores, no GPU).
# Builds everything, fetches the default model and the Austen texts into the cache (so tests that need them
# run instead of skipping), then runs the whole suite with LOWBIT_REQUIRE_ASSETS=1 (missing assets = failure).
# GPU tests skip without a driver. Exits non-zero as soon as any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }
timed() {
    local started=$SECONDS
    "$@"
    printf '    (%s: %d s)\n' "$1" $((SECONDS - started)) >&2
}

step "build (debug, with tests)"
timed swift build --build-tests

step "fetch the default model and the Austen texts (lowbit fetch; cache: ${LOWBIT_CACHE:-~/.cache/lowbit})"
timed .build/debug/lowbit fetch

# Further steps go here (e.g. a CUDA compile check), each as: step "what"; timed <command>.

step "tests"
export LOWBIT_REQUIRE_ASSETS=1
timed swift test --skip-build
