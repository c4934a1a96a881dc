import Foundation
import Synchronization
import XCTest

/// Scale-out through nginx (deploy/local-cluster.sh): three replicas share one state
/// directory; sessions stick to a replica, move without recompute when it is killed, and
/// settle when it comes back. SmolLM2 with 3-token replies keeps it short.
final class ScaleOutTests: XCTestCase {
    private let sessions = (0..<30).map { "scale-\($0)" }

    /// What the client knows of one session: where its last turn ran and how long its history is.
    private struct Seen {
        var replicas: [String] = []
        var total = 0  // prompt + completion tokens of the last turn: the history length
    }

    func testSessionsStickMoveOnCrashAndSettle() throws {
        let state = NSTemporaryDirectory() + "kvserve-scale-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let cluster = try LocalCluster(replicas: 3, stateDirectory: state)
        addTeardownBlock {
            cluster.down()
            try? FileManager.default.removeItem(atPath: state)
        }
        try cluster.up()
        try checkHeadersAndHealth(cluster)

        // 30 sessions x 3 turns: each keeps one replica, every later turn reuses its cache,
        // and the sessions spread over all three replicas.
        var seen = Dictionary(uniqueKeysWithValues: sessions.map { ($0, Seen()) })
        for turn in 1...3 { try runTurn(turn, port: cluster.port, seen: &seen, mustCache: turn > 1) }
        for (id, s) in seen { XCTAssertEqual(Set(s.replicas).count, 1, "\(id) moved between replicas: \(s.replicas)") }
        let home = seen.mapValues { $0.replicas[0] }
        XCTAssertEqual(Set(home.values), ["replica-1", "replica-2", "replica-3"], "sessions did not spread: \(home)")

        // kill -9 one replica: its sessions continue elsewhere from their logs (cached tokens,
        // not a recompute); the others stay where they are.
        let victim = "replica-\(Self.busiest(home))"
        let victimIndex = Int(victim.dropFirst("replica-".count))!
        try cluster.kill9(victimIndex)
        try runTurn(4, port: cluster.port, seen: &seen, mustCache: true)
        for (id, s) in seen {
            XCTAssertNotEqual(s.replicas.last, victim, "\(id) answered by the killed replica")
            if home[id] != victim { XCTAssertEqual(s.replicas.last, home[id], "\(id) moved though its replica lives") }
        }
        let movedTo = Dictionary(uniqueKeysWithValues: seen.filter { home[$0.key] == victim }.map { ($0.key, $0.value.replicas.last!) })

        // The replica restarted: once nginx probes it again (fail_timeout 5 s) its sessions come
        // back, read from the logs the other replicas wrote (a request that reached nginx before
        // its probe may still land on the stand-in: it continues there just as well). Then two
        // more turns show it settled: every session at home, on the same replica twice.
        try cluster.restart(victimIndex)
        Thread.sleep(forTimeInterval: 6)
        for turn in 5...7 { try runTurn(turn, port: cluster.port, seen: &seen, mustCache: true) }
        for (id, s) in seen {
            XCTAssertEqual(s.replicas[5], s.replicas[6], "\(id) still moving after the restart: \(s.replicas)")
            XCTAssertEqual(s.replicas[6], home[id], "\(id) did not return to its replica: \(s.replicas)")
        }

        // A stale owner: the replica that held a moved session during the outage still has
        // turn 4 in memory. Sent a turn directly, it reloads the log (turns 5-7 are in its
        // answer's history) instead of appending to what it has; and the home replica, now
        // stale in turn, reloads that turn on the next request through nginx.
        let (staleID, staleReplica) = try XCTUnwrap(movedTo.first)
        let stalePort = cluster.replicaPort(Int(staleReplica.dropFirst("replica-".count))!)
        try continueSession(staleID, turn: 8, port: stalePort, in: &seen, mustCache: true)
        XCTAssertEqual(seen[staleID]?.replicas.last, staleReplica)
        try continueSession(staleID, turn: 9, port: cluster.port, in: &seen, mustCache: true)
        XCTAssertEqual(seen[staleID]?.replicas.last, victim)
        XCTAssertTrue(cluster.log(of: victimIndex).contains("session \(staleID): its log was written by another replica"),
                      cluster.log(of: victimIndex))

        // Nothing lost, nothing written twice: each log holds exactly the history the client
        // saw, and no replica holds a session's lock while idle.
        for id in sessions {
            let reply = try ClusterReply.request(port: cluster.port, path: "/sessions/\(id)", headers: ["X-Session-Id": id])
            XCTAssertEqual(reply.status, 200, "\(id): \(reply.body)")
            XCTAssertEqual(reply.body["tokens"] as? Int, seen[id]?.total, "\(id): log and client disagree")
            XCTAssertTrue(Self.lockIsFree(state + "/locks/\(id).lock"), "\(id) still locked while idle")
        }
    }

    /// deploy/kubernetes/ validates against the Kubernetes schemas (kubernetes-validate from
    /// PyPI, strict) and has what scaling out needs; a manifest with a wrong field fails.
    func testKubernetesManifestsValidate() throws {
        let root = PythonScript.packageRoot
        let python = root.appendingPathComponent(".build/venv-clients/bin/python").path
        guard FileManager.default.fileExists(atPath: python) else {
            return XCTFail("no client venv at \(python): scripts/test-setup.sh makes it")
        }
        let script = root.appendingPathComponent("scripts/tests/check_kubernetes.py").path
        let manifests = root.appendingPathComponent("deploy/kubernetes").path
        let good = try Self.run(python, [script, manifests])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("StatefulSet/kvserve"), good.output)

