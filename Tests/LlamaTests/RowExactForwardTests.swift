import XCTest
@testable import Llama

/// `forward(..., allLogits: true, rowExact: true)` (speculative verification) gives at every
/// position the logits one-token-at-a-time decoding gives, bit for bit, on a model with
/// K-quant matrices (Qwen2.5-Coder-0.5B: ffn_down in Q4_K/Q6_K), where an ordinary several-row
/// product sums in another order.
final class RowExactForwardTests: XCTestCase {
    private func check(_ model: LlamaModel, prompt: [Int32], run: [Int32], file: StaticString = #filePath,
                       line: UInt = #line) throws {
        let vocab = model.config.vocab
        var verified = model.makeCache()
        _ = try model.forward(prompt, cache: &verified)
        let rows = try model.forward(run, cache: &verified, allLogits: true, rowExact: true)
        var stepwise = model.makeCache()
        _ = try model.forward(prompt, cache: &stepwise)
        for (j, token) in run.enumerated() {
            let logits = try model.forward([token], cache: &stepwise)
            XCTAssertTrue(logits[...] == rows[(j * vocab)..<((j + 1) * vocab)], "row \(j)", file: file, line: line)
        }
        XCTAssertTrue(verified.serialized(tokens: 0..<verified.count) == stepwise.serialized(tokens: 0..<stepwise.count),
                      "cache rows", file: file, line: line)
    }

    func testQwenVerifyRowsEqualDecodeRows() throws {
        let model = try XCTUnwrap(RealModel.qwen2.load())
        XCTAssertTrue(model.weights.layers.contains { LlamaModel.sumsOrderDependsOnRows($0.down.format) },
                      "the test model should have K-quant matrices (else this checks nothing special)")
        try check(model, prompt: [9707, 11, 1879, 374, 264, 1273], run: [315, 279, 1879, 374, 264, 1273, 13, 576, 3405])
    }
}
