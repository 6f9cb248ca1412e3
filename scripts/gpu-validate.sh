#!/usr/bin/env bash
# One-call GPU validation of LowBit (run on the GPU machine by the `run` device tool).
#
# Layout (a carried folder, e.g. .device-carry/lead/): this script and the static binary `lowbit` (or lowbit.gz).
# Optional beside it: LowBit checkpoints (*.safetensors); else the default model as a GGUF (*.gguf, or the parts
# gg.part* / *.gguf.part* beside it or in $PARTS_DIR, concatenated in name order, or $MODEL, or one joined by an
# earlier call in $WORK), which is then quantized here to $QUANT_FORMATS (reused from $WORK if already there);
# a text (prideprejudice.txt or any *.txt; else an excerpt of Pride and Prejudice embedded below).
#
#   cd .device-carry/lead && bash gpu-validate.sh
#
# Steps: `lowbit devices`; `lowbit selftest --device cuda` (every kernel and model self-test); for each
# checkpoint: `lowbit perplexity` with --device cpu and --device cuda on a short stretch of the text (both
# printed with their relative difference; issues 6/7 ask for ≤ 0.1 %), a short greedy `generate` on each device
# and a `chat --device cuda` answer. Each step's status and time go to $OUT/summary.txt, the selftest's output to
# $OUT/selftest.log, every other step's output to $OUT/steps.log (three files: the device tool returns at most
# 8); a failed step does not stop the others; the script exits non-zero if any step failed.
# Environment: OUT (default ./gpu-validate-out), LOWBIT (binary), MODEL (a GGUF), QUANT_FORMATS ("fp6 nf4"),
# QUANT_FLAGS (extra `lowbit quantize` options for every format, e.g. "--signed-scales"),
# PARTS_DIR (where gg.part* are, default beside the script), PPL_CONTEXT (256), PPL_TOKENS (1024),
# PPL_BOUND (0.001), SELFTEST_FILTER (empty = all), TEXT (a text file),
# WORK (scratch for the model and checkpoints, default /tmp/lowbit-validate; files there do not come back),
# STEP_TIMEOUT (seconds per step, default 540), SELFTEST_ONLY=1 (stop after the selftest), SKIP_SELFTEST=1.
# The device tool allows 600 s per call: if the selftest and the model steps do not fit in one, run the script
# twice, with SELFTEST_ONLY=1 and then SKIP_SELFTEST=1.
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
QUANT_FORMATS="${QUANT_FORMATS:-fp6 nf4}"
WORK="${WORK:-/tmp/lowbit-validate}"
STEP_TIMEOUT="${STEP_TIMEOUT:-540}"
mkdir -p "$WORK"
DEFAULT_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53  # SmolLM2-135M-Instruct.Q4_1.gguf

note() { echo "$*" | tee -a "$SUMMARY"; }

LOGS="$WORK/logs"
mkdir -p "$LOGS"
: > "$OUT/steps.log"

# step NAME COMMAND…: runs it (at most $STEP_TIMEOUT s) with output to $WORK/logs/NAME.log (the selftest's
# straight to $OUT/selftest.log, so a hang still leaves it), echoes its tail, appends the log to
# $OUT/steps.log, records status and time.
step() {
    local name="$1"; shift
    local log="$LOGS/$name.log" start end rc secs
    if [ "$name" = selftest ]; then log="$OUT/selftest.log"; fi
    echo "=== $name: $*" | tee "$log"
    start=$(date +%s.%N)
    if command -v timeout > /dev/null; then
        timeout --kill-after=10 "$STEP_TIMEOUT" "$@" >> "$log" 2>&1
    else
        "$@" >> "$log" 2>&1
    fi
    rc=$?
    end=$(date +%s.%N)
    tail -n 25 "$log" | tail -n +2
    if [ "$name" != selftest ]; then cat "$log" >> "$OUT/steps.log"; fi
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" -eq 0 ]; then
        note "PASS  $name  (rc 0, ${secs} s)"
    else
        note "FAIL  $name  (rc $rc, ${secs} s)"
        FAILED=$((FAILED + 1))
    fi
    return "$rc"
}

