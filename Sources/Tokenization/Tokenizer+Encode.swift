extension Tokenizer {
    /// Token ids of `text` (no BOS added). With `parseSpecial`, control token strings in the
    /// text become their ids (longest match); without it they are ordinary text. User-defined
    /// tokens (Gemma's "\n", space runs, HTML tags) always become their ids, as in llama.cpp.
    public func encode(_ text: String, parseSpecial: Bool) -> [Int32] {
        var out: [Int32] = []
        encodeText(Array(text.utf8), control: parseSpecial, afterSpecial: true, into: &out)
        return out
    }

    /// `encode(_:parseSpecial:)`, plus BOS / EOS when `addSpecial` and the file asks for them
    /// (`addBOS`, `addEOS`): llama.cpp's `llama_tokenize(..., add_special, parse_special)`.
    public func encode(_ text: String, parseSpecial: Bool, addSpecial: Bool) -> [Int32] {
        var out: [Int32] = []
        if addSpecial, addBOS, let bosID { out.append(bosID) }
        encodeText(Array(text.utf8), control: parseSpecial, afterSpecial: true, into: &out)
        if addSpecial, addEOS, let eosID { out.append(eosID) }
        return out
    }

    /// Ids of a rendered chat prompt. Adjacent text pieces are joined before encoding, so the
    /// result equals tokenizing the rendered string, except that text never becomes a control
    /// token (user-defined tokens still match, as they would in the rendered string).
    public func encode(pieces: [PromptPiece]) throws -> [Int32] {
        var out: [Int32] = []
        var pending: [UInt8] = []
        var afterSpecial = true
        for piece in pieces {
            switch piece {
            case .text(let t):
                pending.append(contentsOf: t.utf8)
            case .special(let name):
                guard let id = specialID(name) else { throw TokenizationError.unknownSpecialToken(name) }
                if !pending.isEmpty {
                    encodeText(pending, control: false, afterSpecial: afterSpecial, into: &out)
                    pending.removeAll()
                }
                out.append(id)
                afterSpecial = true
            }
        }
        if !pending.isEmpty { encodeText(pending, control: false, afterSpecial: afterSpecial, into: &out) }
        return out
    }

    /// Text of `ids`; bytes that are not valid UTF-8 become U+FFFD. For streaming use
    /// `tokenBytes` with a `UTF8StreamDecoder`. With `addSpacePrefix` the prefix space that
    /// encoding added is removed again (as llama.cpp's detokenizer and HF's Strip decoder do).
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: tokenBytes(id)) }
        if addSpacePrefix, bytes.first == 0x20 { bytes.removeFirst() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes token `id` stands for (special tokens: their text); empty for an invalid id.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabSize else { return [] }
        return bytesByIDStorage[Int(id)]
    }

    /// The vocabulary's own spelling of token `id` ("Ġthe", "▁the", "<0x0A>"), nil if invalid.
    public func tokenString(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabSize else { return nil }
        return tokenStrings[Int(id)]
    }

    public func tokenType(_ id: Int32) -> TokenType? {
        guard id >= 0, Int(id) < vocabSize else { return nil }
        return tokenTypes[Int(id)]
    }

    /// Id of a control or user-defined token by its text ("<|im_end|>", "<start_of_turn>").
    public func specialID(_ text: String) -> Int32? {
        specialIDTable[text]
    }

    public var specialTokens: [String: Int32] { specialIDTable }

    /// True for eos and end-of-turn tokens (see `endOfGenerationIDs`).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    /// The pre-tokenizer of a byte-level BPE vocabulary; nil for SentencePiece.
    public var preTokenizer: PreTokenizer? {
        if case .bytePairEncoding(let pre) = model { return pre }
        return nil
    }

    /// Splits at special tokens, then encodes each run of text; `afterSpecial` tracks what
    /// SentencePiece's space prefix needs (llama.cpp's `is_prev_special`).
    func encodeText(_ utf8: [UInt8], control: Bool, afterSpecial: Bool, into out: inout [Int32]) {
        if utf8.isEmpty { return }
        var afterSpecial = afterSpecial
        for segment in matcherSplit(utf8, control: control) {
            switch segment {
            case .special(let id):
                out.append(id)
                afterSpecial = true
            case .text(let bytes):
                encodeFragment(bytes, afterSpecial: afterSpecial, into: &out)
                afterSpecial = false
            }
        }
    }
}
