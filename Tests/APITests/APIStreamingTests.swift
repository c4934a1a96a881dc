import Foundation
import XCTest
import TestSupport

// Streaming /generate over real sockets with the real model: NDJSON and SSE framing,
// tokens arriving while generation is still running, equivalence with the non-streaming
// answer, and cancellation when the client goes away.
final class APIStreamingTests: XCTestCase {
    private struct Streamed {
        var head: RawResponse
        var chunks: [[UInt8]]
        var objects: [[String: Any]]
        var tokenText: String {
            objects.compactMap { ($0["token"] as? [String: Any])?["text"] as? String }.joined()
        }
        var tokenIDs: [Int] {
            objects.compactMap { (($0["token"] as? [String: Any])?["id"] as? NSNumber)?.intValue }
        }
        var done: [String: Any]? { objects.last.flatMap { $0["done"] as? Bool == true ? $0 : nil } }
    }

    private func stream(_ s: TestServer, _ body: String, sse: Bool = false) throws -> Streamed {
        let client = try RawClient(port: s.port, timeout: 120)
        defer { client.close() }
        try client.sendRequest("POST", "/generate", body: body,
                               headers: sse ? [("Accept", "text/event-stream")] : [])
        let head = try client.readHead()
        var chunks: [[UInt8]] = []
        while let chunk = try client.readChunk() { chunks.append(chunk) }
        let objects = chunks.compactMap { chunk -> [String: Any]? in
            sse ? jsonObject(Array(chunk.dropFirst(6).dropLast(2))) : jsonObject(Array(chunk.dropLast()))
        }
        return Streamed(head: head, chunks: chunks, objects: objects)
    }

    private func whole(_ s: TestServer, _ body: String) throws -> [String: Any] {
        let r = try s.call("POST", "/generate", body)
        XCTAssertEqual(r.head.status, 200, r.text)
        return r.json
    }

