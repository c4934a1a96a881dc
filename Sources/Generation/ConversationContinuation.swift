import Tokenization

/// Renders only what a new turn adds to a conversation a session already holds, so that
/// history + new pieces == rendering the whole conversation at once.
///
/// The session's history is what was prefilled (the earlier rendering up to its generation
/// prompt) plus the generated reply, whose closing (`<|im_end|>` + "\n" in ChatML) was never
/// run. Rendering the whole conversation and removing that prefix leaves exactly the missing
/// closing, the new messages and the new generation prompt; the template's own rules (e.g.
/// the default system message only when the first message is not a system one) apply to the
/// whole conversation, as when it is sent at once.
enum ConversationContinuation {
    /// - Parameters:
    ///   - previous: every earlier message; when `replyOpen`, the last one is the generated reply.
    ///   - new: this turn's messages.
    /// - Throws: the template's rendering error (e.g. it raised "roles must alternate").
    static func newPieces(template: ChatTemplate, previous: [ChatMessage], replyOpen: Bool,
                          new: [ChatMessage]) throws -> [PromptPiece]? {
        let full = normalized(try template.render(previous + new, addGenerationPrompt: true))
        guard !previous.isEmpty else { return full }
        var prefix: [PromptPiece]
        if replyOpen, let reply = previous.last {
            let before = Array(previous.dropLast())
            prefix = try template.render(before, addGenerationPrompt: true)
                + [.text(try renderedReply(template: template, before: before, reply: reply))]
        } else {
            prefix = try template.render(previous, addGenerationPrompt: false)
        }
        return remainder(of: full, after: normalized(prefix))
    }

    /// The generated reply as the template prints it inside the whole conversation: as
    /// generated, or stripped of surrounding whitespace (Gemma's and Llama 3's templates
    /// `trim` message content). The session holds this form, so the next turn extends it.
    static func renderedReply(template: ChatTemplate, before: [ChatMessage], reply: ChatMessage) throws -> String {
        let opened = normalized(try template.render(before, addGenerationPrompt: true))
        let closed = normalized(try template.render(before + [reply], addGenerationPrompt: false))
        let stripped = stripWhitespace(reply.content)
        for candidate in [reply.content, stripped] {
            if remainder(of: closed, after: normalized(opened + [.text(candidate)])) != nil { return candidate }
        }
        return reply.content
    }

    /// Python's `str.strip()` (what jinja2's `trim` filter does).
    private static func stripWhitespace(_ s: String) -> String {
        func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || (0x1C...0x1F).contains(c.value) }
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    /// Adjacent text pieces joined, empty ones dropped (the tokenizer joins them too).
    static func normalized(_ pieces: [PromptPiece]) -> [PromptPiece] {
        var out: [PromptPiece] = []
        for piece in pieces {
            switch (piece, out.last) {
            case (.text(let t), _) where t.isEmpty:
                continue
            case (.text(let t), .text(let previous)?):
                out[out.count - 1] = .text(previous + t)
            default:
                out.append(piece)
            }
        }
        return out
    }

    /// `full` minus `prefix`; the last prefix piece may end inside a text piece of `full`.
    /// nil when `prefix` is not a prefix of `full`.
    static func remainder(of full: [PromptPiece], after prefix: [PromptPiece]) -> [PromptPiece]? {
        guard prefix.count <= full.count else { return nil }
        for i in prefix.indices {
            if prefix[i] == full[i] { continue }
            guard i == prefix.count - 1, case .text(let head) = prefix[i], case .text(let whole) = full[i],
                  whole.unicodeScalars.starts(with: head.unicodeScalars)
            else { return nil }
            var rest = String.UnicodeScalarView()
            rest.append(contentsOf: whole.unicodeScalars.dropFirst(head.unicodeScalars.count))
            return [.text(String(rest))] + full[(i + 1)...]
        }
        return Array(full[prefix.count...])
    }
}
