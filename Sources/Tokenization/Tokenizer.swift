import Foundation

/// Byte-level BPE tokenizer (GPT-2 family, as SmolLM2 uses), built from a GGUF vocabulary.
/// Immutable after init except for the word cache, which a lock guards; safe to share.
public final class Tokenizer: @unchecked Sendable {
    /// llama.cpp's `llama_token_type` values in `tokenizer.ggml.token_type`.
    public enum TokenType: Int, Sendable {
        case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public let vocabSize: Int
    public let bosID: Int32?
    public let eosID: Int32?
    public let unknownID: Int32?
    public let paddingID: Int32?
    /// `tokenizer.ggml.add_bos_token`. `encode` never adds BOS itself; callers that build a
    /// raw (non-chat) prompt prepend `bosID` when this is true.
    public let addBOS: Bool
    public let preTokenizer: PreTokenizer

    /// Vocabulary strings as stored in the GGUF (byte-level spelling, "Ġthe").
    let tokenStrings: [String]
    let tokenTypes: [TokenType]
    /// Decoded bytes of every token (special tokens: their text).
    let bytesByIDStorage: [[UInt8]]
    let specialIDTable: [String: Int32]
    let endOfGenerationIDs: Set<Int32>
    /// Vocabulary spelling -> id (lowest id on duplicates).
    let idsByString: [String: Int32]
    private let bpe: BPEMerger
    private let matcher: SpecialTokenMatcher

    private let cacheLock = NSLock()
    private var cache: [[UInt8]: [Int32]] = [:]
    /// Bounds memory on adversarial input; typical text reuses a few thousand words.
    private static let cacheLimit = 65_536
    private static let cachedPieceLimit = 64

    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`, index = id.
    ///   - merges: `tokenizer.ggml.merges`, "left right" in rank order.
    ///   - tokenTypes: `tokenizer.ggml.token_type` (empty = all normal).
    ///   - pre: `tokenizer.ggml.pre` ("smollm", "gpt2", "llama-bpe"; nil = "gpt2").
    public init(tokens: [String], merges: [String], tokenTypes: [Int], pre: String?,
                bosID: Int32? = nil, eosID: Int32? = nil, unknownID: Int32? = nil,
                paddingID: Int32? = nil, extraEndOfGeneration: [Int32] = [], addBOS: Bool = false) throws {
        try Self.validate(count: tokens.count, typeCount: tokenTypes.count,
                          ids: [("bos", bosID), ("eos", eosID), ("unknown", unknownID), ("padding", paddingID)])
        guard let preTok = PreTokenizer(rawValue: pre ?? "gpt2") else {
            throw TokenizationError.unsupportedPreTokenizer(pre ?? "")
        }
        self.tokenStrings = tokens
        self.vocabSize = tokens.count
        let types: [TokenType] = tokenTypes.isEmpty
            ? Array(repeating: .normal, count: tokens.count)
            : tokenTypes.map { TokenType(rawValue: $0) ?? .undefined }
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.preTokenizer = preTok

        let vocab = Self.buildVocab(tokens)
        self.idsByString = vocab
        self.tokenTypes = types
        self.bytesByIDStorage = zip(tokens, types).map { text, type in
            Self.isLiteral(type) ? Array(text.utf8) : ByteLevel.decode(text)
        }
        var specials: [String: Int32] = [:]
        for (i, type) in types.enumerated() where type == .control || type == .userDefined {
            specials[tokens[i]] = Int32(i)
        }
        self.specialIDTable = specials
        self.matcher = SpecialTokenMatcher(specials: specials.map { ($0.key, $0.value) })
        self.bpe = Self.buildMerger(vocab: vocab, merges: merges)

        var eog = Set(extraEndOfGeneration)
        if let eosID { eog.insert(eosID) }
        for name in Self.endOfGenerationNames { if let id = specials[name] { eog.insert(id) } }
        self.endOfGenerationIDs = eog
    }

    func matcherSplit(_ text: String) -> [SpecialTokenMatcher.Segment] {
        matcher.split(Array(text.utf8))
    }

    /// BPE of one pre-tokenized piece, memoized: natural text repeats words constantly.
    func encodeWord(_ bytes: [UInt8]) -> [Int32] {
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
        if preTokenizer.ignoresMerges, let whole = idsByString[ByteLevel.encode(bytes)] {
            return [whole]
        }
        return bpe.encode(bytes, unknownID: unknownID ?? 0)
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

    /// End-of-turn markers of the families we know (llama.cpp recognizes the same texts).
    static let endOfGenerationNames = [
        "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|end|>", "<end_of_turn>",
    ]

    private static func isLiteral(_ type: TokenType) -> Bool {
        type == .control || type == .userDefined || type == .unknown || type == .unused
    }

    private static func buildVocab(_ tokens: [String]) -> [String: Int32] {
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(tokens.count)
        // On duplicate spellings the lowest id wins, as in HF's vocab loading order.
        for (i, t) in tokens.enumerated() where vocab[t] == nil { vocab[t] = Int32(i) }
        return vocab
    }

    private static func buildMerger(vocab: [String: Int32], merges: [String]) -> BPEMerger {
        var table: [UInt64: BPEMerger.Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, line) in merges.enumerated() {
            // Byte-level spellings never contain U+0020, so the first space separates the pair.
            guard let space = line.firstIndex(of: " ") else { continue }
            let left = String(line[..<space]), right = String(line[line.index(after: space)...])
            guard let a = vocab[left], let b = vocab[right], let m = vocab[left + right] else { continue }
            let key = BPEMerger.key(a, b)
            if table[key] == nil { table[key] = .init(rank: Int32(rank), result: m) }
        }
        let byteTokens = ByteLevel.byteToScalar.map { vocab[String($0)] ?? -1 }
        return BPEMerger(merges: table, byteTokens: byteTokens)
    }
}
