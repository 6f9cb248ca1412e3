#!/usr/bin/env bash
# Quality of every LowBit format on the default model (docs/quality.md).
#
# For each format: quantize the default model (SmolLM2-135M-Instruct Q4_1), then measure bits per weight
# (block layers, scales included), file size, perplexity on Pride and Prejudice (context 512, first 4096
# tokens), KL divergence and top-1 agreement against the unquantized model (the GGUF itself, whose Q4_1/Q8_0
# weights are dequantized exactly: the baseline), and decode tokens/s (greedy, 48 tokens).
#
# Usage: scripts/quality-table.sh [KEY ...]   (default: every key below, in order; the first should be baseline,
#        or set BASE_PPL for the Δ column). NO_HEADER=1 omits the table header, REUSE=1 keeps existing checkpoints.
#        Every key also answers CHAT_PROMPT with `lowbit chat` (greedy, 40 tokens) into $OUT/<key>.chat.txt;
#        TEXT_ONLY=1 skips the perplexity (quantize, generate and chat only: the coherence check) and prints
#        one "| key | continuation | chat answer |" row per key instead.
# Env:   LOWBIT (binary, default .build/release/lowbit — build with `swift build -c release`),
#        OUT (work folder, default /tmp/lowbit-quality), LOWBIT_CACHE (asset cache, as lowbit itself).
# Prints a Markdown table on stdout; one JSON line per format is kept in $OUT/results.jsonl.
set -euo pipefail

BIN=${LOWBIT:-.build/release/lowbit}
CACHE=${LOWBIT_CACHE:-${XDG_CACHE_HOME:+$XDG_CACHE_HOME/lowbit}}
CACHE=${CACHE:-$HOME/.cache/lowbit}
MODEL=$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf
TEXT=$CACHE/texts/austen/prideprejudice.txt     # DefaultAssets.austenPath(.prideprejudice)
CALIB=$CACHE/texts/austen/emma.txt              # calibration: another novel, no overlap with the test text
OUT=${OUT:-/tmp/lowbit-quality}
PROMPT="It is a truth universally acknowledged"
CHAT_PROMPT=${CHAT_PROMPT:-What is the capital of France?}
TABLES=$(cd "$(dirname "$0")" && pwd)/tables   # lut tables used below (Lloyd-Max for a Gaussian)
mkdir -p "$OUT"
for f in "$BIN" "$MODEL" "$TEXT" "$CALIB"; do
    [ -e "$f" ] || { echo "missing $f (build in release / run lowbit fetch)" >&2; exit 1; }
done

