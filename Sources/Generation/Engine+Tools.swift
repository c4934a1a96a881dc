import Tokenization

/// Requests with tools, tool calls or tool results: the whole conversation goes through the
/// template's tool-aware rendering (not the session continuation, which carries plain text).
extension Engine {
    /// True when the model's chat template can render `tools`.
    public var supportsTools: Bool { template?.supportsTools ?? false }

    func renderWithTools(_ template: ChatTemplate, _ messages: [ChatMessage], tools: [String],
                         session: Any?) throws -> [Int32] {
        guard template.supportsTools else {
            throw GenerationError.invalidRequest(
                param: "tools", message: "the model's chat template has no tool support; send the request without tools")
        }
        guard session == nil else {
            throw GenerationError.invalidRequest(param: "session_id", message: "tool calls cannot be used with session_id")
        }
        do {
            return try tokenizer.encode(pieces: try template.render(messages, tools: tools, addGenerationPrompt: true))
        } catch {
            throw GenerationError.invalidRequest(param: "messages", message: "rendering the chat template with tools: \(error)")
        }
    }

    /// The bytes of a token as the model's vocabulary spells them.
    public func tokenBytes(_ id: Int32) -> [UInt8] { tokenizer.tokenBytes(id) }
}
