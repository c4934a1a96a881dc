import GGUF

/// Renders chat messages exactly as the model's Jinja `tokenizer.chat_template` would, for
/// the template families recognized below. We match known templates (after canonical
/// spelling) instead of interpreting Jinja: an unrecognized template is an error, never a guess.
public struct ChatTemplate: Equatable, Sendable {
    public enum Family: Equatable, Sendable {
        /// `<|im_start|>role\ncontent<|im_end|>\n`; `defaultSystem` is inserted as a system
        /// turn when the first message is not a system message (SmolLM2).
        case chatML(defaultSystem: String?)
        /// Meta Llama 3: BOS, then `<|start_header_id|>role<|end_header_id|>\n\n` + trimmed
        /// content + `<|eot_id|>`.
        case llama3(bosToken: String)
    }

    public let family: Family

    public init(family: Family) {
        self.family = family
    }

    /// - Parameter bosToken: text of the BOS token (llama-3 templates print it).
    public init(template: String, bosToken: String? = nil) throws {
        let canonical = TemplateCanonicalizer.canonical(template)
        if canonical.unicodeScalars.elementsEqual(KnownTemplates.chatML.unicodeScalars) {
            family = .chatML(defaultSystem: nil)
        } else if let system = KnownTemplates.defaultSystem(canonical) {
            family = .chatML(defaultSystem: system)
        } else if canonical.unicodeScalars.elementsEqual(KnownTemplates.llama3.unicodeScalars) {
            family = .llama3(bosToken: bosToken ?? "<|begin_of_text|>")
        } else {
            let excerpt = String(template.prefix(120)).debugDescription
            throw TokenizationError.unsupportedChatTemplate(excerpt)
        }
    }

    /// Reads `tokenizer.chat_template` (and the BOS token's text for llama-3).
    public init(gguf: GGUFFile) throws {
        guard let template = gguf.optionalString("tokenizer.chat_template") else {
            throw TokenizationError.missingChatTemplate
        }
        var bos: String?
        if let id = gguf.optionalInt("tokenizer.ggml.bos_token_id"),
           let tokens = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue, tokens.indices.contains(id) {
            bos = tokens[id].stringValue
        }
        try self.init(template: template, bosToken: bos)
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> [PromptPiece] {
        switch family {
        case .chatML(let system):
            return renderChatML(messages, defaultSystem: system, addGenerationPrompt: addGenerationPrompt)
        case .llama3(let bos):
            return renderLlama3(messages, bos: bos, addGenerationPrompt: addGenerationPrompt)
        }
    }

    /// The rendered prompt as one string (special tokens spelled out), as Jinja would print it.
    public func renderText(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        render(messages, addGenerationPrompt: addGenerationPrompt).map { piece -> String in
            switch piece {
            case .text(let t), .special(let t): return t
            }
        }.joined()
    }

    private func renderChatML(_ messages: [ChatMessage], defaultSystem: String?,
                              addGenerationPrompt: Bool) -> [PromptPiece] {
        var out: [PromptPiece] = []
        func turn(_ role: String, _ content: String) {
            out += [.special("<|im_start|>"), .text(role + "\n" + content), .special("<|im_end|>"), .text("\n")]
        }
        if let defaultSystem, let first = messages.first, first.role != "system" {
            turn("system", defaultSystem)
        }
        for m in messages { turn(m.role, m.content) }
        if addGenerationPrompt { out += [.special("<|im_start|>"), .text("assistant\n")] }
        return out
    }

    private func renderLlama3(_ messages: [ChatMessage], bos: String, addGenerationPrompt: Bool) -> [PromptPiece] {
        var out: [PromptPiece] = []
        func header(_ role: String) {
            out += [.special("<|start_header_id|>"), .text(role), .special("<|end_header_id|>"), .text("\n\n")]
        }
        for (i, m) in messages.enumerated() {
            if i == 0 { out.append(.special(bos)) }
            header(m.role)
            out += [.text(KnownTemplates.jinjaTrim(m.content)), .special("<|eot_id|>")]
        }
        if addGenerationPrompt { header("assistant") }
        return out
    }
}
