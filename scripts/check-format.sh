#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format makes of it with the
# repository's .clang-format; `clang-format -i FILE` fixes one. Needs git and clang-format 14.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.h')
bad=$(for f in $files; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -n "$bad" ]; then
  echo "check-format: not formatted by .clang-format (run clang-format -i on them):"
  echo "$bad" | sed 's/^/  /'
  exit 1
fi
echo "check-format: $(echo "$files" | wc -l) files formatted"
