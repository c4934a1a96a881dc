import Foundation
import Tokenization
import XCTest

/// Rendering runs on every chat request: it must stay far below a token's decode time.
final class ChatTemplateSpeedTests: XCTestCase {
    func testRenderingAToolConversationIsFast() throws {
        let fixture = try ChatFixtures.load("chat_qwen.json")
        let c = try XCTUnwrap(fixture.cases.first { $0.name == "several tool calls and results" })
        let parseStart = Date()
        let template = try ChatTemplate(template: fixture.template, tokens: fixture.tokens,
                                        specialTokens: ["<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>"])
        let parseMs = Date().timeIntervalSince(parseStart) * 1000
        let messages = c.chatMessages
        let rounds = 200
        let start = Date()
        for _ in 0..<rounds {
            _ = try template.render(messages, tools: c.tools, addGenerationPrompt: true)
        }
        let renderMs = Date().timeIntervalSince(start) * 1000 / Double(rounds)
        print(String(format: "Qwen template: parse %.2f ms, render (%d messages, %d tools) %.3f ms",
                     parseMs, messages.count, c.tools.count, renderMs))
        // Generous: a debug build on a loaded 2-core machine stays well under this.
        XCTAssertLessThan(renderMs, 50)
    }
}
