#!/usr/bin/env bash
# kvserve vs llama.cpp on the same GGUF, same prompt lengths, same thread count, one run.
# Usage: scripts/bench.sh [MODEL.gguf] [THREADS]
# kvserve: `kvserve bench` (Sources/App/Benchmark.swift); llama.cpp: scripts/bench_llamacpp.py
# with llama-cpp-python from /work/venv/llamacpp (override with LLAMACPP_PYTHON).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-$(scripts/fetch-model.sh)}"
THREADS="${2:-2}"
PY="${LLAMACPP_PYTHON:-/work/venv/llamacpp/bin/python}"
SCRATCH="${SCRATCH_PATH:-.build}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

swift build -c release --scratch-path "$SCRATCH" --product kvserve >&2
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/kvserve"

echo "== kvserve ==" >&2
"$BIN" bench --model "$MODEL" --threads "$THREADS" | tee "$OUT/kvserve.txt" | grep -v '^RESULT' >&2
echo "== llama.cpp ==" >&2
"$PY" scripts/bench_llamacpp.py "$MODEL" "$THREADS" 128 512 | tee "$OUT/llamacpp.txt" | grep -v '^RESULT' >&2

# Side-by-side table from the RESULT lines: RESULT <impl> <metric> <context> <value>
cat "$OUT/kvserve.txt" "$OUT/llamacpp.txt" | awk -v threads="$THREADS" '
$1 == "RESULT" { v[$2 " " $3 " " $4] = $5; ctx[$4] = 1 }
END {
    printf "\n%d threads, %s\n", threads, "tokens/s (higher is better)"
    printf "%-8s %-8s %12s %12s %8s\n", "context", "metric", "kvserve", "llama.cpp", "ratio"
    n = asorti(ctx, cs, "@ind_num_asc")
    for (i = 1; i <= n; i++) {
        c = cs[i]
        split("prefill decode", ms, " ")
        for (j = 1; j <= 2; j++) {
            m = ms[j]; k = v["kvserve " m " " c]; l = v["llama.cpp " m " " c]
            printf "%-8s %-8s %12.1f %12.1f %7.2fx\n", c, m, k, l, (l > 0 ? k / l : 0)
        }
        printf "%-8s %-8s %12.1f %12s %8s\n", c, "nocache", v["kvserve decode_nocache " c], "-", ""
        printf "%-8s %-8s %11.1fx %12s %8s\n", c, "KV gain", v["kvserve kv_speedup " c], "-", ""
    }
}'
