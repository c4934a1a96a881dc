/// One token's log-probability and its most likely alternatives (OpenAI `logprobs`).
public struct TokenLogprob: Sendable {
    public var id: Int32
    /// The token's bytes (may be part of a UTF-8 character).
    public var bytes: [UInt8]
    public var logprob: Float
    /// Best first; empty on the alternatives themselves.
    public var top: [TokenLogprob]

    public init(id: Int32, bytes: [UInt8], logprob: Float, top: [TokenLogprob] = []) {
        self.id = id
        self.bytes = bytes
        self.logprob = logprob
        self.top = top
    }
}

/// An event of one choice of a request (`n` choices decode side by side from one prefill).
/// Each choice ends with exactly one `.finished` or `.failed`.
public enum ChoiceEvent: Sendable {
    case token(id: Int32, text: String, logprob: TokenLogprob?)
    case finished(GenerationResult)
    case failed(GenerationError)

    var generationEvent: GenerationEvent {
        switch self {
        case let .token(id, text, _): return .token(id: id, text: text)
        case let .finished(result): return .finished(result)
        case let .failed(error): return .failed(error)
        }
    }
}
