/// How a transformer block differs between architectures. The defaults are llama's block;
/// each architecture file (Architecture+*.swift) sets only what it changes.
public struct BlockOptions: Sendable, Equatable {
    /// How RoPE pairs the dimensions of a head.
    public enum RopeStyle: String, Sendable {
        /// (x[2i], x[2i+1]): llama GGUFs, whose converter permuted Q/K into this order.
        case adjacentPairs
        /// (x[i], x[i + headDim/2]), "rotate half" / GPT-NeoX: files converted without that permutation.
        case halves
    }

    /// The gate's non-linearity in the gated FFN: down(act(gate(x)) * up(x)).
    public enum Activation: String, Sendable {
        case silu
        /// GELU with the tanh approximation (PyTorch `gelu(approximate="tanh")`).
        case geluTanh
    }

    public var ropeStyle: RopeStyle = .adjacentPairs
    public var activation: Activation = .silu
    /// Q, K and V projections add f32 biases `blk.N.attn_{q,k,v}.bias`.
    public var qkvBias = false
    /// Q and K are RMS-normed per head (`attn_q_norm`, `attn_k_norm`, [headDim]) before RoPE.
    public var qkNorm = false
    /// The attention and FFN outputs are RMS-normed (`post_attention_norm`, `post_ffw_norm`)
    /// before they are added to the residual stream.
    public var postNorms = false
    /// Token embeddings are multiplied by this (Gemma: sqrt(dim)).
    public var embeddingScale: Float = 1

    public init() {}
}

/// Attention facts of one layer: its RoPE base and, for a sliding-window (local) layer, how
/// many positions it sees (its own and the window - 1 before it).
public struct LayerAttention: Sendable, Equatable {
    public var ropeBase: Float
    public var window: Int?

    public init(ropeBase: Float, window: Int? = nil) {
        self.ropeBase = ropeBase
        self.window = window
    }
}
