import XCTest
@testable import Llama
import TestSupport

/// `forwardBatch` (one decode step for several sequences) on the tiny and the default model.
final class BatchForwardTests: XCTestCase {
    private func randomTokens(_ n: Int, vocab: Int, seed: UInt64) -> [Int32] {
        var rng = SplitMix(seed: seed)
        return (0..<n).map { _ in Int32(rng.next() % UInt64(vocab)) }
    }

    /// Sequences at lengths 0, 1, 5, 11 and 17, four steps each (plus a repeated sequence).
    private func checks(_ model: LlamaModel, tolerance: Float, prompts: [[Int32]]) -> BatchChecks {
        let steps = (0..<4).map { s in randomTokens(prompts.count, vocab: model.config.vocab, seed: 100 + UInt64(s)) }
        return BatchChecks(model: model, tolerance: tolerance, prompts: prompts, steps: steps)
    }

    func testTinyBatchEqualsSingle() throws {
        let model = try TinyModel.load()
        let v = model.config.vocab
        let prompts = [[], randomTokens(1, vocab: v, seed: 1), randomTokens(5, vocab: v, seed: 2),
                       randomTokens(11, vocab: v, seed: 3), randomTokens(17, vocab: v, seed: 4)]
        // Tiny logits are O(1); matmul vs matvec differ only in f32 summation order (~1e-6).
        try checks(model, tolerance: 1e-3, prompts: prompts).batchEqualsSingle()
    }

    func testTinyBatchOfOne() throws {
        let model = try TinyModel.load(threads: 1)
        // Same kernels exactly (a batch of one is a matvec): same bound as above, for symmetry.
        try checks(model, tolerance: 1e-3, prompts: [[3, 4, 5]]).batchEqualsSingle()
    }

    func testDefaultModelBatchEqualsSingle() throws {
        guard let model = DefaultModel.load() else { return }
        let t = try Fixtures.json("teacher.json", as: TeacherFixture.self)
        let ids = t.ids
        let prompts = [Array(ids.prefix(3)), [], Array(ids.prefix(24)), Array(ids.dropFirst(5).prefix(9)), Array(ids.prefix(3))]
        // Logits ~20 in magnitude; the batched path differs from decode only by f32 summation
        // order in the kernels, so 1e-3 is far below any real error (> 0.1), as in DefaultModelCacheTests.
        try checks(model, tolerance: 1e-3, prompts: prompts).batchEqualsSingle()
    }

    func testBadInputThrowsAndLeavesCaches() throws {
        let model = try TinyModel.load()
        var caches = [model.makeCache(), model.makeCache()]
        _ = try model.forward([1, 2, 3], cache: &caches[0])
        func expect(_ tokens: [Int32], _ error: LlamaError, line: UInt = #line) {
            XCTAssertThrowsError(try model.forwardBatch(tokens, caches: &caches), line: line) {
                XCTAssertEqual($0 as? LlamaError, error, line: line)
            }
            XCTAssertEqual(caches.map(\.count), [3, 0], "caches untouched after a throw", line: line)
        }
        expect([], .emptyInput)
        expect([1], .cacheMismatch("forwardBatch got 1 sequences but 2 caches"))
        expect([1, 80], .tokenOutOfRange(token: 80, position: 1, vocab: 80))
        expect([-1, 1], .tokenOutOfRange(token: -1, position: 0, vocab: 80))
        _ = try model.forward([Int32](repeating: 1, count: 45), cache: &caches[0])
        XCTAssertEqual(caches[0].count, 48)
        let before = caches[0].count
        XCTAssertThrowsError(try model.forwardBatch([1, 2], caches: &caches)) {
            XCTAssertEqual($0 as? LlamaError, .contextOverflow(start: 48, tokens: 1, limit: 48))
        }
        XCTAssertEqual(caches.map(\.count), [before, 0])
        var wrong = [KVCache(layers: 3, rowWidth: 32, maxTokens: 48)]
        XCTAssertThrowsError(try model.forwardBatch([1], caches: &wrong))
    }

    /// Two entries that are copies of one cache (shared storage) each get their own row.
    func testSharedStorageIsCopiedOnWrite() throws {
        let model = try TinyModel.load()
        var base = model.makeCache()
        _ = try model.forward([7, 8, 9], cache: &base)
        let snapshot = base.serialized(tokens: 0..<3)
        var caches = [base, base]
        let got = try model.forwardBatch([10, 11], caches: &caches)
        XCTAssertEqual(base.serialized(tokens: 0..<base.count), snapshot)
        var a = base, b = base
        let wantA = try model.forward([10], cache: &a), wantB = try model.forward([11], cache: &b)
        // Same path as testTinyBatchEqualsSingle: f32 summation order only.
        XCTAssertLessThanOrEqual(maxAbsDiff(got[0], wantA), 1e-3)
        XCTAssertLessThanOrEqual(maxAbsDiff(got[1], wantB), 1e-3)
    }
}
