/// A prompt as chat rendering produces it: literal text (always BPE-encoded, so a user's
/// message can never turn into a control token) and named special tokens.
public enum PromptPiece: Equatable, Sendable {
    case text(String)
    case special(String)
}

public struct ChatMessage: Equatable, Sendable, Codable {
    public var role: String
    public var content: String
    /// An assistant's tool calls.
    public var toolCalls: [ChatToolCall]
    /// For role "tool": the call this result answers.
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

    private enum CodingKeys: String, CodingKey {
        case role, content, toolCalls, toolCallID, name
    }

    // Session logs written before tool calls existed hold only role and content.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        content = try c.decode(String.self, forKey: .content)
        toolCalls = try c.decodeIfPresent([ChatToolCall].self, forKey: .toolCalls) ?? []
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
        try c.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try c.encodeIfPresent(name, forKey: .name)
    }
}

public struct ChatToolCall: Equatable, Sendable, Codable {
    public var id: String
    public var name: String
    /// JSON text of the arguments object.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
