#!/usr/bin/env bash
# kvserve vs llama.cpp on the same GGUF, same prompt lengths, same thread count, one run.
# Usage: scripts/bench.sh [MODEL.gguf | NAME] [THREADS]   (NAME as in scripts/fetch-model.sh --list)
# kvserve: `kvserve bench` (Sources/App/Benchmark.swift); llama.cpp: scripts/bench_llamacpp.py
# with llama-cpp-python 0.3.36 (built from PyPI into .venv-llamacpp on first run, which takes
# several minutes; or point LLAMACPP_PYTHON at a python that has it).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-smollm2-135m}"
[ -f "$MODEL" ] || MODEL="$(scripts/fetch-model.sh "$MODEL")"
WEIGHT_BYTES="$(python3 scripts/bench/weight_bytes.py "$MODEL")"
THREADS="${2:-2}"
PY="${LLAMACPP_PYTHON:-.venv-llamacpp/bin/python}"
if [ -z "${LLAMACPP_PYTHON:-}" ] && [ ! -x "$PY" ]; then
    echo "building llama-cpp-python into .venv-llamacpp (first run only) ..." >&2
    python3 -m venv .venv-llamacpp
    CMAKE_ARGS="-DGGML_NATIVE=ON" .venv-llamacpp/bin/pip install --quiet llama-cpp-python==0.3.36 >&2
fi
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
cat "$OUT/kvserve.txt" "$OUT/llamacpp.txt" | python3 -c '
import sys
v = {}
for line in sys.stdin:
    f = line.split()
    if len(f) == 5 and f[0] == "RESULT":
        v[(f[1], f[2], int(f[3]))] = float(f[4])
wb = int(sys.argv[2])
bw = v.get(("kvserve", "read_bandwidth", 0), 0)
print("\n%s threads, tokens/s (higher is better), medians of 3 runs each; shared machine, numbers vary run to run" % sys.argv[1])
print("weights read per decoded token: %.1f MB; GB/s = that x decode tok/s" % (wb / 1e6))
print("machine read bandwidth (kvserve bench probe, streaming read, %s threads): %.1f GB/s" % (sys.argv[1], bw))
print("%-8s %-16s %10s %10s %8s %14s" % ("context", "metric", "kvserve", "llama.cpp", "ratio", "GB/s kv / l.cpp"))
for c in sorted({k[2] for k in v if k[1] != "read_bandwidth"}):
    for m in ("prefill", "decode"):
        k, l = v.get(("kvserve", m, c), 0), v.get(("llama.cpp", m, c), 0)
        gbs = " %6.1f / %5.1f" % (wb * k / 1e9, wb * l / 1e9) if m == "decode" else ""
        if m == "decode" and bw:
            gbs += "  (kvserve at %.0f%% of read bandwidth)" % (100 * wb * k / 1e9 / bw)
        print("%-8d %-16s %10.1f %10.1f %7.2fx%s" % (c, m, k, l, k / l if l else 0, gbs))
    print("%-8d %-16s %10.1f %10s" % (c, "decode, no cache", v.get(("kvserve", "decode_nocache", c), 0), "-"))
    print("%-8d %-16s %9.1fx %10s" % (c, "KV cache speedup", v.get(("kvserve", "kv_speedup", c), 0), "-"))
' "$THREADS" "$WEIGHT_BYTES"
