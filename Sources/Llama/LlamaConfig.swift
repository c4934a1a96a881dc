import GGUF

/// Hyper-parameters and block options of a model, read from the GGUF metadata keys
/// `{arch}.*` (names as in the GGUF spec, "LLM" section) and completed by the architecture's
/// description (Architecture+*.swift) with what the file does not say.
public struct LlamaConfig: Sendable, Equatable {
    /// `general.architecture`: one of `Architecture.supportedNames`.
    public var architecture: String
    public var layers: Int
    public var dim: Int
    public var ffnDim: Int
    public var heads: Int
    public var kvHeads: Int
    /// Per-head width of Q and K (and V): `{arch}.attention.key_length`, else dim / heads
    /// (Gemma 3 270M: 256 with dim 640 and 4 heads).
    public var headDim: Int
    public var vocab: Int
    public var contextLength: Int
    /// The file's RoPE base; layers may override it (`layerAttention`).
    public var ropeFreqBase: Float
    public var rmsEps: Float
    public var options = BlockOptions()
    /// One entry per layer: RoPE base and sliding window.
    public var layerAttention: [LayerAttention]
    /// Multiplier of Q·K before the softmax.
    public var attentionScale: Float

    public init(layers: Int, dim: Int, ffnDim: Int, heads: Int, kvHeads: Int, vocab: Int,
                contextLength: Int, ropeFreqBase: Float = 10_000, rmsEps: Float = 1e-5,
                headDim: Int? = nil, architecture: String = "llama") {
        self.architecture = architecture
        self.layers = layers
        self.dim = dim
        self.ffnDim = ffnDim
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim ?? (heads > 0 ? dim / heads : 0)
        self.vocab = vocab
        self.contextLength = contextLength
        self.ropeFreqBase = ropeFreqBase
        self.rmsEps = rmsEps
        self.layerAttention = Array(repeating: LayerAttention(ropeBase: ropeFreqBase), count: max(layers, 0))
        self.attentionScale = self.headDim > 0 ? 1 / Float(self.headDim).squareRoot() : 1
    }

    public init(file: GGUFFile) throws {
        let arch = try file.string("general.architecture")
        let description = try Architecture.named(arch)
        func key(_ k: String) -> String { "\(arch).\(k)" }
        let heads = try file.int(key("attention.head_count"))
        self.init(
            layers: try file.int(key("block_count")),
            dim: try file.int(key("embedding_length")),
            ffnDim: try file.int(key("feed_forward_length")),
            heads: heads,
            kvHeads: file.optionalInt(key("attention.head_count_kv")) ?? heads,
            vocab: try Self.vocabSize(file, key: key("vocab_size")),
            contextLength: try file.int(key("context_length")),
            ropeFreqBase: file.optionalFloat(key("rope.freq_base")) ?? 10_000,
            rmsEps: try file.float(key("attention.layer_norm_rms_epsilon")),
            headDim: file.optionalInt(key("attention.key_length")),
            architecture: arch)
        if let v = file.optionalInt(key("attention.value_length")), v != headDim {
            throw LlamaError.badConfig("\(key("attention.value_length")) \(v) differs from key_length \(headDim)")
        }
        if let ropeDim = file.optionalInt(key("rope.dimension_count")), ropeDim != headDim {
            throw LlamaError.badConfig("\(key("rope.dimension_count")) \(ropeDim) differs from head dim \(headDim); partial RoPE is not supported")
        }
        if let factor = file.optionalFloat(key("rope.scaling.factor")), factor != 1,
           file.optionalString(key("rope.scaling.type")) ?? "linear" != "none" {
            throw LlamaError.badConfig("\(key("rope.scaling.factor")) is \(factor); RoPE scaling is not supported")
        }
        try validate()
        try description.configure(&self, file)
        try validate()
    }

    private static func vocabSize(_ file: GGUFFile, key: String) throws -> Int {
        if let v = file.optionalInt(key) { return v }
        if case .array(let tokens)? = file.metadata["tokenizer.ggml.tokens"] { return tokens.count }
        if let embd = file.tensor(named: "token_embd.weight"), embd.dims.count == 2 { return embd.dims[1] }
        throw LlamaError.badConfig("no \(key), tokenizer.ggml.tokens or token_embd.weight to size the vocabulary")
    }

    /// Throws when the numbers cannot describe a working model (all checks name the key).
    public func validate() throws {
        let a = architecture
        let positive: [(String, Int)] = [
            ("\(a).block_count", layers), ("\(a).embedding_length", dim),
            ("\(a).feed_forward_length", ffnDim), ("\(a).attention.head_count", heads),
            ("\(a).attention.head_count_kv", kvHeads), ("head dim", headDim), ("vocab size", vocab),
            ("\(a).context_length", contextLength),
        ]
        for (key, value) in positive where value <= 0 {
            throw LlamaError.badConfig("\(key) is \(value), must be positive")
        }
        guard heads % kvHeads == 0 else {
            throw LlamaError.badConfig("head_count \(heads) is not a multiple of head_count_kv \(kvHeads)")
        }
        guard headDim % 2 == 0 else { throw LlamaError.badConfig("head dim \(headDim) is odd; RoPE needs pairs") }
        guard ropeFreqBase > 0, rmsEps >= 0 else {
            throw LlamaError.badConfig("rope.freq_base \(ropeFreqBase) / rms epsilon \(rmsEps) out of range")
        }
        guard layerAttention.count == layers,
              layerAttention.allSatisfy({ $0.ropeBase > 0 && ($0.window ?? 1) > 0 }) else {
            throw LlamaError.badConfig("per-layer attention facts do not fit \(layers) layers")
        }
    }

    /// Width of the Q rows and of the attention output: heads * headDim (not always dim).
    public var qDim: Int { heads * headDim }

    /// Width of one K (or V) row in the cache: kvHeads * headDim.
    public var kvDim: Int { kvHeads * headDim }

    /// Bytes the KV cache holds per token: layers x (K + V) x one kvDim row in `type`.
    public func kvBytesPerToken(_ type: KVCacheType) -> Int { type.bytesPerToken(layers: layers, rowWidth: kvDim) }

    /// RoPE bases used by some layer, in first-use order (one RoPE table per base and position).
    public var ropeBases: [Float] {
        var out: [Float] = []
        for a in layerAttention where !out.contains(a.ropeBase) { out.append(a.ropeBase) }
        return out
    }
}
