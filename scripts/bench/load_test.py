#!/usr/bin/env python3
"""Load benchmark: N concurrent streaming clients against a kvserve on 127.0.0.1 for S seconds.

Each client loops: POST /generate with "stream": true, time to the first token line (TTFT),
read to the final {"done": true} line. A request fails on a non-200 status, a socket error, an
error object in the stream, or a stream without its done line. Prints counts and TTFT p50/p99.

    python3 scripts/bench/load_test.py --port 8080 --clients 32 --seconds 60
"""
import argparse
import http.client
import json
import threading
import time


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def one_request(port, body, timeout):
    """Returns (ok, ttft_seconds or None, tokens, reason)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/generate", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        if resp.status != 200:
            return False, None, 0, f"status {resp.status}: {resp.read()[:200]!r}"
        ttft, tokens, done = None, 0, False
        while True:
            line = resp.readline()
            if not line:
                break
            event = json.loads(line)
            if "token" in event:
                tokens += 1
                if ttft is None:
                    ttft = time.monotonic() - start
            elif "error" in event:
                return False, ttft, tokens, f"error event: {event['error']}"
            elif event.get("done"):
                done = True
        if not done:
            return False, ttft, tokens, "stream ended without its done line"
        return True, ttft, tokens, ""
    except Exception as error:  # any socket or protocol failure counts as a failed request
        return False, None, 0, f"{type(error).__name__}: {error}"
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args()

    prompts = ["Tell me a fact about the sea.", "Write one line about autumn.", "What is 2+2?",
               "Name a famous painter.", "Describe a cat in five words.", "Give me a synonym for fast."]
    deadline = time.monotonic() + args.seconds
    lock = threading.Lock()
    ttfts, failures, successes, tokens_total = [], [], 0, 0

    def client(index):
        nonlocal successes, tokens_total
        n = 0
        while time.monotonic() < deadline:
            body = json.dumps({"messages": [{"role": "user", "content": prompts[(index + n) % len(prompts)]}],
                               "max_tokens": args.max_tokens, "temperature": 0.7, "seed": index * 1000 + n,
                               "stream": True})
            ok, ttft, tokens, reason = one_request(args.port, body, timeout=args.seconds + 300)
            with lock:
                tokens_total += tokens
                if ok:
                    successes += 1
                    ttfts.append(ttft if ttft is not None else float("nan"))
                else:
                    failures.append(reason)
            n += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    print(f"clients={args.clients} duration={elapsed:.1f}s max_tokens={args.max_tokens}")
    print(f"requests ok={successes} failed={len(failures)}")
    print(f"tokens streamed={tokens_total} ({tokens_total / elapsed:.1f} tok/s aggregate)")
    print(f"TTFT p50={percentile(ttfts, 0.5) * 1000:.0f} ms p99={percentile(ttfts, 0.99) * 1000:.0f} ms")
    for reason in failures[:10]:
        print("failure:", reason)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
