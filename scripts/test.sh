#!/usr/bin/env bash
# Runs the whole test suite the way CI does: the default model is fetched once (cached
# outside git), then every test target runs in a release build, since the model runs many
# times slower in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
KVSERVE_MODEL="$(./scripts/fetch-model.sh)"
export KVSERVE_MODEL
exec swift test -c release -Xswiftc -enable-testing "$@"
