import GGUF

extension Architecture {
    /// Llama (and SmolLM2): the default block. llama.cpp's converter permuted the Q/K rows so
    /// that RoPE rotates adjacent pairs; every layer attends globally with the file's RoPE base.
    static let llama = Architecture(name: "llama") { config, _ in
        config.options = BlockOptions()
    }
}
