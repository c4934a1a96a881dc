#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses under Fuzz/<target>/ (issue 10).
#   scripts/fuzz.sh [--short | --runs N] [--merge] [TARGET...]
#     TARGET   http json gguf sessionlog (default: all, one after another)
#     --short  a few seconds each (CI; called from scripts/test.sh)
#     --runs N executions per target (default 10,000,000)
#     --minutes M  stop each target after M minutes even if N is not reached
#     --merge  afterwards minimize the committed corpus with what the run found
# Each harness is compiled together with the module sources listed in Fuzz/<target>/sources
# into one executable (swiftc -sanitize=fuzzer,address), so the normal build is untouched.
# Runs are niced: the machine is shared. Crashes are saved as .build/fuzz/<target>-crash-*
# and make the script fail (replay one with `.build/fuzz/<target> FILE`).
# Leak detection is off and ASan records no allocation stacks: the Swift runtime's lazily
# allocated metadata makes libFuzzer scan for leaks after most inputs (67 instead of ~5000
# executions/s for gguf), and stacks cost a third of the time of malloc-heavy harnesses.
# Memory growth is what scripts/soak.py measures.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10000000
seconds=""
minutes=""
merge=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --short) seconds="${FUZZ_SHORT_SECONDS:-5}" ;;
        --runs) runs="$2"; shift ;;
        --minutes) minutes="$2"; shift ;;
        --merge) merge=1 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
[ "${#targets[@]}" -gt 0 ] || targets=(http json gguf sessionlog)

out=.build/fuzz
mkdir -p "$out"

build() {
    local target="$1" binary="$out/$1"
    local sources=()
    while read -r pattern; do
        case "$pattern" in ''|'#'*) continue ;; esac
        for f in $pattern; do sources+=("$f"); done
    done < "Fuzz/$target/sources"
    sources+=(Fuzz/"$target"/*.swift)
    # Rebuild only when a source is newer than the binary.
    if [ -x "$binary" ] && [ -z "$(find "${sources[@]}" "Fuzz/$target/sources" -newer "$binary" | head -1)" ]; then
        return
    fi
    echo "fuzz: building $target (${#sources[@]} files)"
    # ld.gold warns about every ASan helper symbol; keep the log for real errors.
    # -wmo as in SwiftPM's release builds: without it generics called across files stay
    # unspecialized (the session log's CRC-32 malloc'ed per byte, 4x slower). Line tables are
    # enough for ASan's reports; full -g with -wmo would leave module files in the repository.
    if ! nice swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -gline-tables-only -module-name "Fuzz_$target" \
            "${sources[@]}" -o "$binary" > "$out/$target.build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$out/$target.build.log" >&2
        exit 1
    fi
}

run() {
    local target="$1" work limit
    work="$(mktemp -d "$out/$target-corpus.XXXXXX")"
    if [ -n "$seconds" ]; then limit="-max_total_time=$seconds"; else limit="-runs=$runs"; fi
    local time_limit=()
    [ -n "$minutes" ] && time_limit=(-max_total_time=$((minutes * 60)))
    local start=$SECONDS
    # New inputs go to the scratch directory first; the committed corpus is only read.
    # The Swift runtime's backtracer would read the crashed stack and trip ASan itself.
    if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="malloc_context_size=0:${ASAN_OPTIONS:-}" nice "$out/$target" "$limit" "${time_limit[@]}" \
            -detect_leaks=0 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$out/$target-" "$work" "Fuzz/$target/corpus" > "$out/$target.log" 2>&1; then
        tail -40 "$out/$target.log" >&2
        echo "fuzz: $target FAILED (input saved as $out/$target-crash-* or -timeout-*; log $out/$target.log)" >&2
        exit 1
    fi
    local execs
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$target.log")"
    echo "fuzz: $target ok: $execs executions in $((SECONDS - start)) s, no finding ($(date -u +%FT%TZ))"
    if [ "$merge" = 1 ]; then
        local merged="$out/$target-merged"
        rm -rf "$merged" && mkdir -p "$merged"
        nice "$out/$target" -merge=1 "$merged" "Fuzz/$target/corpus" "$work" > "$out/$target.merge.log" 2>&1
        rm -rf "Fuzz/$target/corpus" && mv "$merged" "Fuzz/$target/corpus"
        echo "fuzz: $target corpus minimized to $(ls "Fuzz/$target/corpus" | wc -l) files"
    fi
    rm -rf "$work"
}

for target in "${targets[@]}"; do
    [ -f "Fuzz/$target/sources" ] || { echo "fuzz.sh: no target $target under Fuzz/" >&2; exit 2; }
    build "$target"
done
for target in "${targets[@]}"; do run "$target"; done
