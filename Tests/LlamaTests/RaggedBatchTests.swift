import XCTest
@testable import Llama
import TestSupport

/// The ragged `forwardBatch(sequences:caches:wantLogits:)`: sequences of different new-token
/// counts (decode rows of one token beside prompt chunks) on caches of different lengths, in
/// one forward, against one plain `forward` per sequence.
final class RaggedBatchTests: XCTestCase {
    private func tokens(_ n: Int, vocab: Int, seed: UInt64) -> [Int32] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { _ in Int32(rng.next() % UInt64(vocab)) }
    }

    /// Each sequence: a prompt already cached, then `steps` ragged steps of new tokens.
    private func check(_ model: LlamaModel, prompts: [[Int32]], steps: [[[Int32]]], tolerance: Float,
                       line: UInt = #line) throws {
        func prefilled() throws -> [KVCache] {
            try prompts.map { p in
                var cache = model.makeCache()
                if !p.isEmpty { _ = try model.forward(p, cache: &cache) }
                return cache
            }
        }
        var batched = try prefilled(), single = try prefilled()
        for (s, step) in steps.enumerated() {
            let got = try model.forwardBatch(sequences: step, caches: &batched)
            for i in step.indices {
                let want = try model.forward(step[i], cache: &single[i])
                XCTAssertEqual(batched[i].count, single[i].count, line: line)
                XCTAssertLessThanOrEqual(maxAbsDiff(got[i], want), tolerance, "step \(s) sequence \(i)", line: line)
                XCTAssertEqual(argmax(got[i][...]), argmax(want[...]), "step \(s) sequence \(i)", line: line)
            }
        }
        for i in batched.indices {
            let a = batched[i].serialized(tokens: 0..<batched[i].count)
            let b = single[i].serialized(tokens: 0..<single[i].count)
            XCTAssertEqual(a.count, b.count, line: line)
        }
    }

    func testTinyDecodeRowsBesidePromptChunks() throws {
        let model = try TinyModel.load()
        let v = model.config.vocab
        let prompts = [tokens(5, vocab: v, seed: 1), [], tokens(12, vocab: v, seed: 2)]
        // A decode row, a prompt chunk from position 0 and a chunk on a non-empty cache; then
        // the chunked sequences go on, and the first one takes a chunk while the others decode.
        let steps = [
            [tokens(1, vocab: v, seed: 3), tokens(7, vocab: v, seed: 4), tokens(4, vocab: v, seed: 5)],
            [tokens(1, vocab: v, seed: 6), tokens(6, vocab: v, seed: 7), tokens(1, vocab: v, seed: 8)],
            [tokens(9, vocab: v, seed: 9), tokens(1, vocab: v, seed: 10), tokens(1, vocab: v, seed: 11)],
        ]
        // Tiny logits are O(1); the batched path differs only in f32 summation order (~1e-6).
        try check(model, prompts: prompts, steps: steps, tolerance: 1e-3)
    }

    func testTinyBatchLargerThanScratchSpansChunks() throws {
        // The tiny model's scratch holds 48 rows (its context): 20 + 30 + 1 rows take two
        // chunks, the second sequence split across them.
        let model = try TinyModel.load()
        let v = model.config.vocab
        let steps = [[tokens(20, vocab: v, seed: 21), tokens(30, vocab: v, seed: 22), tokens(1, vocab: v, seed: 23)]]
        try check(model, prompts: [[], [], tokens(3, vocab: v, seed: 24)], steps: steps, tolerance: 1e-3)
    }

    func testTinyGemmaSlidingWindowInARaggedBatch() throws {
        // Window of 4 positions on most layers: chunks longer than the window, on a cache past it.
        let model = try TinyModel.load(architecture: "gemma3")
        let v = model.config.vocab
        let steps = [[tokens(9, vocab: v, seed: 31), tokens(1, vocab: v, seed: 32)],
                     [tokens(1, vocab: v, seed: 33), tokens(6, vocab: v, seed: 34)]]
        try check(model, prompts: [tokens(2, vocab: v, seed: 35), tokens(10, vocab: v, seed: 36)], steps: steps,
                  tolerance: 1e-3)
    }

    func testLogitsOnlyWhereWanted() throws {
        let model = try TinyModel.load()
        var caches = [model.makeCache(), model.makeCache()]
        let got = try model.forwardBatch(sequences: [[1, 2, 3], [4]], caches: &caches, wantLogits: [false, true])
        XCTAssertEqual(got[0], [])
        XCTAssertEqual(got[1].count, model.config.vocab)
        XCTAssertEqual(caches.map(\.count), [3, 1])
    }

    func testBadRaggedInputThrowsAndLeavesCaches() throws {
        let model = try TinyModel.load()
        var caches = [model.makeCache(), model.makeCache()]
        _ = try model.forward([1, 2, 3], cache: &caches[0])
        XCTAssertThrowsError(try model.forwardBatch(sequences: [[1], []], caches: &caches)) {
            XCTAssertEqual($0 as? LlamaError, .emptyInput)
        }
        XCTAssertThrowsError(try model.forwardBatch(sequences: [[1, 2], [1, 2, 99]], caches: &caches)) {
            XCTAssertEqual($0 as? LlamaError, .tokenOutOfRange(token: 99, position: 1, vocab: 80))
        }
        // 3 cached + 46 new > context 48: refused before any cache moves.
        XCTAssertThrowsError(try model.forwardBatch(sequences: [[Int32](repeating: 1, count: 46), [1]], caches: &caches)) {
            XCTAssertEqual($0 as? LlamaError, .contextOverflow(start: 3, tokens: 46, limit: 48))
        }
        XCTAssertThrowsError(try model.forwardBatch(sequences: [[1], [1]], caches: &caches, wantLogits: [true]))
        XCTAssertEqual(caches.map(\.count), [3, 0])
    }

    func testDefaultModelDecodeBesidePromptChunk() throws {
        guard let model = DefaultModel.load() else { return }
        let t = try Fixtures.json("teacher.json", as: TeacherFixture.self)
        let ids = t.ids
        let prompts = [Array(ids.prefix(6)), [], Array(ids.prefix(3))]
        let steps = [[[ids[6]], Array(ids.prefix(20)), Array(ids.dropFirst(3).prefix(11))],
                     [[ids[7]], Array(ids.dropFirst(20).prefix(5)), [ids[14]]]]
        // Logits ~20 in magnitude; only f32 summation order differs (as in BatchForwardTests).
        try check(model, prompts: prompts, steps: steps, tolerance: 1e-3)
    }
}
