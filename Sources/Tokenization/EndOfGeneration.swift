/// Which tokens end a generation, decided as llama.cpp decides it (`llama_vocab::impl::load`
/// in the llama.cpp that llama-cpp-python 0.3.36 vendors): eos, the metadata's eot/eom ids,
/// every token spelled as a known end-of-turn marker, and the FIM pad / repository /
/// file-separator tokens (a fill-in-the-middle completion ends there).
///
/// One deliberate difference: llama.cpp also stops on any token spelled "</s>" (added for
/// PaddleOCR). In Qwen2.5's vocabulary that is a normal text token, the HTML strikethrough
/// close tag, so a coder model would stop in the middle of HTML; where "</s>" really ends a
/// sequence (Llama 2, Mistral) it is the eos token and stops anyway.
enum EndOfGeneration {
    static let names = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// FIM tokens llama.cpp also stops on; of each group only one spelling counts.
    static let fimGroups = [
        ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"],
        ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"],
        ["<|file_sep|>"],
    ]

    /// `all`: every end-of-generation id; `byName`: those found by spelling (llama.cpp types
    /// them as control tokens).
    static func ids(index: VocabularyIndex, eos: Int32?, extra: [Int32]) -> (all: Set<Int32>, byName: [Int32]) {
        var byName = names.compactMap { index.id(of: $0) }
        for group in fimGroups {
            if let id = group.lazy.compactMap({ index.id(of: $0) }).first { byName.append(id) }
        }
        var all = Set(byName).union(extra)
        if let eos { all.insert(eos) }
        return (all, byName)
    }
}
