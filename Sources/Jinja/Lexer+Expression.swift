/// Tokens inside `{{ }}` and `{% %}`: names, numbers, string literals (Python escapes), operators.
extension Lexer {
    private static let operators = ["**", "//", "==", "!=", "<=", ">=",
                                    "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]",
                                    "{", "}", ",", ".", ":", "|"]

    mutating func expressionToken() throws {
        let c = s[i]
        if c == "_" || c.properties.isAlphabetic {
            let start = i
            while i < s.count, s[i] == "_" || s[i].properties.isAlphabetic || isDigit(s[i]) { i += 1 }
            emit(.name(String(String.UnicodeScalarView(s[start..<i]))))
        } else if isDigit(c) {
            try number()
        } else if c == "'" || c == "\"" {
            try stringLiteral()
        } else if let op = Self.operators.first(where: { matches($0) }) {
            i += op.unicodeScalars.count
            emit(.op(op))
        } else {
            throw JinjaError(.syntax, "unexpected character '\(c)'", line: line)
        }
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private func matches(_ op: String) -> Bool {
        var j = i
        for c in op.unicodeScalars {
            guard j < s.count, s[j] == c else { return false }
            j += 1
        }
        return true
    }

    private mutating func number() throws {
        let start = i
        var isFloat = false
        while i < s.count, isDigit(s[i]) || s[i] == "_" { i += 1 }
        if i + 1 < s.count, s[i] == ".", isDigit(s[i + 1]) {
            isFloat = true
            i += 1
            while i < s.count, isDigit(s[i]) || s[i] == "_" { i += 1 }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, isDigit(s[j]) {
                isFloat = true
                i = j
                while i < s.count, isDigit(s[i]) { i += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(s[start..<i])).replacingUnderscores()
        if isFloat, let d = Double(text) { emit(.double(d)) }
        else if let n = Int(text) { emit(.int(n)) }
        else { throw JinjaError(.syntax, "invalid number '\(text)'", line: line) }
    }

    private mutating func stringLiteral() throws {
        let quote = s[i]
        let startLine = line
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count, s[i] != quote {
            if s[i] == "\n" { line += 1 }
            if s[i] == "\\", i + 1 < s.count {
                i += 1
                try escape(into: &out)
            } else {
                out.append(s[i])
                i += 1
            }
        }
        guard i < s.count else { throw JinjaError(.syntax, "unterminated string literal", line: startLine) }
        i += 1
        emit(.string(String(out)))
    }

    /// Python's string escapes (jinja2 decodes literals with `unicode-escape`); an unknown
    /// escape keeps its backslash, as Python does.
    private mutating func escape(into out: inout String.UnicodeScalarView) throws {
        let c = s[i]
        i += 1
        switch c {
        case "n": out.append("\n")
        case "t": out.append("\t")
        case "r": out.append("\r")
        case "b": out.append("\u{8}")
        case "f": out.append("\u{C}")
        case "v": out.append("\u{B}")
        case "a": out.append("\u{7}")
        case "0": out.append("\u{0}")
        case "\\", "'", "\"": out.append(c)
        case "\n": line += 1
        case "x", "u", "U":
            let width = c == "x" ? 2 : c == "u" ? 4 : 8
            guard i + width <= s.count,
                  let v = UInt32(String(String.UnicodeScalarView(s[i..<(i + width)])), radix: 16),
                  let scalar = Unicode.Scalar(v) else {
                throw JinjaError(.syntax, "invalid \\\(c) escape in string literal", line: line)
            }
            out.append(scalar)
            i += width
        default:
            out.append("\\")
            out.append(c)
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
