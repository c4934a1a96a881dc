/// Attribute, item and slice access as jinja2's sandboxed `getattr`/`getitem` do them.
enum Access {
    static func attribute(_ v: Value, _ name: String) throws -> Value {
        switch v {
        case .undefined(let hint):
            throw EvalError(message: hint)
        case .dict(let d):
            // jinja2 tries the Python attribute first: `d.items` is the method even if a key "items" exists.
            if let method = Methods.dict(d, name) { return method }
            return d[name] ?? .undefined(hint: "'dict object' has no attribute '\(name)'")
        case .namespace(let ns):
            return ns.attributes[name] ?? .undefined(hint: "'Namespace object' has no attribute '\(name)'")
        case .string(let s):
            return Methods.string(s, name) ?? .undefined(hint: "'str object' has no attribute '\(name)'")
        default:
            return .undefined(hint: "'\(v.typeName) object' has no attribute '\(name)'")
        }
    }

    static func item(_ v: Value, _ key: Value) throws -> Value {
        switch (v, key) {
        case (.undefined(let hint), _):
            throw EvalError(message: hint)
        case (.dict(let d), .string(let k)):
            if let found = d[k.string] { return found }
            return Methods.dict(d, k.string) ?? .undefined(hint: "'dict object' has no attribute '\(k.string)'")
        case (.list(let items), _), (.tuple(let items), _):
            guard let i = index(key, count: items.count) else { break }
            return items[i]
        case (.string(let s), _):
            let scalars = Array(s.string.unicodeScalars)
            guard let i = index(key, count: scalars.count) else { break }
            return .string(JText(String(scalars[i]), isLiteral: s.isLiteral))
        case (.namespace, .string(let k)):
            return try attribute(v, k.string)
        default:
            break
        }
        return .undefined(hint: "'\(v.typeName) object' has no attribute '\(Format.repr(key))'")
    }

    /// A Python index (negative from the end) into `count` items, nil when out of range.
    private static func index(_ key: Value, count: Int) -> Int? {
        let raw: Int
        switch key {
        case .int(let n): raw = n
        case .bool(let b): raw = b ? 1 : 0
        default: return nil
        }
        let i = raw < 0 ? raw + count : raw
        return (0..<count).contains(i) ? i : nil
    }

    static func slice(_ v: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws -> Value {
        func int(_ x: Value?) throws -> Int? {
            switch x {
            case nil, .none?: return nil
            case .int(let n)?: return n
            default: throw EvalError(message: "slice indices must be integers or None")
            }
        }
        let step = try int(step) ?? 1
        guard step != 0 else { throw EvalError(message: "slice step cannot be zero") }
        switch v {
        case .list(let items):
            return .list(sliceIndices(items.count, try int(start), try int(stop), step).map { items[$0] })
        case .tuple(let items):
            return .tuple(sliceIndices(items.count, try int(start), try int(stop), step).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.string.unicodeScalars)
            var view = String.UnicodeScalarView()
            for i in sliceIndices(scalars.count, try int(start), try int(stop), step) { view.append(scalars[i]) }
            return .string(JText(String(view), isLiteral: s.isLiteral))
        case .undefined(let hint):
            throw EvalError(message: hint)
        default:
            throw EvalError(message: "'\(v.typeName)' object is not subscriptable")
        }
    }

    /// Python's `slice.indices` walk.
    static func sliceIndices(_ n: Int, _ start: Int?, _ stop: Int?, _ step: Int) -> [Int] {
        func clamp(_ x: Int, _ low: Int, _ high: Int) -> Int {
            let y = x < 0 ? x + n : x
            return min(max(y, low), high)
        }
        var out: [Int] = []
        if step > 0 {
            var i = start.map { clamp($0, 0, n) } ?? 0
            let end = stop.map { clamp($0, 0, n) } ?? n
            while i < end { out.append(i); i += step }
        } else {
            var i = start.map { clamp($0, -1, n - 1) } ?? n - 1
            let end = stop.map { clamp($0, -1, n - 1) } ?? -1
            while i > end { out.append(i); i += step }
        }
        return out
    }
}
