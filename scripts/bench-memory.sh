#!/usr/bin/env bash
# Peak resident memory of a 1.3B-parameter model of Polyglot-ko-1.3B's shape (random weights,
# Q4_0) with its whole 2048-token context filled, run inside a hard 3 GiB address-space limit
# (prlimit --as, what `ulimit -v` sets: the mapped model counts against it), next to the
# estimate that admission uses. The estimate should be within 10 % of the measured peak.
#
#   bash scripts/bench-memory.sh            # builds kmlm in build/bench-memory
#   KMLM_BIN=build/x/app/kmlm bash scripts/bench-memory.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
limit=$((3 * 1024 * 1024 * 1024))
kmlm=${KMLM_BIN:-}
if [[ -z "$kmlm" ]]; then
    build="$root/build/bench-memory"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKMLM_BUILD_APP=OFF \
          -DKMLM_BUILD_TESTS=OFF -DKMLM_BUILD_BENCH=OFF > /dev/null
    cmake --build "$build" --target kmlm > /dev/null
    kmlm="$build/app/kmlm"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model="$tmp/polyglot-ko-1.3b-q4_0.gguf"
echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "== writing $model"
"$kmlm" make-random --preset polyglot-ko-1.3b --type Q4_0 "$model" > /dev/null
ls -l "$model" | awk '{printf "   %.0f MiB on disk\n", $5 / 1048576}'

echo "== the kmlm process before loading (the CLI's baseline)"
"$kmlm" memory -m "$model" --ctx 2048 --mem-limit none | grep -E '^  application'

# kmlm prints its own peak (VmHWM); /usr/bin/time (Debian package "time") confirms it from outside.
timer=()
if [[ -x /usr/bin/time ]]; then timer=(/usr/bin/time -v -o "$tmp/time.txt"); fi
for kv in q8_0 f16; do
    echo
    echo "== context 2048, KV cache $kv, address space limited to $((limit >> 20)) MiB"
    prlimit --as=$limit -- "${timer[@]}" \
        "$kmlm" memory -m "$model" --ctx 2048 --kv-type "$kv" --fill --generate 64 --mem-limit 3G
    if [[ -f "$tmp/time.txt" ]]; then
        peak_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$tmp/time.txt")
        echo "   /usr/bin/time -v: maximum resident set size $((peak_kib / 1024)) MiB"
    fi
done
