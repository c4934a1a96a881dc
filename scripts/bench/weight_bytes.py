#!/usr/bin/env python3
"""Bytes of weights a decoder reads per generated token, from a GGUF file's tensor directory.

Every weight tensor is read once per token except the token embedding, of which one row is
read (unless the output head is tied to it, when the head reads all of it). Parses only the
GGUF header (spec: github.com/ggml-org/ggml/blob/master/docs/gguf.md); no dependencies.
Usage: weight_bytes.py MODEL.gguf   -> prints the byte count
"""
import struct
import sys

# ggml type -> (elements per block, bytes per block)
BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
          10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}
SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def read(f, fmt):
    return struct.unpack("<" + fmt, f.read(struct.calcsize("<" + fmt)))[0]


def skip_value(f, t):
    if t in SCALAR:
        read(f, SCALAR[t])
    elif t == 8:
        f.seek(read(f, "Q"), 1)
    elif t == 9:
        inner, n = read(f, "I"), read(f, "Q")
        for _ in range(n):
            skip_value(f, inner)
    else:
        sys.exit(f"unknown GGUF value type {t}")


def main(path):
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            sys.exit(f"{path} is not a GGUF file")
        read(f, "I")
        n_tensors, n_kv = read(f, "Q"), read(f, "Q")
        for _ in range(n_kv):
            f.seek(read(f, "Q"), 1)
            skip_value(f, read(f, "I"))
        tensors = {}
        for _ in range(n_tensors):
            name = f.read(read(f, "Q")).decode()
            dims = [read(f, "Q") for _ in range(read(f, "I"))]
            ggml_type = read(f, "I")
            read(f, "Q")
            elements = 1
            for d in dims:
                elements *= d
            per_block, block_bytes = BLOCKS[ggml_type]
            tensors[name] = (elements // per_block * block_bytes, dims)
    total = sum(size for size, _ in tensors.values())
    if "output.weight" in tensors and "token_embd.weight" in tensors:
        size, dims = tensors["token_embd.weight"]
        total -= size - size // dims[1]
    print(total)


if __name__ == "__main__":
    main(sys.argv[1])
