/// One level of the pushdown automaton's stack: where inside one unfinished JSON value the
/// input is. The fields' meaning depends on `kind` (listed per case); fixed size, so a stack
/// copies cheaply while the token trie is walked.
struct Frame: Hashable {
    enum Kind: UInt8 {
        case value       // a value of `rule` starts next; a = whitespace so far
        case objectOpen  // after "{"; a = whitespace
        case objectComma // after ","; a = whitespace, b = next declared property
        case key         // inside a declared key; a = bytes of `"name"` matched, b = property
        case freeKey     // inside an extra key; a = its length, m = declared keys it still prefixes
        case colon       // after a key; a = whitespace, b = property (-1: an extra key)
        case objectNext  // after a member; a = whitespace, b = next declared property
        case arrayOpen   // after "["; a = whitespace
        case arrayNext   // after an item; a = whitespace, b = items so far
        case string      // inside a string; b = characters so far, m = StringState
        case literal     // inside a literal; a = bytes matched
        case number      // inside a number; a = digits in the current part, m = NumberState
        case end         // after the whole document: nothing more
    }

    var kind: Kind
    var rule: Int32
    var a: Int32 = 0
    var b: Int32 = 0
    var m: UInt64 = 0

    init(_ kind: Kind, _ rule: Int, a: Int32 = 0, b: Int32 = 0, m: UInt64 = 0) {
        self.kind = kind
        self.rule = Int32(truncatingIfNeeded: rule)
        self.a = a
        self.b = b
        self.m = m
    }
}

enum ByteClass {
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    /// RFC 8259 section 2: the four insignificant whitespace bytes.
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isHex(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// A byte that stands for itself inside a string and leaves its state unchanged.
    static func isPlainStringByte(_ b: UInt8) -> Bool {
        b >= 0x20 && b < 0x80 && b != quote && b != backslash
    }
}
