#!/usr/bin/env bash
# Runs the test suite under ThreadSanitizer or AddressSanitizer (issue 10).
#   scripts/sanitize.sh thread|address [swift test options, e.g. --filter HTTPTests]
# Release build with -enable-testing (a debug build runs the models far too slowly under a
# sanitizer), in its own build directory so the normal build is untouched. The end-to-end
# tests start the kvserve binary of this build, so the server runs sanitized too.
# Skipped by default (set SANITIZE_SKIP= to run everything): tests that only measure speed
# or compare long model outputs with a reference; their code paths run in the other tests.
# Prints the tests run, failures and sanitizer reports; the full log is
# .build/sanitize-<kind>.log. Exit status is nonzero on a failure or any report.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in
    thread|address) shift ;;
    *) echo "usage: scripts/sanitize.sh thread|address [swift test options]" >&2; exit 2 ;;
esac
skip="${SANITIZE_SKIP-SpeedTests|FidelityTests|DefaultModelCacheTests|StructuredOutputModelTests|WebChatBrowserTests}"
# AddressSanitizer holds freed memory back in its quarantine (256 MiB by default) and pads
# every allocation, so tests that bound the server's RSS measure ASan, not kvserve.
[ "$kind" = address ] && [ -z "${SANITIZE_SKIP+set}" ] && skip="$skip|ReliabilityMemoryBudgetTests|ReliabilityTokenizeFloodTests"
# The same set-up as scripts/test.sh (client venv, nginx, Chromium), or those tests fail.
./scripts/test-setup.sh
KVSERVE_MODEL="$(./scripts/fetch-model.sh smollm2-135m)"
KVSERVE_MODEL_QWEN="$(./scripts/fetch-model.sh qwen2.5-coder-0.5b)"
KVSERVE_MODEL_GEMMA="$(./scripts/fetch-model.sh gemma3-270m)"
export KVSERVE_MODEL KVSERVE_MODEL_QWEN KVSERVE_MODEL_GEMMA
# Keep going after a report so one run lists them all. Leak checking is off: Swift's runtime
# keeps metadata alive until exit, and memory growth is what scripts/soak.py measures.
export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=0 detect_leaks=0 ${ASAN_OPTIONS:-}"
log=".build/sanitize-$kind.log"
mkdir -p .build
args=(-c release -Xswiftc -enable-testing --sanitize="$kind" --build-path ".build/sanitize-$kind")
[ -n "$skip" ] && args+=(--skip "$skip")
start=$SECONDS
status=0
nice swift test "${args[@]}" "$@" > "$log" 2>&1 || status=$?
reports="$(grep -cE "^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: AddressSanitizer)" "$log" || true)"
echo "sanitize $kind: swift test ${args[*]} $*"
grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1 || true
grep -E "^Test Case .* failed" "$log" | sed 's/^/  /' || true
echo "sanitize $kind: $reports sanitizer report(s), exit status $status, $((SECONDS - start)) s (log: $log)"
grep -E "^(SUMMARY: (ThreadSanitizer|AddressSanitizer))" "$log" | sort | uniq -c | sed 's/^/  /' || true
[ "$status" = 0 ] && [ "$reports" = 0 ]
