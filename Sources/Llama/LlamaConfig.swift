import GGUF

/// Hyper-parameters of a llama-architecture model, read from the GGUF metadata keys
/// `llama.*` (names as in the GGUF spec, "LLM" section).
public struct LlamaConfig: Sendable, Equatable {
    public var layers: Int
    public var dim: Int
    public var ffnDim: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var vocab: Int
    public var contextLength: Int
    public var ropeFreqBase: Float
    public var rmsEps: Float

    public init(layers: Int, dim: Int, ffnDim: Int, heads: Int, kvHeads: Int, vocab: Int,
                contextLength: Int, ropeFreqBase: Float = 10_000, rmsEps: Float = 1e-5) {
        self.layers = layers
        self.dim = dim
        self.ffnDim = ffnDim
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = heads > 0 ? dim / heads : 0
        self.vocab = vocab
        self.contextLength = contextLength
        self.ropeFreqBase = ropeFreqBase
        self.rmsEps = rmsEps
    }

    public init(file: GGUFFile) throws {
        let arch = try file.string("general.architecture")
        guard arch == "llama" else { throw LlamaError.wrongArchitecture(arch) }
        let vocab: Int
        if let v = file.optionalInt("llama.vocab_size") {
            vocab = v
        } else if case .array(let tokens)? = file.metadata["tokenizer.ggml.tokens"] {
            vocab = tokens.count
        } else if let embd = file.tensor(named: "token_embd.weight"), embd.dims.count == 2 {
            vocab = embd.dims[1]
        } else {
            throw LlamaError.badConfig("no llama.vocab_size, tokenizer.ggml.tokens or token_embd.weight to size the vocabulary")
        }
        self.init(
            layers: try file.int("llama.block_count"),
            dim: try file.int("llama.embedding_length"),
            ffnDim: try file.int("llama.feed_forward_length"),
            heads: try file.int("llama.attention.head_count"),
            kvHeads: try file.optionalInt("llama.attention.head_count_kv") ?? file.int("llama.attention.head_count"),
            vocab: vocab,
            contextLength: try file.int("llama.context_length"),
            ropeFreqBase: file.optionalFloat("llama.rope.freq_base") ?? 10_000,
            rmsEps: try file.float("llama.attention.layer_norm_rms_epsilon"))
        if let ropeDim = file.optionalInt("llama.rope.dimension_count"), ropeDim != headDim {
            throw LlamaError.badConfig("llama.rope.dimension_count \(ropeDim) differs from head dim \(headDim); partial RoPE is not supported")
        }
        try validate()
    }

    /// Throws when the numbers cannot describe a working model (all checks name the key).
    public func validate() throws {
        let positive: [(String, Int)] = [
            ("llama.block_count", layers), ("llama.embedding_length", dim),
            ("llama.feed_forward_length", ffnDim), ("llama.attention.head_count", heads),
            ("llama.attention.head_count_kv", kvHeads), ("vocab size", vocab),
            ("llama.context_length", contextLength),
        ]
        for (key, value) in positive where value <= 0 {
            throw LlamaError.badConfig("\(key) is \(value), must be positive")
        }
        guard dim % heads == 0 else {
            throw LlamaError.badConfig("llama.embedding_length \(dim) is not divisible by head_count \(heads)")
        }
        guard heads % kvHeads == 0 else {
            throw LlamaError.badConfig("head_count \(heads) is not a multiple of head_count_kv \(kvHeads)")
        }
        guard headDim % 2 == 0 else { throw LlamaError.badConfig("head dim \(headDim) is odd; RoPE needs pairs") }
        guard ropeFreqBase > 0, rmsEps >= 0 else {
            throw LlamaError.badConfig("rope.freq_base \(ropeFreqBase) / rms epsilon \(rmsEps) out of range")
        }
    }

    /// Width of one K (or V) row in the cache: kvHeads * headDim.
    public var kvDim: Int { kvHeads * headDim }

    /// Bytes the KV cache holds per token: layers x (K + V) x kvDim x 4 (f32 storage).
    public var kvBytesPerToken: Int { layers * 2 * kvDim * MemoryLayout<Float>.size }
}
