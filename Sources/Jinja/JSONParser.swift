/// Parses JSON text (RFC 8259) into values, keeping object key order. Integers that fit
/// stay `int`, as Python's `json.loads` keeps them. Nesting is capped so hostile input
/// cannot exhaust the stack.
public struct JSONParser {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "invalid JSON at character \(offset): \(message)" }
    }

    private let s: [Unicode.Scalar]
    private var i = 0
    private static let maxDepth = 256

    public static func parse(_ text: String) throws -> Value {
        var p = JSONParser(s: Array(text.unicodeScalars))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.s.count else { throw p.fail("unexpected trailing characters") }
        return v
    }

    private init(s: [Unicode.Scalar]) { self.s = s }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: i) }

    private mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\r" || s[i] == "\t" { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: Value) throws -> Value {
        for c in word.unicodeScalars {
            guard i < s.count, s[i] == c else { throw fail("expected \(word)") }
            i += 1
        }
        return v
    }

    private mutating func value(depth: Int) throws -> Value {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
        guard i < s.count else { throw fail("unexpected end") }
        switch s[i] {
        case "{": return try object(depth: depth)
        case "[": return try array(depth: depth)
        case "\"": return .string(try string(), literal: false)
        case "t": return try literal("true", .bool(true))
        case "f": return try literal("false", .bool(false))
        case "n": return try literal("null", .none)
        default: return try number()
        }
    }

    private mutating func object(depth: Int) throws -> Value {
        i += 1
        var d = OrderedDict()
        skipSpace()
        if i < s.count, s[i] == "}" { i += 1; return .dict(d) }
        while true {
            skipSpace()
            guard i < s.count, s[i] == "\"" else { throw fail("expected a string key") }
            let key = try string()
            skipSpace()
            guard i < s.count, s[i] == ":" else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            d[key] = try value(depth: depth + 1)
            skipSpace()
            guard i < s.count else { throw fail("unexpected end in object") }
            if s[i] == "}" { i += 1; return .dict(d) }
            guard s[i] == "," else { throw fail("expected ',' or '}'") }
            i += 1
        }
    }

    private mutating func array(depth: Int) throws -> Value {
        i += 1
        var items: [Value] = []
        skipSpace()
        if i < s.count, s[i] == "]" { i += 1; return .list(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < s.count else { throw fail("unexpected end in array") }
            if s[i] == "]" { i += 1; return .list(items) }
            guard s[i] == "," else { throw fail("expected ',' or ']'") }
            i += 1
        }
    }

    private mutating func number() throws -> Value {
        let start = i
        if i < s.count, s[i] == "-" { i += 1 }
        var isInteger = true
        while i < s.count, ("0"..."9").contains(s[i]) || s[i] == "." || s[i] == "e" || s[i] == "E"
                || ((s[i] == "+" || s[i] == "-") && (s[i - 1] == "e" || s[i - 1] == "E")) {
            if !("0"..."9").contains(s[i]) { isInteger = false }
            i += 1
        }
        let text = String(String.UnicodeScalarView(s[start..<i]))
        guard i > start, text.last.map({ ("0"..."9").contains($0) }) == true else { throw fail("invalid value") }
        if isInteger, let n = Int(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("invalid number '\(text)'") }
        return .double(d)
    }

    private mutating func string() throws -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count, s[i] != "\"" {
            if s[i] == "\\" {
                i += 1
                guard i < s.count else { break }
                let c = s[i]
                i += 1
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "/", "\\", "\"": out.append(c)
                case "u": out.append(try unicodeEscape())
                default: throw fail("invalid escape '\\\(c)'")
                }
            } else {
                guard s[i].value >= 0x20 else { throw fail("control character in string") }
                out.append(s[i])
                i += 1
            }
        }
        guard i < s.count else { throw fail("unterminated string") }
        i += 1
        return String(out)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[i..<(i + 4)])), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }

    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high), i + 1 < s.count, s[i] == "\\", s[i + 1] == "u" {
            let save = i
            i += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low), let c = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) {
                return c
            }
            i = save
        }
        // A lone surrogate cannot be a Swift scalar; Python would keep it, we substitute U+FFFD.
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }
}
