import Foundation

/// A GGUF vocabulary's tokenizer: byte-level BPE (`tokenizer.ggml.model` "gpt2": SmolLM2,
/// Qwen2.5, Llama 3) or SentencePiece (`llama`: Gemma, Llama 2), with the file's special
/// tokens. Immutable after init except for the BPE word cache, which a lock guards; safe to share.
// @unchecked: immutable after init except the BPE word cache, which a lock guards.
public final class Tokenizer: @unchecked Sendable {
    /// llama.cpp's `llama_token_type` values in `tokenizer.ggml.token_type`.
    public enum TokenType: Int, Sendable {
        case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// How text becomes ids.
    public enum Model: Equatable, Sendable {
        /// "gpt2": the pre-tokenizer's pieces, each byte-level BPE by merge rank.
        case bytePairEncoding(PreTokenizer)
        /// "llama": SentencePiece, merges by token score over the whole text, `<0xNN>` byte fallback.
        case sentencePiece
    }

    public let model: Model
    public let vocabSize: Int
    public let bosID: Int32?
    public let eosID: Int32?
    public let unknownID: Int32?
    public let paddingID: Int32?
    /// `tokenizer.ggml.add_bos_token` / `add_eos_token`: what `encode(_:parseSpecial:addSpecial:)`
    /// adds. The other `encode` calls never add them; a chat template prints BOS itself.
    public let addBOS: Bool
    public let addEOS: Bool
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece): a space before text that starts the
    /// prompt or follows a special token, as llama.cpp adds it.
    public let addSpacePrefix: Bool
    /// Tokens that end a generation: eos, eot/eom from the metadata, and the end-of-turn and
    /// FIM-end texts llama.cpp recognizes (`<|im_end|>`, `<end_of_turn>`, `<|endoftext|>`, ...).
    public let endOfGenerationIDs: Set<Int32>

    /// Vocabulary strings as stored in the GGUF ("Ġthe", "▁the", "<0x0A>").
    let tokenStrings: [String]
    let tokenTypes: [TokenType]
    /// Decoded bytes of every token (control and user-defined tokens: their text).
    let bytesByIDStorage: [[UInt8]]
    let specialIDTable: [String: Int32]
    let index: VocabularyIndex
    private let engine: Engine
    private let matcher: SpecialTokenMatcher

    private enum Engine {
        case bpe(BPEMerger, PreTokenizer)
        case sentencePiece(SentencePieceMerger)
    }

    private let cacheLock = NSLock()
    private var cache: [[UInt8]: [Int32]] = [:]
    /// Bounds memory on adversarial input; typical text reuses a few thousand words.
    private static let cacheLimit = 65_536
    private static let cachedPieceLimit = 64

