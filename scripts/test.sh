#!/usr/bin/env bash
# Runs the whole test suite the way CI does: the test models are fetched once (cached
# outside git), then every test target runs in a release build, since the models run many
# times slower in a debug build.
#   KVSERVE_MODEL        SmolLM2-135M (llama, gpt2 BPE "smollm", ChatML)   quick model
#   KVSERVE_MODEL_QWEN   Qwen2.5-Coder-0.5B-Instruct (qwen2, BPE "qwen2", Jinja template with tools)
#   KVSERVE_MODEL_GEMMA  Gemma 3 270M (gemma3, SentencePiece, no template in the file)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/test-setup.sh
./scripts/fuzz.sh --short  # libFuzzer harnesses, a few seconds each (Fuzz/RESULTS.md has the long runs)
KVSERVE_MODEL="$(./scripts/fetch-model.sh smollm2-135m)"
KVSERVE_MODEL_QWEN="$(./scripts/fetch-model.sh qwen2.5-coder-0.5b)"
KVSERVE_MODEL_GEMMA="$(./scripts/fetch-model.sh gemma3-270m)"
export KVSERVE_MODEL KVSERVE_MODEL_QWEN KVSERVE_MODEL_GEMMA
exec swift test -c release -Xswiftc -enable-testing "$@"
