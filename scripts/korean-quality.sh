#!/bin/sh
# Reproduces the README's "Korean quality" tables: KoBEST dev for the shared tiny model and
# the bundled GRU, the pruning table, and tokens per syllable of the vocabularies in
# ../shared/data/tokenizer-vectors. Usage: scripts/korean-quality.sh [KMLM] [OUT_DIR] [SHOTS...]
# (defaults: build/qt6/app/kmlm, /tmp/kmlm-quality, 0). Logs go to OUT_DIR; takes about
# half an hour on two cores (LARGE=1 adds the 1.3B-shape rows).
set -eu
KMLM=${1:-build/qt6/app/kmlm}
OUT=${2:-/tmp/kmlm-quality}
shift 2 2>/dev/null || true
SHOTS=${*:-0}  # the pruning table's unpruned row needs 0 among them
DATA=${KMLM_SHARED_DATA:-../shared/data}
TINY=$DATA/models/ko-tiny-llama-Q8_0.gguf
GRU=resources/models/kmlm-gru-ko.gguf
mkdir -p "$OUT"
# The fixed evaluation text: the first 2000 lines of valid.txt; calibration: the first 100
# lines of train.txt (the model's training text, never the evaluation text).
head -n 2000 "$DATA/korean/valid.txt" > "$OUT/valid-2000.txt"
head -n 100 "$DATA/korean/train.txt" > "$OUT/calib.txt"

for f in "$DATA"/tokenizer-vectors/*.gguf "$TINY" "$GRU"; do
  printf '%s: ' "$(basename "$f")"
  "$KMLM" tokenize -m "$f" --stats "$DATA/korean/valid.txt" | tail -n 1
done > "$OUT/tokens-per-syllable.txt"

for shots in $SHOTS; do
  for m in "$TINY" "$GRU"; do
    "$KMLM" eval kobest -m "$m" --data "$DATA/kobest" --split dev --shots "$shots" \
      -o "$OUT/kobest-$(basename "$m" .gguf)-$shots.json" > "$OUT/kobest-$(basename "$m" .gguf)-$shots.txt"
  done
done

"$KMLM" prune "$TINY" "$OUT/tiny-layers.gguf" --drop-layers 2 --calib "$OUT/calib.txt" --calib-lines 100 > "$OUT/prune-layers.txt"
"$KMLM" prune "$TINY" "$OUT/tiny-heads.gguf" --heads 1 --calib "$OUT/calib.txt" --calib-lines 100 > "$OUT/prune-heads.txt"
"$KMLM" prune "$TINY" "$OUT/tiny-kv.gguf" --kv-groups 1 --calib "$OUT/calib.txt" --calib-lines 100 > "$OUT/prune-kv.txt"
"$KMLM" prune "$TINY" "$OUT/tiny-sparse.gguf" --sparsity 0.5 > "$OUT/prune-sparse.txt"
# measure MODEL EVAL_TEXT GEN_TOKENS [kobest]: size, layers and memory, speed, bits/char, and
# KoBEST dev 0-shot when asked.
measure() {
  n=$(basename "$1" .gguf)
  { ls -l "$1"; "$KMLM" info -m "$1" -c 256 | grep -E 'layers|heads|memory estimate'; } > "$OUT/$n-info.txt"
  "$KMLM" bench -m "$1" -c 256 --prompt-tokens 128 --gen-tokens "$3" > "$OUT/$n-bench.txt" 2>&1
  "$KMLM" eval text -m "$1" -f "$2" > "$OUT/$n-text.txt" 2>/dev/null
  [ "${4:-}" != kobest ] || "$KMLM" eval kobest -m "$1" --data "$DATA/kobest" --split dev \
    -o "$OUT/$n-kobest.json" > "$OUT/$n-kobest.txt" 2>/dev/null
}
# The unpruned model's KoBEST dev figures are the 0-shot run above.
measure "$TINY" "$OUT/valid-2000.txt" 64
for m in "$OUT/tiny-layers.gguf" "$OUT/tiny-heads.gguf" "$OUT/tiny-kv.gguf" "$OUT/tiny-sparse.gguf"; do
  measure "$m" "$OUT/valid-2000.txt" 64 kobest
done

# With LARGE=1: a random-weight file of Polyglot-ko-1.3B's shape (gptneox, 24 layers, Q4_K_M),
# a third of its layers dropped and 50% sparsity (gptneox's fused QKV has no head pruning).
# Only size, memory and speed mean something here; bits/char on the first 100 lines of
# valid.txt shows what random weights give. About 25 more minutes on two cores.
if [ "${LARGE:-0}" = 1 ]; then
  BIG=$OUT/p13.gguf
  head -n 100 "$DATA/korean/valid.txt" > "$OUT/valid-100.txt"
  head -n 4 "$DATA/korean/train.txt" > "$OUT/calib-4.txt"
  "$KMLM" make-random --preset polyglot-ko-1.3b --type Q4_K_M "$BIG" > /dev/null
  "$KMLM" prune "$BIG" "$OUT/p13-layers.gguf" --drop-layers 8 --calib "$OUT/calib-4.txt" --calib-lines 4 > "$OUT/prune-p13-layers.txt"
  "$KMLM" prune "$BIG" "$OUT/p13-sparse.gguf" --sparsity 0.5 > "$OUT/prune-p13-sparse.txt"
  for m in "$BIG" "$OUT/p13-layers.gguf" "$OUT/p13-sparse.gguf"; do measure "$m" "$OUT/valid-100.txt" 32; done
fi
echo "logs in $OUT (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
