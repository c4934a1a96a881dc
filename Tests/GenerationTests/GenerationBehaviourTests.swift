import Foundation
import Sampling
import XCTest
@testable import Generation

final class GenerationBehaviourTests: XCTestCase {
    private let prompt = GenerationRequest.Input.text("<|im_start|>user\nTell me a story about a cat.<|im_end|>\n<|im_start|>assistant\n")

    func testMaxTokens() throws {
        let t = try TestEngine(persistent: false)
        let r = try t.result(.greedy(prompt, maxTokens: 5, ignoreEOS: true))
        XCTAssertEqual(r.tokens.count, 5)
        XCTAssertEqual(r.usage.completionTokens, 5)
        XCTAssertEqual(r.finishReason, .length)
    }

    func testStreamedTextEqualsResultText() throws {
        let t = try TestEngine(persistent: false)
        let (tokens, outcome) = try t.run(.greedy(prompt, maxTokens: 30))
        let r = try outcome.get()
        XCTAssertEqual(tokens.map(\.1).joined(), r.text)
        XCTAssertEqual(Array(tokens.map(\.0).prefix(r.tokens.count)), r.tokens)
        XCTAssertGreaterThan(r.timings.decodeTokensPerSecond, 0)
        XCTAssertGreaterThan(r.timings.prefillMs, 0)
    }

    func testStopStringCutsTheTextAndIsNotEmitted() throws {
        let t = try TestEngine(persistent: false)
        let free = try t.result(.greedy(prompt, maxTokens: 40, ignoreEOS: true))
        // A stop string from the middle of the free-running text: the output ends right before it.
        let words = free.text.split(separator: " ")
        XCTAssertGreaterThan(words.count, 6)
        let stop = " " + words[4]
        let cut = try XCTUnwrap(free.text.range(of: stop))
        let (tokens, outcome) = try t.run(.greedy(prompt, maxTokens: 40, stop: [stop], ignoreEOS: true))
        let r = try outcome.get()
        XCTAssertEqual(r.finishReason, .stop)
        XCTAssertEqual(r.text, String(free.text[..<cut.lowerBound]))
        XCTAssertEqual(tokens.map(\.1).joined(), r.text)
    }

    func testSameSeedSameOutput() throws {
        let t = try TestEngine(persistent: false)
        func sampled(_ seed: UInt64) throws -> GenerationResult {
            try t.result(GenerationRequest(input: prompt, sampling: SamplingParams(temperature: 1.0, seed: seed),
                                           maxTokens: 24, ignoreEOS: true))
        }
        let a = try sampled(42), b = try sampled(42)
        XCTAssertEqual(a.tokens, b.tokens)
        XCTAssertEqual(a.text, b.text)
    }

    func testValidationErrors() throws {
        let t = try TestEngine(persistent: false, budget: 64 * 23_040)  // 64 tokens of f16 KV
        func expect(_ request: GenerationRequest, _ check: (GenerationError) -> Bool, line: UInt = #line) {
            XCTAssertThrowsError(try t.engine.submit(request) { _ in }, line: line) { error in
                let e = error as? GenerationError
                XCTAssertTrue(e.map(check) ?? false, "\(error)", line: line)
            }
        }
        expect(.greedy(.text(""))) { if case .invalidRequest("prompt", _) = $0 { return true }; return false }
        expect(.greedy(.tokens([]))) { if case .invalidRequest("prompt", _) = $0 { return true }; return false }
        expect(.greedy(.tokens([1, 49152]))) { if case .invalidRequest("prompt", _) = $0 { return true }; return false }
        expect(.greedy(.messages([]))) { if case .invalidRequest("messages", _) = $0 { return true }; return false }
        expect(.greedy(.text("hi"), maxTokens: 0)) { if case .invalidRequest("max_tokens", _) = $0 { return true }; return false }
        expect(.greedy(.text("hi"), session: "../x")) { if case .invalidRequest("session_id", _) = $0 { return true }; return false }
        expect(.greedy(.text("hi"), maxTokens: 8192)) {
            if case .contextOverflow("max_tokens", 8193, 8192) = $0 { return true }; return false
        }
        expect(.greedy(.tokens(Array(repeating: 1, count: 8192)))) {
            if case .contextOverflow("prompt", _, 8192) = $0 { return true }; return false
        }
        expect(.greedy(.text("hi"), maxTokens: 100)) {
            if case .budgetExceeded(let needed, 64 * 23_040) = $0 { return needed == 101 * 23_040 }; return false
        }
        XCTAssertNil(t.engine.session("../x"))
        XCTAssertThrowsError(try t.engine.detokenize([-1])) { error in
            guard case .invalidRequest("tokens", _) = error as? GenerationError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try t.engine.detokenize(t.engine.tokenize("héllo <|im_end|>", special: true)), "héllo <|im_end|>")
        XCTAssertNotEqual(t.engine.tokenize("<|im_end|>", special: true), t.engine.tokenize("<|im_end|>", special: false))
    }

    func testQueueFullThenShutdown() throws {
        // One job at a time, so the second one surely waits in the queue (see BatchingTests
        // for the queue with batching).
        let t = try TestEngine(persistent: false, queueSize: 1, maxBatch: 1)
        let finished = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        var events: [GenerationEvent] = []
        var tokens = 0
        let lock = NSLock()
        let handler: (GenerationEvent) -> Void = { e in
            lock.lock()
            defer { lock.unlock() }
            if case .token = e {
                tokens += 1
                if tokens == 1 { started.signal() }
                return
            }
            events.append(e)
            finished.signal()
        }
        let long = GenerationRequest.greedy(prompt, maxTokens: 500, ignoreEOS: true)
        let running = try t.engine.submit(long, onEvent: handler)
        // Once the first one runs, the next one waits in the queue and fills it.
        XCTAssertEqual(started.wait(timeout: .now() + 60), .success)
        _ = try t.engine.submit(long, onEvent: handler)
        XCTAssertThrowsError(try t.engine.submit(long) { _ in }) { error in
            guard case .queueFull(let s) = error as? GenerationError else { return XCTFail("\(error)") }
            XCTAssertGreaterThanOrEqual(s, 1)
        }
        _ = running
        t.engine.shutdown(deadline: 0)
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertThrowsError(try t.engine.submit(long) { _ in }) { error in
            guard case .shuttingDown = error as? GenerationError else { return XCTFail("\(error)") }
        }
        lock.lock(); defer { lock.unlock() }
        // Both end with the reason: the running one stopped by the server, the queued one refused.
        let shutDown = events.filter { if case .failed(.shuttingDown) = $0 { return true }; return false }
        XCTAssertEqual(shutDown.count, 2, "\(events)")
    }
}
