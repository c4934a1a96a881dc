// Placeholder for the tool-aware template API that the Jinja chat-template work brings
// (same signatures). Until it lands no template renders tools, so the engine answers a
// request with tools as "this model's template has no tool support". DELETE THIS FILE
// when merging the Jinja ChatTemplate, which defines both members itself.
extension ChatTemplate {
    public var supportsTools: Bool { false }

    public func render(_ messages: [ChatMessage], tools: [String], addGenerationPrompt: Bool) throws -> [PromptPiece] {
        guard tools.isEmpty else { throw TokenizationError.unsupportedChatTemplate("tools are not supported by this template") }
        return render(messages, addGenerationPrompt: addGenerationPrompt)
    }
}
