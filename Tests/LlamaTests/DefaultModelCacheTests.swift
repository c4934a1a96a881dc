import XCTest
@testable import Llama

/// Cache correctness on the real model, on the teacher-forcing text's tokens.
final class DefaultModelCacheTests: XCTestCase {
    // Decode (1 token) and prefill (n tokens) share the kernels row for row (matvec is
    // matmul with n = 1; activations are quantized per row), so results match to f32
    // rounding; 1e-3 on logits of magnitude ~20 is far below any real error (>0.1).
    let tolerance: Float = 1e-3

    func checks() throws -> CacheChecks? {
        guard let model = DefaultModel.load() else { return nil }
        let t = try Fixtures.json("teacher.json", as: TeacherFixture.self)
        return CacheChecks(model: model, tolerance: tolerance, tokens: Array(t.ids.prefix(24)))
    }

    func testCacheEqualsRecompute() throws { try checks()?.cacheEqualsRecompute() }
    func testChunkedPrefill() throws { try checks()?.chunkedPrefill(chunks: [5, 1, 7]) }
    func testContinuation() throws { try checks()?.continuation(split: 11) }
    func testTruncate() throws { try checks()?.truncateThenForward(keep: 10) }
    func testSerializationRoundTrip() throws { try checks()?.serializationRoundTrip(split: 9) }
    func testValueSemantics() throws { try checks()?.valueSemantics() }
}
