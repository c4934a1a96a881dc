import Foundation
import XCTest
@testable import Generation

/// Chunked prefill inside the batch: prompts are prefilled a few tokens per step in the same
/// forward as other requests' decode rows. Outputs stay those of each request alone; a short
/// request is not queued behind a long prompt.
final class ChunkedPrefillTests: XCTestCase {
    private static func chat(_ question: String) -> GenerationRequest.Input {
        .text("<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n")
    }

    private let long = chat(String(repeating: "The tide comes in and the tide goes out. ", count: 40) + "Summarize.")
    private let short = chat("What is 2+2?")

    /// Submits all at once; returns each result and the order in which they finished.
    private func together(_ t: TestEngine, _ requests: [GenerationRequest]) throws -> (results: [GenerationResult], order: [Int]) {
        let group = DispatchGroup()
        let lock = NSLock()
        var order: [Int] = []
        let states = requests.map { _ in RunState() }
        for (i, request) in requests.enumerated() {
            group.enter()
            _ = try t.engine.submit(request) { event in
                switch event {
                case .token: break
                case let .finished(r): states[i].result = .success(r)
                case let .failed(e): states[i].result = .failure(e)
                }
                if case .token = event { return }
                lock.lock(); order.append(i); lock.unlock()
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 300), .success, "timed out waiting for the engine")
        let results = try states.map { s -> GenerationResult in
            guard let r = s.result else { throw GenerationError.internalError("no result") }
            return try r.get()
        }
        return (results, order)
    }

    func testSmallBudgetGivesEveryRequestItsSoloOutput() throws {
        // 16 tokens per step: the ~400-token prompt is prefilled over ~25 steps beside the
        // others' decode rows (and their own prompts, shortest first).
        let t = try TestEngine(persistent: false, batchTokenBudget: 16)
        let requests: [GenerationRequest] = [.greedy(short, maxTokens: 30, ignoreEOS: true),
                                             .greedy(long, maxTokens: 8, ignoreEOS: true),
                                             .greedy(Self.chat("Name three colours."), maxTokens: 30, ignoreEOS: true)]
        let alone = try requests.map { try t.result($0) }
        XCTAssertGreaterThan(alone[1].usage.promptTokens, 300)
        let batched = try together(t, requests).results
        for i in requests.indices {
            XCTAssertEqual(batched[i].tokens, alone[i].tokens, "request \(i)")
            XCTAssertEqual(batched[i].text, alone[i].text, "request \(i)")
        }
        XCTAssertGreaterThanOrEqual(t.engine.largestBatch, 2)
    }

    func testShortRequestOvertakesALongPrompt() throws {
        // The long prompt arrives first; the short request's whole prompt fits in the next
        // step (shortest first) and it decodes 4 tokens while the long prompt is still
        // prefilling, so it ends first.
        let t = try TestEngine(persistent: false, batchTokenBudget: 16)
        let (results, order) = try together(t, [.greedy(long, maxTokens: 1), .greedy(short, maxTokens: 4, ignoreEOS: true)])
        XCTAssertEqual(order, [1, 0])
        XCTAssertEqual(results[1].tokens.count, 4)
    }

    func testBudgetZeroKeepsTheOldOrder() throws {
        // Baseline: prompts prefilled in forwards of their own, oldest first (256 per step),
        // so the short request waits for the long prompt.
        let t = try TestEngine(persistent: false, batchTokenBudget: 0)
        let (_, order) = try together(t, [.greedy(long, maxTokens: 1), .greedy(short, maxTokens: 4, ignoreEOS: true)])
        XCTAssertEqual(order, [0, 1])
    }

    func testCancellingAPromptMidPrefill() throws {
        let t = try TestEngine(persistent: false, batchTokenBudget: 16)
        let done = DispatchSemaphore(value: 0)
        let state = RunState()
        let ticket = try t.engine.submit(.greedy(long, maxTokens: 4)) { event in
            if case let .finished(r) = event { state.result = .success(r); done.signal() }
            if case let .failed(e) = event { state.result = .failure(e); done.signal() }
        }
        usleep(50_000)
        ticket.cancel()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(try state.result?.get().finishReason, .cancelled)
        XCTAssertEqual(try state.result?.get().tokens, [])
    }
}
