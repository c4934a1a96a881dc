#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs into Fuzz/<target>/corpus/ from real inputs.

  http        request literals from Tests/HTTPTests (with a leading split-size byte)
  json        JSON bodies (raw string literals) from Tests/APITests and Tests/EndToEndTests
  gguf        the first bytes of each test model (header + start of metadata), and a small
              complete file written by gguf-py (SmolLM2's scalar metadata, arrays cut short,
              tiny tensors of several types) so the fuzzer starts from a file that parses
  sessionlog  logs in the documented format (Sources/Sessions/SessionLog.swift) with KVC1
              cache bytes (Sources/Llama/KVCache+Serialization.swift), for the harness's
              identity and layout, written here independently of the Swift writer

Run once with the reference venv: /work/venv-ref/bin/python Fuzz/make_seeds.py
then `scripts/fuzz.sh --merge` minimizes the corpus with what the run finds.
"""
import glob
import hashlib
import json
import os
import re
import struct
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.expanduser("~/.cache/kvserve")


def write(target, data):
    d = os.path.join(ROOT, "Fuzz", target, "corpus")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def swift_unescape(s):
    table = {"r": "\r", "n": "\n", "t": "\t", '"': '"', "\\": "\\", "0": "\0"}
    return re.sub(r"\\(.)", lambda m: table.get(m.group(1), m.group(0)), s)


def http_seeds():
    literal = re.compile(r'"((?:[^"\\\n]|\\.)*HTTP/1\.[01]\\r\\n(?:[^"\\\n]|\\.)*)"')
    found = set()
    for path in glob.glob(os.path.join(ROOT, "Tests/HTTPTests/*.swift")):
        for m in literal.finditer(open(path).read()):
            if "\\(" not in m.group(1):
                found.add(swift_unescape(m.group(1)).encode())
    for i, request in enumerate(sorted(found)):
        write("http", bytes([(7 * i) % 256]) + request)  # byte 0: piece size for the split run
    return len(found)


def json_seeds():
    found = set()
    for path in glob.glob(os.path.join(ROOT, "Tests/APITests/*.swift")) + \
            glob.glob(os.path.join(ROOT, "Tests/EndToEndTests/*.swift")):
        for m in re.finditer(r'#"(.*?)"#', open(path).read()):
            text = m.group(1)
            if text[:1] in "{[" and "\\#(" not in text:
                found.add(text.encode())
    for body in found:
        write("json", body)
    return len(found)


def gguf_seeds():
    import gguf
    count = 0
    for name in sorted(os.listdir(MODELS)):
        if name.endswith(".gguf"):
            with open(os.path.join(MODELS, name), "rb") as f:
                write("gguf", f.read(3000))
                count += 1
    path = os.path.join(ROOT, ".build", "fuzz-seed.gguf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    reader = gguf.GGUFReader(os.path.join(MODELS, "SmolLM2-135M-Instruct.Q4_1.gguf"))
    writer = gguf.GGUFWriter(path, "llama")
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        value = field.contents()
        vtype = field.types[0]
        if isinstance(value, list):
            writer.add_array(field.name, value[:3])
        else:
            writer.add_key_value(field.name, value, vtype)
    rng = np.random.default_rng(0)
    writer.add_tensor("token_embd.weight", rng.standard_normal((4, 32), dtype=np.float32))
    q = gguf.quants.quantize(rng.standard_normal((2, 64), dtype=np.float32), gguf.GGMLQuantizationType.Q8_0)
    writer.add_tensor("blk.0.attn_q.weight", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    writer.add_tensor("output_norm.weight", np.ones(32, dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    write("gguf", open(path, "rb").read())
    return count + 1


IDENTITY, LAYOUT, LAYERS, ROW = b"fuzz-model", b"llama-f32 layers=2 kv_dim=4", 2, 4


def kv_bytes(tokens, start):
    rows = np.arange(start, start + tokens, dtype=np.float32)
    body = b"".join(np.repeat(rows + 0.5 * l + 0.25 * kv, ROW).astype("<f4").tobytes()
                    for l in range(LAYERS) for kv in range(2))
    return b"KVC1" + struct.pack("<III", LAYERS, ROW, tokens) + body


def record(history_start, tokens, kv_start, kv_count, mode, messages):
    meta = json.dumps({"mode": mode, "messages": messages}).encode()
    payload = struct.pack("<II", history_start, len(tokens)) + struct.pack(f"<{len(tokens)}I", *tokens)
    payload += struct.pack("<III", kv_start, kv_count, len(meta)) + meta + kv_bytes(kv_count, kv_start)
    return struct.pack("<II", 0x4E525554, len(payload)) + payload + struct.pack("<I", zlib.crc32(payload))


def header(identity=IDENTITY, layout=LAYOUT):
    h = struct.pack("<III", 0x53534B56, 1, len(identity)) + identity + struct.pack("<I", len(layout)) + layout
    return h + struct.pack("<I", zlib.crc32(h))


def sessionlog_seeds():
    chat = [{"role": "user", "content": "hi <|im_end|> é"}, {"role": "assistant", "content": "hello"}]
    turn1 = record(0, [1, 2, 3, 4], 0, 3, "messages", chat)
    turn2 = record(4, [5, 6, 7], 3, 3, "messages", [{"role": "user", "content": "more"}])
    turn3 = record(7, [8], 6, 2, "raw", [])
    logs = [
        header(),
        header() + turn1,
        header() + turn1 + turn2 + turn3,
        header() + turn1 + turn2[:-3],                     # crash mid-write
        header(b"another-model") + turn1,                  # refused: identity
        header(layout=b"llama-f32 layers=30 kv_dim=192") + turn1,
        header() + turn1 + record(4, [5], 3, 3, "raw", []),  # refused: KV for 6 tokens, history of 5
    ]
    for i, log in enumerate(logs):
        write("sessionlog", bytes([1]) + log)  # byte 0 bit 0: harness repairs checksums
        if i == 2:
            write("sessionlog", bytes([0]) + log)
    return len(logs) + 1


if __name__ == "__main__":
    for make in (http_seeds, json_seeds, gguf_seeds, sessionlog_seeds):
        print(make.__name__, make())
