import Foundation
import XCTest

/// Request ids and JSON logs, seen from outside: the header on responses, the same id on the
/// request's log line, the reason on 4xx lines, the startup block.
final class RequestLoggingTests: XCTestCase {
    func testJSONLogLinesCarryTheRequestIdAndReason() throws {
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0", "--state-dir", "",
                                               "--log-format", "json"])
        try server.start()
        let base = "http://127.0.0.1:\(server.port)"

        let given = try Curl.run(["-D", "-", "-o", "/dev/null", "-H", "X-Request-Id: e2e-given.1", base + "/health"])
        XCTAssertTrue(given.contains("X-Request-Id: e2e-given.1"), given)
        let made = try Curl.run(["-D", "-", "-o", "/dev/null", "-H", "X-Request-Id: not sane!", base + "/health"])
        let madeID = try XCTUnwrap(made.range(of: #"X-Request-Id: [0-9a-f]{16}"#, options: .regularExpression).map {
            String(made[$0].dropFirst("X-Request-Id: ".count))
        }, made)
        let bad = try Curl.run(["-D", "-", "-H", "X-Request-Id: e2e-bad", "-H", "Content-Type: application/json",
                                "-d", #"{"prompt": "Hi", "max_tokens": -1, "session_id": "log-s1"}"#, base + "/generate"])
        XCTAssertTrue(bad.contains(" 400 "), bad)
        XCTAssertTrue(bad.contains("X-Request-Id: e2e-bad"), bad)
        _ = try Curl.run(["-H", "X-Request-Id: e2e-ok", "-d", #"{"prompt": "Hi", "max_tokens": 2, "session_id": "log-s2"}"#,
                          base + "/generate"])
        // An error of the HTTP layer itself (a head over max_header_bytes) gets an id too.
        let tooBig = try Curl.run(["-D", "-", "-o", "/dev/null", "-H", "X-Big: " + String(repeating: "a", count: 20_000),
                                   base + "/health"])
        XCTAssertTrue(tooBig.contains(" 431 "), tooBig)
        let tooBigID = try XCTUnwrap(tooBig.range(of: #"X-Request-Id: [0-9a-f]{16}"#, options: .regularExpression).map {
            String(tooBig[$0].dropFirst("X-Request-Id: ".count))
        }, tooBig)
        Thread.sleep(forTimeInterval: 0.3)
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0)

        let lines = server.log.split(separator: "\n").map(String.init)
        var byRequest: [String: [String: Any]] = [:]
        for line in lines {
            let object = try XCTUnwrap(jsonObject(line), "not a JSON line: \(line)")
            XCTAssertNotNil(object["time"] as? String)
            XCTAssertNotNil(object["level"] as? String)
            if let id = object["request_id"] as? String { byRequest[id] = object }
        }
        XCTAssertEqual(byRequest["e2e-given.1"]?["status"] as? Int, 200)
        XCTAssertEqual(byRequest[madeID]?["path"] as? String, "/health")
        let rejected = try XCTUnwrap(byRequest["e2e-bad"], server.log)
        XCTAssertEqual(rejected["status"] as? Int, 400)
        XCTAssertEqual(rejected["level"] as? String, "warning")
        XCTAssertTrue((rejected["error"] as? String ?? "").contains("max_tokens"), "\(rejected)")
        XCTAssertEqual(byRequest[tooBigID]?["status"] as? Int, 431, server.log)
        XCTAssertNotNil(byRequest[tooBigID]?["error"] as? String, server.log)
        let served = try XCTUnwrap(byRequest["e2e-ok"], server.log)
        XCTAssertEqual(served["session_id"] as? String, "log-s2")
        XCTAssertEqual(served["status"] as? Int, 200)

        // The startup block names what runs and where state goes.
        let startup = lines.compactMap(jsonObject)
        for key in ["address", "model", "architecture", "threads", "context_length", "state_dir", "kv_budget_mb", "isa"] {
            XCTAssertTrue(startup.contains { $0[key] != nil }, "startup block lacks \(key)")
        }
    }
}
