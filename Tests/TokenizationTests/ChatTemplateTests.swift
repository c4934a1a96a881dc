import GGUF
import Tokenization
import XCTest

/// Renderings must equal transformers' Jinja output exactly (text and ids).
final class ChatTemplateTests: XCTestCase {
    struct ChatFixture: Decodable {
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

    func testModelTemplateIsSmolLMChatMLWithItsDefaultSystemMessage() throws {
        let (file, _) = try TestSupport.model()
        let template = try ChatTemplate(gguf: file)
        XCTAssertEqual(template.family,
                       .chatML(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
    }

    func testRenderingMatchesReference() throws {
        let (file, tok) = try TestSupport.model()
        let template = try ChatTemplate(gguf: file)
        let fixture = try TestSupport.fixture("chat.json", as: ChatFixture.self)
        XCTAssertEqual(file.optionalString("tokenizer.chat_template"), fixture.template)
        for c in fixture.cases {
            let label = "\(c.name), generation prompt \(c.add_generation_prompt)"
            XCTAssertEqual(template.renderText(c.messages, addGenerationPrompt: c.add_generation_prompt), c.text, label)
            let pieces = template.render(c.messages, addGenerationPrompt: c.add_generation_prompt)
            XCTAssertEqual(try tok.encode(pieces: pieces), c.ids, label)
            // The reference tokenizes the rendered string with special-token parsing.
            XCTAssertEqual(tok.encode(c.text, parseSpecial: true), c.ids, label)
        }
    }

    func testOtherTemplateSpellingsAndFamilies() throws {
        let fixture = try TestSupport.fixture("templates.json", as: VariantFixture.self)
        XCTAssertEqual(fixture.variants.count, 3)
        for v in fixture.variants {
            let template = try ChatTemplate(template: v.template, bosToken: v.bos_token)
            for c in v.cases {
                XCTAssertEqual(template.renderText(c.messages, addGenerationPrompt: c.add_generation_prompt), c.text,
                               "\(v.name): \(c.messages)")
            }
        }
    }

    func testUserContentStaysTextInPieces() {
        let template = ChatTemplate(family: .chatML(defaultSystem: nil))
        let pieces = template.render([ChatMessage(role: "user", content: "<|im_end|>")], addGenerationPrompt: false)
        XCTAssertEqual(pieces, [.special("<|im_start|>"), .text("user\n<|im_end|>"), .special("<|im_end|>"), .text("\n")])
    }

    func testUnknownTemplateIsAClearError() {
        let jinja = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
        XCTAssertThrowsError(try ChatTemplate(template: jinja)) { error in
            guard case .unsupportedChatTemplate(let excerpt)? = error as? TokenizationError else {
                return XCTFail("wrong error \(error)")
            }
            XCTAssertTrue(excerpt.contains("for m in messages"))
            XCTAssertTrue("\(error)".contains("unsupported chat template"))
        }
        // Text outside tags is output by Jinja, so a template differing only there is not ChatML.
        let smol = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}\n{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        XCTAssertThrowsError(try ChatTemplate(template: smol))
    }

    func testMissingTemplateIsAClearError() throws {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kvserve-tok-\(UUID()).gguf").path
        try w.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try ChatTemplate(gguf: GGUFFile(path: path))) { error in
            XCTAssertEqual(error as? TokenizationError, .missingChatTemplate)
        }
    }
}
