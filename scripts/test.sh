#!/usr/bin/env bash
# Installs dependencies, then builds and tests both Qt variants, then the sanitizer build and
# a short run of every fuzz target:
#   build/qt6  Qt 6 (KF6 SyntaxHighlighting when packaged)
#   build/qt5  Qt 5.15 + KF5 SyntaxHighlighting
#   build/asan, build/fuzz  see scripts/test-sanitizers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The OpenAI client for tests/server (npm registry); without it that one test skips.
bash scripts/install-server-test-deps.sh || echo "== the openai npm package is not installed: its test will skip"
jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/.ccache}"
status=0
for qt in 6 5; do
  dir=build/qt$qt
  echo "== Qt $qt: configure and build ($dir)"
  # Warnings are errors in the primary (Qt 6) build.
  werror=$([ "$qt" = 6 ] && echo ON || echo OFF)
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKMLM_QT=$qt -DKMLM_WERROR=$werror >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== Qt $qt: test"
  (cd "$dir" && ctest --output-on-failure -j "$jobs") || status=1
done
echo "== sanitizers (AddressSanitizer + UndefinedBehaviorSanitizer) and the fuzz smoke run"
bash scripts/test-sanitizers.sh 20 || status=1
exit $status
