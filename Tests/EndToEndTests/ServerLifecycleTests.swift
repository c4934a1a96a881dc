import Foundation
import XCTest

/// Black-box tests of the `kvserve` binary: start-up, signals and crash durability.
final class ServerLifecycleTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "kvserve-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func startServer(stateDir: String = "", extra: [String] = []) throws -> ServerProcess {
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--state-dir", stateDir] + extra)
        try server.start()
        return server
    }

    func testBadConfigValueStopsStartupNamingIt() throws {
        let dir = try temporaryDirectory()
        let file = dir + "/bad.json"
        try #"{"port": 8080, "max_conections": 3}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let server = ServerProcess(arguments: ["--config", file])
        try server.process.run()
        XCTAssertEqual(server.waitForExit(timeout: 30), 1)
        XCTAssertTrue(server.log.contains("max_conections"), server.log)

        let badPort = ServerProcess(arguments: ["--port", "http"])
        try badPort.process.run()
        XCTAssertEqual(badPort.waitForExit(timeout: 30), 1)
        XCTAssertTrue(badPort.log.contains("port"), badPort.log)
    }

    func testHealthAndOneRequestLogLine() throws {
        let server = try startServer()
        let health = try Curl.run(["http://127.0.0.1:\(server.port)/health"])
        XCTAssertEqual(jsonObject(health)?["status"] as? String, "ok", health)
        _ = try Curl.post(port: server.port, json: #"{"prompt": "Hello", "max_tokens": 3, "temperature": 0}"#)
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertTrue(server.log.contains("POST /generate 200"), server.log)
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0)
    }

    /// `tls_cert` + `tls_key` make the server speak HTTPS (checked with curl against a
    /// self-signed certificate made here); a missing key file stops startup naming the file.
    func testTLSFromConfiguration() throws {
        let dir = try temporaryDirectory()
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0)

        let server = try startServer(extra: ["--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/key.pem"])
        let health = try Curl.run(["-k", "--tlsv1.2", "https://127.0.0.1:\(server.port)/health"])
        XCTAssertEqual(jsonObject(health)?["status"] as? String, "ok", health)
        let plain = try Curl.run(["http://127.0.0.1:\(server.port)/health"])
        XCTAssertNil(jsonObject(plain)?["status"], "plain HTTP must not be served on a TLS port")
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0)

        let missing = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                                "--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/nope.pem"])
        try missing.process.run()
        XCTAssertEqual(missing.waitForExit(timeout: 30), 1)
        XCTAssertTrue(missing.log.contains("nope.pem"), missing.log)
    }

    /// SIGTERM while a stream runs: the stream finishes normally, new connections are refused,
    /// the process exits 0.
    func testSigtermDrainsRunningStream() throws {
        let server = try startServer()
        let stream = Curl(["http://127.0.0.1:\(server.port)/generate", "-d",
                           #"{"prompt": "Count: 1, 2, 3,", "max_tokens": 96, "ignore_eos": true, "temperature": 0, "stream": true}"#])
        try stream.start()
        XCTAssertTrue(stream.wait(timeout: 60) { $0.contains("\"token\"") }, "no token arrived")
        server.signal(SIGTERM)
        let body = stream.finish()
        XCTAssertEqual(server.waitForExit(timeout: 60), 0, server.log)
        let lines = body.split(separator: "\n")
        let last = lines.last.flatMap { jsonObject(String($0)) }
        XCTAssertEqual(last?["done"] as? Bool, true, "stream cut: \(body.suffix(300))")
        XCTAssertEqual(last?["finish_reason"] as? String, "length")
        XCTAssertEqual(lines.count, 97)
        let refused = Curl(["http://127.0.0.1:\(server.port)/health"])
        try refused.start()
        XCTAssertEqual(refused.finish(), "")
    }

    /// kill -9 in the middle of a turn: after a restart the session holds exactly the last
    /// completed turn, and continuing it gives what a server that never crashed gives.
    func testKillNineDuringTurnKeepsLastCompletedTurn() throws {
        let turn1 = #"{"session_id": "crash-1", "messages": [{"role": "user", "content": "Name three colors."}], "max_tokens": 24, "temperature": 0}"#
        let turn2 = #"{"session_id": "crash-1", "messages": [{"role": "user", "content": "And three animals?"}], "max_tokens": 24, "temperature": 0}"#

        let reference = try startServer(stateDir: try temporaryDirectory())
        _ = try Curl.post(port: reference.port, json: turn1)
        let expected = jsonObject(try Curl.post(port: reference.port, json: turn2))
        reference.signal(SIGKILL)

        let stateDir = try temporaryDirectory()
        let crashing = try startServer(stateDir: stateDir)
        _ = try Curl.post(port: crashing.port, json: turn1)
        let afterTurn1 = jsonObject(try Curl.run(["http://127.0.0.1:\(crashing.port)/sessions/crash-1"]))
        let tokensAfterTurn1 = try XCTUnwrap(afterTurn1?["tokens"] as? Int)
        let long = turn2.replacingOccurrences(of: #""max_tokens": 24"#, with: #""max_tokens": 400, "ignore_eos": true, "stream": true"#)
        let stream = Curl(["http://127.0.0.1:\(crashing.port)/generate", "-d", long])
        try stream.start()
        XCTAssertTrue(stream.wait(timeout: 60) { $0.components(separatedBy: "\"token\"").count > 5 })
        crashing.signal(SIGKILL)
        _ = crashing.waitForExit(timeout: 10)
        _ = stream.finish()

        let restarted = try startServer(stateDir: stateDir)
        let info = jsonObject(try Curl.run(["http://127.0.0.1:\(restarted.port)/sessions/crash-1"]))
        XCTAssertNotNil(info, restarted.log)
        XCTAssertEqual(info?["tokens"] as? Int, tokensAfterTurn1)
        let continued = jsonObject(try Curl.post(port: restarted.port, json: turn2))
        XCTAssertEqual(continued?["text"] as? String, expected?["text"] as? String)
        XCTAssertNotNil(continued?["text"] as? String)
        let usage = continued?["usage"] as? [String: Any]
        XCTAssertGreaterThan(usage?["cached_tokens"] as? Int ?? 0, 0, "restored session should reuse its cache")
        restarted.signal(SIGTERM)
        XCTAssertEqual(restarted.waitForExit(timeout: 30), 0)
    }
}
