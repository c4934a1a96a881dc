import Grammar
import Sampling
import Tokenization

/// One generation job as the API layer hands it to `Engine.submit`.
public struct GenerationRequest: Sendable {
    public enum Input: Sendable {
        /// Raw prompt text: special-token strings such as `<|im_end|>` map to their ids.
        case text(String)
        case tokens([Int32])
        /// Rendered with the model's chat template; message content stays plain text.
        /// With a session id, only the NEW messages of this turn.
        case messages([ChatMessage])
    }

    public var input: Input
    public var sampling: SamplingParams
    public var maxTokens: Int
    public var stop: [String]
    public var ignoreEOS: Bool
    public var sessionID: String?
    /// Structured output: every generated token keeps the text a prefix of a document valid
    /// under this schema, and generation ends when the document does (set after init).
    public var constraint: CompiledSchema?
    /// Choices decoded side by side from one prefill (their caches fork copy-on-write).
    public var n = 1
    /// Alternatives per token to report with its log-probability; nil = no logprobs.
    public var topLogprobs: Int?
    /// Tools (each as the client's JSON text) handed to the chat template.
    public var tools: [String] = []
    /// Speculative decoding for this request; nil = the engine's setting.
    public var speculative: SpeculativeMode?

    public init(
        input: Input,
        sampling: SamplingParams = SamplingParams(),
        maxTokens: Int = 256,
        stop: [String] = [],
        ignoreEOS: Bool = false,
        sessionID: String? = nil
    ) {
        self.input = input
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stop = stop
        self.ignoreEOS = ignoreEOS
        self.sessionID = sessionID
    }
}
