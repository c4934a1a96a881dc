/// Errors of the Tokenization module. Each case names what was wrong in the model file
/// or in the caller's input, so it can be shown to a user as is.
public enum TokenizationError: Error, CustomStringConvertible, Equatable {
    /// `tokenizer.ggml.model` is neither byte-level BPE ("gpt2") nor SentencePiece ("llama").
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer we do not implement.
    case unsupportedPreTokenizer(String)
    /// Metadata is present but inconsistent (e.g. token and type arrays of different length).
    case invalidVocabulary(String)
    /// A `PromptPiece.special` names a string that is not a special token of this vocabulary.
    case unknownSpecialToken(String)
    /// `tokenizer.chat_template` is missing.
    case missingChatTemplate
    /// `tokenizer.chat_template` is not one of the template families we render natively.
    case unsupportedChatTemplate(String)

    public var description: String {
        switch self {
        case .unsupportedModel(let m):
            return "unsupported tokenizer model '\(m)' (tokenizer.ggml.model); supported: 'gpt2' (byte-level BPE), 'llama' (SentencePiece)"
        case .unsupportedPreTokenizer(let p):
            return "unsupported pre-tokenizer '\(p)' (tokenizer.ggml.pre); supported: \(PreTokenizer.supportedNames.joined(separator: ", "))"
        case .invalidVocabulary(let why):
            return "invalid tokenizer vocabulary: \(why)"
        case .unknownSpecialToken(let s):
            return "'\(s)' is not a special token of this model's vocabulary"
        case .missingChatTemplate:
            return "the model has no chat template (tokenizer.chat_template)"
        case .unsupportedChatTemplate(let excerpt):
            return "unsupported chat template (tokenizer.chat_template); known families: ChatML (SmolLM2 style, with or without a default system message), Llama 3. Template begins: \(excerpt)"
        }
    }
}
