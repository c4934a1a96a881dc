import Foundation
import GGUF
import Tokenization
import XCTest

/// Shared access to the default model's tokenizer and to the reference fixtures.
enum TestSupport {
    static let defaultModelPath = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf").path

    static var modelPath: String {
        ProcessInfo.processInfo.environment["KVSERVE_MODEL"] ?? defaultModelPath
    }

    /// Tests/Fixtures/tokenizer, written by scripts/fixtures/make_tokenizer_fixtures.py.
    static let fixturesDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer")

    private static let loaded: Result<(GGUFFile, Tokenizer), Error> = Result {
        let file = try GGUFFile(path: modelPath)
        return (file, try Tokenizer(gguf: file))
    }

    /// The model's GGUF and tokenizer; fails the test (never skips) when the model is missing.
    static func model(file: StaticString = #filePath, line: UInt = #line) throws -> (GGUFFile, Tokenizer) {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("model not found at \(modelPath): run scripts/fetch-model.sh (or set KVSERVE_MODEL)",
                    file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try loaded.get()
    }

    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: fixturesDir.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }
}
