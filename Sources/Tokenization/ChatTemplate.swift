import GGUF
import Jinja

/// The model's chat template (`tokenizer.chat_template`, Jinja) rendered as transformers'
/// `apply_chat_template` renders it: same jinja2 settings, same variables. Text written in
/// the template is split at the vocabulary's special-token strings into `.special` pieces;
/// text that came from messages or tools always stays `.text`, so a user typing
/// `<|im_end|>` never becomes a control token.
public struct ChatTemplate: Sendable {
    /// The Jinja source rendered (the file's, or the family's known template).
    public let source: String
    /// Whether the template reads `tools` (so tool definitions reach the model).
    public let supportsTools: Bool
    private let template: Template
    /// Named special tokens passed as variables (`bos_token`, `eos_token`...), as transformers does.
    private let tokenVariables: [String: String]
    private let splitter: SpecialTokenMatcher
    private let specials: [String]

    /// - Parameters:
    ///   - tokens: named special tokens (`bos_token`: "<s>", ...); the template may print them.
    ///   - specialTokens: strings that are special tokens of the vocabulary (control and
    ///     user-defined); the named tokens count as special too.
    public init(template source: String, tokens: [String: String] = [:], specialTokens: [String] = []) throws {
        try self.init(source: source, tokens: tokens, specials: specialTokens + tokens.values)
    }

    private init(source: String, tokens: [String: String], specials specialTokens: [String]) throws {
        do {
            template = try Template(source, options: .chatTemplate)
        } catch let error as JinjaError {
            throw TokenizationError.invalidChatTemplate(error.description)
        }
        self.source = source
        supportsTools = template.references("tools")
        tokenVariables = tokens
        specials = Array(Set(specialTokens)).filter { !$0.isEmpty }.sorted()
        splitter = SpecialTokenMatcher(specials: specials.enumerated().map { ($0.element, Int32($0.offset), false) })
    }

    /// Reads `tokenizer.chat_template`, or the architecture's known template when the file
    /// has none (Gemma 3), with the special tokens of the file's vocabulary.
    public init(gguf: GGUFFile) throws {
        let architecture = gguf.optionalString("general.architecture") ?? ""
        guard let source = gguf.optionalString("tokenizer.chat_template") ?? KnownTemplates.template(architecture: architecture)
        else { throw TokenizationError.missingChatTemplate }
        let vocabulary = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue?.map { $0.stringValue ?? "" } ?? []
        let types = gguf.metadata["tokenizer.ggml.token_type"]?.arrayValue?.map { $0.intValue ?? 0 } ?? []
        // GGUF token types: 3 = control, 4 = user-defined. Gemma's user-defined tokens include
        // runs of "\n" and spaces; those stay text, so that the tokenizer sees a template's
        // newline joined with the content beside it, as it would in the rendered string.
        let specialTokens = zip(vocabulary, types).filter { text, type in
            type == 3 || (type == 4 && !text.unicodeScalars.allSatisfy(\.properties.isWhitespace))
        }.map(\.0)
        var tokens: [String: String] = [:]
        for (variable, key) in Self.tokenKeys {
            if let id = gguf.optionalInt("tokenizer.ggml.\(key)"), vocabulary.indices.contains(id) {
                tokens[variable] = vocabulary[id]
            }
        }
        // Only the vocabulary's special tokens become `.special`: a file whose BOS is an
        // ordinary token gets it as text, which the tokenizer can always encode.
        try self.init(source: source, tokens: tokens, specials: specialTokens)
    }

    /// transformers' `special_tokens_map` names and the GGUF keys of their ids.
    private static let tokenKeys = [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"),
                                    ("unk_token", "unknown_token_id"), ("sep_token", "seperator_token_id"),
                                    ("pad_token", "padding_token_id"), ("cls_token", "cls_token_id"),
                                    ("mask_token", "mask_token_id")]

    /// - Parameter tools: each a JSON object text as the client sent it (e.g.
    ///   `{"type":"function","function":{...}}`); key order is kept.
    public func render(_ messages: [ChatMessage], tools: [String] = [], addGenerationPrompt: Bool) throws -> [PromptPiece] {
        let context = try ChatContext.variables(messages: messages, tools: tools,
                                                addGenerationPrompt: addGenerationPrompt, tokens: tokenVariables)
        let segments: [Segment]
        do {
            segments = try template.renderSegments(context)
        } catch let error as JinjaError {
            throw TokenizationError.chatTemplateFailed(error.description)
        }
        var pieces: [PromptPiece] = []
        func appendText(_ t: String) {
            if case .text(let previous)? = pieces.last { pieces[pieces.count - 1] = .text(previous + t) }
            else if !t.isEmpty { pieces.append(.text(t)) }
        }
        for segment in segments {
            guard segment.isLiteral else {
                appendText(segment.text)
                continue
            }
            for part in splitter.split(Array(segment.text.utf8), control: true) {
                switch part {
                case .special(let index): pieces.append(.special(specials[Int(index)]))
                case .text(let bytes): appendText(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        return pieces
    }

    /// The rendered prompt as one string (special tokens spelled out), as jinja2 prints it.
    public func renderText(_ messages: [ChatMessage], tools: [String] = [], addGenerationPrompt: Bool) throws -> String {
        try render(messages, tools: tools, addGenerationPrompt: addGenerationPrompt).map { piece -> String in
            switch piece {
            case .text(let t), .special(let t): return t
            }
        }.joined()
    }
}
