import Foundation
import Tokenization
import XCTest
@testable import Generation

final class SessionConversationTests: XCTestCase {
    private let questions = [
        "What is the capital of France?", "And of Italy?", "Name a river there.", "How long is it?",
        "Tell me a fun fact about it.", "What colour is the sky?", "Why?", "Thanks! Say goodbye.",
    ]

    /// Tokens of the whole conversation rendered at once (the reference history).
    private func wholeTokens(_ t: TestEngine, _ messages: [ChatMessage]) throws -> [Int32] {
        try t.loaded.tokenizer.encode(pieces: t.loaded.template.render(messages, addGenerationPrompt: true))
    }

    func testEightTurnsPrefillOnlyNewTokensAndMatchTheWholeConversation() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        // The baseline keeps no caches at all: each whole conversation is computed from scratch.
        let baseline = try TestEngine(persistent: false, anonymousCaches: 0)
        let tok = t.loaded.tokenizer
        var conversation: [ChatMessage] = []
        var historyCount = 0
        for (turn, question) in questions.enumerated() {
            let message = ChatMessage(role: "user", content: question)
            conversation.append(message)
            let whole = try wholeTokens(t, conversation)
            let r = try t.result(.greedy(.messages([message]), maxTokens: 40, session: "chat"))
            XCTAssertEqual(r.usage.promptTokens, whole.count, "turn \(turn): history + new == the whole rendering")
            XCTAssertEqual(r.usage.cachedTokens, historyCount, "turn \(turn)")
            if turn > 0 {
                // This turn's new tokens: the previous reply's closing, the question, the generation prompt.
                let new = try tok.encode(pieces: [.special("<|im_end|>"), .text("\n"), .special("<|im_start|>"),
                                                  .text("user\n" + question), .special("<|im_end|>"), .text("\n"),
                                                  .special("<|im_start|>"), .text("assistant\n")])
                XCTAssertEqual(r.usage.promptTokens - r.usage.cachedTokens, new.count,
                               "turn \(turn): only the new tokens are prefilled")
            }
            let b = try baseline.result(.greedy(.messages(conversation), maxTokens: 40))
            XCTAssertEqual(b.usage.cachedTokens, 0)
            XCTAssertEqual(r.text, b.text, "turn \(turn): same output as the conversation sent whole")
            XCTAssertEqual(r.tokens, b.tokens, "turn \(turn)")
            // After the turn the session holds the conversation up to the end of the reply text.
            let afterReply = try tok.encode(pieces: t.loaded.template.render(conversation, addGenerationPrompt: true)
                + [.text(r.text)])
            historyCount = try XCTUnwrap(t.engine.session("chat")?.tokens)
            XCTAssertEqual(historyCount, afterReply.count, "turn \(turn)")
            conversation.append(ChatMessage(role: "assistant", content: r.text))
        }
    }

    func testRestoredFromDiskGivesTheSameNextOutputWithoutRecompute() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        let first = ChatMessage(role: "user", content: "Write a haiku about the sea.")
        _ = try t.result(.greedy(.messages([first]), session: "s1"))
        _ = try t.result(.greedy(.text("<|im_end|>\n<|im_start|>user\nAnother one<|im_end|>\n<|im_start|>assistant\n"),
                                 session: "raw"))
        // Snapshot the state directory as a crash/restart would find it.
        let copy = t.dir + "-copy"
        try FileManager.default.copyItem(atPath: t.dir, toPath: copy)
        let next = ChatMessage(role: "user", content: "Now one about mountains.")
        let kept = try t.result(.greedy(.messages([next]), session: "s1"))

        let restarted = try TestEngine(stateDirectory: copy)
        defer { restarted.removeState() }
        let info = try XCTUnwrap(restarted.engine.session("s1"))
        XCTAssertEqual(info.location, "disk")
        XCTAssertEqual(restarted.engine.listSessions().map(\.id), ["raw", "s1"])
        let restored = try restarted.result(.greedy(.messages([next]), session: "s1"))
        XCTAssertEqual(restored.text, kept.text)
        XCTAssertEqual(restored.usage.cachedTokens, info.tokens, "KV restored from the log, not recomputed")
        XCTAssertEqual(restarted.engine.session("s1")?.location, "memory")
    }

    func testCrashDuringATurnContinuesFromTheLastCompletedTurn() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        let a = try t.result(.greedy(.text("The quick brown fox"), maxTokens: 8, session: "c"))
        let path = t.dir + "/c.kvlog"
        let complete = try XCTUnwrap(FileManager.default.contents(atPath: path))
        _ = try t.result(.greedy(.text(" jumps"), maxTokens: 8, session: "c"))
        // A crash while writing turn 2: only part of its record reached the disk.
        let full = try XCTUnwrap(FileManager.default.contents(atPath: path))
        try full.prefix(complete.count + (full.count - complete.count) / 2).write(to: URL(fileURLWithPath: path))

        let restarted = try TestEngine(stateDirectory: t.dir)
        XCTAssertEqual(restarted.engine.session("c")?.tokens, 4 + a.tokens.count)
        XCTAssertTrue(restarted.logLines.contains { $0.contains("partial record") }, "\(restarted.logLines)")
        let again = try restarted.result(.greedy(.text(" jumps"), maxTokens: 8, session: "c"))
        XCTAssertEqual(again.usage.cachedTokens, 4 + a.tokens.count)
    }

    func testCancelledTurnIsRolledBack() throws {
        let t = try TestEngine()
        defer { t.removeState() }
        _ = try t.result(.greedy(.text("Once upon a time"), maxTokens: 4, session: "k"))
        let before = try XCTUnwrap(t.engine.session("k")?.tokens)
        let (tokens, outcome) = try t.run(.greedy(.text(" there was"), maxTokens: 64, session: "k", ignoreEOS: true)) { n, ticket in
            if n >= 3 { ticket?.cancel() }
        }
        let r = try outcome.get()
        XCTAssertEqual(r.finishReason, .cancelled)
        XCTAssertLessThan(tokens.count, 64)
        XCTAssertEqual(t.engine.session("k")?.tokens, before, "a cancelled turn leaves the history untouched")
        // Resending the same turn works as if the cancelled one never happened.
        let retry = try t.result(.greedy(.text(" there was"), maxTokens: 4, session: "k"))
        XCTAssertEqual(retry.usage.cachedTokens, before)
    }

    func testBusySessionDeleteAndNotFound() throws {
        let t = try TestEngine(persistent: false)
        let done = DispatchSemaphore(value: 0)
        let ticket = try t.engine.submit(.greedy(.text("Count to one hundred:"), maxTokens: 200, session: "b",
                                                 ignoreEOS: true)) { event in
            if case .token = event { return }
            done.signal()
        }
        XCTAssertThrowsError(try t.engine.submit(.greedy(.text("hi"), session: "b")) { _ in }) { error in
            guard case .sessionBusy("b") = error as? GenerationError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try t.engine.deleteSession("b")) { error in
            guard case .sessionBusy = error as? GenerationError else { return XCTFail("\(error)") }
        }
        ticket.cancel()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        // Other sessions run meanwhile and can be deleted.
        _ = try t.result(.greedy(.text("Hello"), maxTokens: 2, session: "other"))
        XCTAssertNotNil(t.engine.session("other"))
        try t.engine.deleteSession("other")
        XCTAssertNil(t.engine.session("other"))
        XCTAssertThrowsError(try t.engine.deleteSession("other")) { error in
            guard case .sessionNotFound = error as? GenerationError else { return XCTFail("\(error)") }
        }
    }

    func testPrefixReuseWithoutSession() throws {
        let t = try TestEngine(persistent: false)
        let prompt = "<|im_start|>user\nList three fruits.<|im_end|>\n<|im_start|>assistant\n"
        let first = try t.result(.greedy(.text(prompt), maxTokens: 8))
        XCTAssertEqual(first.usage.cachedTokens, 0)
        let longer = prompt + first.text + "<|im_end|>\n<|im_start|>user\nAnd vegetables?<|im_end|>\n<|im_start|>assistant\n"
        let second = try t.result(.greedy(.text(longer), maxTokens: 8))
        XCTAssertGreaterThanOrEqual(second.usage.cachedTokens, first.usage.promptTokens)
        XCTAssertTrue(t.engine.listSessions().isEmpty)
    }

    func testSmallBudgetEvictsLeastRecentlyUsedToDisk() throws {
        let bytesPerToken = try ModelFixture.get().model.config.kvBytesPerToken(Engine.EngineConfig().kvCacheType)
        let t = try TestEngine(budget: 100 * bytesPerToken)
        defer { t.removeState() }
        // Each turn reserves prompt + max_tokens tokens: about 43 for the first turns.
        func turn(_ id: String, _ text: String, maxTokens: Int = 40) throws -> GenerationResult {
            try t.result(.greedy(.text(text), maxTokens: maxTokens, session: id, ignoreEOS: true))
        }
        _ = try turn("a", "Hello there")
        _ = try turn("b", "Good morning")
        XCTAssertEqual(t.engine.evictionCount, 0)
        _ = try turn("c", "Good night")  // a (least recently used) goes to disk
        XCTAssertEqual(t.engine.session("a")?.location, "disk")
        XCTAssertEqual(t.engine.session("b")?.location, "memory")
        XCTAssertEqual(t.engine.evictionCount, 1)
        let tokens = try XCTUnwrap(t.engine.session("a")?.tokens)
        // a comes back from its log (about 49 tokens with this turn); b, now the oldest, makes room.
        let back = try turn("a", " again", maxTokens: 4)
        XCTAssertEqual(back.usage.cachedTokens, tokens)
        XCTAssertEqual(t.engine.session("b")?.location, "disk")
        XCTAssertEqual(t.engine.session("c")?.location, "memory")
        XCTAssertEqual(t.engine.evictionCount, 2)
    }
}
