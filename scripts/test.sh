#!/usr/bin/env bash
# The test command (README): builds and runs the whole suite. GPU tests skip without a driver.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
