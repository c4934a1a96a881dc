import Foundation

public enum FinishReason: String, Sendable {
    case stop, length, cancelled
}

public struct GenerationUsage: Sendable {
    /// Whole prompt the model saw this turn (session history + new tokens).
    public var promptTokens: Int
    /// Prompt tokens whose KV entries were reused instead of prefilled.
    public var cachedTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int = 0, cachedTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
        self.completionTokens = completionTokens
    }
}

public struct GenerationTimings: Sendable {
    public var queueMs: Double
    public var prefillMs: Double
    public var decodeMs: Double
    public var prefillTokensPerSecond: Double
    public var decodeTokensPerSecond: Double
    /// Speculative decoding: draft tokens verified, and how many of them were kept.
    public var draftedTokens = 0
    public var acceptedDrafts = 0

    public init(queueMs: Double = 0, prefillMs: Double = 0, decodeMs: Double = 0,
                prefillTokensPerSecond: Double = 0, decodeTokensPerSecond: Double = 0) {
        self.queueMs = queueMs
        self.prefillMs = prefillMs
        self.decodeMs = decodeMs
        self.prefillTokensPerSecond = prefillTokensPerSecond
        self.decodeTokensPerSecond = decodeTokensPerSecond
    }
}

public struct GenerationResult: Sendable {
    /// Text emitted to the client (stop strings excluded).
    public var text: String
    /// Completion token ids, end-of-generation token excluded.
    public var tokens: [Int32]
    public var finishReason: FinishReason
    public var sessionID: String?
    public var usage: GenerationUsage
    public var timings: GenerationTimings
}

public enum GenerationEvent: Sendable {
    /// `text` never splits a UTF-8 character; text that may start a stop string is held back.
    case token(id: Int32, text: String)
    case finished(GenerationResult)
    case failed(GenerationError)
}

/// Info about a named session for `GET /sessions`.
public struct SessionInfo: Sendable {
    public var id: String
    public var tokens: Int
    public var kvBytes: Int
    /// "memory" or "disk".
    public var location: String
    public var lastUsed: Date
    /// The cache's element type (f16, q8_0, f32) and the bytes one token takes in it.
    public var kvCacheType: String
    public var kvBytesPerToken: Int
}
