import Foundation
import XCTest
import HTTP
@testable import API
@testable import Generation

// The stream's ordering and failure paths, with a recording responder instead of a socket.
final class GenerationStreamTests: XCTestCase {
    final class FakeResponder: StreamResponder, @unchecked Sendable {
        var log: [String] = []
        var frames: [String] = []
        var acceptWrites = true
        var gone = false
        var goneCallback: (@Sendable () -> Void)?
        var logFields: [String: String] = [:]
        let requestID = "req-1"

        func startStream(status: Int, headers: [(String, String)]) {
            log.append("start \(status) " + headers.map { "\($0.0)=\($0.1)" }.joined(separator: ","))
        }
        func write(_ chunk: [UInt8]) -> Bool {
            frames.append(String(decoding: chunk, as: UTF8.self))
            log.append("write")
            return acceptWrites
        }
        func finish() { log.append("finish") }
        var isClientGone: Bool { gone }
        func onClientGone(_ callback: @escaping @Sendable () -> Void) { goneCallback = callback }
    }

    private func result(_ reason: FinishReason = .stop) -> GenerationResult {
        GenerationResult(text: "ab", tokens: [1, 2], finishReason: reason, sessionID: "s1",
                         usage: GenerationUsage(promptTokens: 5, cachedTokens: 2, completionTokens: 2),
                         timings: GenerationTimings(queueMs: 1, prefillMs: 2, decodeMs: 3,
                                                    prefillTokensPerSecond: 4, decodeTokensPerSecond: 5))
    }

    func testEventsBeforeHeadersAreHeldThenWrittenInOrder() {
        let fake = FakeResponder()
        let stream = GenerationStream(responder: fake, framing: .ndjson)
        stream.handle(.token(id: 1, text: "a"))
        stream.handle(.token(id: 2, text: "b"))
        XCTAssertTrue(fake.log.isEmpty, "nothing may be written before the status line")
        stream.start(ticket: GenerationTicket())
        stream.handle(.finished(result()))
        XCTAssertEqual(fake.log.first, "start 200 Content-Type=application/x-ndjson,Cache-Control=no-cache,X-Accel-Buffering=no")
        XCTAssertEqual(Array(fake.log.dropFirst()), ["write", "write", "write", "finish"])
        XCTAssertEqual(fake.frames[0], "{\"token\":{\"id\":1,\"text\":\"a\"}}\n")
        XCTAssertEqual(fake.frames[1], "{\"token\":{\"id\":2,\"text\":\"b\"}}\n")
        XCTAssertEqual(fake.frames[2], #"{"done":true,"text":"ab","tokens":[1,2],"finish_reason":"stop","session_id":"s1","usage":{"prompt_tokens":5,"cached_tokens":2,"completion_tokens":2},"timings":{"queue_ms":1.0,"prefill_ms":2.0,"decode_ms":3.0,"prefill_tokens_per_s":4.0,"decode_tokens_per_s":5.0}}"# + "\n")
        XCTAssertEqual(fake.logFields["tokens"], "7", "prompt + completion tokens for the request log")
    }

    func testFailureAfterHeadersEndsWithAnErrorObject() {
        let fake = FakeResponder()
        let stream = GenerationStream(responder: fake, framing: .sse)
        stream.start(ticket: GenerationTicket())
        stream.handle(.token(id: 1, text: "a"))
        stream.handle(.failed(.internalError("disk full")))
        stream.handle(.token(id: 2, text: "late"))  // nothing may follow the final object
        XCTAssertEqual(Array(fake.log.dropFirst()), ["write", "write", "finish"])
        XCTAssertEqual(fake.frames[0], "data: {\"token\":{\"id\":1,\"text\":\"a\"}}\n\n")
        // A 500's detail stays in the log under the request id; the client gets the id.
        XCTAssertEqual(fake.frames[1], #"data: {"error":{"type":"server_error","message":"internal server error; the server log has the details under request id req-1","param":null},"done":true}"# + "\n\n")
        XCTAssertEqual(fake.logFields["error"], "internal error: disk full")
    }

    func testShutdownEndsTheStreamWithAFinalErrorLine() throws {
        let fake = FakeResponder()
        let stream = GenerationStream(responder: fake, framing: .ndjson)
        stream.start(ticket: GenerationTicket())
        stream.handle(.token(id: 1, text: "a"))
        stream.handle(.failed(.shuttingDown))
        XCTAssertEqual(fake.log.last, "finish", "the body must be completed, not cut")
        let last = try XCTUnwrap(fake.frames.last)
        XCTAssertEqual(last, #"{"error":{"type":"overloaded_error","message":"the server is shutting down","param":null},"done":true}"# + "\n")
    }

    func testRefusedWriteCancelsTheTicket() {
        let fake = FakeResponder()
        let ticket = GenerationTicket()
        let stream = GenerationStream(responder: fake, framing: .ndjson)
        stream.start(ticket: ticket)
        fake.acceptWrites = false
        stream.handle(.token(id: 1, text: "a"))
        XCTAssertTrue(ticket.isCancelled)
    }

    func testClientGoneCallbackCancelsTheTicket() {
        let fake = FakeResponder()
        let ticket = GenerationTicket()
        // The engine's onEvent closure keeps a running stream alive; the callback itself holds
        // it weakly (responder -> callback -> stream -> responder would be a cycle).
        let stream = GenerationStream(responder: fake, framing: .ndjson)
        stream.start(ticket: ticket)
        XCTAssertFalse(ticket.isCancelled)
        fake.goneCallback?()
        XCTAssertTrue(ticket.isCancelled)
        withExtendedLifetime(stream) {}
    }

    func testClientAlreadyGoneAtStartCancels() {
        let fake = FakeResponder()
        fake.gone = true
        let ticket = GenerationTicket()
        GenerationStream(responder: fake, framing: .ndjson).start(ticket: ticket)
        XCTAssertTrue(ticket.isCancelled)
    }

    func testAcceptHeaderPicksFraming() {
        func framing(_ accept: String?) -> GenerationStream.Framing {
            var headers = HTTPHeadersForTest()
            if let accept { headers.append(("Accept", accept)) }
            return GenerateHandler.framing(for: .init(method: "POST", target: "/generate", headers: .init(headers)))
        }
        XCTAssertEqual(framing(nil), .ndjson)
        XCTAssertEqual(framing("application/json"), .ndjson)
        XCTAssertEqual(framing("text/event-stream"), .sse)
        XCTAssertEqual(framing("application/json, Text/Event-Stream;q=0.9"), .sse)
    }
}

private typealias HTTPHeadersForTest = [(String, String)]
