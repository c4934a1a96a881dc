import XCTest
@testable import Llama

/// The cache's element types on the default model: bytes per token (issue 11's figures),
/// cache properties for q8_0 and f32 (f16, the default, runs them in DefaultModelCacheTests),
/// and conversion of serialized rows between types, including the old f32-only form.
final class CacheTypeTests: XCTestCase {
    // Same reasoning as DefaultModelCacheTests: the two sides read identical stored rows and
    // differ only in kernel summation order.
    let tolerance: Float = 1e-3

    func checks(_ type: KVCacheType) throws -> CacheChecks? {
        guard let model = DefaultModel.load() else { return nil }
        let t = try Fixtures.json("teacher.json", as: TeacherFixture.self)
        return CacheChecks(model: model, tolerance: tolerance, tokens: Array(t.ids.prefix(24)), type: type)
    }

    func testBytesPerTokenOnSmolLM2() throws {
        guard let model = DefaultModel.load() else { return }
        // 30 layers x (K + V) x 192 values: 4 bytes, 2 bytes, 34 bytes per 32 values.
        let expected: [KVCacheType: Int] = [.f32: 46_080, .f16: 23_040, .q8_0: 12_240]
        for (type, bytes) in expected {
            var cache = model.makeCache(type: type)
            XCTAssertEqual(cache.bytesPerToken, bytes, "\(type)")
            XCTAssertEqual(model.config.kvBytesPerToken(type), bytes, "\(type)")
            _ = try model.forward([1, 2, 3], cache: &cache)
            XCTAssertEqual(cache.byteCount, 3 * bytes)
            XCTAssertEqual(cache.allocatedByteCount, cache.capacity * bytes, "\(type): allocation is capacity x bytes per token")
        }
    }

    func testQ8_0CacheEqualsRecompute() throws { try checks(.q8_0)?.cacheEqualsRecompute() }
    func testQ8_0Continuation() throws { try checks(.q8_0)?.continuation(split: 11) }
    func testQ8_0SerializationRoundTrip() throws { try checks(.q8_0)?.serializationRoundTrip(split: 9) }
    func testF32CacheEqualsRecompute() throws { try checks(.f32)?.cacheEqualsRecompute() }
    func testF32SerializationRoundTrip() throws { try checks(.f32)?.serializationRoundTrip(split: 9) }

    /// Rows saved from an f32 cache, loaded into an f16 or q8_0 cache, are rounded as the model
    /// rounds its own rows: layer 0 (whose K/V depend only on the embeddings, not on earlier
    /// cached layers) equals what a run in that type stores, byte for byte. The old "KVC1"
    /// form (f32 rows, no type field) converts to the same bytes as the new one.
    func testF32RowsConvertExactlyOnLoad() throws {
        guard let model = DefaultModel.load() else { return }
        let tokens = Array(try Fixtures.json("teacher.json", as: TeacherFixture.self).ids.prefix(12))
        var f32 = model.makeCache(type: .f32)
        _ = try model.forward(tokens, cache: &f32)
        let saved = f32.serialized(tokens: 0..<tokens.count)
        let legacy = Array("KVC1".utf8) + saved[4..<16] + saved[20...]
        for type in [KVCacheType.f16, .q8_0] {
            var direct = model.makeCache(type: type)
            _ = try model.forward(tokens, cache: &direct)
            let want = direct.serialized(tokens: 0..<tokens.count)
            let layer0 = 20..<(20 + 2 * tokens.count * direct.rowBytes)  // header, then layer 0's K and V rows
            var converted: [[UInt8]] = []
            for bytes in [saved, legacy] {
                var cache = model.makeCache(type: type)
                try cache.appendSerialized(bytes, tokenCount: tokens.count)
                converted.append(cache.serialized(tokens: 0..<tokens.count))
            }
            XCTAssertEqual(converted[0].count, want.count)
            XCTAssertTrue(converted[0][layer0] == want[layer0], "\(type): layer 0 converted vs stored by the model")
            XCTAssertEqual(converted[0], converted[1], "\(type): KVC1 and KVC2 f32 rows convert alike")
        }
    }

    /// f16 -> f32 is exact and back again gives the same halves.
    func testF16RowsSurviveARoundTripThroughF32() throws {
        guard let model = DefaultModel.load() else { return }
        var f16 = model.makeCache(type: .f16)
        _ = try model.forward([5, 6, 7, 8], cache: &f16)
        var f32 = model.makeCache(type: .f32)
        try f32.appendSerialized(f16.serialized(tokens: 0..<4), tokenCount: 4)
        var back = model.makeCache(type: .f16)
        try back.appendSerialized(f32.serialized(tokens: 0..<4), tokenCount: 4)
        XCTAssertEqual(back.serialized(tokens: 0..<4), f16.serialized(tokens: 0..<4))
    }

    func testUnknownElementTypeIsRefused() throws {
        guard let model = DefaultModel.load() else { return }
        var cache = model.makeCache(type: .f16)
        _ = try model.forward([1, 2], cache: &cache)
        var bytes = cache.serialized(tokens: 0..<2)
        bytes[16] = 2  // q4_0: not a cache type
        var other = model.makeCache(type: .f16)
        XCTAssertThrowsError(try other.appendSerialized(bytes, tokenCount: 2)) {
            XCTAssertTrue("\($0)".contains("element type 2"), "\($0)")
        }
        XCTAssertEqual(other.count, 0)
    }

    /// q8_0 blocks of 32 cannot split the tiny model's 16-value heads: refused by name, and a
    /// forward on such a cache throws before touching it.
    func testQ8_0NeedsHeadsOfWholeBlocks() throws {
        let tiny = try TinyModel.load()
        XCTAssertThrowsError(try tiny.checkCacheType(.q8_0)) { XCTAssertTrue("\($0)".contains("multiple of 32"), "\($0)") }
        XCTAssertNoThrow(try tiny.checkCacheType(.f16))
        var cache = tiny.makeCache(type: .q8_0)
        XCTAssertThrowsError(try tiny.forward([1, 2], cache: &cache))
        XCTAssertEqual(cache.count, 0)
    }
}