# An excerpt of Pride and Prejudice (public domain, the opening chapters), for when no text is carried.
write_excerpt() {
cat <<'LOWBIT_EXCERPT_END'
PRIDE AND PREJUDICE

By Jane Austen



Chapter 1


It is a truth universally acknowledged, that a single man in possession
of a good fortune, must be in want of a wife.

However little known the feelings or views of such a man may be on his
first entering a neighbourhood, this truth is so well fixed in the minds
of the surrounding families, that he is considered the rightful property
of some one or other of their daughters.

"My dear Mr. Bennet," said his lady to him one day, "have you heard that
Netherfield Park is let at last?"

Mr. Bennet replied that he had not.

"But it is," returned she; "for Mrs. Long has just been here, and she
told me all about it."

Mr. Bennet made no answer.

"Do you not want to know who has taken it?" cried his wife impatiently.

"_You_ want to tell me, and I have no objection to hearing it."

This was invitation enough.

"Why, my dear, you must know, Mrs. Long says that Netherfield is taken
by a young man of large fortune from the north of England; that he came
down on Monday in a chaise and four to see the place, and was so much
delighted with it, that he agreed with Mr. Morris immediately; that he
is to take possession before Michaelmas, and some of his servants are to
be in the house by the end of next week."

"What is his name?"

"Bingley."

"Is he married or single?"

"Oh! Single, my dear, to be sure! A single man of large fortune; four or
five thousand a year. What a fine thing for our girls!"

"How so? How can it affect them?"

"My dear Mr. Bennet," replied his wife, "how can you be so tiresome! You
must know that I am thinking of his marrying one of them."

"Is that his design in settling here?"

"Design! Nonsense, how can you talk so! But it is very likely that he
_may_ fall in love with one of them, and therefore you must visit him as
soon as he comes."

"I see no occasion for that. You and the girls may go, or you may send
them by themselves, which perhaps will be still better, for as you are
as handsome as any of them, Mr. Bingley may like you the best of the
party."

"My dear, you flatter me. I certainly _have_ had my share of beauty, but
I do not pretend to be anything extraordinary now. When a woman has five
grown-up daughters, she ought to give over thinking of her own beauty."

"In such cases, a woman has not often much beauty to think of."

"But, my dear, you must indeed go and see Mr. Bingley when he comes into
the neighbourhood."

"It is more than I engage for, I assure you."

"But consider your daughters. Only think what an establishment it would
be for one of them. Sir William and Lady Lucas are determined to
go, merely on that account, for in general, you know, they visit no
newcomers. Indeed you must go, for it will be impossible for _us_ to
visit him if you do not."

"You are over-scrupulous, surely. I dare say Mr. Bingley will be very
glad to see you; and I will send a few lines by you to assure him of my
hearty consent to his marrying whichever he chooses of the girls; though
I must throw in a good word for my little Lizzy."

"I desire you will do no such thing. Lizzy is not a bit better than the
others; and I am sure she is not half so handsome as Jane, nor half so
good-humoured as Lydia. But you are always giving _her_ the preference."

"They have none of them much to recommend them," replied he; "they are
all silly and ignorant like other girls; but Lizzy has something more of
quickness than her sisters."

"Mr. Bennet, how _can_ you abuse your own children in such a way? You
take delight in vexing me. You have no compassion for my poor nerves."

"You mistake me, my dear. I have a high respect for your nerves. They
are my old friends. I have heard you mention them with consideration
these last twenty years at least."

"Ah, you do not know what I suffer."

"But I hope you will get over it, and live to see many young men of four
thousand a year come into the neighbourhood."

"It will be no use to us, if twenty such should come, since you will not
visit them."

"Depend upon it, my dear, that when there are twenty, I will visit them
all."

Mr. Bennet was so odd a mixture of quick parts, sarcastic humour,
reserve, and caprice, that the experience of three-and-twenty years had
been insufficient to make his wife understand his character. _Her_ mind
was less difficult to develop. She was a woman of mean understanding,
little information, and uncertain temper. When she was discontented,
she fancied herself nervous. The business of her life was to get her
daughters married; its solace was visiting and news.



Chapter 2


Mr. Bennet was among the earliest of those who waited on Mr. Bingley. He
had always intended to visit him, though to the last always assuring
his wife that he should not go; and till the evening after the visit was
paid she had no knowledge of it. It was then disclosed in the following
manner. Observing his second daughter employed in trimming a hat, he
suddenly addressed her with:

"I hope Mr. Bingley will like it, Lizzy."

"We are not in a way to know _what_ Mr. Bingley likes," said her mother
resentfully, "since we are not to visit."

"But you forget, mamma," said Elizabeth, "that we shall meet him at the
assemblies, and that Mrs. Long promised to introduce him."

"I do not believe Mrs. Long will do any such thing. She has two nieces
of her own. She is a selfish, hypocritical woman, and I have no opinion
of her."

"No more have I," said Mr. Bennet; "and I am glad to find that you do
not depend on her serving you."

Mrs. Bennet deigned not to make any reply, but, unable to contain
herself, began scolding one of her daughters.

"Don't keep coughing so, Kitty, for Heaven's sake! Have a little
compassion on my nerves. You tear them to pieces."

"Kitty has no discretion in her coughs," said her father; "she times
them ill."

"I do not cough for my own amusement," replied Kitty fretfully. "When is
your next ball to be, Lizzy?"

"To-morrow fortnight."

"Aye, so it is," cried her mother, "and Mrs. Long does not come back
till the day before; so it will be impossible for her to introduce him,
for she will not know him herself."

"Then, my dear, you may have the advantage of your friend, and introduce
Mr. Bingley to _her_."

"Impossible, Mr. Bennet, impossible, when I am not acquainted with him
myself; how can you be so teasing?"

"I honour your circumspection. A fortnight's acquaintance is certainly
very little. One cannot know what a man really is by the end of a
fortnight. But if _we_ do not venture somebody else will; and after all,
Mrs. Long and her neices must stand their chance; and, therefore, as
she will think it an act of kindness, if you decline the office, I will
take it on myself."

The girls stared at their father. Mrs. Bennet said only, "Nonsense,
nonsense!"

"What can be the meaning of that emphatic exclamation?" cried he. "Do
you consider the forms of introduction, and the stress that is laid on
them, as nonsense? I cannot quite agree with you _there_. What say you,
Mary? For you are a young lady of deep reflection, I know, and read
great books and make extracts."

Mary wished to say something sensible, but knew not how.

"While Mary is adjusting her ideas," he continued, "let us return to Mr.
Bingley."

"I am sick of Mr. Bingley," cried his wife.

"I am sorry to hear _that_; but why did not you tell me that before? If
I had known as much this morning I certainly would not have called
on him. It is very unlucky; but as I have actually paid the visit, we
cannot escape the acquaintance now."

The astonishment of the ladies was just what he wished; that of Mrs.
Bennet perhaps surpassing the rest; though, when the first tumult of joy
was over, she began to declare that it was what she had expected all the
while.

"How good it was in you, my dear Mr. Bennet! But I knew I should
persuade you at last. I was sure you loved your girls too well to
neglect such an acquaintance. Well, how pleased I am! and it is such a
good joke, too, that you should have gone this morning and never said a
word about it till now."

"Now, Kitty, you may cough as much as you choose," said Mr. Bennet; and,
as he spoke, he left the room, fatigued with the raptures of his wife.

"What an excellent father you have, girls!" said she, when the door was
shut. "I do not know how you will ever make him amends for his kindness;
or me, either, for that matter. At our time of life it is not so
pleasant, I can tell you, to be making new acquaintances every day; but
for your sakes, we would do anything. Lydia, my love, though you _are_
the youngest, I dare say Mr. Bingley will dance with you at the next
ball."

"Oh!" said Lydia stoutly, "I am not afraid; for though I _am_ the
youngest, I'm the tallest."

The rest of the evening was spent in conjecturing how soon he would
return Mr. Bennet's visit, and determining when they should ask him to
dinner.



Chapter 3


Not all that Mrs. Bennet, however, with the assistance of her five
daughters, could ask on the subject, was sufficient to draw from her
husband any satisfactory description of Mr. Bingley. They attacked him
in various ways--with barefaced questions, ingenious suppositions, and
distant surmises; but he eluded the skill of them all, and they were at
last obliged to accept the second-hand intelligence of their neighbour,
Lady Lucas. Her report was highly favourable. Sir William had been
delighted with him. He was quite young, wonderfully handsome, extremely
agreeable, and, to crown the whole, he meant to be at the next assembly
with a large party. Nothing could be more delightful! To be fond of
dancing was a certain step towards falling in love; and very lively
hopes of Mr. Bingley's heart were entertained.

"If I can but see one of my daughters happily settled at Netherfield,"
said Mrs. Bennet to her husband, "and all the others equally well
married, I shall have nothing to wish for."

In a few days Mr. Bingley returned Mr. Bennet's visit, and sat about
ten minutes with him in his library. He had entertained hopes of being
admitted to a sight of the young ladies, of whose beauty he had
heard much; but he saw only the father. The ladies were somewhat more
fortunate, for they had the advantage of ascertaining from an upper
window that he wore a blue coat, and rode a black horse.

An invitation to dinner was soon afterwards dispatched; and already
had Mrs. Bennet planned the courses that were to do credit to her
housekeeping, when an answer arrived which deferred it all. Mr. Bingley
was obliged to be in town the following day, and, consequently, unable
to accept the honour of their invitation, etc. Mrs. Bennet was quite
disconcerted. She could not imagine what business he could have in town
so soon after his arrival in Hertfordshire; and she began to fear that
he might be always flying about from one place to another, and never
settled at Netherfield as he ought to be. Lady Lucas quieted her fears
a little by starting the idea of his being gone to London only to get
a large party for the ball; and a report soon followed that Mr. Bingley
was to bring twelve ladies and seven gentlemen with him to the assembly.
The girls grieved over such a number of ladies, but were comforted the
day before the ball by hearing, that instead of twelve he brought only
six with him from London--his five sisters and a cousin. And when
the party entered the assembly room it consisted of only five
altogether--Mr. Bingley, his two sisters, the husband of the eldest, and
another young man.
LOWBIT_EXCERPT_END
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
if [ "${SKIP_SELFTEST:-0}" != 1 ]; then
    if [ -n "${SELFTEST_FILTER:-}" ]; then
        step selftest "$LOWBIT" selftest --device cuda --filter "$SELFTEST_FILTER"
    else
        step selftest "$LOWBIT" selftest --device cuda
    fi
    grep -E '^(FAIL|PASS)  model ' "$OUT/selftest.log" | sed 's/^/  selftest: /' | tee -a "$SUMMARY" || true
    grep -E '^FAIL' "$OUT/selftest.log" | grep -v '^FAIL  model ' | sed 's/^/  selftest: /' | tee -a "$SUMMARY" || true
    grep -E 'self-tests passed' "$OUT/selftest.log" | tee -a "$SUMMARY" || true
fi
if [ "${SELFTEST_ONLY:-0}" = 1 ]; then
    note "failed steps: $FAILED (SELFTEST_ONLY=1: stopping after the selftest)"
    [ "$FAILED" -eq 0 ]
    exit
fi

# The text for perplexity.
TEXT="${TEXT:-}"
if [ -z "$TEXT" ]; then
    for candidate in "$DIR/prideprejudice.txt" "$DIR"/*.txt "$HOME/.cache/lowbit/texts/austen/prideprejudice.txt"; do
        if [ -f "$candidate" ]; then TEXT="$candidate"; break; fi
    done
fi
if [ -z "$TEXT" ]; then
    TEXT="$WORK/prideprejudice-excerpt.txt"
    write_excerpt > "$TEXT"
fi

# Checkpoints beside the script, else made here from the default model's GGUF.
shopt -s nullglob
CHECKPOINTS=("$DIR"/*.safetensors)
if [ "${#CHECKPOINTS[@]}" -eq 0 ]; then
    GGUF="${MODEL:-}"
    if [ -z "$GGUF" ]; then
        for candidate in "$DIR"/*.gguf; do
            if [ -f "$candidate" ]; then GGUF="$candidate"; break; fi
        done
    fi
    PARTS_DIR="${PARTS_DIR:-$DIR}"
    PARTS=("$PARTS_DIR"/gg.part* "$PARTS_DIR"/*.gguf.part*)
    if [ -z "$GGUF" ] && [ "${#PARTS[@]}" -gt 0 ]; then
        GGUF="$WORK/SmolLM2-135M-Instruct.Q4_1.gguf"
        total=$(cat "${PARTS[@]}" | wc -c)
        if [ -f "$GGUF" ] && [ "$(wc -c < "$GGUF")" -eq "$total" ]; then
            note "model: reusing $GGUF (joined by an earlier call; same size as the parts)"
        else
            cat "${PARTS[@]}" > "$GGUF"
            note "model: joined ${#PARTS[@]} part(s) ($(basename -a "${PARTS[@]}" | tr '\n' ' ')) into $GGUF"
        fi
    fi
    if [ -z "$GGUF" ]; then
        for candidate in "$WORK/SmolLM2-135M-Instruct.Q4_1.gguf" "$HOME/.cache/lowbit/models/SmolLM2-135M-Instruct.Q4_1.gguf"; do
            if [ -f "$candidate" ]; then GGUF="$candidate"; break; fi
        done
    fi
    if [ -n "$GGUF" ] && [ -f "$GGUF" ]; then
        if [ -z "${MODEL:-}" ] && command -v sha256sum > /dev/null; then
            sum="$(sha256sum "$GGUF" | cut -d' ' -f1)"
            if [ "$sum" = "$DEFAULT_SHA256" ]; then
                note "model: $GGUF is the default model (sha256 ok)"
            else
                note "FAIL  model: $GGUF has sha256 $sum, not the default model's $DEFAULT_SHA256 (parts missing or out of order?)"
                FAILED=$((FAILED + 1))
            fi
        fi
        for format in $QUANT_FORMATS; do
            made="$WORK/smollm2-$format.safetensors"
            if [ -f "$made" ] && [ "$made" -nt "$GGUF" ]; then
                note "reusing $made (made by an earlier call)"
                CHECKPOINTS+=("$made")
            elif step "quantize-$format" "$LOWBIT" quantize "$GGUF" --format "$format" ${QUANT_FLAGS:-} --output "$made" --quiet; then
                CHECKPOINTS+=("$made")
            fi
        done
    fi
fi

# perplexity_value LOG: the "perplexity" number of a --json line.
perplexity_value() {
    grep -o '"perplexity":[0-9.eE+-]*' "$1" | head -n 1 | cut -d: -f2
}

if [ "${#CHECKPOINTS[@]}" -eq 0 ]; then
    note "SKIP  perplexity: no checkpoint and no GGUF of the default model beside the script (see the header)"
else
    note "text: $TEXT (--context $PPL_CONTEXT --max-tokens $PPL_TOKENS)"
    for ckpt in "${CHECKPOINTS[@]}"; do
        base="$(basename "$ckpt" .safetensors)"
        step "ppl-cpu-$base" "$LOWBIT" perplexity "$ckpt" --device cpu --text "$TEXT" \
            --context "$PPL_CONTEXT" --max-tokens "$PPL_TOKENS" --json
        step "ppl-cuda-$base" "$LOWBIT" perplexity "$ckpt" --device cuda --text "$TEXT" \
            --context "$PPL_CONTEXT" --max-tokens "$PPL_TOKENS" --json
        cpu="$(perplexity_value "$LOGS/ppl-cpu-$base.log")"
        gpu="$(perplexity_value "$LOGS/ppl-cuda-$base.log")"
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
        step "chat-cuda-$base" "$LOWBIT" chat "$ckpt" --device cuda --prompt "What is the capital of France?" \
            --max-tokens 24
    done
fi

note "failed steps: $FAILED"
echo "===== summary ($SUMMARY)"
cat "$SUMMARY"
[ "$FAILED" -eq 0 ]
