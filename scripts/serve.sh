#!/usr/bin/env bash
# Builds kvserve (release), fetches the default model on first run, and serves it.
# Extra arguments go to `kvserve serve` (e.g. --port 9000, --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${KVSERVE_MODEL:-$(./scripts/fetch-model.sh)}"
swift build -c release --product kvserve >&2
exec .build/release/kvserve serve --model "$MODEL" "$@"