    /// Byte-level BPE.
    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`, index = id.
    ///   - merges: `tokenizer.ggml.merges`, "left right" in rank order.
    ///   - tokenTypes: `tokenizer.ggml.token_type` (empty = all normal).
    ///   - pre: `tokenizer.ggml.pre` (see `PreTokenizer.named`; nil = "gpt2").
    public convenience init(tokens: [String], merges: [String], tokenTypes: [Int], pre: String?,
                            bosID: Int32? = nil, eosID: Int32? = nil, unknownID: Int32? = nil,
                            paddingID: Int32? = nil, extraEndOfGeneration: [Int32] = [],
                            addBOS: Bool = false, addEOS: Bool = false) throws {
        guard let preTok = PreTokenizer.named(pre ?? "gpt2") else {
            throw TokenizationError.unsupportedPreTokenizer(pre ?? "")
        }
        let ids = SpecialIDs(bos: bosID, eos: eosID, unknown: unknownID, padding: paddingID,
                             extraEndOfGeneration: extraEndOfGeneration)
        try self.init(tokens: tokens, tokenTypes: tokenTypes, ids: ids,
                      flags: (addBOS, addEOS, false), model: .bytePairEncoding(preTok)) { index in
            .bpe(BPEMerger.build(index: index, merges: merges), preTok)
        }
    }

    /// SentencePiece.
    /// - Parameter scores: `tokenizer.ggml.scores`, index = id (higher merges first).
    public convenience init(sentencePieceTokens tokens: [String], scores: [Float], tokenTypes: [Int],
                            bosID: Int32? = nil, eosID: Int32? = nil, unknownID: Int32? = nil,
                            paddingID: Int32? = nil, extraEndOfGeneration: [Int32] = [],
                            addBOS: Bool = true, addEOS: Bool = false, addSpacePrefix: Bool = true) throws {
        guard scores.count == tokens.count else {
            throw TokenizationError.invalidVocabulary("\(tokens.count) tokens but \(scores.count) scores")
        }
        let ids = SpecialIDs(bos: bosID, eos: eosID, unknown: unknownID, padding: paddingID,
                             extraEndOfGeneration: extraEndOfGeneration)
        try self.init(tokens: tokens, tokenTypes: tokenTypes, ids: ids,
                      flags: (addBOS, addEOS, addSpacePrefix), model: .sentencePiece) { index in
            .sentencePiece(SentencePieceMerger(index: index, scores: scores, unknownID: unknownID ?? 0))
        }
    }

    struct SpecialIDs {
        var bos, eos, unknown, padding: Int32?
        var extraEndOfGeneration: [Int32]
    }

    private init(tokens: [String], tokenTypes: [Int], ids: SpecialIDs, flags: (bos: Bool, eos: Bool, space: Bool),
                 model: Model, engine makeEngine: (VocabularyIndex) -> Engine) throws {
        try Self.validate(count: tokens.count, typeCount: tokenTypes.count,
                          ids: [("bos", ids.bos), ("eos", ids.eos), ("unknown", ids.unknown), ("padding", ids.padding)])
        self.model = model
        self.tokenStrings = tokens
        self.vocabSize = tokens.count
        self.bosID = ids.bos
        self.eosID = ids.eos
        self.unknownID = ids.unknown
        self.paddingID = ids.padding
        self.addBOS = flags.bos
        self.addEOS = flags.eos
        self.addSpacePrefix = flags.space
        let index = VocabularyIndex(tokens)
        self.index = index

        var types: [TokenType] = tokenTypes.isEmpty
            ? Array(repeating: .normal, count: tokens.count)
            : tokenTypes.map { TokenType(rawValue: $0) ?? .undefined }
        let eog = EndOfGeneration.ids(index: index, eos: ids.eos, extra: ids.extraEndOfGeneration)
        // llama.cpp turns an end-of-generation token that is not typed control into one, so it
        // is matched and printed as a special token.
        for id in eog.byName where types[Int(id)] != .control { types[Int(id)] = .control }
        self.endOfGenerationIDs = eog.all
        self.tokenTypes = types

        let spm = model == .sentencePiece
        self.bytesByIDStorage = zip(tokens, types).map { Self.bytes(of: $0, type: $1, sentencePiece: spm) }
        var specials: [String: Int32] = [:]
        var matchable: [(String, Int32, Bool)] = []
        for (i, type) in types.enumerated() {
            switch type {
            case .control, .userDefined:
                if specials[tokens[i]] == nil { specials[tokens[i]] = Int32(i) }
                matchable.append((tokens[i], Int32(i), type == .userDefined))
            case .unknown:
                matchable.append((tokens[i], Int32(i), false))
            default:
                break
            }
        }
        self.specialIDTable = specials
        self.matcher = SpecialTokenMatcher(specials: matchable)
        self.engine = makeEngine(index)
    }

    func matcherSplit(_ utf8: [UInt8], control: Bool) -> [SpecialTokenMatcher.Segment] {
        matcher.split(utf8, control: control)
    }

    /// Ids of one run of ordinary text (no special tokens in it). `afterSpecial`: it starts the
    /// prompt or follows a special token (SentencePiece's space prefix goes there).
    func encodeFragment(_ utf8: ArraySlice<UInt8>, afterSpecial: Bool, into out: inout [Int32]) {
        switch engine {
        case .bpe(_, let pre):
            let scalars = Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
            var bytes: [UInt8] = []
            pre.forEachPiece(scalars) { range in
                bytes.removeAll(keepingCapacity: true)
                for s in scalars[range] { UTF8.encode(s) { bytes.append($0) } }
                out.append(contentsOf: encodeWord(bytes))
            }
        case .sentencePiece(let merger):
            merger.encode(SentencePieceText.escaped(utf8, spacePrefix: addSpacePrefix && afterSpecial), into: &out)
        }
    }

    /// BPE of one pre-tokenized piece, memoized: natural text repeats words constantly.
    private func encodeWord(_ bytes: [UInt8]) -> [Int32] {
        // Long pieces (whitespace runs, minified data) rarely repeat; caching them would let
        // one large request pin its whole text in memory.
        guard bytes.count <= Self.cachedPieceLimit else { return bpeWord(bytes) }
        cacheLock.lock()
        let hit = cache[bytes]
        cacheLock.unlock()
        if let hit { return hit }
        let ids = bpeWord(bytes)
        cacheLock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[bytes] = ids
        cacheLock.unlock()
        return ids
    }

    private func bpeWord(_ bytes: [UInt8]) -> [Int32] {
        guard case .bpe(let merger, let pre) = engine else { return [] }
        if pre.ignoresMerges, let whole = index.id(of: ByteLevel.encode(bytes)) {
            return [whole]
        }
        return merger.encode(bytes, unknownID: unknownID ?? 0)
    }

    private static func validate(count: Int, typeCount: Int, ids: [(String, Int32?)]) throws {
        guard count > 0, count < Int(Int32.max) else {
            throw TokenizationError.invalidVocabulary("vocabulary has \(count) tokens")
        }
        guard typeCount == 0 || typeCount == count else {
            throw TokenizationError.invalidVocabulary("\(count) tokens but \(typeCount) token types")
        }
        for (name, id) in ids {
            if let id, id < 0 || Int(id) >= count {
                throw TokenizationError.invalidVocabulary("\(name) token id \(id) outside vocabulary of \(count)")
            }
        }
    }

    /// What a token prints: special and user-defined tokens their text (as llama.cpp's
    /// `token_to_piece` with specials shown), byte tokens their byte, others their spelling
    /// decoded (byte-level characters for BPE, "▁" as space for SentencePiece).
    private static func bytes(of text: String, type: TokenType, sentencePiece: Bool) -> [UInt8] {
        switch type {
        case .control, .userDefined, .unknown, .unused:
            return Array(text.utf8)
        case .byte where sentencePiece:
            return SentencePieceText.byteValue(text).map { [$0] } ?? Array(text.utf8)
        default:
            return sentencePiece ? SentencePieceText.unescaped(text) : ByteLevel.decode(text)
        }
    }
}
