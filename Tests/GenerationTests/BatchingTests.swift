import Foundation
import Sampling
import Tokenization
import XCTest
@testable import Generation

/// Continuous batching: requests decoded together give exactly what they give alone; one
/// request's cancellation or session turn does not disturb the others.
final class BatchingTests: XCTestCase {
    private static func chat(_ question: String) -> GenerationRequest.Input {
        .text("<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n")
    }

    // Different prompt lengths, so the batched sequences sit at different positions.
    private let inputs: [GenerationRequest.Input] = [
        chat("Tell me a story about a cat."),
        chat("What is 2+2?"),
        chat("Write three sentences about the history of sailing ships and the people who built them."),
    ]

    private func greedy(_ input: GenerationRequest.Input, _ n: Int = 24) -> GenerationRequest {
        .greedy(input, maxTokens: n, ignoreEOS: true)
    }

    private func seeded(_ input: GenerationRequest.Input, seed: UInt64) -> GenerationRequest {
        GenerationRequest(input: input, sampling: SamplingParams(temperature: 1.0, seed: seed), maxTokens: 24,
                          ignoreEOS: true)
    }

    /// Submits all requests at once (without waiting in between) and waits for all of them.
    private func concurrently(_ t: TestEngine, _ requests: [GenerationRequest],
                              onToken: ((Int, Int, GenerationTicket?) -> Void)? = nil) throws
        -> [(tokens: [(Int32, String)], result: Result<GenerationResult, GenerationError>)] {
        let group = DispatchGroup()
        let states = requests.map { _ in RunState() }
        for (i, request) in requests.enumerated() {
            group.enter()
            let state = states[i]
            state.ticket = try t.engine.submit(request) { event in
                switch event {
                case let .token(id, text):
                    state.tokens.append((id, text))
                    onToken?(i, state.tokens.count, state.ticket)
                case let .finished(r): state.result = .success(r); group.leave()
                case let .failed(e): state.result = .failure(e); group.leave()
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 300), .success, "timed out waiting for the engine")
        return try states.map { s in
            guard let r = s.result else { throw GenerationError.internalError("no result") }
            return (s.tokens, r)
        }
    }

    private func assertSame(_ batched: GenerationResult, _ alone: GenerationResult, _ what: String,
                            line: UInt = #line) {
        XCTAssertEqual(batched.tokens, alone.tokens, what, line: line)
        XCTAssertEqual(batched.text, alone.text, what, line: line)
        XCTAssertEqual(batched.finishReason, alone.finishReason, what, line: line)
    }

    func testConcurrentGreedyRequestsMatchRunsAlone() throws {
        let t = try TestEngine(persistent: false)
        let requests = inputs.map { greedy($0) }
        let alone = try requests.map { try t.result($0) }
        let batched = try concurrently(t, requests)
        for i in requests.indices {
            assertSame(try batched[i].result.get(), alone[i], "request \(i)")
            XCTAssertEqual(batched[i].tokens.map(\.1).joined(), alone[i].text)
        }
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2, "the requests were decoded together")
    }

