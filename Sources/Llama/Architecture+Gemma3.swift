import Foundation
import GGUF

extension Architecture {
    /// Gemma 3 (text): embeddings scaled by sqrt(dim); RMSNorm before and after attention and
    /// FFN; per-head RMSNorm on Q and K; GELU-tanh gated FFN; RoPE on halves.
    ///
    /// Norm weights are used as stored: Gemma's RMSNorm multiplies by (1 + w), and llama.cpp's
    /// converter already stored 1 + w (transformers' GGUF loader subtracts the 1 back).
    ///
    /// Facts the GGUF does not carry, from the published definition (transformers'
    /// Gemma3TextConfig / modeling_gemma3, llama.cpp's llama-model.cpp):
    /// - layer i is global iff (i + 1) % 6 == 0; the others are local (sliding window);
    /// - local layers use RoPE base 10000 (`rope_local_base_freq`), global layers the file's
    ///   `gemma3.rope.freq_base` (1e6);
    /// - attention scale query_pre_attn_scalar^-0.5, which is head_dim^-0.5 for every size but
    ///   27B (there dim / heads); 27B is not special-cased here.
    static let gemma3 = Architecture(name: "gemma3") { config, file in
        var o = BlockOptions()
        o.ropeStyle = .halves
        o.activation = .geluTanh
        o.qkNorm = true
        o.postNorms = true
        o.embeddingScale = Float(config.dim).squareRoot()
        config.options = o
        let key = "gemma3.attention.sliding_window"
        guard let window = file.optionalInt(key), window > 0 else {
            throw LlamaError.badConfig("\(key) is missing or not positive; gemma3 needs its local layers' window")
        }
        let globalBase = config.ropeFreqBase
        config.layerAttention = (0..<config.layers).map { i in
            (i + 1) % gemma3GlobalEvery == 0
                ? LayerAttention(ropeBase: globalBase)
                : LayerAttention(ropeBase: gemma3LocalRopeBase, window: window)
        }
    }

    static let gemma3GlobalEvery = 6
    static let gemma3LocalRopeBase: Float = 10_000
}
