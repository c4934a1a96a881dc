/// GPT-2's reversible byte <-> printable-character table (`bytes_to_unicode` in OpenAI's
/// encoder.py): printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100...
/// Byte-level BPE vocabularies spell every token in these characters (" " is "Ġ", "\n" is "Ċ").
enum ByteLevel {
    /// byteToScalar[b] is the vocabulary character that stands for byte b.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                // Every value 256..<324 is a valid scalar, so this never fails.
                table[b] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// scalarToByte[scalar value] for values below 324 (the table's largest is U+0143), -1
    /// where no byte maps there. An array, not a Dictionary: load decodes every token.
    static let scalarToByte: [Int16] = {
        var map = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { map[Int(s.value)] = Int16(b) }
        return map
    }()

    /// The bytes a vocabulary string stands for. Characters outside the table (not produced by
    /// byte-level vocabularies) are kept as their own UTF-8 so nothing is silently dropped.
    /// Reads UTF-8 directly: every table character is one or two bytes, and load decodes 150k tokens.
    static func decode(_ token: String) -> [UInt8] {
        var token = token
        return token.withUTF8 { u in
            var out: [UInt8] = []
            out.reserveCapacity(u.count)
            var i = 0
            while i < u.count {
                let b0 = u[i]
                var value = -1, length = 1
                if b0 < 0x80 {
                    value = Int(b0)
                } else if b0 & 0xE0 == 0xC0, i + 1 < u.count {
                    value = Int(b0 & 0x1F) << 6 | Int(u[i + 1] & 0x3F)
                    length = 2
                }
                if value >= 0, value < 324, scalarToByte[value] >= 0 {
                    out.append(UInt8(scalarToByte[value]))
                    i += length
                } else {
                    // Not a table character: copy the whole UTF-8 sequence as is.
                    var end = i + 1
                    while end < u.count && u[end] & 0xC0 == 0x80 { end += 1 }
                    out.append(contentsOf: u[i..<end])
                    i = end
                }
            }
            return out
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }
}