    func testConcurrentSeededRequestsMatchRunsAlone() throws {
        let t = try TestEngine(persistent: false)
        let requests = inputs.enumerated().map { seeded($1, seed: 7 + UInt64($0)) }
        let alone = try requests.map { try t.result($0) }
        // Twice each, so the same prompt sits in a batch with itself too.
        let batched = try concurrently(t, requests + requests)
        for i in batched.indices {
            assertSame(try batched[i].result.get(), alone[i % requests.count], "request \(i)")
        }
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2)
    }

    func testLongPromptPrefilledInStepsBetweenOthersTokens() throws {
        // 32-token prefill steps: the long prompt (~400 tokens) takes many steps, during which
        // the short requests keep decoding; everyone still gets exactly their solo output.
        let t = try TestEngine(persistent: false, prefillChunk: 32)
        let long = Self.chat(String(repeating: "The tide comes in and the tide goes out. ", count: 40) + "Summarize.")
        let requests = [greedy(inputs[0], 40), greedy(long), greedy(inputs[1], 40)]
        let alone = try requests.map { try t.result($0) }
        XCTAssertGreaterThan(alone[1].usage.promptTokens, 300)
        let batched = try concurrently(t, requests)
        for i in requests.indices { assertSame(try batched[i].result.get(), alone[i], "request \(i)") }
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2)
    }

    func testCancellingOneLeavesTheOthersUntouched() throws {
        let t = try TestEngine(persistent: false)
        let requests = inputs.map { greedy($0, 40) }
        let alone = try requests.map { try t.result($0) }
        let batched = try concurrently(t, requests) { index, count, ticket in
            if index == 1 && count == 3 { ticket?.cancel() }
        }
        let cancelled = try batched[1].result.get()
        XCTAssertEqual(cancelled.finishReason, .cancelled)
        XCTAssertLessThan(cancelled.tokens.count, 40)
        assertSame(try batched[0].result.get(), alone[0], "request 0")
        assertSame(try batched[2].result.get(), alone[2], "request 2")
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2)
    }

    func testSessionTurnsInABatchCommitLikeTurnsAlone() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        let reference = try TestEngine(persistent: false, maxBatch: 1)
        let first = ChatMessage(role: "user", content: "Write a haiku about the sea.")
        let second = ChatMessage(role: "user", content: "Now one about mountains.")
        func turn(_ m: ChatMessage, _ session: String) -> GenerationRequest { .greedy(.messages([m]), session: session) }
        // Two sessions and an anonymous request together, for two turns.
        for message in [first, second] {
            let batched = try concurrently(t, [turn(message, "a"), greedy(inputs[0]), turn(message, "b")])
            let want = try reference.result(turn(message, "ref"))
            for i in [0, 2] { assertSame(try batched[i].result.get(), want, "session turn \(i)") }
            for id in ["a", "b"] { XCTAssertEqual(t.engine.session(id)?.tokens, reference.engine.session("ref")?.tokens) }
        }
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2)
        // The committed turns are durable: a restart finds both sessions with their history.
        t.engine.shutdown(deadline: 10)
        let restarted = try TestEngine(stateDirectory: t.dir)
        for id in ["a", "b"] {
            XCTAssertEqual(restarted.engine.session(id)?.tokens, reference.engine.session("ref")?.tokens, id)
        }
    }

    func testJobsThatTogetherExceedTheKVBudgetRunOneAfterTheOther() throws {
        // 64 tokens of KV (SmolLM2's f16 cache: 23,040 bytes per token): each request needs
        // about 15 prompt + 24 reply tokens, two do not fit.
        let t = try TestEngine(persistent: false, budget: 64 * 23_040)
        let request = greedy(inputs[1])
        let alone = try t.result(request)
        let batched = try concurrently(t, [request, request])
        for b in batched { assertSame(try b.result.get(), alone, "budget-limited") }
        XCTAssertEqual(t.engine.largestBatch, 1, "never decoded together")
    }

    func testQueueCountsWaitingJobsOnly() throws {
        let t = try TestEngine(persistent: false, queueSize: 1, maxBatch: 2)
        let long = greedy(inputs[0], 500)
        let firstToken = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        var tickets: [GenerationTicket] = []
        for i in 0..<2 {
            var signalled = false
            tickets.append(try t.engine.submit(long) { event in
                if case .token = event, !signalled { signalled = true; firstToken[i].signal() }
            })
            // Running (not queued) once it has a token.
            XCTAssertEqual(firstToken[i].wait(timeout: .now() + 60), .success)
        }
        tickets.append(try t.engine.submit(long) { _ in })  // waits: both batch places are taken
        XCTAssertThrowsError(try t.engine.submit(long) { _ in }) { error in
            guard case .queueFull = error as? GenerationError else { return XCTFail("\(error)") }
        }
        for ticket in tickets { ticket.cancel() }
    }
}
