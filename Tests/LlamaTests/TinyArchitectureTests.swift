import Foundation
import GGUF
import Kernels
import XCTest
@testable import Llama
import TestSupport

/// The qwen2 and gemma3 descriptions on tiny random models: config from metadata, every
/// cache and batch property (the gemma3 model's window of 4 is far shorter than the 20-token
/// runs, so local layers drop positions), and errors that name what is missing.
final class TinyArchitectureTests: XCTestCase {
    // As in TinyModelTests: logits O(1), kernel-path differences ~1e-6, so 1e-3 catches any
    // real indexing, masking or window bug.
    let tolerance: Float = 1e-3

    func checks(_ architecture: String) throws -> CacheChecks {
        var rng = SplitMix(seed: 7)
        let tokens = (0..<20).map { _ in Int32(rng.next() % UInt64(TinyModel.vocab)) }
        return CacheChecks(model: try TinyModel.load(architecture: architecture), tolerance: tolerance, tokens: tokens)
    }

    func testGemma3ConfigFromMetadataAndDefinition() throws {
        let c = try TinyModel.load(architecture: "gemma3").config
        XCTAssertEqual(c.architecture, "gemma3")
        XCTAssertEqual(c.headDim, 24)
        XCTAssertEqual(c.qDim, 96)
        XCTAssertEqual(c.kvDim, 48)
        XCTAssertEqual(c.attentionScale, 1 / Float(24).squareRoot())
        XCTAssertEqual(c.options.embeddingScale, Float(64).squareRoot())
        XCTAssertEqual(c.options.ropeStyle, .halves)
        XCTAssertEqual(c.options.activation, .geluTanh)
        XCTAssertTrue(c.options.qkNorm && c.options.postNorms && !c.options.qkvBias)
        // Layers 0-4 local (window, base 10000), layer 5 global (the file's base, 1e6).
        XCTAssertEqual(c.layerAttention.map(\.window), [4, 4, 4, 4, 4, nil])
        XCTAssertEqual(c.layerAttention.map(\.ropeBase), [10_000, 10_000, 10_000, 10_000, 10_000, 1_000_000])
        XCTAssertEqual(c.ropeBases, [10_000, 1_000_000])
    }

    func testQwen2ConfigFromMetadata() throws {
        let c = try TinyModel.load(architecture: "qwen2").config
        XCTAssertEqual(c.architecture, "qwen2")
        XCTAssertTrue(c.options.qkvBias)
        XCTAssertEqual(c.options.ropeStyle, .halves)
        XCTAssertEqual(c.options.activation, .silu)
        XCTAssertEqual(c.layerAttention.map(\.window), [nil, nil])
    }

    func testLlamaKeepsItsBlock() throws {
        let c = try TinyModel.load().config
        XCTAssertEqual(c.options, BlockOptions())
        XCTAssertEqual(c.options.ropeStyle, .adjacentPairs)
    }

    func testGemma3Cache() throws {
        let c = try checks("gemma3")
        try c.cacheEqualsRecompute()
        try c.chunkedPrefill(chunks: [5, 1, 7])
        try c.continuation(split: 9)
        try c.truncateThenForward(keep: 6)
        try c.serializationRoundTrip(split: 7)
        try c.valueSemantics()
    }

    func testQwen2Cache() throws {
        let c = try checks("qwen2")
        try c.cacheEqualsRecompute()
        try c.chunkedPrefill(chunks: [5, 1, 7])
        try c.continuation(split: 9)
        try c.truncateThenForward(keep: 6)
        try c.serializationRoundTrip(split: 7)
        try c.valueSemantics()
    }

    func testBatchEqualsSingle() throws {
        for architecture in ["qwen2", "gemma3"] {
            let model = try TinyModel.load(architecture: architecture)
            var rng = SplitMix(seed: 3)
            func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.next() % UInt64(TinyModel.vocab)) } }
            let steps = (0..<4).map { _ in tokens(4) }
            // Lengths 0, 2, 7 and 13: inside and well past the gemma3 window.
            try BatchChecks(model: model, tolerance: tolerance, prompts: [[], tokens(2), tokens(7), tokens(13)],
                            steps: steps).batchEqualsSingle()
        }
    }

    func testMissingArchitectureTensorsAreNamed() throws {
        for (architecture, name) in [("qwen2", "blk.1.attn_v.bias"), ("gemma3", "blk.0.attn_k_norm.weight"),
                                     ("gemma3", "blk.3.post_ffw_norm.weight")] {
            var t = try TinyModel(architecture: architecture)
            try t.addTensors(skipping: [name])
            XCTAssertThrowsError(try load(t)) { XCTAssertEqual($0 as? LlamaError, .missingTensor(name)) }
        }
    }

    func testGemma3WithoutWindowIsRefused() throws {
        var t = try TinyModel(architecture: "gemma3")
        t.writer.set("gemma3.attention.sliding_window", .uint32(0))
        try t.addTensors()
        XCTAssertThrowsError(try load(t)) { XCTAssertTrue("\($0)".contains("gemma3.attention.sliding_window"), "\($0)") }
    }

    func testUnsupportedArchitectureNamesTheSupportedOnes() throws {
        var t = try TinyModel()
        t.writer.set("general.architecture", .string("phi3"))
        try t.addTensors()
        XCTAssertThrowsError(try load(t)) { error in
            let message = "\(error)"
            for name in ["phi3", "llama", "qwen2", "gemma3"] { XCTAssertTrue(message.contains(name), message) }
        }
    }

    func testDescriptionForTheLoadLog() throws {
        let model = try TinyModel.load()
        // 7 matrices x 2 layers in Q4_1; the Q8_0 embedding doubles as the (tied) head.
        XCTAssertEqual(model.tensorTypeCounts.map(\.format), [.q4_1, .q8_0])
        XCTAssertEqual(model.tensorTypeCounts.map(\.count), [14, 1])
        XCTAssertEqual(model.architecture, "llama")
        XCTAssertEqual(model.quantization, "Q4_1")  // no general.file_type: the most used format
        XCTAssertEqual(model.cacheLayout(.f16), "llama-f16 layers=2 kv_dim=32")
        XCTAssertEqual(model.convertibleCacheLayouts(to: .f16), ["llama-f32 layers=2 kv_dim=32", "llama-q8_0 layers=2 kv_dim=32"])
    }

    private func load(_ t: TinyModel) throws -> LlamaModel {
        let path = try t.write()
        defer { unlink(path) }
        return try LlamaModel(file: GGUFFile(path: path), threads: 1)
    }
}
