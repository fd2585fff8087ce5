#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the engine, the CLI and the app core
# with their tests (build/asan, the widget tests left out), then a short smoke run of every
# fuzz target on its corpus (build/fuzz, clang-14):
#   scripts/test-sanitizers.sh [FUZZ_SECONDS]   (default 20 per target; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${1:-20}
jobs=${KMLM_JOBS:-$(nproc)}
dir=build/asan
echo "== sanitizers: configure and build ($dir, load average $(cut -d' ' -f1-3 /proc/loadavg))"
start=$SECONDS
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMLM_SANITIZE=address,undefined \
  -DKMLM_BUILD_BENCH=OFF >/dev/null
# Only what the engine, cli and app tests need: no widgets.
mapfile -t targets < <(ninja -C "$dir" -t targets all | grep -oE '^(engine|cli|app)_tst_[A-Za-z0-9_]+' | sort -u)
cmake --build "$dir" -j "$jobs" --target kmlm "${targets[@]}"
echo "== sanitizers: built in $((SECONDS - start)) s; test"
start=$SECONDS
status=0
# Whole-text perplexities of every shared model file: minutes in a release build, far more
# under the sanitizers; their kernels and loaders run in tst_kernels, tst_quant and tst_transformer.
slow='tst_real_model|tst_quant_model'
# Leaks count in the engine and the CLI; Qt's own allocations at exit are not ours.
(cd "$dir" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L 'engine|cli' -E "$slow") || status=1
(cd "$dir" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L app) || status=1
echo "== sanitizers: tests in $((SECONDS - start)) s"
if [[ $fuzz_seconds -gt 0 ]]; then
  start=$SECONDS
  scripts/fuzz.sh all "$fuzz_seconds" || status=1
  echo "== fuzz smoke: $((SECONDS - start)) s"
fi
exit $status
