import Foundation
import GGUF
import Tokenization
import XCTest

/// The test models' tokenizers and the reference fixtures.
enum TestSupport {
    /// The three test models, each with its own tokenizer kind; scripts/test.sh sets the
    /// variables, otherwise the ~/.cache/kvserve file (a missing file fails the test).
    enum Model: String, CaseIterable {
        case smollm2, qwen, gemma

        var environmentKey: String {
            switch self {
            case .smollm2: return "KVSERVE_MODEL"
            case .qwen: return "KVSERVE_MODEL_QWEN"
            case .gemma: return "KVSERVE_MODEL_GEMMA"
            }
        }

        var defaultFile: String {
            switch self {
            case .smollm2: return "SmolLM2-135M-Instruct.Q4_1.gguf"
            case .qwen: return "Qwen2.5-Coder-0.5B-Instruct.gguf"
            case .gemma: return "gemma-3-270m.Q4_K_M.gguf"
            }
        }

        /// Tests/Fixtures/tokenizer/<name>.json, from scripts/fixtures/make_tokenizer_fixtures.py.
        var fixtureName: String {
            switch self {
            case .smollm2: return "smollm2.json"
            case .qwen: return "qwen2.5.json"
            case .gemma: return "gemma3.json"
            }
        }

        var path: String {
            ProcessInfo.processInfo.environment[environmentKey]
                ?? FileManager.default.homeDirectoryForCurrentUser
                    .appendingPathComponent(".cache/kvserve/\(defaultFile)").path
        }
    }

    static var modelPath: String { Model.smollm2.path }

    /// Tests/Fixtures/tokenizer, written by scripts/fixtures/make_tokenizer_fixtures.py.
    static let fixturesDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer")

    // One lazily loaded tokenizer per model, so a test of one model never loads the others.
    private static let smollm2 = load(.smollm2)
    private static let qwen = load(.qwen)
    private static let gemma = load(.gemma)

    private static func load(_ m: Model) -> Result<(GGUFFile, Tokenizer), Error> {
        Result {
            let file = try GGUFFile(path: m.path)
            return (file, try Tokenizer(gguf: file))
        }
    }

    /// A model's GGUF and tokenizer; fails the test (never skips) when the model is missing.
    static func model(_ m: Model = .smollm2, file: StaticString = #filePath, line: UInt = #line) throws
        -> (GGUFFile, Tokenizer) {
        guard FileManager.default.fileExists(atPath: m.path) else {
            XCTFail("model not found at \(m.path): run scripts/fetch-model.sh (or set \(m.environmentKey))",
                    file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        switch m {
        case .smollm2: return try smollm2.get()
        case .qwen: return try qwen.get()
        case .gemma: return try gemma.get()
        }
    }

    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: fixturesDir.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }
}
