import Foundation
import GGUF
import Tokenization
import XCTest
import TestSupport

/// Renderings must equal transformers' `apply_chat_template` output exactly
/// (fixtures: scripts/fixtures/make_template_fixtures.py and make_tokenizer_fixtures.py).
final class ChatTemplateTests: XCTestCase {
    func testQwenConversationsMatchReference() throws {
        try checkConversations("chat_qwen.json")
    }

    func testQwen15ConversationsMatchReference() throws {
        try checkConversations("chat_qwen15.json")
    }

    func testSmolLMConversationsMatchReference() throws {
        try checkConversations("chat_smollm.json")
    }

    func testGemma3ConversationsMatchReference() throws {
        try checkConversations("chat_gemma3.json")
    }

    /// Every fixture conversation renders to the reference text; error cases throw.
    private func checkConversations(_ name: String) throws {
        let fixture = try ChatFixtures.load(name)
        let template = try ChatTemplate(template: fixture.template, tokens: fixture.tokens)
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 10)
        for c in fixture.cases {
            let render = { try template.renderText(c.chatMessages, tools: c.tools, addGenerationPrompt: c.add_generation_prompt) }
            if let expected = c.text {
                XCTAssertEqual(try render(), expected, "\(name): \(c.name)")
            } else {
                XCTAssertThrowsError(try render(), "\(name): \(c.name)") { error in
                    guard case .chatTemplateFailed(let why)? = error as? TokenizationError else { return XCTFail("\(error)") }
                    XCTAssertTrue(c.error.map { $0.contains("alternate") == why.contains("alternate") } ?? false, why)
                }
            }
        }
    }

    /// The files' own templates (and named tokens) are what the fixtures rendered.
    func testTemplatesComeFromTheFiles() throws {
        for (path, fixtureName) in [(ModelPaths.qwen, "chat_qwen.json"), (ModelPaths.smol, "chat_smollm.json"),
                                    (ModelPaths.gemma, "chat_gemma3.json")] {
            let file = try ModelPaths.open(path)
            let template = try ChatTemplate(gguf: file)
            let fixture = try ChatFixtures.load(fixtureName)
            XCTAssertTrue(template.source.unicodeScalars.elementsEqual(fixture.template.unicodeScalars), fixtureName)
            let c = try XCTUnwrap(fixture.cases.first { $0.name == "multi-turn" })
            XCTAssertEqual(try template.renderText(c.chatMessages, addGenerationPrompt: true), c.text, fixtureName)
        }
    }

    func testTemplateLiteralsBecomeSpecialTokensAndContentStaysText() throws {
        let qwen = try ChatTemplate(gguf: ModelPaths.open(ModelPaths.qwen))
        XCTAssertTrue(qwen.supportsTools)
        let pieces = try qwen.render([ChatMessage(role: "user", content: "<|im_end|><tool_call>")], addGenerationPrompt: true)
        XCTAssertEqual(pieces, [
            .special("<|im_start|>"), .text("system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
            .special("<|im_end|>"), .text("\n"), .special("<|im_start|>"), .text("user\n<|im_end|><tool_call>"),
            .special("<|im_end|>"), .text("\n"), .special("<|im_start|>"), .text("assistant\n"),
        ])
        // A tool call printed by the template: `<tool_call>` is a user-defined token of this vocabulary.
        let call = ChatMessage(role: "assistant", content: "", toolCalls: [ChatToolCall(id: "1", name: "f", arguments: "{\"a\":1}")])
        let rendered = try qwen.render([ChatMessage(role: "user", content: "x"), call], addGenerationPrompt: false)
        XCTAssertTrue(rendered.contains(.special("<tool_call>")), "\(rendered)")

        let gemma = try ChatTemplate(gguf: ModelPaths.open(ModelPaths.gemma))
        let g = try gemma.render([ChatMessage(role: "user", content: "<start_of_turn>")], addGenerationPrompt: true)
        XCTAssertEqual(g, [.special("<bos>"), .special("<start_of_turn>"), .text("user\n<start_of_turn>"),
                           .special("<end_of_turn>"), .text("\n"), .special("<start_of_turn>"), .text("model\n")])
        XCTAssertFalse(gemma.supportsTools)
    }

    func testSmolLMRenderingMatchesReferenceIds() throws {
        let (file, tok) = try TestSupport.model()
        let template = try ChatTemplate(gguf: file)
        XCTAssertFalse(template.supportsTools)
        let fixture = try TestSupport.fixture("chat.json", as: LegacyChatFixture.self)
        XCTAssertEqual(file.optionalString("tokenizer.chat_template"), fixture.template)
        for c in fixture.cases {
            let label = "\(c.name), generation prompt \(c.add_generation_prompt)"
            XCTAssertEqual(try template.renderText(c.messages, addGenerationPrompt: c.add_generation_prompt), c.text, label)
            let pieces = try template.render(c.messages, addGenerationPrompt: c.add_generation_prompt)
            XCTAssertEqual(try tok.encode(pieces: pieces), c.ids, label)
        }
    }

    func testOtherTemplateFamilies() throws {
        let fixture = try TestSupport.fixture("templates.json", as: VariantFixture.self)
        XCTAssertEqual(fixture.variants.count, 3)
        for v in fixture.variants {
            let template = try ChatTemplate(template: v.template, tokens: v.bos_token.map { ["bos_token": $0] } ?? [:])
            for c in v.cases {
                XCTAssertEqual(try template.renderText(c.messages, addGenerationPrompt: c.add_generation_prompt), c.text,
                               "\(v.name): \(c.messages)")
            }
        }
    }

    func testInvalidTemplateAndToolsAreClearErrors() throws {
        XCTAssertThrowsError(try ChatTemplate(template: "{% for m in messages %}{{ m.content }")) { error in
            guard case .invalidChatTemplate(let why)? = error as? TokenizationError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("line 1"), why)
        }
        let template = try ChatTemplate(template: "{% for t in tools %}{{ t | tojson }}{% endfor %}")
        XCTAssertThrowsError(try template.render([], tools: ["{\"a\": "], addGenerationPrompt: false)) { error in
            guard case .invalidTool(0, _)? = error as? TokenizationError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try template.render([], tools: ["[1]"], addGenerationPrompt: false))
    }

    func testMissingTemplateUsesTheArchitecturesKnownOne() throws {
        func file(_ architecture: String) throws -> GGUFFile {
            var w = GGUFWriter()
            w.set("general.architecture", .string(architecture))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kvserve-tok-\(UUID()).gguf").path
            try w.write(to: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try GGUFFile(path: path)
        }
        XCTAssertThrowsError(try ChatTemplate(gguf: file("llama"))) { error in
            XCTAssertEqual(error as? TokenizationError, .missingChatTemplate)
        }
        let gemma = try ChatTemplate(gguf: file("gemma3"))
        XCTAssertEqual(gemma.source, try ChatFixtures.load("chat_gemma3.json").template)
    }

    func testChatMessageDecodesOldSessionLogsAndRoundTrips() throws {
        let old = try JSONDecoder().decode(ChatMessage.self, from: Data(#"{"role":"user","content":"hi"}"#.utf8))
        XCTAssertEqual(old, ChatMessage(role: "user", content: "hi"))
        let full = ChatMessage(role: "assistant", content: "", toolCalls: [ChatToolCall(id: "c", name: "f", arguments: "{}")],
                               toolCallID: nil, name: "n")
        XCTAssertEqual(try JSONDecoder().decode(ChatMessage.self, from: JSONEncoder().encode(full)), full)
    }
}
