/// SentencePiece's spelling of text: U+2581 "▁" stands for a space, `<0xNN>` for a raw byte.
enum SentencePieceText {
    private static let lowLine: [UInt8] = [0xE2, 0x96, 0x81]  // "▁" in UTF-8

    /// Spaces as "▁", with one more in front when `spacePrefix` (llama.cpp `llama_escape_whitespace`;
    /// only U+0020 is replaced, tabs and newlines stay).
    static func escaped(_ utf8: ArraySlice<UInt8>, spacePrefix: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + utf8.count / 2 + 3)
        if spacePrefix { out.append(contentsOf: lowLine) }
        for b in utf8 {
            if b == 0x20 { out.append(contentsOf: lowLine) } else { out.append(b) }
        }
        return out
    }

    /// A token's text with "▁" back to spaces.
    static func unescaped(_ token: String) -> [UInt8] {
        let bytes = Array(token.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count, bytes[i] == 0xE2, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The byte of a `<0xNN>` token, nil for any other spelling.
    static func byteValue(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
              u[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }
}
