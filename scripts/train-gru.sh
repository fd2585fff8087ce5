#!/usr/bin/env bash
# Trains the bundled Korean GRU model (resources/models/kmlm-gru-ko.gguf) on the shared
# corpus. Resumes from $OUT/latest.ckpt when it exists; run it again to continue after an
# interruption. The best model by validation bits/char is written to $OUT/best.gguf;
# pass --install to copy it over the bundled model when training ends.
#   nohup setsid scripts/train-gru.sh > train-runs/gru-ko/train.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${KMLM_DATA:-../shared/data/korean}
OUT=${KMLM_TRAIN_DIR:-train-runs/gru-ko}
KMLM=${KMLM_BIN:-}
if [ -z "$KMLM" ]; then
  cmake -S . -B build/train -G Ninja -DKMLM_BUILD_APP=OFF -DKMLM_BUILD_TESTS=OFF -DKMLM_BUILD_BENCH=OFF > /dev/null
  cmake --build build/train --target kmlm
  KMLM=build/train/app/kmlm
fi
mkdir -p "$OUT"
"$KMLM" train-gru --corpus "$DATA/train.txt" --valid "$DATA/valid.txt" \
  --embed 256 --hidden 512 --batch 128 --bptt 64 --steps 3600 \
  --lr 2e-3 --min-lr 1e-4 --warmup 200 --weight-decay 0.01 --clip 1.0 --seed 1 \
  --eval-every 400 --valid-lines 1000 --threads 2 \
  --out-dir "$OUT" --export "$OUT/best.gguf" --gguf-type f16
if [ "${1:-}" = "--install" ]; then
  cp "$OUT/best.gguf" resources/models/kmlm-gru-ko.gguf
fi
