import Foundation
import GGUF
import XCTest
@testable import Llama

/// The default model, shared by all tests of a run (loading maps 98 MB; building scratch is cheap).
enum DefaultModel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: LlamaModel?

    static var path: String {
        if let p = ProcessInfo.processInfo.environment["KVSERVE_MODEL"], !p.isEmpty { return p }
        return NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// The model, or nil after recording a failure (never a silent skip).
    static func load(file: StaticString = #filePath, line: UInt = #line) -> LlamaModel? {
        lock.lock()
        defer { lock.unlock() }
        if let m = cached { return m }
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("default model not found at \(path): run scripts/fetch-model.sh (or set KVSERVE_MODEL)", file: file, line: line)
            return nil
        }
        do {
            let m = try LlamaModel(file: GGUFFile(path: path), threads: 2)
            cached = m
            return m
        } catch {
            XCTFail("cannot load \(path): \(error)", file: file, line: line)
            return nil
        }
    }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/model")

    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

struct PromptFixture: Decodable {
    let kind: String
    let text: String
    let ids: [Int32]
    let top_ids: [Int]
    let top_values: [Float]
    let max: Float
    let mean: Float
    let std: Float
    let logsumexp: Float
    let greedy: [Int32]
    let greedy_gaps: [Float]
    let full_logits_file: String?
}

struct PromptsFile: Decodable {
    let model: String
    let vocab: Int
    let prompts: [PromptFixture]
}

struct TeacherFixture: Decodable {
    let text: String
    let ids: [Int32]
    let argmax: [Int]
    let gaps: [Float]
}

func maxAbsDiff(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float { maxAbsDiff(a[...], b[...]) }

func argmax(_ x: ArraySlice<Float>) -> Int {
    var best = x.startIndex
    for i in x.indices where x[i] > x[best] { best = i }
    return best - x.startIndex
}

/// Greedy decoding with the cache: prefill, then one token per forward.
func greedyDecode(_ model: LlamaModel, prompt: [Int32], count: Int, type: KVCacheType = .f16) throws -> [Int32] {
    var cache = model.makeCache(type: type)
    var logits = try model.forward(prompt, cache: &cache)
    var out: [Int32] = []
    for _ in 0..<count {
        let next = Int32(argmax(logits[...]))
        out.append(next)
        logits = try model.forward([next], cache: &cache)
    }
    return out
}
