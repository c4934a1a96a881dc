/// A prompt as chat rendering produces it: literal text (always BPE-encoded, so a user's
/// message can never turn into a control token) and named special tokens.
public enum PromptPiece: Equatable, Sendable {
    case text(String)
    case special(String)
}

public struct ChatMessage: Equatable, Sendable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
