import GGUF

extension Architecture {
    /// Qwen2 / Qwen2.5: llama's block plus f32 biases on the Q, K and V projections; Q/K are
    /// stored unpermuted, so RoPE rotates halves (llama.cpp: LLAMA_ROPE_TYPE_NEOX for qwen2).
    /// The output head is untied when `output.weight` exists (LlamaWeights handles both).
    static let qwen2 = Architecture(name: "qwen2") { config, _ in
        var o = BlockOptions()
        o.qkvBias = true
        o.ropeStyle = .halves
        config.options = o
    }
}
