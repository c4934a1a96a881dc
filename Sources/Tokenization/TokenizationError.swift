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
    /// The chat template does not parse (jinja2 syntax we do not support, or invalid).
    case invalidChatTemplate(String)
    /// Rendering failed: the template raised an exception (e.g. roles must alternate) or erred.
    case chatTemplateFailed(String)
    /// A tool definition passed to the template is not a JSON object.
    case invalidTool(index: Int, String)

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
            return "the model has no chat template (tokenizer.chat_template) and its architecture has no known one"
        case .invalidChatTemplate(let why):
            return "the model's chat template cannot be used: \(why)"
        case .chatTemplateFailed(let why):
            return "rendering the chat template failed: \(why)"
        case .invalidTool(let index, let why):
            return "tool \(index) is not a valid JSON object: \(why)"
        }
    }
}
