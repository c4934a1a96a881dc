/// JSON in and out with Python's `json` module's conventions: `dumps` as transformers'
/// `tojson` filter calls it (`ensure_ascii=False`), and an order-preserving parser for the
/// JSON texts a caller passes in (tool schemas, tool-call arguments).
public enum JSONText {
    public struct Style {
        var indent: String?
        var itemSeparator: String
        var keySeparator: String
        var sortKeys: Bool
    }

    public static func dumps(_ v: Value, indent: String? = nil, separators: (String, String)? = nil,
                             sortKeys: Bool = false) throws -> String {
        // Python: separators default to (', ', ': '), or (',', ': ') when indenting.
        let (item, key) = separators ?? (indent == nil ? (", ", ": ") : (",", ": "))
        var out = ""
        try write(v, Style(indent: indent, itemSeparator: item, keySeparator: key, sortKeys: sortKeys),
                  level: 0, into: &out)
        return out
    }

    private static func write(_ v: Value, _ style: Style, level: Int, into out: inout String) throws {
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .double(let d):
            out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : Format.pythonFloat(d)
        case .string(let s): out += quote(s.string)
        case .list(let items), .tuple(let items):
            try container("[", "]", items.count, style, level, into: &out) { i, out in
                try write(items[i], style, level: level + 1, into: &out)
            }
        case .dict(let d):
            var pairs = d.pairs
            if style.sortKeys { pairs.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } }
            try container("{", "}", pairs.count, style, level, into: &out) { i, out in
                out += quote(pairs[i].0) + style.keySeparator
                try write(pairs[i].1, style, level: level + 1, into: &out)
            }
        case .namespace(let ns):
            try write(.dict(ns.attributes), style, level: level, into: &out)
        case .undefined, .callable:
            throw EvalError(message: "Object of type \(v.typeName) is not JSON serializable")
        }
    }

    private static func container(_ open: String, _ close: String, _ count: Int, _ style: Style, _ level: Int,
                                  into out: inout String, item: (Int, inout String) throws -> Void) throws {
        out += open
        guard count > 0 else { out += close; return }
        let newline = style.indent.map { "\n" + String(repeating: $0, count: level + 1) }
        for i in 0..<count {
            if i > 0 { out += style.itemSeparator }
            if let newline { out += newline }
            try item(i, &out)
        }
        if let indent = style.indent { out += "\n" + String(repeating: indent, count: level) }
        out += close
    }

    /// Python's `json.dumps` string encoding with `ensure_ascii=False`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if c.value < 0x20 { out += "\\u" + Format.hex(c.value, 4) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
