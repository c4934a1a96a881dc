#!/usr/bin/env python3
"""Soak test (issue 10): a release kvserve with a state directory, N clients for M minutes.

Each client loops over a mix of request kinds:
  ndjson   POST /generate, streamed NDJSON, read to the {"done": true} line
  sse      POST /generate with Accept: text/event-stream, read to the done frame
  openai   POST /v1/chat/completions, streamed SSE, read to "data: [DONE]"
  session  a 3-turn conversation under one session_id (turns 2-3 must reuse the cache),
           then DELETE /sessions/{id}
  cancel   a long stream, disconnected after a few tokens (the server must carry on)
  slow     a stream read by a client with a tiny receive buffer, one line at a time with pauses
A failure is any unexpected status, an error event, a stream without its ending, a socket
error, or no byte for --hang-seconds (a hang). The server's RSS is sampled every second.
Prints requests by kind, failures, RSS after warm-up (min/max) and its slope, and writes a
PNG of RSS over time. Exit status 1 on any failure or if the server died.

    /work/venv-ref/bin/python scripts/soak.py --minutes 10          # matplotlib needed for the PNG
    /work/venv-ref/bin/python scripts/soak.py --minutes 2 --png .build/soak-2min.png
"""
import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ["ndjson", "sse", "openai", "session", "cancel", "slow"]
PROMPTS = ["Tell me a fact about the sea.", "Write one line about autumn.", "What is 2+2?",
           "Name a famous painter.", "Describe a cat in five words.", "Give me a synonym for fast."]


class Failure(Exception):
    pass


