#!/usr/bin/env python3
"""llama.cpp (llama-cpp-python) speed on the same GGUF, for comparison with `kvserve bench`.

Same measurements as kvserve's benchmark: prefill tokens/s for a prompt of N tokens in one
eval (n_batch >= N, so llama.cpp runs it as one batch), and decode tokens/s for 128 tokens
generated one eval at a time after that prompt; each the median of RUNS runs. Timing is wall-clock around the eval calls
(llama_perf_context's counters did not track per-call evals through this binding version), so
llama.cpp's numbers include the binding's small per-call overhead (a logits copy per eval).
Prints a table and `RESULT llama.cpp <metric> <context> <value>` lines.

Usage: /work/venv/llamacpp/bin/python scripts/bench_llamacpp.py MODEL.gguf [THREADS] [CONTEXTS...]
"""
import statistics
import sys
import time

from llama_cpp import Llama

DECODE_TOKENS = 128
RUNS = 3


def bench_prompt(n, vocab):
    """The same LCG sequence as kvserve's benchPrompt, so both run identical token ids."""
    state, out = 12345, []
    for _ in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append((state >> 33) % vocab)
    return out


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(llm, n):
    """(prefill, decode) tokens/s."""
    tokens = bench_prompt(n + DECODE_TOKENS, llm.n_vocab())
    prompt, generated = tokens[:n], tokens[n:]  # decode speed does not depend on which tokens
    llm.reset()
    prefill = n / timed(lambda: llm.eval(prompt))

    def decode():
        for t in generated:
            llm.eval([t])

    return prefill, DECODE_TOKENS / timed(decode)


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    contexts = [int(c) for c in sys.argv[3:]] or [128, 512]
    n_ctx = max(contexts) + DECODE_TOKENS + 16
    llm = Llama(model_path=path, n_ctx=n_ctx, n_batch=max(512, max(contexts)), n_ubatch=max(512, max(contexts)),
                n_threads=threads, n_threads_batch=threads, verbose=False)
    print(f"llama.cpp (llama-cpp-python) bench: {threads} threads, decode {DECODE_TOKENS} tokens, medians of {RUNS} runs")
    print("context  prefill tok/s  decode tok/s")
    run(llm, 32)  # warm up
    for n in contexts:
        runs = [run(llm, n) for _ in range(RUNS)]
        prefill = statistics.median(r[0] for r in runs)
        decode = statistics.median(r[1] for r in runs)
        print(f"{n:7d} {prefill:14.1f} {decode:13.1f}")
        print(f"RESULT llama.cpp prefill {n} {prefill:.2f}")
        print(f"RESULT llama.cpp decode {n} {decode:.2f}")


if __name__ == "__main__":
    main()
