/// Turns a stream of token bytes into text without ever emitting half a character: a UTF-8
/// sequence split across tokens (emoji, CJK are often 2-4 byte-level tokens) is held back
/// until it completes. Invalid bytes become U+FFFD as soon as they are known to be invalid.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Text of every complete character seen so far and not yet returned.
    public mutating func append(_ bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        let keep = Self.incompleteSuffixLength(pending)
        let ready = pending.count - keep
        if ready == 0 { return "" }
        let text = String(decoding: pending[0..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return text
    }

    /// Whatever is held back, invalid remainders as U+FFFD; the decoder is empty afterwards.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// True when bytes are held back waiting for the rest of a character.
    public var hasPending: Bool { !pending.isEmpty }

    /// Length of a trailing lead byte plus continuation bytes that could still become a valid
    /// character; 0 if the buffer ends on a character boundary or on bytes that can never
    /// complete (those are decoded as U+FFFD now rather than stalling the stream).
    static func incompleteSuffixLength(_ b: [UInt8]) -> Int {
        var i = b.count - 1
        var continuation = 0
        while i >= 0, continuation < 3, b[i] & 0xC0 == 0x80 {
            continuation += 1
            i -= 1
        }
        guard i >= 0 else { return 0 }
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 1
        case 0xE0...0xEF: need = 2
        case 0xF0...0xF4: need = 3
        default: return 0
        }
        guard continuation < need else { return 0 }
        // The second byte of E0/ED/F0/F4 sequences has a narrower range (RFC 3629 section 4);
        // if it is already wrong the sequence can never complete.
        if continuation >= 1 && !Self.validSecond(lead: lead, b[i + 1]) { return 0 }
        return continuation + 1
    }

    private static func validSecond(lead: UInt8, _ second: UInt8) -> Bool {
        switch lead {
        case 0xE0: return (0xA0...0xBF).contains(second)
        case 0xED: return (0x80...0x9F).contains(second)
        case 0xF0: return (0x90...0xBF).contains(second)
        case 0xF4: return (0x80...0x8F).contains(second)
        default: return true
        }
    }
}