# key | lowbit quantize options ("-" = the unquantized baseline)
SPECS=(
  "baseline|-"
  "fp6|--format fp6"
  "fp5|--format fp5"
  "nf4|--format nf4"
  "nf3|--format nf3"
  "nf2|--format nf2"
  "int8|--format int8"
  "int4|--format int4"
  "int3|--format int3"
  "int2|--format int2"
  "bipolar-w4a8|--format bipolar-w4a8"
  "bipolar-w2a8|--format bipolar-w2a8"
  "quik-w4a4|--format quik-w4a4 --calibration $CALIB --calibration-tokens 1024"
  "int3-gptq|--format int3 --gptq --calibration $CALIB --calibration-tokens 1024"
  "fpe2m1|--format fpe2m1"
  "nf3-gptq|--format nf3 --gptq --calibration $CALIB --calibration-tokens 1024"
  "quik-w4a4-k32|--format quik-w4a4 --outliers 32 --calibration $CALIB --calibration-tokens 1024"
  "nf4-tune|--format nf4 --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "nf3-tune|--format nf3 --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "int4-tune|--format int4 --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "int3-tune|--format int3 --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "nf3-gptq-tune|--format nf3 --gptq --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "int3-gptq-tune|--format int3 --gptq --tune-scales --calibration $CALIB --calibration-tokens 1024"
  "nf2-g32|--format nf2 --group-size 32 --no-signed-scales"
  "nf2-signed|--format nf2 --signed-scales"
  "nf2-g32-signed|--format nf2 --group-size 32 --signed-scales"
  "nf2-signed-tune|--format nf2 --signed-scales --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "nf2-g32-signed-tune|--format nf2 --group-size 32 --signed-scales --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "nf2-g32-signed-gptq-tune|--format nf2 --group-size 32 --signed-scales --gptq --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "nf2-g32-tune|--format nf2 --group-size 32 --no-signed-scales --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "fpe2m3|--format fpe2m3"
  "bipolar-w3a8|--format bipolar-w3a8"
  "bipolar-w2a2|--format bipolar-w2a2"
  "bipolar-w8a8|--format bipolar-w8a8"
  "lut4-lm|--format lut4 --table $TABLES/lloyd-max-4bit.txt"
  "lut3-lm|--format lut3 --table $TABLES/lloyd-max-3bit.txt"
  "lut2-lm|--format lut2 --table $TABLES/lloyd-max-2bit.txt"
  "bipolar-w4a8-tune|--format bipolar-w4a8 --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "bipolar-w3a8-g64-tune|--format bipolar-w3a8 --group-size 64 --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "bipolar-w2a8-g64-gptq-tune|--format bipolar-w2a8 --group-size 64 --gptq --tune-scales --calibration $CALIB --calibration-tokens 4096"
  "int2-g32-gptq-tune|--format int2 --group-size 32 --gptq --tune-scales --calibration $CALIB --calibration-tokens 4096"
)
# Which keys, in which order: the arguments, else every spec.
KEYS=("$@")
if [ ${#KEYS[@]} -eq 0 ]; then for spec in "${SPECS[@]}"; do KEYS+=("${spec%%|*}"); done; fi

[ "${NO_HEADER:-0}" = 1 ] || if [ "${TEXT_ONLY:-0}" = 1 ]; then
echo "| format | greedy continuation of \"$PROMPT\" | chat: \"$CHAT_PROMPT\" |"
echo "|---|---|---|"
else
echo "| format | options | bits/weight (block layers) | file MB | perplexity | Δ ppl | KL (nats) | top-1 agreement | decode tok/s |"
echo "|---|---|---|---|---|---|---|---|---|"
fi
BASE_PPL=${BASE_PPL:-}
for key in "${KEYS[@]}"; do
    opts=""
    for spec in "${SPECS[@]}"; do [ "${spec%%|*}" = "$key" ] && opts=${spec#*|}; done
    [ -n "$opts" ] || { echo "unknown key $key" >&2; exit 1; }
    if [ "$opts" = "-" ]; then
        ckpt=$MODEL; bpw="5.000 (Q4_1)"
    else
        ckpt=$OUT/$key.safetensors
        # REUSE=1 keeps a checkpoint quantized earlier (its quantize log must exist too).
        if [ "${REUSE:-0}" != 1 ] || [ ! -e "$ckpt" ] || [ ! -e "$OUT/$key.quantize.txt" ]; then
            # shellcheck disable=SC2086
            "$BIN" quantize "$MODEL" $opts --output "$ckpt" --quiet > "$OUT/$key.quantize.txt"
        fi
        bpw=$(sed -n 's/.*tensors, \([0-9.]*\) bits per weight.*/\1/p' "$OUT/$key.quantize.txt")
    fi
    mb=$(awk -v b="$(stat -c %s "$ckpt")" 'BEGIN { printf "%.1f", b / 1e6 }')
    "$BIN" chat "$ckpt" --prompt "$CHAT_PROMPT" --max-tokens 40 > "$OUT/$key.chat.txt" 2> "$OUT/$key.chat.log"
    if [ "${TEXT_ONLY:-0}" = 1 ]; then
        "$BIN" generate "$ckpt" --prompt "$PROMPT" --max-tokens 48 > "$OUT/$key.generate.txt" 2> "$OUT/$key.generate.log"
        oneline() { python3 -c 'import sys; t=open(sys.argv[1]).read().strip(); print(t.replace("\n", " ⏎ ").replace("|", "/")[:300])' "$1"; }
        printf '| %s | %s | %s |\n' "$key" "$(oneline "$OUT/$key.generate.txt")" "$(oneline "$OUT/$key.chat.txt")"
        continue
    fi
    if [ "$opts" = "-" ]; then kl_args=(); else kl_args=(--kl-base "$MODEL"); fi
    "$BIN" perplexity "$ckpt" --text "$TEXT" --context 512 --max-tokens 4096 "${kl_args[@]}" --json \
        > "$OUT/$key.ppl.json" 2> "$OUT/$key.ppl.log"
    "$BIN" generate "$ckpt" --prompt "$PROMPT" --max-tokens 48 > "$OUT/$key.generate.txt" 2> "$OUT/$key.generate.log"
    tps=$(sed -n 's/.*generation: [0-9]* tokens, \([0-9.]*\) tok\/s.*/\1/p' "$OUT/$key.generate.log")
    read -r ppl kl top1 < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["perplexity"], d.get("mean_kl", 0), d.get("top1_agreement", 1))' "$OUT/$key.ppl.json")
    [ -z "$BASE_PPL" ] && BASE_PPL=$ppl
    delta=$(python3 -c "print(f'{($ppl / $BASE_PPL - 1) * 100:+.2f}%')")
    printf '| %s | %s | %s | %s | %.4f | %s | %.5f | %.2f%% | %s |\n' "$key" "${opts//$CALIB/emma.txt}" "$bpw" "$mb" \
        "$ppl" "$delta" "$kl" "$(python3 -c "print($top1 * 100)")" "$tps"
    echo "{\"key\": \"$key\", \"bpw\": \"$bpw\", \"mb\": $mb, \"ppl\": $ppl, \"kl\": $kl, \"top1\": $top1, \"decode_tps\": \"$tps\"}" >> "$OUT/results.jsonl"
done
