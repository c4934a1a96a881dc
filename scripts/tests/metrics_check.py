#!/usr/bin/env python3
"""Reads kvserve's /metrics with Prometheus' own parser (prometheus_client) before and after
known traffic, and checks that each counter moved by exactly what the traffic implies.

usage: metrics_check.py BASE_URL KV_BUDGET_BYTES
The server must run with a state directory and a KV budget small enough (3 MiB for
SmolLM2: ~68 tokens at 46,080 bytes each) that the traffic below evicts a session to disk
and restores it. Exits non-zero with a reason on failure.
"""
import json
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def scrape(base):
    with urllib.request.urlopen(f"{base}/metrics") as r:
        check(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), f"content type {r.headers['Content-Type']}")
        text = r.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def generate(base, body):
    request = urllib.request.Request(f"{base}/generate", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as r:
        if not body.get("stream"):
            return json.load(r)
        lines = [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]
        check(lines and lines[-1].get("done"), f"stream did not end with done: {lines[-1:]}")
        return lines[-1]


def main():
    if len(sys.argv) != 3:
        fail("usage: metrics_check.py BASE_URL KV_BUDGET_BYTES")
    base, budget = sys.argv[1].rstrip("/"), int(sys.argv[2])
    before = scrape(base)

    # Every request generates exactly N tokens (ignore_eos, no stop strings), so the token
    # events and the usage are known in advance.
    n = 6
    common = {"max_tokens": n, "ignore_eos": True, "temperature": 0}
    usages = []
    usages.append(generate(base, {**common, "session_id": "metrics-s", "messages": [
        {"role": "user", "content": "Remember the number 42."}]})["usage"])
    usages.append(generate(base, {**common, "prompt": "The quick brown fox jumps over the lazy dog. One"})["usage"])
    usages.append(generate(base, {**common, "stream": True,
                                  "prompt": "A completely different prompt about the sea and its many waves."})["usage"])
    # The session was evicted (least recently used) to make room; this turn restores it.
    usages.append(generate(base, {**common, "session_id": "metrics-s", "messages": [
        {"role": "user", "content": "Which number?"}]})["usage"])
    generations = len(usages)
    with urllib.request.urlopen(f"{base}/sessions/metrics-s") as r:
        check(json.load(r)["id"] == "metrics-s", "session not listed")
    try:
        urllib.request.urlopen(f"{base}/no-such-route")
        fail("/no-such-route did not 404")
    except urllib.error.HTTPError as e:
        check(e.code == 404, f"/no-such-route gave {e.code}")

    after = scrape(base)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    report = {}

    def expect(name, got, want):
        report[name] = got
        check(got == want, f"{name}: moved by {got}, expected {want}")

    expect("requests POST /generate 200", delta("kvserve_http_requests_total", method="POST", route="/generate", status="200"), generations)
    expect("requests GET /sessions/{id} 200", delta("kvserve_http_requests_total", method="GET", route="/sessions/{id}", status="200"), 1)
    expect("requests GET unmatched 404", delta("kvserve_http_requests_total", method="GET", route="unmatched", status="404"), 1)
    expect("generated tokens", delta("kvserve_generated_tokens_total"), sum(u["completion_tokens"] for u in usages))
    expect("prompt tokens", delta("kvserve_prompt_tokens_total"), sum(u["prompt_tokens"] for u in usages))
    expect("cached tokens", delta("kvserve_cached_tokens_total"), sum(u["cached_tokens"] for u in usages))
    check(usages[-1]["cached_tokens"] > 0, f"the session's second turn reused nothing: {usages[-1]}")
    expect("time to first token count", delta("kvserve_time_to_first_token_seconds_count"), generations)
    # One gap per token after the first; the decoder may add one more event with held-back text.
    gaps = delta("kvserve_inter_token_latency_seconds_count")
    report["inter-token gaps"] = gaps
    check(generations * (n - 1) <= gaps <= generations * n, f"inter-token gaps {gaps}, expected {generations * (n - 1)}..{generations * n}")
    check(delta("kvserve_time_to_first_token_seconds_sum") > 0, "TTFT sum did not grow")
    inf = delta("kvserve_time_to_first_token_seconds_bucket", le="+Inf")
    check(inf == generations, f"TTFT +Inf bucket moved by {inf}")
    expect("evictions >= 1", delta("kvserve_session_evictions_total") >= 1, True)
    expect("restores >= 1", delta("kvserve_session_restores_total") >= 1, True)
    expect("kv budget", value(after, "kvserve_kv_bytes_budget"), budget)
    check(0 < value(after, "kvserve_kv_bytes_used") <= budget, f"kv bytes used {value(after, 'kvserve_kv_bytes_used')}")
    expect("queue depth when idle", value(after, "kvserve_queue_depth"), 0)
    expect("running batch when idle", value(after, "kvserve_running_batch_size"), 0)
    check(value(after, "kvserve_sessions", location="disk") >= 1, "no session on disk")
    check(value(after, "kvserve_sessions", location="memory") >= 1, "no session in memory")
    check(value(after, "kvserve_session_disk_bytes") > 0, "no session disk bytes")

    # While a reply streams, the worker runs it: running batch 1, nothing queued.
    request = urllib.request.Request(f"{base}/generate", headers={"Content-Type": "application/json"}, data=json.dumps(
        {"prompt": "Count slowly:", "max_tokens": 48, "ignore_eos": True, "stream": True}).encode())
    with urllib.request.urlopen(request) as stream:
        check("token" in json.loads(stream.readline()), "no first token line")
        during = scrape(base)
        rest = [json.loads(line) for line in stream.read().decode().splitlines() if line.strip()]
    check(rest and rest[-1].get("done"), "the streamed reply did not finish")
    expect("running batch while streaming", value(during, "kvserve_running_batch_size"), 1)
    expect("queue depth while streaming", value(during, "kvserve_queue_depth"), 0)
    print("metrics moved as expected:", json.dumps(report))


if __name__ == "__main__":
    main()
