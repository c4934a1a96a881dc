/// Speculative decoding of a request (the `speculative` setting and request field).
public enum SpeculativeMode: String, CaseIterable, Sendable {
    /// Draft continuations from the conversation's own tokens (prompt lookup, `NGramDrafter`)
    /// and verify them in one forward: the same tokens as `off` (greedy), or the same
    /// distribution (sampling), in fewer forwards when the text repeats earlier text.
    case ngram
    /// One forward per token.
    case off
}
