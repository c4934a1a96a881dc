import Foundation
import Grammar
import Llama
import Sampling
import Tokenization
import XCTest
@testable import Generation

/// Speculative decoding on the real (small) model: greedy output with `ngram` equals `off`
/// token for token, including where a stop string, max tokens or a session ends the run, and
/// the cache a session keeps equals the one plain decoding leaves.
final class SpeculativeDecodingTests: XCTestCase {
    /// Copying text makes the drafts right for many tokens at once (the case speculation is for).
    static let copyPrompt = "Repeat this text exactly: the red fox ran to the old mill by the river, "
        + "and the red fox ran back to the old barn by the hill."

    private func request(_ text: String, _ mode: SpeculativeMode, maxTokens: Int = 40, stop: [String] = [],
                         session: String? = nil) -> GenerationRequest {
        var r = GenerationRequest.greedy(.messages([ChatMessage(role: "user", content: text)]), maxTokens: maxTokens,
                                         session: session, stop: stop)
        r.speculative = mode
        return r
    }

    private func assertSame(_ t: TestEngine, _ text: String, maxTokens: Int = 40, stop: [String] = [],
                            file: StaticString = #filePath, line: UInt = #line) throws -> GenerationResult {
        let off = try t.run(request(text, .off, maxTokens: maxTokens, stop: stop))
        let on = try t.run(request(text, .ngram, maxTokens: maxTokens, stop: stop))
        let a = try off.result.get(), b = try on.result.get()
        XCTAssertEqual(b.tokens, a.tokens, file: file, line: line)
        XCTAssertEqual(b.text, a.text, file: file, line: line)
        XCTAssertEqual(b.finishReason, a.finishReason, file: file, line: line)
        XCTAssertEqual(on.tokens.map(\.0), off.tokens.map(\.0), "streamed token events", file: file, line: line)
        XCTAssertEqual(on.tokens.map(\.1), off.tokens.map(\.1), "streamed text pieces", file: file, line: line)
        XCTAssertEqual(a.timings.draftedTokens, 0, "off never drafts", file: file, line: line)
        return b
    }

    func testGreedyOutputIsIdenticalAndDraftsAreAccepted() throws {
        let t = try TestEngine(persistent: false)
        let r = try assertSame(t, Self.copyPrompt, maxTokens: 48)
        XCTAssertGreaterThan(r.timings.acceptedDrafts, 10, "the copy should be drafted (else this test checks nothing)")
        _ = try assertSame(t, "What is the capital of France? Answer in one sentence.", maxTokens: 24)
    }

    /// Max tokens and a stop string falling inside an accepted run end it exactly where plain
    /// decoding ends: same tokens, same text (stop string held back), same finish reason.
    func testStopStringAndMaxTokensInsideAnAcceptedRun() throws {
        let t = try TestEngine(persistent: false)
        let full = try assertSame(t, Self.copyPrompt, maxTokens: 48)
        for n in [3, 7, 13, 20] { _ = try assertSame(t, Self.copyPrompt, maxTokens: n) }
        let stopped = try assertSame(t, Self.copyPrompt, maxTokens: 48, stop: ["old barn"])
        if full.text.contains("old barn") { XCTAssertEqual(stopped.finishReason, .stop) }
        _ = try assertSame(t, Self.copyPrompt, maxTokens: 48, stop: ["mill by", "xyz"])
    }

    /// Two turns of a session with speculation equal two turns with it off: same replies, same
    /// history, and the session's KV cache byte for byte (the rejected drafts left no trace).
    func testSessionTwoTurnsMatchAndCacheIsConsistent() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        let turns = [Self.copyPrompt, "Now repeat it once more, word for word."]
        for (i, text) in turns.enumerated() {
            let off = try t.result(request(text, .off, maxTokens: 40, session: "plain"))
            let on = try t.result(request(text, .ngram, maxTokens: 40, session: "spec"))
            XCTAssertEqual(on.tokens, off.tokens, "turn \(i)")
            XCTAssertEqual(on.text, off.text, "turn \(i)")
            XCTAssertGreaterThan(on.timings.acceptedDrafts, 0, "turn \(i) drafted from the conversation")
        }
        let plain = try t.engine.sessions.checkout(id: "plain")
        let spec = try t.engine.sessions.checkout(id: "spec")
        defer {
            t.engine.sessions.release(plain)
            t.engine.sessions.release(spec)
        }
        XCTAssertEqual(spec.tokens, plain.tokens)
        let a = try XCTUnwrap(plain.cache), b = try XCTUnwrap(spec.cache)
        XCTAssertEqual(b.count, a.count)
        XCTAssertTrue(b.serialized(tokens: 0..<b.count) == a.serialized(tokens: 0..<a.count), "session KV differs")
    }

    /// Several streams at once: up to SpeculationState.maxStreams verify their drafts each in
    /// their own forward, beyond that all decode in the batched forward; output is the same.
    func testConcurrentStreamsGiveTheSameOutput() throws {
        let t = try TestEngine(persistent: false, maxBatch: 4)
        let prompts = [Self.copyPrompt, "Count from one to ten in words.", "Repeat: alpha beta gamma, alpha beta gamma."]
        let expected = try prompts.map { try t.result(request($0, .off, maxTokens: 32)).tokens }
        for streams in [2, 3] {
            let group = DispatchGroup()
            let results = ResultBox(count: streams)
            for i in 0..<streams {
                group.enter()
                let req = request(prompts[i], .ngram, maxTokens: 32)
                DispatchQueue.global().async {
                    results.set(i, try? t.result(req))
                    group.leave()
                }
            }
            group.wait()
            for i in 0..<streams { XCTAssertEqual(results.get(i)?.tokens, expected[i], "\(streams) streams, stream \(i)") }
        }
    }

    /// Unseeded sampling speculates (limits hold); seeded sampling decodes plainly, so a seed
    /// gives the same tokens alone or in a batch (BatchingTests, ChoicesTests).
    func testSamplingSpeculatesUnlessSeeded() throws {
        let t = try TestEngine(persistent: false)
        var r = request(Self.copyPrompt, .ngram, maxTokens: 30)
        r.sampling = SamplingParams(temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05)
        let a = try t.result(r)
        XCTAssertLessThanOrEqual(a.tokens.count, 30)
        XCTAssertGreaterThan(a.timings.draftedTokens, 0)
        r.sampling.seed = 11
        XCTAssertEqual(try t.result(r).timings.draftedTokens, 0)
    }

    /// A JSON-schema constraint turns speculation off (the automaton would need rewinding).
    func testConstrainedRequestsDoNotSpeculate() throws {
        let t = try TestEngine(persistent: false)
        var r = request("Give a JSON object with a name.", .ngram, maxTokens: 24)
        r.constraint = CompiledSchema.anyObject()
        XCTAssertEqual(try t.result(r).timings.draftedTokens, 0)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [GenerationResult?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: GenerationResult?) { lock.lock(); items[i] = r; lock.unlock() }
    func get(_ i: Int) -> GenerationResult? { lock.lock(); defer { lock.unlock() }; return items[i] }
}
