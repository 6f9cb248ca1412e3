#!/usr/bin/env bash
# One-call GPU validation of LowBit (run on the GPU machine by the `run` device tool).
#
# Layout (a carried folder, e.g. .device-carry/lead/): this script, the static binary `lowbit` (or lowbit.gz),
# optionally LowBit checkpoints of the default model (*.safetensors, from `lowbit quantize … --format fp6|nf4`)
# and an Austen text (prideprejudice.txt or any *.txt; else ~/.cache/lowbit/texts/austen/prideprejudice.txt).
#
#   cd .device-carry/lead && bash gpu-validate.sh
#
# Steps: `lowbit devices`; `lowbit selftest --device cuda` (every kernel and model self-test); for each
# checkpoint: `lowbit perplexity` with --device cpu and --device cuda on a short stretch of the text (both
# printed with their relative difference; issue 6/7 ask for ≤ 0.1 %) and a short greedy `generate` on each
# device. Every step's output goes to $OUT/<step>.log and its exit status to $OUT/summary.txt; a failed step
# does not stop the others; the script exits non-zero if any step failed.
# Environment: OUT (default ./gpu-validate-out), LOWBIT (binary), PPL_CONTEXT (256), PPL_TOKENS (1024),
# PPL_BOUND (0.001), SELFTEST_FILTER (empty = all), TEXT (the text file).
set -u

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$DIR/gpu-validate-out}"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
FAILED=0
PPL_CONTEXT="${PPL_CONTEXT:-256}"
PPL_TOKENS="${PPL_TOKENS:-1024}"
PPL_BOUND="${PPL_BOUND:-0.001}"

note() { echo "$*" | tee -a "$SUMMARY"; }

# step NAME COMMAND…: runs it with output to $OUT/NAME.log (also echoed), records status and time.
step() {
    local name="$1"; shift
    local log="$OUT/$name.log" start end rc
    echo "=== $name: $*" | tee "$log"
    start=$(date +%s.%N)
    "$@" >> "$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    tail -n 40 "$log"
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" -eq 0 ]; then
        note "PASS  $name  (rc 0, ${secs} s)"
    else
        note "FAIL  $name  (rc $rc, ${secs} s; see $log)"
        FAILED=$((FAILED + 1))
    fi
    return "$rc"
}

# The binary.
LOWBIT="${LOWBIT:-$DIR/lowbit}"
if [ ! -x "$LOWBIT" ] && [ -f "$DIR/lowbit.gz" ]; then
    gunzip -c "$DIR/lowbit.gz" > "$DIR/lowbit" && chmod +x "$DIR/lowbit" && LOWBIT="$DIR/lowbit"
fi
if [ ! -x "$LOWBIT" ]; then
    note "FAIL  binary: no executable lowbit at $LOWBIT (nor lowbit.gz beside the script)"
    exit 2
fi
note "binary: $LOWBIT ($("$LOWBIT" --version 2>/dev/null || echo 'version unknown'))"
note "host: $(hostname) $(date -u +%Y-%m-%dT%H:%M:%SZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /' | tee -a "$SUMMARY"

step devices "$LOWBIT" devices
if [ -n "${SELFTEST_FILTER:-}" ]; then
    step selftest "$LOWBIT" selftest --device cuda --filter "$SELFTEST_FILTER"
else
    step selftest "$LOWBIT" selftest --device cuda
fi
grep -E '^(FAIL|PASS)  model ' "$OUT/selftest.log" > "$OUT/selftest-model.txt" 2>/dev/null || true
grep -E '^FAIL' "$OUT/selftest.log" | sed 's/^/  selftest /' | tee -a "$SUMMARY" || true
grep -E 'self-tests passed' "$OUT/selftest.log" | tee -a "$SUMMARY" || true

# The text for perplexity.
TEXT="${TEXT:-}"
if [ -z "$TEXT" ]; then
    for candidate in "$DIR/prideprejudice.txt" "$DIR"/*.txt "$HOME/.cache/lowbit/texts/austen/prideprejudice.txt"; do
        if [ -f "$candidate" ]; then TEXT="$candidate"; break; fi
    done
fi

# perplexity_value LOG: the "perplexity" number of a --json line.
perplexity_value() {
    grep -o '"perplexity":[0-9.eE+-]*' "$1" | head -n 1 | cut -d: -f2
}

shopt -s nullglob
CHECKPOINTS=("$DIR"/*.safetensors)
if [ "${#CHECKPOINTS[@]}" -eq 0 ]; then
    note "SKIP  perplexity: no *.safetensors checkpoint beside the script (make one: lowbit quantize --format fp6 --output smollm2-fp6.safetensors)"
elif [ -z "$TEXT" ]; then
    note "FAIL  perplexity: checkpoints present but no text (put prideprejudice.txt beside the script or set TEXT)"
    FAILED=$((FAILED + 1))
else
    note "text: $TEXT (--context $PPL_CONTEXT --max-tokens $PPL_TOKENS)"
    for ckpt in "${CHECKPOINTS[@]}"; do
        base="$(basename "$ckpt" .safetensors)"
        step "ppl-cpu-$base" "$LOWBIT" perplexity "$ckpt" --device cpu --text "$TEXT" \
            --context "$PPL_CONTEXT" --max-tokens "$PPL_TOKENS" --json
        step "ppl-cuda-$base" "$LOWBIT" perplexity "$ckpt" --device cuda --text "$TEXT" \
            --context "$PPL_CONTEXT" --max-tokens "$PPL_TOKENS" --json
        cpu="$(perplexity_value "$OUT/ppl-cpu-$base.log")"
        gpu="$(perplexity_value "$OUT/ppl-cuda-$base.log")"
        if [ -n "$cpu" ] && [ -n "$gpu" ]; then
            verdict=$(awk -v c="$cpu" -v g="$gpu" -v b="$PPL_BOUND" 'BEGIN {
                d = (g - c) / c; if (d < 0) d = -d
                printf "%s  perplexity %s: cpu %.6f  cuda %.6f  relative difference %.3e (bound %g)", (d <= b ? "PASS" : "FAIL"), "'"$base"'", c, g, d, b }')
            note "$verdict"
            case "$verdict" in FAIL*) FAILED=$((FAILED + 1)) ;; esac
        else
            note "FAIL  perplexity $base: missing a value (cpu '${cpu}', cuda '${gpu}')"
            FAILED=$((FAILED + 1))
        fi
        for device in cpu cuda; do
            step "generate-$device-$base" "$LOWBIT" generate "$ckpt" --device "$device" \
                --prompt "It is a truth universally acknowledged, that" --max-tokens 24
        done
    done
fi

note "failed steps: $FAILED"
[ "$FAILED" -eq 0 ]
