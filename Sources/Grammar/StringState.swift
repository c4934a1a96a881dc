/// Inside a JSON string (RFC 8259 section 7): plain characters, escapes (`\uXXXX` without
/// surrogates, so every output decodes to valid Unicode), and UTF-8 checked byte by byte
/// (RFC 3629 table: no overlongs, no surrogates, nothing above U+10FFFF), since byte-level
/// tokens can split a character. Packed into a frame's `m`:
/// bits 0-7 mode, 8-15 pending count, 16-23 / 24-31 the next byte's allowed range.
struct StringState: Equatable {
    enum Mode: UInt64 { case plain, escape, hex, utf8 }

    var mode: Mode = .plain
    /// `hex`: digits seen (bit 7 set when the first was D: then 0-7 must follow);
    /// `utf8`: continuation bytes still expected.
    var pending: UInt64 = 0
    var low: UInt64 = 0x80
    var high: UInt64 = 0xBF

    init() {}

    init(packed: UInt64) {
        mode = Mode(rawValue: packed & 0xFF) ?? .plain
        pending = (packed >> 8) & 0xFF
        low = (packed >> 16) & 0xFF
        high = (packed >> 24) & 0xFF
    }

    var packed: UInt64 { mode.rawValue | pending << 8 | low << 16 | high << 24 }

    enum Step { case reject, same, character, close }

    /// RFC 8259 section 7: the characters that may follow a backslash (besides u).
    static let simpleEscapes: [UInt8] = Array("\"\\/bfnrt".utf8)

    /// Feeds one byte. `.character` means a new character started (for length bounds).
    mutating func feed(_ byte: UInt8) -> Step {
        switch mode {
        case .plain: return plain(byte)
        case .escape:
            if byte == UInt8(ascii: "u") { mode = .hex; pending = 0; return .same }
            guard Self.simpleEscapes.contains(byte) else { return .reject }
            mode = .plain
            return .same
        case .hex:
            guard ByteClass.isHex(byte) else { return .reject }
            let seen = pending & 0x7F
            if seen == 0 && (byte == UInt8(ascii: "d") || byte == UInt8(ascii: "D")) { pending |= 0x80 }
            if seen == 1 && pending & 0x80 != 0 && !(byte >= 0x30 && byte <= 0x37) { return .reject }
            pending = (pending & 0x80) | (seen + 1)
            if seen + 1 == 4 { mode = .plain; pending = 0 }
            return .same
        case .utf8:
            guard UInt64(byte) >= low && UInt64(byte) <= high else { return .reject }
            pending -= 1
            (low, high) = (0x80, 0xBF)
            if pending == 0 { mode = .plain }
            return .same
        }
    }

    private mutating func plain(_ byte: UInt8) -> Step {
        switch byte {
        case ByteClass.quote: return .close
        case ByteClass.backslash: mode = .escape; return .character
        case ..<0x20: return .reject
        case ..<0x80: return .character
        case 0xC2...0xDF: start(1, 0x80, 0xBF)
        case 0xE0: start(2, 0xA0, 0xBF)
        case 0xED: start(2, 0x80, 0x9F)
        case 0xE1...0xEF: start(2, 0x80, 0xBF)
        case 0xF0: start(3, 0x90, 0xBF)
        case 0xF1...0xF3: start(3, 0x80, 0xBF)
        case 0xF4: start(3, 0x80, 0x8F)
        default: return .reject
        }
        return .character
    }

    private mutating func start(_ count: UInt64, _ lo: UInt64, _ hi: UInt64) {
        mode = .utf8
        pending = count
        (low, high) = (lo, hi)
    }
}
