#!/usr/bin/env bash
# Installs dependencies, checks the C++ formatting, then builds and tests both Qt variants, then the sanitizer build and
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
echo "== format (.clang-format)"
bash scripts/check-format.sh || status=1
for qt in 6 5; do
  dir=build/qt$qt
  echo "== Qt $qt: configure and build ($dir)"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKMLM_QT=$qt -DKMLM_WERROR=ON >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== Qt $qt: test (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # The engine, the CLI and the server know no Qt: their tests run once, in the Qt 6 build;
  # the Qt 5 build runs the tests of the layers that use Qt (app core, widgets).
  labels=$([ "$qt" = 6 ] && echo '.' || echo 'app|ui')
  (cd "$dir" && ctest --output-on-failure -j "$jobs" -L "$labels") || status=1
done
echo "== sanitizers (AddressSanitizer + UndefinedBehaviorSanitizer) and the fuzz smoke run"
bash scripts/test-sanitizers.sh 10 || status=1
exit $status
