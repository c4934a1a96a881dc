import Tokenization
import XCTest
@testable import Generation

/// Pure template logic: history + new pieces == the whole conversation rendered at once.
final class ConversationContinuationTests: XCTestCase {
    // SmolLM2's template shape: a default system turn when the first message is not a system one.
    private let template = try! ChatTemplate(
        template: "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful AI assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
        specialTokens: ["<|im_start|>", "<|im_end|>"])

    private func text(_ pieces: [PromptPiece]) -> String {
        pieces.map { if case .text(let t) = $0 { return t }; if case .special(let s) = $0 { return s }; return "" }.joined()
    }

    func testSecondTurnAddsClosingNewMessageAndGenerationPrompt() throws {
        let user1 = ChatMessage(role: "user", content: "Hi")
        let reply = ChatMessage(role: "assistant", content: "Hello!")
        let user2 = ChatMessage(role: "user", content: "Bye")
        let first = try XCTUnwrap(try ConversationContinuation.newPieces(template: template, previous: [], replyOpen: false, new: [user1]))
        let second = try XCTUnwrap(try ConversationContinuation.newPieces(template: template, previous: [user1, reply],
                                                                      replyOpen: true, new: [user2]))
        XCTAssertEqual(text(second), "<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n")
        // First turn's pieces + the reply + the second turn's pieces == the whole rendering.
        XCTAssertEqual(text(first) + reply.content + text(second),
                       try template.renderText([user1, reply, user2], addGenerationPrompt: true))
    }

    func testDefaultSystemMessageOnlyOnTheFirstTurn() throws {
        let first = try XCTUnwrap(try ConversationContinuation.newPieces(
            template: template, previous: [], replyOpen: false, new: [ChatMessage(role: "user", content: "a")]))
        XCTAssertTrue(text(first).contains("helpful AI assistant"))
        // A later turn starting with a system message must not move the default one.
        let later = try XCTUnwrap(try ConversationContinuation.newPieces(
            template: template, previous: [ChatMessage(role: "user", content: "a"), ChatMessage(role: "assistant", content: "b")],
            replyOpen: true, new: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "c")]))
        XCTAssertFalse(text(later).contains("helpful AI assistant"))
        XCTAssertTrue(text(later).hasPrefix("<|im_end|>\n<|im_start|>system\nBe brief."))
    }

    func testTemplateThatTrimsContentContinuesAfterAReplyEndingInWhitespace() throws {
        // Gemma 3 and Llama 3 print `content | trim`: the session must hold the trimmed reply.
        let trimming = try ChatTemplate(
            template: "{% for m in messages %}<t>{{ m.role }}\n{{ m.content | trim }}</t>\n{% endfor %}"
                + "{% if add_generation_prompt %}<t>assistant\n{% endif %}",
            specialTokens: ["<t>", "</t>"])
        let user1 = ChatMessage(role: "user", content: "Hi")
        let reply = ChatMessage(role: "assistant", content: " Hello!\n\n")
        let user2 = ChatMessage(role: "user", content: "Bye")
        XCTAssertEqual(try ConversationContinuation.renderedReply(template: trimming, before: [user1], reply: reply), "Hello!")
        let first = try XCTUnwrap(try ConversationContinuation.newPieces(template: trimming, previous: [], replyOpen: false,
                                                                         new: [user1]))
        let second = try XCTUnwrap(try ConversationContinuation.newPieces(template: trimming, previous: [user1, reply],
                                                                          replyOpen: true, new: [user2]))
        XCTAssertEqual(text(first) + "Hello!" + text(second),
                       try trimming.renderText([user1, reply, user2], addGenerationPrompt: true))
        // A template that prints content as is keeps the reply as generated.
        XCTAssertEqual(try ConversationContinuation.renderedReply(template: template, before: [user1], reply: reply), reply.content)
    }

    func testRemainderFailsWhenNotAPrefix() {
        XCTAssertNil(ConversationContinuation.remainder(of: [.text("abc")], after: [.text("x")]))
        XCTAssertEqual(ConversationContinuation.remainder(of: [.special("<s>"), .text("abc")], after: [.special("<s>"), .text("a")]),
                       [.text("bc")])
    }
}
