#!/usr/bin/env bash
# The speed matrix: `kmlm bench -o json` on random-weight models of the README's shapes, at
# several KV-cache depths and thread counts, printed as one Markdown table with the machine.
# The models are made once (make-random at F16, then quantize) into a cache folder and reused.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/run-matrix.sh [options]
  --shapes LIST   comma-separated, FAMILY-TYPE: pg-q4_0 pg-q4_k_m pg-q8_0 exaone-q4_k_m
                  (default: these four; pg: Polyglot-ko-1.3B-like gptneox, exaone:
                  EXAONE-3.5-2.4B-like), or exaone4-TYPE: 4 of EXAONE's 30 layers and a
                  12800-token vocabulary (the output keeps its ~15% of the bytes read per
                  token), a quick stand-in with the same attention per layer
  --depths LIST   tokens in the KV cache before timing (default 0,2048,4096)
  --threads LIST  thread counts (default 1,2)
  --kmlm LIST     kmlm binaries to compare, run one after another for every cell
                  (default build/qt6/app/kmlm); a binary's row label is its file name
  --cache DIR     where the models are made and reused (default build/bench-models)
  --prompt-tokens N, --gen-tokens N   per run (default 128 and 64)
  --out FILE      also keep the JSON lines of every run here (default: DIR/results-TIME.jsonl)
  --make-only     make the shapes' models in the cache, run nothing
Needs jq. Each run's context is depth + prompt + generated tokens.
Making the models once: 2.5 GiB F16 + 0.7-1.3 GiB per Polyglot file, 4.5 GiB F16 + 1.5 GiB for
EXAONE, several minutes each on two cores. A depth-4096 run fills the cache with 4096 tokens
first (prompt processing, not timed): minutes per cell on a small machine.
EOF
}

shapes=pg-q4_0,pg-q4_k_m,pg-q8_0,exaone-q4_k_m
depths=0,2048,4096
threads=1,2
kmlms=build/qt6/app/kmlm
cache=build/bench-models
prompt=128
gen=64
out=""
make_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --shapes) shapes=$2; shift 2 ;;
    --depths) depths=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --kmlm) kmlms=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --prompt-tokens) prompt=$2; shift 2 ;;
    --gen-tokens) gen=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --make-only) make_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-matrix: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null || { echo "run-matrix: needs jq (apt-get install jq)" >&2; exit 1; }
IFS=, read -r -a shape_list <<<"$shapes"
IFS=, read -r -a depth_list <<<"$depths"
IFS=, read -r -a thread_list <<<"$threads"
IFS=, read -r -a kmlm_list <<<"$kmlms"
for k in "${kmlm_list[@]}"; do
  [ -x "$k" ] || { echo "run-matrix: $k is not an executable kmlm" >&2; exit 1; }
done
mkdir -p "$cache"
maker=${kmlm_list[0]}

# make-random options of a shape's family. Context 8192 leaves room for depth 4096 and more.
family_args() {
  case "$1" in
    pg) echo "--preset polyglot-ko-1.3b --ctx 8192" ;;
    exaone) echo "--arch exaone --layers 30 --embd 2560 --heads 32 --heads-kv 8 --ff 7168 --vocab 102400 --tied --ctx 8192" ;;
    exaone4) echo "--arch exaone --layers 4 --embd 2560 --heads 32 --heads-kv 8 --ff 7168 --vocab 12800 --tied --ctx 8192" ;;
    *) return 1 ;;
  esac
}

# The model file of a shape, made (atomically) when the cache lacks it.
model_for() {
  local shape=$1 family=${1%%-*} type
  type=$(echo "${1#*-}" | tr '[:lower:]' '[:upper:]')
  local args
  args=$(family_args "$family") || { echo "run-matrix: unknown shape $shape" >&2; return 1; }
  local base="$cache/$family-F16.gguf" file="$cache/$shape.gguf"
  if [ ! -f "$base" ]; then
    echo "run-matrix: making $base" >&2
    # shellcheck disable=SC2086 # the family's options are separate words
    "$maker" make-random $args --type F16 "$base.part" >&2
    mv "$base.part" "$base"
  fi
  if [ ! -f "$file" ]; then
    echo "run-matrix: quantizing $file" >&2
    "$maker" quantize "$base" "$file" "$type" >&2
  fi
  echo "$file"
}

if [ "$make_only" = 1 ]; then
  for shape in "${shape_list[@]}"; do model_for "$shape"; done
  exit 0
fi
[ -n "$out" ] || out="$cache/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: >"$out"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for shape in "${shape_list[@]}"; do
  file=$(model_for "$shape")
  for t in "${thread_list[@]}"; do
    for d in "${depth_list[@]}"; do
      for k in "${kmlm_list[@]}"; do
        echo "run-matrix: $shape, $t threads, depth $d, $(basename "$k")" >&2
        "$k" bench -m "$file" -t "$t" -c $((d + prompt + gen)) --depth "$d" --prompt-tokens "$prompt" \
          --gen-tokens "$gen" -o json |
          jq -c --arg shape "$shape" --arg binary "$(basename "$k")" '. + {shape: $shape, binary: $binary}' >>"$out"
      done
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The table: generation at each depth also as a share of the same binary's depth-0 rate.
jq -rs --arg load_start "$load_start" --arg load_end "$load_end" '
  def r1: . * 10 | round / 10;
  def cell: "\(.shape)|\(.binary)|\(.threads)";
  (map(select(.depth == 0)) | map({key: cell, value: .gen_tps}) | from_entries) as $d0
  | (map(.bandwidth_gbs) | [min, max]) as $bw
  | "Machine: \(.[0].cpu), \(.[0].isa) kernels, read bandwidth \($bw[0] | r1)-\($bw[1] | r1) GB/s (measured by each run); load average \($load_start) at the start, \($load_end) at the end.",
    "",
    "| shape | kmlm | KV | threads | depth | prompt t/s | generation t/s | vs depth 0 | bound t/s | of bound | load average |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    (.[] | "| \(.shape) (\(.type)) | \(.binary) | \(.kv_type) | \(.threads) | \(.depth) | \(.prompt_tps | r1) | \(.gen_tps | r1) | "
      + (if $d0[cell] then "\(.gen_tps / $d0[cell] * 100 | round)%" else "-" end)
      + " | \(if .bound_tps then (.bound_tps | r1) else "-" end) | \(if .bound_ratio then "\(.bound_ratio * 100 | round)%" else "-" end) | \(.load_average) |")
' "$out"
echo >&2 "run-matrix: JSON lines in $out"
