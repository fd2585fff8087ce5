#!/usr/bin/env bash
# Installs every Debian 12 package Korean Mini LM needs to build, test and run.
# Idempotent: packages already present are skipped by apt. Uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git xz-utils
  # engine
  nlohmann-json3-dev libutf8proc-dev libcli11-dev libbenchmark-dev
  # kmlm serve (HTTP API) and the OpenAI client test (Node.js; scripts/install-server-test-deps.sh)
  libcpp-httplib-dev
  # app: Qt 6 (primary) and Qt 5.15 + KF5 SyntaxHighlighting
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6sql6-sqlite libgl-dev libxkbcommon-dev
  qtbase5-dev qttools5-dev qttools5-dev-tools libqt5sql5-sqlite
  libkf5syntaxhighlighting-dev
  libsqlite3-dev
  # bench/run-matrix.sh reads kmlm bench's JSON
  jq
  # fuzzing (libFuzzer) and the sanitizer build; the format check (scripts/check-format.sh)
  clang-14 libclang-rt-14-dev clang-format
  # Korean fonts, headless tests, desktop metadata checks
  fonts-noto-cjk fonts-nanum fonts-nanum-coding xvfb xauth desktop-file-utils appstream qttranslations5-l10n qt6-translations-l10n
)

# Node.js and npm run the OpenAI client in the server tests. A machine that has them already
# (often from outside Debian, whose npm package would conflict) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
