import Llama
import XCTest
@testable import Generation

/// The two model facts speculative decoding rests on, on the real model: a verifying forward
/// over [t, d1..dk] gives, at each position, the logits one-token-at-a-time decoding gives
/// (bit for bit: each row runs the same kernels in the same order), and cutting the cache
/// back after it leaves a cache equal to one that never saw the rejected drafts.
final class SpeculativeRollbackTests: XCTestCase {
    func testVerifyRowsEqualStepwiseDecodeAndRollbackLeavesNoTrace() throws {
        let model = try ModelFixture.get().model
        let vocab = model.config.vocab
        let prompt: [Int32] = [1, 504, 3458, 282, 4235, 314, 1875, 30, 216, 1060]
        let run: [Int32] = [1978, 1069, 260, 3458, 282, 15, 418]  // t, then 6 drafts
        let kept = 3  // t, d1, d2 kept; d3...d6 rejected

        var verified = model.makeCache()
        _ = try model.forward(prompt, cache: &verified)
        let rows = try model.forward(run, cache: &verified, allLogits: true)
        XCTAssertEqual(verified.count, prompt.count + run.count)

        var stepwise = model.makeCache()
        _ = try model.forward(prompt, cache: &stepwise)
        for (j, token) in run.enumerated() {
            let logits = try model.forward([token], cache: &stepwise)
            XCTAssertTrue(logits[...] == rows[(j * vocab)..<((j + 1) * vocab)], "row \(j) differs from plain decoding")
        }

        verified.truncate(to: prompt.count + kept)
        var never = model.makeCache()
        _ = try model.forward(prompt, cache: &never)
        _ = try model.forward(Array(run[0..<kept]), cache: &never)
        XCTAssertEqual(verified.count, never.count)
        XCTAssertTrue(verified.serialized(tokens: 0..<verified.count) == never.serialized(tokens: 0..<never.count))
        // Continuing with a different token overwrites the stale rows: both caches agree.
        let a = try model.forward([42], cache: &verified)
        let b = try model.forward([42], cache: &never)
        XCTAssertTrue(a == b, "continuation after rollback differs")
        XCTAssertTrue(verified.serialized(tokens: 0..<verified.count) == never.serialized(tokens: 0..<never.count))
    }
}
