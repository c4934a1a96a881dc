/// A prompt as chat rendering produces it: literal text (always BPE-encoded, so a user's
/// message can never turn into a control token) and named special tokens.
public enum PromptPiece: Equatable, Sendable {
    case text(String)
    case special(String)
}

public struct ChatMessage: Equatable, Sendable, Codable {
    public var role: String
    public var content: String
    /// An assistant message's tool calls (OpenAI `tool_calls`).
    public var toolCalls: [ChatToolCall] = []
    /// A `tool` message: the id of the call it answers.
    public var toolCallID: String?
    public var name: String?

    public init(role: String, content: String, toolCalls: [ChatToolCall] = [], toolCallID: String? = nil,
                name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }
}

public struct ChatToolCall: Equatable, Sendable, Codable {
    public var id: String
    public var name: String
    /// The arguments as JSON text.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
