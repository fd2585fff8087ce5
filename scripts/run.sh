#!/usr/bin/env bash
# Installs dependencies, builds Korean Mini LM and starts it with the bundled GRU model.
# Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DKMLM_BUILD_TESTS=OFF -DKMLM_BUILD_BENCH=OFF >/dev/null
cmake --build build/release -j "$(nproc)"
if [ -x build/release/app/desktop/korean-mini-lm ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec build/release/app/desktop/korean-mini-lm "$@"
fi
# No display (or no desktop app yet): the command-line tool with the bundled model.
if [ $# -eq 0 ]; then set -- generate --prompt "오늘 날씨가" --max-tokens 80 --seed 7; fi
exec build/release/app/kmlm "$@"
