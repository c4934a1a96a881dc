import GGUF

extension Tokenizer {
    /// Reads the `tokenizer.ggml.*` keys (see the GGUF spec's tokenizer section). Keys a file
    /// leaves out take llama.cpp's defaults for its model (SentencePiece: BOS and a space prefix).
    public convenience init(gguf: GGUFFile) throws {
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" || model == "llama" else { throw TokenizationError.unsupportedModel(model) }
        let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
        let types = gguf.metadata["tokenizer.ggml.token_type"] == nil
            ? [] : try gguf.intArray("tokenizer.ggml.token_type")
        // llama.cpp ignores an id outside the vocabulary (keeping its default); so do we.
        func id(_ key: String) -> Int32? {
            gguf.optionalInt("tokenizer.ggml.\(key)").flatMap { Int32(exactly: $0) }
                .flatMap { $0 >= 0 && Int($0) < tokens.count ? $0 : nil }
        }
        func flag(_ key: String) -> Bool? { gguf.optionalBool("tokenizer.ggml.\(key)") }
        let extra = ["eot_token_id", "eom_token_id"].compactMap { id($0) }
        if model == "llama" {
            let scores = gguf.metadata["tokenizer.ggml.scores"] == nil
                ? [Float](repeating: 0, count: tokens.count) : try gguf.floatArray("tokenizer.ggml.scores")
            try self.init(sentencePieceTokens: tokens, scores: scores, tokenTypes: types,
                          bosID: id("bos_token_id") ?? 1, eosID: id("eos_token_id") ?? 2,
                          unknownID: id("unknown_token_id") ?? 0, paddingID: id("padding_token_id"),
                          extraEndOfGeneration: extra,
                          addBOS: flag("add_bos_token") ?? true, addEOS: flag("add_eos_token") ?? false,
                          addSpacePrefix: flag("add_space_prefix") ?? true)
            return
        }
        let pre = gguf.optionalString("tokenizer.ggml.pre")
        if let pre, PreTokenizer.named(pre) == nil {
            throw TokenizationError.unsupportedPreTokenizer(pre)
        }
        let merges = try gguf.stringArray("tokenizer.ggml.merges")
        try self.init(tokens: tokens, merges: merges, tokenTypes: types, pre: pre,
                      bosID: id("bos_token_id"), eosID: id("eos_token_id"),
                      unknownID: id("unknown_token_id"), paddingID: id("padding_token_id"),
                      extraEndOfGeneration: extra,
                      addBOS: flag("add_bos_token") ?? false, addEOS: flag("add_eos_token") ?? false)
    }
}
