import Foundation
import GGUF
import Tokenization
import XCTest

/// Fixtures of scripts/fixtures/make_template_fixtures.py (Tests/Fixtures/templates).
enum ChatFixtures {
    struct Fixture: Decodable {
        struct Message: Decodable {
            struct Call: Decodable { let id: String; let name: String; let arguments: String }
            let role: String
            let content: String
            let tool_calls: [Call]?
            let tool_call_id: String?
            let name: String?
        }
        struct Case: Decodable {
            let name: String
            let messages: [Message]
            let tools: [String]
            let add_generation_prompt: Bool
            let text: String?
            let error: String?

            var chatMessages: [ChatMessage] {
                messages.map { m in
                    ChatMessage(role: m.role, content: m.content,
                                toolCalls: (m.tool_calls ?? []).map { ChatToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) },
                                toolCallID: m.tool_call_id, name: m.name)
                }
            }
        }
        let template: String
        let tokens: [String: String]
        let cases: [Case]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/templates")

    static func load(_ name: String) throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// The older fixtures of make_tokenizer_fixtures.py (Tests/Fixtures/tokenizer).
struct LegacyChatFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let messages: [ChatMessage]
        let add_generation_prompt: Bool
        let text: String
        let ids: [Int32]
    }
    let template: String
    let cases: [Case]
}

struct VariantFixture: Decodable {
    struct Variant: Decodable {
        struct Case: Decodable {
            let messages: [ChatMessage]
            let add_generation_prompt: Bool
            let text: String
        }
        let name: String
        let template: String
        let bos_token: String?
        let cases: [Case]
    }
    let variants: [Variant]
}

/// Real model files (metadata only is read); a missing file fails the test, never skips it.
enum ModelPaths {
    private static let cache = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kvserve")
    static var qwen: String { env("KVSERVE_MODEL_QWEN", "Qwen2.5-Coder-0.5B-Instruct.gguf") }
    static var gemma: String { env("KVSERVE_MODEL_GEMMA", "gemma-3-270m.Q4_K_M.gguf") }
    static var smol: String { env("KVSERVE_MODEL", "SmolLM2-135M-Instruct.Q4_1.gguf") }

    private static func env(_ name: String, _ file: String) -> String {
        ProcessInfo.processInfo.environment[name] ?? cache.appendingPathComponent(file).path
    }

    static func open(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> GGUFFile {
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("model not found at \(path): run scripts/fetch-model.sh", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try GGUFFile(path: path)
    }
}
