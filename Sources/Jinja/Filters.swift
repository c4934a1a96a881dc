/// jinja2's built-in filters that chat templates use, with transformers' `tojson`.
enum Filters {
    /// Positional and keyword arguments of one filter call, read by position or name.
    struct Args {
        var positional: [Value]
        var keyword: [(String, Value)]

        func get(_ index: Int, _ name: String) -> Value? {
            if index < positional.count { return positional[index] }
            return keyword.first { $0.0 == name }?.1
        }

        func string(_ index: Int, _ name: String) throws -> String? {
            guard let v = get(index, name) else { return nil }
            guard case .string(let s) = v else { throw EvalError(message: "argument '\(name)' must be a string") }
            return s.string
        }
    }

    static func apply(_ name: String, _ v: Value, _ positional: [Value], _ keyword: [(String, Value)],
                      _ renderer: Renderer) throws -> Value {
        let a = Args(positional: positional, keyword: keyword)
        switch name {
        case "default", "d":
            let fallback = a.get(0, "default_value") ?? .string("", literal: true)
            let boolean = a.get(1, "boolean")?.isTruthy ?? false
            return v.isUndefined || (boolean && !v.isTruthy) ? fallback : v
        case "tojson": return try tojson(v, a)
        case "length", "count": return .int(try length(v))
        case "string": return .string(try Format.str(v))
        case "safe": return v
        case "escape", "e": return .string(try Format.str(v).mapped(htmlEscape))
        case "int": return int(v, a.get(0, "default") ?? .int(0))
        case "float": return float(v, a.get(0, "default") ?? .double(0))
        case "abs":
            guard let n = Operators.number(v) else { throw EvalError(message: "bad operand type for abs()") }
            if case .int(let i) = n { return .int(abs(i)) }
            return .double(abs(Operators.double(n)))
        case "list": return .list(try Builtins.iterate(v))
        case "first": return try Builtins.iterate(v).first ?? .undefined(hint: "No first item, sequence was empty.")
        case "last": return try Builtins.iterate(v).last ?? .undefined(hint: "No last item, sequence was empty.")
        case "reverse":
            if case .string(let s) = v { return .string(s.mapped { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) }) }
            return .list(try Builtins.iterate(v).reversed())
        case "join": return try join(v, a, renderer)
        case "items", "dictsort": return try items(v, sorted: name == "dictsort")
        case "unique": return .list(try Builtins.iterate(v).reduce(into: []) { acc, x in
            if !acc.contains(where: { Operators.equal($0, x) }) { acc.append(x) } })
        case "map", "select", "reject", "selectattr", "rejectattr":
            return try Sequences.apply(name, v, a, renderer)
        case "indent": return try indent(v, a)
        default:
            if let method = TextFilters.apply(name, v, a) { return try method() }
            throw EvalError(message: "no filter named '\(name)'")
        }
    }

    private static func tojson(_ v: Value, _ a: Args) throws -> Value {
        var indent: String?
        switch a.get(0, "indent") {
        case .int(let n)?: indent = String(repeating: " ", count: max(n, 0))
        case .string(let s)?: indent = s.string
        default: indent = nil
        }
        var separators: (String, String)?
        if let pair = a.get(3, "separators")?.sequenceItems, pair.count == 2,
           case .string(let item) = pair[0], case .string(let key) = pair[1] {
            separators = (item.string, key.string)
        }
        let sortKeys = a.get(4, "sort_keys")?.isTruthy ?? false
        return .string(try JSONText.dumps(v, indent: indent, separators: separators, sortKeys: sortKeys), literal: false)
    }

    static func length(_ v: Value) throws -> Int {
        switch v {
        case .string(let s): return s.string.unicodeScalars.count
        case .list(let l), .tuple(let l): return l.count
        case .dict(let d): return d.count
        case .undefined: return 0
        default: throw EvalError(message: "object of type '\(v.typeName)' has no len()")
        }
    }

    private static func int(_ v: Value, _ fallback: Value) -> Value {
        switch v {
        case .int: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d): return d.isFinite ? .int(Int(d)) : fallback
        case .string(let s):
            let t = s.string.trimmingPythonSpace()
            if let n = Int(t) { return .int(n) }
            if let d = Double(t), d.isFinite { return .int(Int(d)) }
            return fallback
        default: return fallback
        }
    }

    private static func float(_ v: Value, _ fallback: Value) -> Value {
        switch v {
        case .int, .bool, .double: return .double(Operators.double(v))
        case .string(let s): return Double(s.string.trimmingPythonSpace()).map { .double($0) } ?? fallback
        default: return fallback
        }
    }

    private static func join(_ v: Value, _ a: Args, _ renderer: Renderer) throws -> Value {
        let separator: JText
        if case .string(let s)? = a.get(0, "d") { separator = s } else { separator = JText("", isLiteral: true) }
        var items = try Builtins.iterate(v)
        if let attribute = try a.string(1, "attribute") {
            items = try items.map { try Access.attribute($0, attribute) }
        }
        var out = JText(segments: [])
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(separator) }
            out.append(try Format.str(item))
        }
        return .string(out)
    }

    private static func items(_ v: Value, sorted: Bool) throws -> Value {
        guard case .dict(let d) = v else {
            if v.isUndefined { return .list([]) }
            throw EvalError(message: "can only get items of a mapping, not \(v.typeName)")
        }
        var pairs = d.pairs
        // dictsort: case-insensitive by key, as jinja2's default.
        if sorted { pairs.sort { $0.0.lowercased().unicodeScalars.lexicographicallyPrecedes($1.0.lowercased().unicodeScalars) } }
        return .list(pairs.map { .tuple([.string($0.0, literal: false), $0.1]) })
    }

    private static func indent(_ v: Value, _ a: Args) throws -> Value {
        var width = "    "
        switch a.get(0, "width") {
        case .int(let n)?: width = String(repeating: " ", count: max(n, 0))
        case .string(let s)?: width = s.string
        default: break
        }
        let first = a.get(1, "first")?.isTruthy ?? false
        let blank = a.get(2, "blank")?.isTruthy ?? false
        return .string(try Format.str(v).mapped { text in
            var lines = text.components(separatedBy: "\n")
            for i in lines.indices where (i > 0 || first) && (blank || !lines[i].isEmpty) {
                lines[i] = width + lines[i]
            }
            return lines.joined(separator: "\n")
        })
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
