import Foundation
import GGUF
import XCTest
@testable import Llama

/// The other architectures' test models (scripts/test.sh sets their paths), each loaded once
/// per run, and their reference fixtures under Tests/Fixtures/model/<family>/.
enum RealModel: String {
    case qwen2, gemma3

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: [RealModel: LlamaModel] = [:]

    var path: String {
        let (variable, file) = self == .qwen2
            ? ("KVSERVE_MODEL_QWEN", "Qwen2.5-Coder-0.5B-Instruct.gguf")
            : ("KVSERVE_MODEL_GEMMA", "gemma-3-270m.Q4_K_M.gguf")
        if let p = ProcessInfo.processInfo.environment[variable], !p.isEmpty { return p }
        return NSHomeDirectory() + "/.cache/kvserve/" + file
    }

    /// The model, or nil after recording a failure (never a silent skip).
    func load(file: StaticString = #filePath, line: UInt = #line) -> LlamaModel? {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        if let m = Self.cached[self] { return m }
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(rawValue) test model not found at \(path): run scripts/fetch-model.sh", file: file, line: line)
            return nil
        }
        do {
            let m = try LlamaModel(file: GGUFFile(path: path), threads: 2)
            Self.cached[self] = m
            return m
        } catch {
            XCTFail("cannot load \(path): \(error)", file: file, line: line)
            return nil
        }
    }

    func fixtures() throws -> FamilyFixtures {
        try Fixtures.json("\(rawValue)/fixtures.json", as: FamilyFixtures.self)
    }

    func logits(_ p: FamilyPrompt) throws -> [Float] {
        try Fixtures.floats("\(rawValue)/\(p.logits_file)")
    }
}

/// Written by scripts/fixtures/make_model_fixtures.py <family>.
struct FamilyFixtures: Decodable {
    let model: String
    let vocab: Int
    let prompts: [FamilyPrompt]
}

struct FamilyPrompt: Decodable {
    let text: String
    let ids: [Int32]
    let logits_file: String
    let mean: Float
    let greedy: [Int32]
    let greedy_gaps: [Float]
}
