import XCTest
@testable import Llama

/// `forwardBatch` against the reference it must equal: one `forward([token])` per sequence.
/// Sequences start from different cache lengths (including empty), so each row has its own
/// RoPE position and causal length. `tolerance` bounds logit differences that come only from
/// the kernel path (matmul over B rows vs matvec); callers pass a bound with that in mind.
struct BatchChecks {
    let model: LlamaModel
    let tolerance: Float
    /// Prompt of each sequence (an empty one starts at position 0).
    let prompts: [[Int32]]
    /// Tokens fed per step: steps[s][i] is sequence i's token at step s.
    let steps: [[Int32]]

    func prefilled() throws -> [KVCache] {
        try prompts.map { p in
            var cache = model.makeCache()
            if !p.isEmpty { _ = try model.forward(p, cache: &cache) }
            return cache
        }
    }

    /// Several batched steps equal the same steps run one sequence at a time; caches match too.
    func batchEqualsSingle(file: StaticString = #filePath, line: UInt = #line) throws {
        var batched = try prefilled()
        var single = try prefilled()
        for (s, tokens) in steps.enumerated() {
            let got = try model.forwardBatch(tokens, caches: &batched)
            XCTAssertEqual(got.count, tokens.count, file: file, line: line)
            for i in tokens.indices {
                let want = try model.forward([tokens[i]], cache: &single[i])
                XCTAssertLessThanOrEqual(maxAbsDiff(got[i], want), tolerance,
                                         "step \(s) sequence \(i) at position \(single[i].count - 1)", file: file, line: line)
                XCTAssertEqual(argmax(got[i][...]), argmax(want[...]), file: file, line: line)
                XCTAssertEqual(batched[i].count, single[i].count, file: file, line: line)
            }
        }
        for i in batched.indices {
            let a = floats(batched[i].serialized(tokens: 0..<batched[i].count))
            let b = floats(single[i].serialized(tokens: 0..<single[i].count))
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            // K/V are activations of the same magnitude as the logits' inputs; same bound.
            XCTAssertLessThanOrEqual(maxAbsDiff(a, b), tolerance, "cache \(i) contents", file: file, line: line)
        }
    }

    /// f32 values of a serialized cache (after its 16-byte header).
    private func floats(_ bytes: [UInt8]) -> [Float] {
        let body = bytes.dropFirst(16)
        return stride(from: body.startIndex, to: body.endIndex - 3, by: 4).map { o in
            Float(bitPattern: UInt32(body[o]) | UInt32(body[o + 1]) << 8 | UInt32(body[o + 2]) << 16 | UInt32(body[o + 3]) << 24)
        }
    }
}
