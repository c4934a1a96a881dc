import GGUF

extension Tokenizer {
    /// Reads the `tokenizer.ggml.*` keys (see the GGUF spec's tokenizer section).
    public convenience init(gguf: GGUFFile) throws {
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" else { throw TokenizationError.unsupportedModel(model) }
        let pre = gguf.optionalString("tokenizer.ggml.pre")
        if let pre, PreTokenizer(rawValue: pre) == nil {
            throw TokenizationError.unsupportedPreTokenizer(pre)
        }
        let tokens = try gguf.stringArray("tokenizer.ggml.tokens")
        let merges = try gguf.stringArray("tokenizer.ggml.merges")
        let types = gguf.metadata["tokenizer.ggml.token_type"] == nil
            ? [] : try gguf.intArray("tokenizer.ggml.token_type")
        func id(_ key: String) -> Int32? {
            gguf.optionalInt("tokenizer.ggml.\(key)").flatMap { Int32(exactly: $0) }
        }
        let extra = ["eot_token_id", "eom_token_id"].compactMap { id($0) }
        try self.init(tokens: tokens, merges: merges, tokenTypes: types, pre: pre,
                      bosID: id("bos_token_id"), eosID: id("eos_token_id"),
                      unknownID: id("unknown_token_id"), paddingID: id("padding_token_id"),
                      extraEndOfGeneration: extra.filter { $0 >= 0 && Int($0) < tokens.count },
                      addBOS: gguf.optionalBool("tokenizer.ggml.add_bos_token") ?? false)
    }
}
