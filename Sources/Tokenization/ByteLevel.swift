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
    static func decode(_ token: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            if s.value < 324, scalarToByte[Int(s.value)] >= 0 {
                out.append(UInt8(scalarToByte[Int(s.value)]))
            } else {
                out.append(contentsOf: Array(String(s).utf8))
            }
        }
        return out
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }
}
