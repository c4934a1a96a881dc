/// How the next token is chosen. Defaults follow llama.cpp's (`common_params_sampling`).
public struct SamplingParams: Equatable, Sendable, Codable {
    /// 0 (or less) = greedy: argmax, lowest id on ties.
    public var temperature: Float
    /// Keep the k most likely tokens; 0 (or >= vocab) disables.
    public var topK: Int
    /// Keep the smallest most-likely set whose probability reaches p; 1 disables.
    public var topP: Float
    /// Drop tokens whose probability is below minP x the top probability; 0 disables.
    public var minP: Float
    /// > 1 discourages tokens seen in the last `repeatLastN` (llama.cpp rule); 1 disables.
    public var repeatPenalty: Float
    /// How many most recent history tokens the penalty looks at; 0 disables, -1 = all.
    public var repeatLastN: Int
    /// Same seed, same logits => same tokens on every machine. nil = seeded from the OS.
    public var seed: UInt64?
    /// OpenAI penalties over the generated tokens (see Sampler+Penalties.swift); 0 disables.
    public var presencePenalty: Float = 0
    public var frequencyPenalty: Float = 0
    /// Added to the logit of each token id before sampling (OpenAI `logit_bias`).
    public var logitBias: [Int32: Float] = [:]

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                repeatPenalty: Float = 1.0, repeatLastN: Int = 64, seed: UInt64? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.seed = seed
    }

    public static let greedy = SamplingParams(temperature: 0)
}