class SlowConnection(http.client.HTTPConnection):
    """A client whose kernel receive buffer is tiny, so the server's writes back up."""

    def connect(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


class Soak:
    def __init__(self, args, port):
        self.args, self.port = args, port
        self.lock = threading.Lock()
        self.ok = collections.Counter()
        self.failed = collections.Counter()
        self.failures = []
        self.deadline = 0.0

    # -- one request of each kind; each returns normally or raises Failure --------------------

    def post(self, path, body, headers=None, conn_class=http.client.HTTPConnection):
        conn = conn_class("127.0.0.1", self.port, timeout=self.args.hang_seconds)
        conn.request("POST", path, body=json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        if resp.status != 200:
            detail = resp.read()[:300]
            conn.close()
            raise Failure(f"{path}: status {resp.status}: {detail!r}")
        return conn, resp

    def chat(self, rng, **extra):
        body = {"messages": [{"role": "user", "content": rng.choice(PROMPTS)}],
                "max_tokens": self.args.max_tokens, "temperature": 0.7, "seed": rng.randrange(1 << 30)}
        body.update(extra)
        return body

    @staticmethod
    def read_lines(resp, limit=None, pause=0.0):
        """Yields decoded non-empty lines; a read timeout surfaces as socket.timeout (a hang)."""
        count = 0
        while True:
            line = resp.readline()
            if not line:
                return
            if pause:
                time.sleep(pause)
            line = line.strip()
            if line:
                count += 1
                yield line.decode()
                if limit is not None and count >= limit:
                    return

    def check_ndjson(self, resp, pause=0.0):
        tokens = 0
        for line in self.read_lines(resp, pause=pause):
            event = json.loads(line)
            if "error" in event:
                raise Failure(f"error event: {event['error']}")
            if event.get("done"):
                return tokens
            tokens += "token" in event
        raise Failure(f"NDJSON stream ended without its done line after {tokens} tokens")

    def run_ndjson(self, rng):
        conn, resp = self.post("/generate", self.chat(rng, stream=True))
        with contextlib.closing(conn):
            self.check_ndjson(resp)

    def run_sse(self, rng):
        conn, resp = self.post("/generate", self.chat(rng, stream=True), {"Accept": "text/event-stream"})
        with contextlib.closing(conn):
            for line in self.read_lines(resp):
                if not line.startswith("data: "):
                    continue
                data = line[len("data: "):]
                if data == "[DONE]":
                    return
                event = json.loads(data)
                if "error" in event:
                    raise Failure(f"SSE error event: {event['error']}")
                if event.get("done"):
                    return
            raise Failure("SSE stream ended without its done frame")

    def run_openai(self, rng):
        body = self.chat(rng, stream=True, model="soak")
        conn, resp = self.post("/v1/chat/completions", body)
        with contextlib.closing(conn):
            finished = False
            for line in self.read_lines(resp):
                if not line.startswith("data: "):
                    continue
                data = line[len("data: "):]
                if data == "[DONE]":
                    if not finished:
                        raise Failure("OpenAI stream: [DONE] without a finish_reason")
                    return
                chunk = json.loads(data)
                if "error" in chunk:
                    raise Failure(f"OpenAI error chunk: {chunk['error']}")
                finished |= any(c.get("finish_reason") for c in chunk.get("choices", []))
            raise Failure("OpenAI stream ended without data: [DONE]")

    def run_session(self, rng, client):
        sid = f"soak-{client}-{rng.randrange(1 << 40):x}"
        for turn in range(3):
            body = self.chat(rng, session_id=sid)
            conn, resp = self.post("/generate", body)
            with contextlib.closing(conn):
                answer = json.loads(resp.read())
            if answer.get("session_id") != sid:
                raise Failure(f"session turn {turn}: answer names session {answer.get('session_id')!r}")
            cached = answer.get("usage", {}).get("cached_tokens", 0)
            if turn > 0 and not cached:
                raise Failure(f"session {sid} turn {turn}: cached_tokens {cached}, history lost")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.args.hang_seconds)
        with contextlib.closing(conn):
            conn.request("DELETE", f"/sessions/{sid}")
            resp = conn.getresponse()
            resp.read()
            if resp.status not in (200, 204):
                raise Failure(f"DELETE /sessions/{sid}: status {resp.status}")

    def run_cancel(self, rng):
        body = self.chat(rng, stream=True, max_tokens=2000, ignore_eos=True)
        conn, resp = self.post("/generate", body)
        lines = list(self.read_lines(resp, limit=rng.randint(1, 5)))
        # Close mid-stream: the server must stop this generation and keep serving the rest.
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        if not lines:
            raise Failure("cancel: the stream ended before any token")

    def run_slow(self, rng):
        body = self.chat(rng, stream=True, max_tokens=self.args.max_tokens, ignore_eos=True)
        conn, resp = self.post("/generate", body, conn_class=SlowConnection)
        with contextlib.closing(conn):
            self.check_ndjson(resp, pause=self.args.slow_pause)

    # -- clients -------------------------------------------------------------------------------

    def client(self, index):
        rng = random.Random(index)
        n = 0
        while time.monotonic() < self.deadline:
            kind = KINDS[(index + n) % len(KINDS)]
            n += 1
            started = time.monotonic()
            try:
                if kind == "session":
                    self.run_session(rng, index)
                else:
                    getattr(self, "run_" + kind)(rng)
                with self.lock:
                    self.ok[kind] += 1
            except Exception as error:  # every failure is counted, with what it was
                reason = "hang (no byte for %ds)" % self.args.hang_seconds if isinstance(error, socket.timeout) \
                    else f"{type(error).__name__}: {error}"
                with self.lock:
                    self.failed[kind] += 1
                    self.failures.append((round(started - self.start, 1), kind, reason))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def slope_per_minute(samples):
    """Least-squares slope of RSS (MB) over time, in MB per minute."""
    if len(samples) < 2:
        return float("nan")
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mr = sum(r for _, r in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return 60.0 * sum((t - mt) * (r - mr) for t, r in samples) / var if var else float("nan")


def plot(samples, warmup, path, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("soak: matplotlib missing, no plot (use /work/venv-ref/bin/python)", file=sys.stderr)
        return False
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot([t / 60 for t, _ in samples], [r for _, r in samples], linewidth=1)
    ax.axvspan(0, warmup / 60, color="0.9", label="warm-up")
    ax.set_xlabel("minutes")
    ax.set_ylabel("kvserve RSS (MB)")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--warmup-minutes", type=float, default=None, help="default: a fifth of the run, at most 2")
    p.add_argument("--model", default=None, help="GGUF path (default: SmolLM2-135M via scripts/fetch-model.sh)")
    p.add_argument("--binary", default=os.path.join(ROOT, ".build/release/kvserve"))
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--slow-pause", type=float, default=0.05, help="seconds a slow reader waits per line")
    p.add_argument("--hang-seconds", type=int, default=120)
    p.add_argument("--png", default=os.path.join(ROOT, ".build/soak-rss.png"))
    p.add_argument("server_args", nargs="*", help="extra `kvserve serve` flags, after --")
    args = p.parse_args()
    warmup = 60 * (args.warmup_minutes if args.warmup_minutes is not None else min(args.minutes / 5, 2))
    model = args.model or subprocess.check_output([os.path.join(ROOT, "scripts/fetch-model.sh"), "smollm2-135m"],
                                                  text=True).strip()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"soak: no release binary at {args.binary} (swift build -c release --product kvserve)")

    state = tempfile.mkdtemp(prefix="kvserve-soak-state-")
    port = free_port()
    server_log = open(state + ".log", "w")
    cmd = [args.binary, "serve", "--model", model, "--port", str(port), "--state-dir", state] + args.server_args
    server = subprocess.Popen(cmd, stdout=server_log, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                sys.exit(f"soak: kvserve exited with {server.returncode}; log {server_log.name}")
            time.sleep(0.5)

    soak = Soak(args, port)
    samples = []
    soak.start = time.monotonic()
    soak.deadline = soak.start + 60 * args.minutes
    stop = threading.Event()

    def sampler():
        while not stop.is_set() and server.poll() is None:
            samples.append((time.monotonic() - soak.start, rss_mb(server.pid)))
            stop.wait(1.0)

    threading.Thread(target=sampler, daemon=True).start()
    threads = [threading.Thread(target=soak.client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    died = server.poll() is not None
    if not died:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    elapsed = time.monotonic() - soak.start

    after = [s for s in samples if s[0] >= warmup]
    total_ok, total_failed = sum(soak.ok.values()), sum(soak.failed.values())
    print(f"soak: {args.clients} clients, {elapsed / 60:.1f} min, model {os.path.basename(model)}, "
          f"state dir {state}, server log {server_log.name}")
    print(f"{'kind':<8} {'ok':>7} {'failed':>7}")
    for kind in KINDS:
        print(f"{kind:<8} {soak.ok[kind]:>7} {soak.failed[kind]:>7}")
    print(f"{'total':<8} {total_ok:>7} {total_failed:>7}")
    grouped = collections.Counter((kind, reason[:160]) for _, kind, reason in soak.failures)
    for (kind, reason), count in grouped.most_common(15):
        first = next(when for when, k, r in soak.failures if k == kind and r[:160] == reason)
        print(f"  {count:>5} x [{kind}] {reason} (first at {first} s)")
    if after:
        rss = [r for _, r in after]
        print(f"RSS after {warmup / 60:.1f} min warm-up: min {min(rss):.1f} MB, max {max(rss):.1f} MB, "
              f"slope {slope_per_minute(after):+.2f} MB/min over {len(after)} samples "
              f"(peak overall {max(r for _, r in samples):.1f} MB)")
    title = f"kvserve RSS, {args.clients} clients, {total_ok} ok / {total_failed} failed"
    if samples and plot(samples, warmup, args.png, title):
        print(f"RSS plot: {args.png}")
    if died:
        print(f"server: died during the soak with status {server.returncode}")
    else:
        print(f"server: exit status {server.returncode} after SIGTERM")
    sys.exit(1 if total_failed or died else 0)


if __name__ == "__main__":
    main()
