#!/usr/bin/env python3
"""Sessions benchmark: time to first token per turn over a 16-turn conversation.

Runs the same conversation three ways against a kvserve on 127.0.0.1 and prints TTFT per turn
side by side:
  session   - each call sends only the new user message with a session_id (server keeps the cache)
  resend    - each call re-sends the whole history, no session_id (server may reuse a cached prefix)
  nocache   - each call re-sends the whole history with "cache_prompt": false (full prefill: the baseline)

    python3 scripts/bench/sessions_bench.py --port 8080 --turns 16
"""
import argparse
import http.client
import json
import time
import uuid

QUESTIONS = [
    "Hi! I am planning a garden. What should I plant first?", "How often should I water tomatoes?",
    "What about basil?", "Which pests should I watch for?", "How do I make compost?",
    "Is rain water better than tap water?", "When do I harvest the tomatoes?", "Can I grow lettuce in summer?",
    "What is crop rotation?", "Suggest a layout for a small bed.", "How deep should the soil be?",
    "What flowers attract bees?", "Should I use mulch?", "How do I store seeds?",
    "What can I plant in autumn?", "Summarize your advice in one sentence.",
]


def stream(port, payload):
    """Returns (ttft_ms, text, usage)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("POST", "/generate", body=json.dumps(payload), headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise SystemExit(f"status {resp.status}: {resp.read()[:300]!r}")
    ttft, done = None, None
    while True:
        line = resp.readline()
        if not line:
            break
        event = json.loads(line)
        if "token" in event and ttft is None:
            ttft = (time.monotonic() - start) * 1000
        if "error" in event:
            raise SystemExit(f"error: {event}")
        if event.get("done"):
            done = event
    conn.close()
    if ttft is None:  # no token at all (immediate end of turn): time to the final line
        ttft = (time.monotonic() - start) * 1000
    return ttft, done["text"], done["usage"]


def run(port, turns, mode, max_tokens):
    session = f"bench-{uuid.uuid4().hex[:8]}"
    history, rows = [], []
    for question in QUESTIONS[:turns]:
        history.append({"role": "user", "content": question})
        payload = {"max_tokens": max_tokens, "temperature": 0, "stream": True}
        if mode == "session":
            payload.update(session_id=session, messages=[history[-1]])
        else:
            payload.update(messages=history)
            if mode == "nocache":
                payload["cache_prompt"] = False
        ttft, text, usage = stream(port, payload)
        history.append({"role": "assistant", "content": text})
        rows.append((ttft, usage["prompt_tokens"], usage["cached_tokens"]))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--turns", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    modes = ["session", "resend", "nocache"]
    results = {mode: run(args.port, args.turns, mode, args.max_tokens) for mode in modes}
    print("turn | " + " | ".join(f"{m} TTFT ms (prompt/cached)" for m in modes))
    for turn in range(args.turns):
        cells = [f"{results[m][turn][0]:8.1f} ({results[m][turn][1]}/{results[m][turn][2]})" for m in modes]
        print(f"{turn + 1:4d} | " + " | ".join(cells))
    first, last = results["session"][0][0], results["session"][-1][0]
    print(f"session: last turn TTFT / first turn TTFT = {last / first:.2f}x (target <= 1.5x)")
    print(f"nocache: last turn TTFT / first turn TTFT = {results['nocache'][-1][0] / results['nocache'][0][0]:.2f}x")


if __name__ == "__main__":
    main()
