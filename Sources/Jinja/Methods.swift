/// Python methods templates call on strings (`content.strip()`, `name.startswith('x')`)
/// and dicts (`d.items()`, `d.get('k')`), bound to their value.
enum Methods {
    static func dict(_ d: OrderedDict, _ name: String) -> Value? {
        switch name {
        case "items": return bound(name) { _, _ in .list(d.pairs.map { .tuple([.string($0.0, literal: false), $0.1]) }) }
        case "keys": return bound(name) { _, _ in .list(d.keys.map { .string($0, literal: false) }) }
        case "values": return bound(name) { _, _ in .list(d.values) }
        case "get":
            return bound(name) { args, _ in
                guard case .string(let key)? = args.first else { return args.count > 1 ? args[1] : .none }
                return d[key.string] ?? (args.count > 1 ? args[1] : .none)
            }
        default: return nil
        }
    }

    static func string(_ s: JText, _ name: String) -> Value? {
        let text = s.string
        @Sendable func str(_ x: String) -> Value { .string(JText(x, isLiteral: s.isLiteral)) }
        switch name {
        case "strip", "lstrip", "rstrip":
            return bound(name) { args, _ in
                let chars = try optionalString(args.first)
                return .string(TextFilters.strip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "upper": return bound(name) { _, _ in str(text.uppercased()) }
        case "lower": return bound(name) { _, _ in str(text.lowercased()) }
        case "title": return bound(name) { _, _ in str(TextFilters.pythonTitle(text)) }
        case "capitalize": return bound(name) { _, _ in str(TextFilters.capitalize(text)) }
        case "startswith", "endswith":
            return bound(name) { args, _ in
                let candidates: [Value]
                candidates = args.first?.sequenceItems ?? Array(args.prefix(1))
                let scalars = Array(text.unicodeScalars)
                return .bool(try candidates.contains { c in
                    guard case .string(let p) = c else { throw EvalError(message: "\(name) arg must be str or a tuple of str") }
                    let affix = Array(p.string.unicodeScalars)
                    return name == "startswith" ? scalars.starts(with: affix) : scalars.reversed().starts(with: affix.reversed())
                })
            }
        case "replace":
            return bound(name) { args, _ in
                guard args.count >= 2, case .string(let old) = args[0], case .string(let new) = args[1] else {
                    throw EvalError(message: "replace() needs two strings")
                }
                var limit = -1
                if args.count > 2, case .int(let n) = args[2] { limit = n }
                return str(TextFilters.replace(text, old.string, new.string, limit: limit))
            }
        case "split", "rsplit":
            return bound(name) { args, kwargs in
                let separator = try optionalString(args.first ?? kwargs.first { $0.0 == "sep" }?.1)
                var limit = -1
                if case .int(let n)? = (args.count > 1 ? args[1] : kwargs.first { $0.0 == "maxsplit" }?.1) { limit = n }
                return .list(try split(text, separator, limit: limit, fromRight: name == "rsplit").map(str))
            }
        case "join":
            return bound(name) { args, _ in
                var out = JText(segments: [])
                for (i, item) in try Builtins.iterate(args.first ?? .list([])).enumerated() {
                    if i > 0 { out.append(s) }
                    out.append(try Format.str(item))
                }
                return .string(out)
            }
        case "format": return bound(name) { args, kwargs in str(try StringFormat.format(text, args, kwargs)) }
        case "find":
            return bound(name) { args, _ in
                guard case .string(let needle)? = args.first else { throw EvalError(message: "find() needs a string") }
                let hay = Array(text.unicodeScalars), n = Array(needle.string.unicodeScalars)
                guard n.count <= hay.count else { return .int(-1) }
                for i in 0...(hay.count - n.count) where hay[i..<(i + n.count)].elementsEqual(n) { return .int(i) }
                return .int(-1)
            }
        case "isdigit": return bound(name) { _, _ in .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
        case "isspace": return bound(name) { _, _ in .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(isPythonSpace)) }
        default: return nil
        }
    }

    private static func bound(_ name: String, _ body: @escaping @Sendable ([Value], [(String, Value)]) throws -> Value) -> Value {
        Builtins.function(name, body)
    }

    private static func optionalString(_ v: Value?) throws -> String? {
        switch v {
        case nil, .none?: return nil
        case .string(let s)?: return s.string
        default: throw EvalError(message: "expected a string argument")
        }
    }

    /// Python's `str.split(sep, maxsplit)`: no separator splits at whitespace runs and drops empties.
    static func split(_ s: String, _ separator: String?, limit: Int, fromRight: Bool) throws -> [String] {
        let scalars = Array(s.unicodeScalars)
        guard let separator else {
            var words: [String] = [], current = String.UnicodeScalarView()
            for c in scalars {
                if isPythonSpace(c) { if !current.isEmpty { words.append(String(current)); current = .init() } }
                else { current.append(c) }
            }
            if !current.isEmpty { words.append(String(current)) }
            if limit >= 0, words.count > limit + 1 {
                // Rare in templates; keep Python's shape by re-joining the tail with single spaces.
                return fromRight ? [words.dropLast(limit).joined(separator: " ")] + words.suffix(limit)
                                 : words.prefix(limit) + [words.dropFirst(limit).joined(separator: " ")]
            }
            return words
        }
        guard !separator.isEmpty else { throw EvalError(message: "empty separator") }
        var parts = s.components(separatedBy: separator)
        if limit >= 0, parts.count > limit + 1 {
            parts = fromRight ? [parts.dropLast(limit).joined(separator: separator)] + parts.suffix(limit)
                              : parts.prefix(limit) + [parts.dropFirst(limit).joined(separator: separator)]
        }
        return parts
    }
}
