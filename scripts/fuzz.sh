#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS (default 60) on its corpus:
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]
#   scripts/fuzz.sh all SECONDS      each target in turn (the CI smoke run)
# Targets: gguf model vocab gru_json gru_bin jinja utf8 chat_import http.
# Builds build/fuzz (clang-14, -fsanitize=fuzzer,address,undefined) when needed. The corpus
# grows in build/fuzz/corpus/TARGET, seeded by fuzz_seeds and the test fixtures; a crash, hang
# or blow-up is saved in build/fuzz/artifacts/ and the script fails: turn it into a file in
# fuzz/regressions/TARGET/ (tests/engine/tst_fuzz_regressions runs them all) and fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(gguf model vocab gru_json gru_bin jinja utf8 chat_import http)
target=${1:?usage: scripts/fuzz.sh TARGET|all [SECONDS] [libFuzzer options...]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
dir=${KMLM_FUZZ_BUILD:-build/fuzz}

if [[ $target == all ]]; then
  for t in "${targets[@]}"; do "$0" "$t" "$seconds" "$@"; done
  exit 0
fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target '$target' (${targets[*]})" >&2; exit 2; }

if [[ ! -f $dir/build.ninja ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMLM_FUZZ=ON \
    -DKMLM_BUILD_TESTS=OFF -DKMLM_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$dir" --target "fuzz_$target" fuzz_seeds >/dev/null

corpus=$dir/corpus/$target
seeds=$dir/seeds
[[ -d $seeds/$target ]] || "$dir/fuzz/fuzz_seeds" "$seeds"
mkdir -p "$corpus" "$dir/artifacts"
extra_dirs=("$seeds/$target" fuzz/regressions/$target)
max_len=65536
# A hang is an input running past KMLM_FUZZ_TIMEOUT seconds: the template budgets end any
# rendering within about a second in a release build, several under the sanitizers.
options=(-max_total_time="$seconds" -timeout="${KMLM_FUZZ_TIMEOUT:-60}" -rss_limit_mb=3072 -malloc_limit_mb=2048
         -artifact_prefix="$dir/artifacts/$target-" -print_final_stats=1)
case $target in
  jinja) extra_dirs+=(tests/data/chat-templates); options+=(-dict=fuzz/jinja.dict); max_len=16384 ;;
  utf8) max_len=4096 ;;
  http) options+=(-dict=fuzz/http.dict); max_len=32768 ;;
esac
options+=(-max_len=$max_len)
existing=()
for d in "${extra_dirs[@]}"; do [[ -d $d ]] && existing+=("$d"); done
echo "== fuzz_$target for ${seconds}s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
# The chat store's SQLite driver needs no display; ASan's leak check runs at exit.
set +e
QT_QPA_PLATFORM=offscreen nice -n 10 "$dir/fuzz/fuzz_$target" "${options[@]}" "$@" "$corpus" "${existing[@]}" 2>&1 |
  grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)'
status=${PIPESTATUS[0]}
set -e
exit "$status"
