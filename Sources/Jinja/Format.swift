/// Python's `str()` and `repr()` of values, which is what `{{ x }}` and `x|string` print.
enum Format {
    static func str(_ v: Value) throws -> JText {
        switch v {
        case .string(let s): return s
        case .undefined: return JText("", isLiteral: true)
        default: return JText(repr(v), isLiteral: false)
        }
    }

    static func repr(_ v: Value) -> String {
        switch v {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let n): return String(n)
        case .double(let d): return pythonFloat(d)
        case .string(let s): return quoted(s.string)
        case .list(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(repr).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .dict(let d): return "{" + d.pairs.map { quoted($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        case .callable(let c): return "<function \(c.name)>"
        }
    }

    /// Python's string repr: single quotes unless the text holds one and no double quote.
    static func quoted(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(c) == quote { out += "\\" + String(c) }
                else if c.value < 0x20 || c.value == 0x7F { out += "\\x" + hex(c.value, 2) }
                else { out.unicodeScalars.append(c) }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Python's `repr(float)`: shortest round-trip digits, positional for exponents in
    /// -4..<16, else `d.ddde+XX`; always a `.0` when integral.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exponent) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        if exponent < -4 || exponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + e
        }
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        let intCount = exponent + 1
        if digits.count <= intCount {
            return sign + digits + String(repeating: "0", count: intCount - digits.count) + ".0"
        }
        return sign + digits.prefix(intCount) + "." + digits.dropFirst(intCount)
    }

    /// Swift's `description` is also shortest round-trip; read its digits and decimal exponent.
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = d.description  // e.g. "1.5", "1e-05", "1.2345e+20", "123456.0"
        var mantissa = text, exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var pointExponent = intPart.count - 1 + exponent
        while digits.hasPrefix("0"), digits.count > 1 { digits.removeFirst(); pointExponent -= 1 }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        return (digits, pointExponent)
    }
}