    func testNDJSONOneTokenPerChunkAndDoneLine() throws {
        guard let s = TestServer.shared() else { return }
        let r = try stream(s, #"{"prompt": "Once upon a time", "max_tokens": 12, "temperature": 0, "ignore_eos": true, "stream": true}"#)
        XCTAssertEqual(r.head.status, 200)
        XCTAssertTrue(r.head.isChunked)
        XCTAssertEqual(r.head.header("Content-Type"), "application/x-ndjson")
        XCTAssertEqual(r.chunks.count, 13, "12 token lines + the done line, each its own chunk")
        for chunk in r.chunks {
            XCTAssertEqual(chunk.last, 0x0A)
            XCTAssertEqual(chunk.filter { $0 == 0x0A }.count, 1, "one JSON line per chunk")
        }
        XCTAssertEqual(r.objects.count, r.chunks.count, "every line is valid JSON")
        guard let done = r.done else { return XCTFail("no done line") }
        XCTAssertEqual(done["finish_reason"] as? String, "length")
        XCTAssertEqual(done["text"] as? String, r.tokenText)
        XCTAssertEqual((done["tokens"] as? [Any])?.count, 12)
        XCTAssertEqual((done["usage"] as? [String: Any])?["completion_tokens"] as? Int, 12)
        XCTAssertNotNil(done["timings"] as? [String: Any])
    }

    // curl -N style: the first token line is on the wire while the rest is still decoding.
    func testFirstTokenArrivesBeforeGenerationFinishes() throws {
        guard let s = TestServer.shared() else { return }
        let client = try RawClient(port: s.port, timeout: 120)
        defer { client.close() }
        try client.sendRequest("POST", "/generate",
                               body: #"{"prompt": "Write a long story:", "max_tokens": 64, "temperature": 0, "ignore_eos": true, "stream": true}"#)
        let head = try client.readHead()
        XCTAssertEqual(head.status, 200)
        guard let first = try client.readChunk() else { return XCTFail("stream ended at once") }
        let firstAt = Date()
        XCTAssertNotNil(jsonObject(Array(first.dropLast()))?["token"], "first line is a token")
        // 63 more tokens of decoding cannot have happened in the microseconds since.
        let already = String(decoding: client.drainAvailable(), as: UTF8.self)
        XCTAssertFalse(already.contains("\"done\""), "done line arrived together with the first token")
        var last: [UInt8] = []
        var count = 1
        while let chunk = try client.readChunk() { last = chunk; count += 1 }
        let doneAt = Date()
        XCTAssertEqual(count, 65)
        XCTAssertEqual(jsonObject(Array(last.dropLast()))?["done"] as? Bool, true)
        XCTAssertGreaterThan(doneAt.timeIntervalSince(firstAt), 0)
    }

    func testSSEFramingAndHeaders() throws {
        guard let s = TestServer.shared() else { return }
        let r = try stream(s, #"{"prompt": "Hello", "max_tokens": 5, "temperature": 0, "ignore_eos": true, "stream": true}"#, sse: true)
        XCTAssertEqual(r.head.status, 200)
        XCTAssertEqual(r.head.header("Content-Type"), "text/event-stream")
        XCTAssertEqual(r.head.header("Cache-Control"), "no-cache")
        XCTAssertEqual(r.head.header("X-Accel-Buffering"), "no")
        XCTAssertTrue(r.head.isChunked)
        XCTAssertEqual(r.chunks.count, 6)
        for chunk in r.chunks {
            let text = String(decoding: chunk, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("data: "), text)
            XCTAssertTrue(text.hasSuffix("\n\n"), text)
            XCTAssertEqual(text.filter { $0 == "\n" }.count, 2, "one data line per event")
        }
        XCTAssertEqual(r.objects.count, 6)
        XCTAssertEqual(r.tokenIDs.count, 5)
        XCTAssertEqual(r.done?["text"] as? String, r.tokenText)
    }

    func testStreamingEqualsNonStreaming() throws {
        guard let s = TestServer.shared() else { return }
        let settings = [
            #""temperature": 0"#,
            #""temperature": 0.9, "seed": 1234, "top_k": 40, "top_p": 0.95"#,
        ]
        for setting in settings {
            let base = #""prompt": "The three best things about Paris are", "max_tokens": 24, \#(setting)"#
            let plain = try whole(s, "{\(base)}")
            let streamed = try stream(s, #"{\#(base), "stream": true}"#)
            let sse = try stream(s, #"{\#(base), "stream": true}"#, sse: true)
            let text = plain["text"] as? String
            XCTAssertNotNil(text)
            XCTAssertEqual(streamed.tokenText, text, setting)
            XCTAssertEqual(streamed.done?["text"] as? String, text, setting)
            XCTAssertEqual(sse.tokenText, text, setting)
            let ids = (plain["tokens"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
            XCTAssertEqual(streamed.tokenIDs, ids, setting)
            XCTAssertEqual(plain["finish_reason"] as? String, streamed.done?["finish_reason"] as? String, setting)
        }
    }

    // Emoji and CJK take several byte-level tokens per character: no streamed piece may
    // carry a replacement character from a split sequence, and the pieces add up.
    func testStreamedTextNeverSplitsUTF8() throws {
        guard let s = TestServer.shared() else { return }
        let r = try stream(s, #"{"prompt": "😀🎉😀🎉😀🎉 日本語の文章: 東京は", "max_tokens": 24, "temperature": 0, "ignore_eos": true, "stream": true}"#)
        XCTAssertEqual(r.tokenIDs.count, 24)
        let pieces = r.objects.compactMap { ($0["token"] as? [String: Any])?["text"] as? String }
        XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") }, "\(pieces)")
        XCTAssertEqual(r.done?["text"] as? String, pieces.joined())
        XCTAssertTrue(pieces.joined().unicodeScalars.contains { $0.value > 0x7F }, "expected non-ASCII output: \(pieces)")
    }

    func testValidationErrorBeforeStreamKeepsStatus() throws {
        guard let s = TestServer.shared() else { return }
        let r = try s.call("POST", "/generate", #"{"prompt": "x", "stream": true, "top_p": 5}"#)
        XCTAssertEqual(r.head.status, 400)
        XCTAssertEqual(r.error["param"] as? String, "top_p")
    }

    // Closing the socket mid-stream cancels the generation at the next token, so the
    // single model worker is free again long before max_tokens could have been decoded.
    func testClientDisconnectCancelsGeneration() throws {
        guard let s = TestServer.shared() else { return }
        let client = try RawClient(port: s.port, timeout: 120)
        try client.sendRequest("POST", "/generate",
                               body: #"{"prompt": "Count forever:", "max_tokens": 4000, "ignore_eos": true, "temperature": 0, "stream": true}"#)
        XCTAssertEqual(try client.readHead().status, 200)
        XCTAssertNotNil(try client.readChunk())
        client.close()

        let started = Date()
        let r = try s.call("POST", "/generate", #"{"prompt": "Hi", "max_tokens": 2, "temperature": 0}"#)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(r.head.status, 200, r.text)
        // 4000 tokens take minutes here; a freed worker answers in well under 30 s even on a
        // loaded 2-core machine.
        XCTAssertLessThan(elapsed, 30, "the abandoned generation was not cancelled")
        let queueMs = ((r.json["timings"] as? [String: Any])?["queue_ms"] as? NSNumber)?.doubleValue ?? .infinity
        XCTAssertLessThan(queueMs, 30_000)
    }
}