        let broken = NSTemporaryDirectory() + "kvserve-k8s-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: manifests, toPath: broken)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let file = broken + "/statefulset.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "replicas: 3", with: "replicas: three").write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try Self.run(python, [script, broken])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.output.contains("spec.replicas") || bad.output.contains("replicas"), bad.output)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = OutputCollector()
        process.standardOutput = output.pipe
        process.standardError = output.pipe
        try process.run()
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (process.terminationStatus, output.text)
    }

    /// X-Kvserve-Replica on every response (errors too), /health naming replica and pid, and
    /// an X-Session-Id that contradicts the body refused before it can be misrouted.
    private func checkHeadersAndHealth(_ cluster: LocalCluster) throws {
        for index in 1...3 {
            let health = try ClusterReply.request(port: cluster.replicaPort(index), path: "/health")
            XCTAssertEqual(health.body["replica"] as? String, "replica-\(index)")
            XCTAssertEqual((health.body["pid"] as? Int).map { Int32($0) }, cluster.pid(of: index))
            XCTAssertEqual(health.replica, "replica-\(index)")
        }
        let mismatch = try ClusterReply.request(port: cluster.port, path: "/generate",
                                                json: #"{"session_id": "a", "prompt": "Hi", "max_tokens": 1}"#,
                                                headers: ["X-Session-Id": "b"])
        XCTAssertEqual(mismatch.status, 400)
        XCTAssertEqual((mismatch.body["error"] as? [String: Any])?["param"] as? String, "session_id")
        XCTAssertTrue(mismatch.replica.hasPrefix("replica-"), "\(mismatch.headers)")
        let missing = try ClusterReply.request(port: cluster.port, path: "/no-such-route", headers: ["X-Session-Id": "b"])
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.replica.hasPrefix("replica-"), "\(missing.headers)")
    }

    private func runTurn(_ turn: Int, port: Int, seen: inout [String: Seen], mustCache: Bool) throws {
        let state = Mutex((seen: seen, failures: [String]()))
        nonisolated(unsafe) let test = self  // XCTest runs one test at a time; the turns only read it
        Self.parallel(sessions, width: 6) { id in
            do {
                var s = state.withLock { $0.seen[id]! }
                try test.continueSession(id, turn: turn, port: port, seen: &s, mustCache: mustCache)
                state.withLock { $0.seen[id] = s }
            } catch {
                state.withLock { $0.failures.append("\(id): \(error)") }
            }
        }
        seen = state.withLock { $0.seen }
        XCTAssertEqual(state.withLock { $0.failures }, [], "turn \(turn)")
    }

    private func continueSession(_ id: String, turn: Int, port: Int, in seen: inout [String: Seen], mustCache: Bool) throws {
        var s = seen[id]!
        try continueSession(id, turn: turn, port: port, seen: &s, mustCache: mustCache)
        seen[id] = s
    }

    /// One turn. With history, the cache must cover all of it but the last sampled token
    /// (the session's own invariant): proof the turn continued it rather than recomputing.
    private func continueSession(_ id: String, turn: Int, port: Int, seen s: inout Seen, mustCache: Bool) throws {
        let body = #"{"session_id": "\#(id)", "prompt": " Turn \#(turn): name a color.", "max_tokens": 3, "temperature": 0}"#
        let reply = try ClusterReply.request(port: port, path: "/generate", json: body, headers: ["X-Session-Id": id])
        guard reply.status == 200 else { throw NSError(domain: "turn \(turn)", code: reply.status, userInfo: [NSLocalizedDescriptionKey: "\(reply.body)"]) }
        let usage = reply.usage
        let prompt = usage["prompt_tokens"] ?? 0, cached = usage["cached_tokens"] ?? 0
        if mustCache {
            XCTAssertGreaterThan(prompt, s.total, "\(id) turn \(turn) on \(reply.replica): history lost")
            XCTAssertGreaterThanOrEqual(cached, s.total - 1, "\(id) turn \(turn) on \(reply.replica): recomputed")
            XCTAssertGreaterThan(cached, 0)
        }
        s.total = prompt + (usage["completion_tokens"] ?? 0)
        s.replicas.append(reply.replica)
    }

    private static func busiest(_ home: [String: String]) -> Int {
        let counts = Dictionary(grouping: home.values, by: { $0 }).mapValues(\.count)
        let name = counts.max { $0.value < $1.value }?.key ?? "replica-1"
        return Int(name.dropFirst("replica-".count)) ?? 1
    }

    private static func lockIsFree(_ path: String) -> Bool {
        let fd = open(path, O_RDWR)
        guard fd >= 0 else { return true }  // never locked
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    private static func parallel(_ items: [String], width: Int, _ body: @escaping @Sendable (String) -> Void) {
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: width)
        for item in items {
            slots.wait()
            group.enter()
            Thread.detachNewThread {
                body(item)
                slots.signal()
                group.leave()
            }
        }
        group.wait()
    }
}
