extension Tokenizer {
    /// Token ids of `text` (no BOS added). With `parseSpecial`, control/user-defined token
    /// strings in the text become their ids (longest match) and only the text between them
    /// is BPE-encoded; without it they are ordinary text.
    public func encode(_ text: String, parseSpecial: Bool) -> [Int32] {
        guard parseSpecial else { return encodeOrdinary(text) }
        var out: [Int32] = []
        for segment in matcherSplit(text) {
            switch segment {
            case .special(let id):
                out.append(id)
            case .text(let bytes):
                // Segments are cut at special-token boundaries, so they are whole UTF-8.
                out.append(contentsOf: encodeOrdinary(String(decoding: bytes, as: UTF8.self)))
            }
        }
        return out
    }

    /// Ids of a rendered chat prompt. Adjacent text pieces are joined before encoding, so the
    /// result equals tokenizing the rendered string, except that text is never read as a
    /// special token.
    public func encode(pieces: [PromptPiece]) throws -> [Int32] {
        var out: [Int32] = []
        var pending = ""
        for piece in pieces {
            switch piece {
            case .text(let t):
                pending += t
            case .special(let name):
                guard let id = specialID(name) else { throw TokenizationError.unknownSpecialToken(name) }
                out.append(contentsOf: encodeOrdinary(pending))
                pending = ""
                out.append(id)
            }
        }
        out.append(contentsOf: encodeOrdinary(pending))
        return out
    }

    /// Text of `ids`; bytes that are not valid UTF-8 become U+FFFD. For streaming use
    /// `tokenBytes` with a `UTF8StreamDecoder`.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: tokenBytes(id)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes token `id` stands for (special tokens: their text); empty for an invalid id.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabSize else { return [] }
        return bytesByIDStorage[Int(id)]
    }

    /// The vocabulary's own spelling of token `id` (byte-level, e.g. "Ġthe"), nil if invalid.
    public func tokenString(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabSize else { return nil }
        return tokenStrings[Int(id)]
    }

    public func tokenType(_ id: Int32) -> TokenType? {
        guard id >= 0, Int(id) < vocabSize else { return nil }
        return tokenTypes[Int(id)]
    }

    /// Id of a control or user-defined token by its text ("<|im_end|>").
    public func specialID(_ text: String) -> Int32? {
        specialIDTable[text]
    }

    public var specialTokens: [String: Int32] { specialIDTable }

    /// True for eos and end-of-turn tokens (`<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, ...).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    func encodeOrdinary(_ text: String) -> [Int32] {
        if text.isEmpty { return [] }
        let scalars = Array(text.unicodeScalars)
        var out: [Int32] = []
        out.reserveCapacity(scalars.count / 3 + 1)
        var bytes: [UInt8] = []
        for range in preTokenizer.split(scalars) {
            bytes.removeAll(keepingCapacity: true)
            for s in scalars[range] { UTF8.encode(s) { bytes.append($0) } }
            out.append(contentsOf: encodeWord(bytes))
        }
        return out
    }
}
