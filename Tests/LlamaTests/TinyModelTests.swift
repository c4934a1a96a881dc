import Foundation
import GGUF
import XCTest
@testable import Llama
import TestSupport

/// Structural and cache tests on a tiny random-weights model the test writes itself.
final class TinyModelTests: XCTestCase {
    // Tiny logits are O(1); kernel-path differences (matvec vs matmul summation order) are
    // ~1e-6 relative, so 1e-3 absolute catches any real indexing or masking bug.
    let tolerance: Float = 1e-3

    func checks() throws -> CacheChecks {
        var rng = SplitMix(seed: 7)
        let tokens = (0..<20).map { _ in Int32(rng.next() % UInt64(TinyModel.vocab)) }
        return CacheChecks(model: try TinyModel.load(), tolerance: tolerance, tokens: tokens)
    }

    func testConfigFromMetadata() throws {
        let c = try TinyModel.load().config
        XCTAssertEqual(c.layers, 2)
        XCTAssertEqual(c.headDim, 16)
        XCTAssertEqual(c.kvDim, 32)
        XCTAssertEqual(c.vocab, 80)
        XCTAssertEqual(c.contextLength, 48)
        XCTAssertEqual(c.kvBytesPerToken(.f32), 2 * 2 * 32 * 4)
        XCTAssertEqual(c.kvBytesPerToken(.f16), 2 * 2 * 32 * 2)
        XCTAssertEqual(c.kvBytesPerToken(.q8_0), 2 * 2 * 34)
    }

    func testCacheEqualsRecompute() throws { try checks().cacheEqualsRecompute() }
    func testChunkedPrefill() throws { try checks().chunkedPrefill(chunks: [5, 1, 7]) }
    func testContinuation() throws { try checks().continuation(split: 9) }
    func testTruncate() throws { try checks().truncateThenForward(keep: 6) }
    func testSerializationRoundTrip() throws { try checks().serializationRoundTrip(split: 7) }
    func testValueSemantics() throws { try checks().valueSemantics() }

    func testSingleThreadMatchesTwoThreads() throws {
        let tokens: [Int32] = [1, 5, 9, 13, 17, 21, 25]
        let one = try TinyModel.load(threads: 1), two = try TinyModel.load(threads: 2)
        var c1 = one.makeCache(), c2 = two.makeCache()
        let a = try one.forward(tokens, cache: &c1, allLogits: true)
        let b = try two.forward(tokens, cache: &c2, allLogits: true)
        XCTAssertLessThanOrEqual(maxAbsDiff(a, b), tolerance)
    }

    func testMissingTensorIsNamed() throws {
        var t = try TinyModel()
        try t.addTensors(skipping: ["blk.1.ffn_up.weight"])
        XCTAssertThrowsError(try load(t)) { XCTAssertEqual($0 as? LlamaError, .missingTensor("blk.1.ffn_up.weight")) }
    }

    func testBadShapeIsNamed() throws {
        var t = try TinyModel()
        try t.addTensors(override: ["blk.0.attn_k.weight": [64, 64]])
        XCTAssertThrowsError(try load(t)) { error in
            XCTAssertEqual(error as? LlamaError, .badTensorShape(name: "blk.0.attn_k.weight", expected: [64, 32], found: [64, 64]))
            XCTAssertTrue("\(error)".contains("blk.0.attn_k.weight"))
        }
    }

    func testWrongArchitectureIsNamed() throws {
        var t = try TinyModel()
        t.writer.set("general.architecture", .string("gpt2"))
        try t.addTensors()
        XCTAssertThrowsError(try load(t)) { XCTAssertEqual($0 as? LlamaError, .wrongArchitecture("gpt2")) }
    }

    func testBadInputThrowsAndLeavesCache() throws {
        let model = try TinyModel.load()
        var cache = model.makeCache()
        _ = try model.forward([1, 2, 3], cache: &cache)
        XCTAssertThrowsError(try model.forward([4, 80], cache: &cache)) {
            XCTAssertEqual($0 as? LlamaError, .tokenOutOfRange(token: 80, position: 1, vocab: 80))
        }
        XCTAssertThrowsError(try model.forward([-1], cache: &cache))
        XCTAssertThrowsError(try model.forward([], cache: &cache)) { XCTAssertEqual($0 as? LlamaError, .emptyInput) }
        XCTAssertThrowsError(try model.forward([Int32](repeating: 1, count: 46), cache: &cache)) {
            XCTAssertEqual($0 as? LlamaError, .contextOverflow(start: 3, tokens: 46, limit: 48))
        }
        XCTAssertEqual(cache.count, 3)
        _ = try model.forward([Int32](repeating: 1, count: 45), cache: &cache)
        XCTAssertEqual(cache.count, 48)
    }

    func testSerializedCacheRejectsMismatch() throws {
        let model = try TinyModel.load()
        var cache = model.makeCache()
        _ = try model.forward([1, 2, 3], cache: &cache)
        let bytes = cache.serialized(tokens: 0..<3)
        XCTAssertEqual(bytes.count, 20 + 3 * model.config.kvBytesPerToken(cache.type))
        var other = model.makeCache()
        XCTAssertThrowsError(try other.appendSerialized(bytes, tokenCount: 2))
        XCTAssertThrowsError(try other.appendSerialized(Array(bytes.dropLast()), tokenCount: 3))
        XCTAssertThrowsError(try other.appendSerialized([1, 2, 3], tokenCount: 0))
        var wrong = KVCache(layers: 3, rowWidth: 32, maxTokens: 48)
        XCTAssertThrowsError(try wrong.appendSerialized(bytes, tokenCount: 3))
        XCTAssertEqual(other.count, 0)
    }

    func testCacheGrowsInStepsAndKeepsRows() {
        var cache = KVCache(layers: 2, rowWidth: 4, maxTokens: 10_000, type: .f32)
        var capacities: Set<Int> = []
        for t in 0..<700 {
            cache.prepareAppend(1)
            let row = [Float](repeating: Float(t), count: 4)
            cache.store(layer: 1, position: t, rows: 1, keys: row, values: row)
            cache.commitAppend(1)
            capacities.insert(cache.capacity)
        }
        XCTAssertEqual(capacities.sorted(), [256, 512, 768], "grows by steps, not per token")
        let keys = cache.layerRows(1).keys
        XCTAssertEqual(keys.load(fromByteOffset: 3 * cache.rowBytes, as: Float.self), 3)
        XCTAssertEqual(keys.load(fromByteOffset: 699 * cache.rowBytes, as: Float.self), 699)
        XCTAssertEqual(cache.byteCount, 700 * 2 * 2 * 4 * 4)
        XCTAssertEqual(cache.allocatedByteCount, 768 * 2 * 2 * 4 * 4)
    }

    private func load(_ t: TinyModel) throws -> LlamaModel {
        let path = try t.write()
        defer { unlink(path) }
        return try LlamaModel(file: GGUFFile(path: path), threads: 1)
    }
}
