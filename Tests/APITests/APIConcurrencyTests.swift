import Foundation
import XCTest
import TestSupport

// Behaviour while a long generation holds the single model worker: other routes answer,
// a busy session is a 409, a full queue is a 503 with Retry-After, and the request log
// carries the token count.
final class APIConcurrencyTests: XCTestCase {
    // A streaming generation far longer than any test (thousands of tokens at ~10-100 tok/s),
    // started and read up to its first token so it is surely running on the worker.
    private func startLongStream(_ s: TestServer, extra: String = "") throws -> RawClient {
        let client = try RawClient(port: s.port, timeout: 120)
        try client.sendRequest("POST", "/generate",
                               body: #"{"prompt": "Count to a million:", "max_tokens": 4000, "ignore_eos": true, "stream": true\#(extra)}"#)
        XCTAssertEqual(try client.readHead().status, 200)
        XCTAssertNotNil(try client.readChunk())
        return client
    }

    func testHealthAnswersWhileGenerating() throws {
        guard let s = TestServer.shared() else { return }
        let long = try startLongStream(s)
        defer { long.close() }
        let started = Date()
        let r = try s.call("GET", "/health")
        XCTAssertEqual(r.head.status, 200)
        // It does not wait for the model at all; 5 s leaves room for a loaded machine.
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testBusySessionIs409() throws {
        guard let s = TestServer.shared() else { return }
        let id = "busy-\(UInt32.random(in: 0...UInt32.max))"
        let long = try startLongStream(s, extra: #", "session_id": "\#(id)""#)
        let r = try s.call("POST", "/generate", #"{"prompt": "Hi", "max_tokens": 2, "session_id": "\#(id)"}"#)
        XCTAssertEqual(r.head.status, 409, r.text)
        XCTAssertEqual(r.error["type"] as? String, "conflict_error")
        XCTAssertEqual(r.error["param"] as? String, "session_id")
        long.close()
        // Clean up once the cancelled turn has released the session (409 until then).
        let until = Date().addingTimeInterval(60)
        var status = 0
        repeat {
            status = try s.call("DELETE", "/sessions/\(id)").head.status
            if status == 409 { usleep(100_000) }
        } while status == 409 && Date() < until
        // 404 is fine too: the engine may roll back a cancelled first turn entirely.
        XCTAssertTrue([200, 404].contains(status), "session still busy after cancel: \(status)")
    }

    func testFullQueueIs503WithRetryAfter() throws {
        guard let s = TestServer.shared(tinyQueue: true) else { return }
        let running = try startLongStream(s)
        defer { running.close() }
        // A streamed request answers its headers right after submit: once they are read,
        // the job is surely in the one-slot queue.
        let queued = try RawClient(port: s.port, timeout: 120)
        defer { queued.close() }
        try queued.sendRequest("POST", "/generate", body: #"{"prompt": "Hi", "max_tokens": 2, "stream": true}"#)
        XCTAssertEqual(try queued.readHead().status, 200)

        let r = try s.call("POST", "/generate", #"{"prompt": "Hi", "max_tokens": 2}"#)
        XCTAssertEqual(r.head.status, 503, r.text)
        XCTAssertEqual(r.error["type"] as? String, "overloaded_error")
        XCTAssertGreaterThanOrEqual(Int(r.head.header("Retry-After") ?? "") ?? 0, 1)

        running.close()
        var lines = 0
        while try queued.readChunk() != nil { lines += 1 }
        XCTAssertEqual(lines, 3, "the queued job runs once the first is cancelled: 2 tokens + done")
    }

    func testRequestLogCarriesTokenCount() throws {
        guard let s = TestServer.shared() else { return }
        let r = try s.call("POST", "/generate", #"{"prompt": "Hello there", "max_tokens": 3, "ignore_eos": true}"#)
        XCTAssertEqual(r.head.status, 200, r.text)
        let usage = r.json["usage"] as? [String: Any] ?? [:]
        let expected = (usage["prompt_tokens"] as? Int ?? 0) + (usage["completion_tokens"] as? Int ?? 0)
        let entry = s.logEntry { $0.path.contains("/generate") && $0.status == 200 && $0.fields["tokens"] == String(expected) }
        XCTAssertNotNil(entry, "no log line with tokens=\(expected)")
    }
}
