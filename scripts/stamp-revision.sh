#!/usr/bin/env bash
# Writes the git revision into Sources/CBuildInfo/revision.h, which `kvserve --version` prints.
# Usage: scripts/stamp-revision.sh [REVISION]   (default: `git describe` of this checkout, or
# "unknown" without git, e.g. in a Docker build, which passes it as --build-arg GIT_REVISION).
# The header is rewritten only when it changes, so an unchanged revision rebuilds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
REVISION="${1:-$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)}"
# Only characters that are safe inside a C string literal.
REVISION="$(printf '%s' "$REVISION" | tr -cd 'A-Za-z0-9._+-' | cut -c1-64)"
HEADER=Sources/CBuildInfo/revision.h
CONTENT="#define KVSERVE_GIT_REVISION \"${REVISION:-unknown}\""
if [ ! -f "$HEADER" ] || [ "$(cat "$HEADER")" != "$CONTENT" ]; then
    printf '%s\n' "$CONTENT" >"$HEADER"
    touch Sources/CBuildInfo/build_info.c  # a header that appeared after the first build is not yet a tracked dependency
fi
echo "${REVISION:-unknown}"
