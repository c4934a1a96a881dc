#!/usr/bin/env python3
"""Scale-out benchmark over deploy/local-cluster.sh (nginx + replicas on 127.0.0.1).

1. Aggregate tokens/s of CLIENTS streaming clients (one session each, TURNS turns of
   MAX_TOKENS tokens): straight to one replica (no nginx), then through nginx with 1, 2 and 3
   replicas. On one machine the replicas share its cores, so this measures what the proxy
   costs, not what more machines would add. "direct" and "nginx x1" run on the same replica,
   alternating, so machine noise hits both alike.
2. A session continuing on another replica after its replica is killed (-9), timed through
   nginx (failure seen, retry, lock taken, KV read back from the log, new tokens prefilled,
   one token decoded), beside recomputing the same history as a fresh prompt on a live replica,
   and beside a warm turn on the replica that holds the session in memory.

    scripts/bench/scale_out.py [--clients 32] [--turns 2] [--max-tokens 16] [--history-words 700]

Environment: KVSERVE_MODEL (default: kvserve's default model), KVSERVE_BIN, KVSERVE_THREADS
(default: the machine's cores divided among the replicas, at least 1). Numbers from one run
on a shared machine are noisy: compare the columns of one run.
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "deploy", "local-cluster.sh")


class Cluster:
    def __init__(self, replicas, port):
        self.replicas, self.port = replicas, port
        self.state = tempfile.mkdtemp(prefix="kvserve-bench-scale-")
        env = dict(os.environ)
        env.pop("KVSERVE_CONFIG", None)
        env.setdefault("KVSERVE_THREADS", str(max(1, (os.cpu_count() or 1) // replicas)))
        self.threads = env["KVSERVE_THREADS"]
        self.env = env

    def __enter__(self):
        subprocess.run([CLUSTER, "up", str(self.replicas), str(self.port), self.state], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc):
        subprocess.run([CLUSTER, "down", self.state], env=self.env, stdout=subprocess.DEVNULL)
        shutil.rmtree(self.state, ignore_errors=True)

    def pid(self, index):
        with open(os.path.join(self.state, ".cluster", f"replica-{index}.pid")) as f:
            return int(f.read().strip())


def post(port, body, session=None, stream=False):
    """One /generate request; returns (seconds, tokens received, replica, final JSON)."""
    headers = {"Content-Type": "application/json"}
    if session:
        headers["X-Session-Id"] = session
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("POST", "/generate", json.dumps(dict(body, stream=stream)), headers)
    resp = conn.getresponse()
    replica = resp.getheader("X-Kvserve-Replica", "")
    tokens, final = 0, None
    if stream:
        for line in resp:
            event = json.loads(line)
            if "token" in event:
                tokens += 1
            final = event
    else:
        final = json.loads(resp.read())
        tokens = len(final.get("tokens", []))
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {final}")
    return time.perf_counter() - start, tokens, replica, final


def throughput(port, clients, turns, max_tokens, tag):
    """Aggregate streamed tokens/s of `clients` concurrent sessions."""
    counts, errors = [0] * clients, []

    def client(i):
        try:
            for t in range(turns):
                body = {"session_id": f"{tag}-{i}", "prompt": f" Question {t} from client {i}: tell me about rivers.",
                        "max_tokens": max_tokens, "temperature": 0, "ignore_eos": True}
                counts[i] += post(port, body, session=f"{tag}-{i}", stream=True)[1]
        except Exception as e:  # reported below; a failed client must not hang the run
            errors.append(str(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed: {errors[0]}")
    return sum(counts) / elapsed, sum(counts), elapsed


def throughput_table(args, base_port):
    rows = []
    with Cluster(1, base_port) as c:
        direct, proxied = [], []
        for round_ in range(2):
            direct.append(throughput(c.port + 1, args.clients, args.turns, args.max_tokens, f"d{round_}"))
            proxied.append(throughput(c.port, args.clients, args.turns, args.max_tokens, f"n{round_}"))
        rows.append(("direct to 1 replica (no nginx)", 1, c.threads, direct))
        rows.append(("nginx -> 1 replica", 1, c.threads, proxied))
    for n in (2, 3):
        with Cluster(n, base_port) as c:
            runs = [throughput(c.port, args.clients, args.turns, args.max_tokens, f"n{n}-{r}") for r in range(2)]
            rows.append((f"nginx -> {n} replicas", n, c.threads, runs))
    baseline = sum(r[0] for r in rows[0][3]) / len(rows[0][3])
    print(f"\n{args.clients} streaming clients x {args.turns} turns x {args.max_tokens} tokens, 2 rounds each "
          f"(model: {os.environ.get('KVSERVE_MODEL', 'default')}, {os.cpu_count()} cores)")
    print(f"{'setup':34} {'replicas':>8} {'threads':>7} {'tok/s round 1':>14} {'tok/s round 2':>14} {'mean':>8} {'vs direct':>9}")
    for name, n, threads, runs in rows:
        mean = sum(r[0] for r in runs) / len(runs)
        print(f"{name:34} {n:>8} {threads:>7} {runs[0][0]:>14.1f} {runs[1][0]:>14.1f} {mean:>8.1f} {mean / baseline:>8.2f}x")


def failover_table(args, base_port, sessions=3):
    history = " ".join(["The river ran past the old mill and the miller counted the sacks of grain."] * (args.history_words // 15))
    with Cluster(2, base_port) as c:
        # Sessions with a long history, all on one replica (picked by nginx's hash).
        victims, i = [], 0
        while len(victims) < sessions and i < 200:
            sid = f"failover-{i}"
            i += 1
            _, _, replica, final = post(c.port, {"session_id": sid, "prompt": f"Story {sid}: {history}",
                                                 "max_tokens": 1, "temperature": 0}, session=sid)
            if replica == "replica-1":
                victims.append((sid, final["usage"]["prompt_tokens"]))
        warm = [post(c.port, {"session_id": sid, "prompt": " And then?", "max_tokens": 1, "temperature": 0},
                     session=sid)[0] for sid, _ in victims]
        # Recompute: the same amount of history as a fresh prompt on the replica that lives on
        # (distinct openings, so no cached prefix helps).
        recompute = [post(c.port + 2, {"prompt": f"Retold {sid}: {history} And then? Next?", "max_tokens": 1,
                                       "temperature": 0})[0] for sid, _ in victims]
        os.kill(c.pid(1), 9)
        moved = []
        for sid, _ in victims:
            seconds, _, replica, final = post(c.port, {"session_id": sid, "prompt": " Next?", "max_tokens": 1,
                                                       "temperature": 0}, session=sid)
            moved.append((seconds, replica, final["usage"]))
    print(f"\nA session's next turn (1 token) after its replica is killed, history ~{victims[0][1]} tokens, "
          f"{sessions} sessions")
    print(f"{'session':14} {'warm, same replica':>19} {'moved after kill -9':>20} {'recompute history':>18} "
          f"{'cached':>7} {'new replica':>12}")
    for (sid, _), w, r, (m, replica, usage) in zip(victims, warm, recompute, moved):
        print(f"{sid:14} {w * 1000:>16.0f} ms {m * 1000:>17.0f} ms {r * 1000:>15.0f} ms {usage['cached_tokens']:>7} "
              f"{replica:>12}")
    print("(the first moved turn also pays nginx noticing the dead replica; recompute ran on the live replica "
          "directly, without nginx)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--history-words", type=int, default=700)
    parser.add_argument("--port", type=int, default=18480, help="nginx port; replicas on the next ones")
    parser.add_argument("--only", choices=["throughput", "failover"])
    args = parser.parse_args()
    if args.only != "failover":
        throughput_table(args, args.port)
    if args.only != "throughput":
        failover_table(args, args.port)


if __name__ == "__main__":
    sys.exit(main())
