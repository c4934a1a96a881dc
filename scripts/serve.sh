#!/usr/bin/env bash
# Builds kvserve (release), fetches the model on first run, and serves it.
# Usage: scripts/serve.sh [MODEL] [serve flags...]
#   MODEL: a name from scripts/fetch-model.sh --list (default: $KVSERVE_MODEL, else
#   qwen2.5-coder-0.5b) or a GGUF path. Flags go to `kvserve serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${KVSERVE_MODEL:-qwen2.5-coder-0.5b}"
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then MODEL="$1"; shift; fi
if [ ! -f "$MODEL" ]; then MODEL="$(./scripts/fetch-model.sh "$MODEL")"; fi
./scripts/stamp-revision.sh >/dev/null
swift build -c release --product kvserve >&2
exec .build/release/kvserve serve --model "$MODEL" "$@"
