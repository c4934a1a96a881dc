import Foundation

/// Arithmetic, concatenation and comparisons with Python's rules (bool counts as int,
/// `/` is true division, `//` and `%` floor toward negative infinity).
enum Operators {
    static func unary(_ op: String, _ v: Value) throws -> Value {
        switch (op, number(v)) {
        case ("-", .int(let n)?): return .int(-n)
        case ("-", .double(let d)?): return .double(-d)
        case ("+", let n?): return n
        default:
            if case .undefined(let hint) = v { throw EvalError(message: hint) }
            throw EvalError(message: "bad operand type for unary \(op): '\(v.typeName)'")
        }
    }

    static func binary(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        if op == "~" { return .string(try Format.str(a) + Format.str(b)) }
        if case .undefined(let hint) = a { throw EvalError(message: hint) }
        if case .undefined(let hint) = b { throw EvalError(message: hint) }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)): return .string(x + y)
        case ("+", .list(let x), .list(let y)): return .list(x + y)
        case ("+", .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case ("*", .string(let s), _):
            if case .int(let n)? = number(b) { return .string(try repeated(s, n)) }
        case ("*", _, .string(let s)):
            if case .int(let n)? = number(a) { return .string(try repeated(s, n)) }
        case ("*", .list(let l), .int(let n)), ("*", .int(let n), .list(let l)):
            return .list(Array(repeating: l, count: max(n, 0)).flatMap { $0 })
        default:
            if let x = number(a), let y = number(b) { return try arithmetic(op, x, y) }
        }
        throw EvalError(message: "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    /// Output a template can build this way is capped, so `'x' * 10**12` is an error, not an abort.
    static let maxRepeatedLength = 1 << 24

    private static func repeated(_ s: JText, _ n: Int) throws -> JText {
        let count = max(n, 0)
        guard count == 0 || s.string.utf8.count <= maxRepeatedLength / count else {
            throw EvalError(message: "string repetition too large")
        }
        return s.mapped { String(repeating: $0, count: count) }
    }

    /// Numbers as Python sees them: bool is an int.
    static func number(_ v: Value) -> Value? {
        switch v {
        case .int, .double: return v
        case .bool(let b): return .int(b ? 1 : 0)
        default: return nil
        }
    }

    private static func arithmetic(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b, op != "/" {
            switch op {
            case "+": return .int(x &+ y)
            case "-": return .int(x &- y)
            case "*": return .int(x &* y)
            case "//", "%":
                guard y != 0 else { throw EvalError(message: "integer division or modulo by zero") }
                var q = x / y, r = x % y
                if r != 0, (r < 0) != (y < 0) { q -= 1; r += y }
                return .int(op == "//" ? q : r)
            case "**":
                if y >= 0 {
                    var result = 1
                    for _ in 0..<min(y, 64) { result = result &* x }
                    return .int(result)
                }
                return .double(pow(Double(x), Double(y)))
            default: break
            }
        }
        let x = double(a), y = double(b)
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/", "//", "%":
            guard y != 0 else { throw EvalError(message: "division by zero") }
            if op == "/" { return .double(x / y) }
            let q = (x / y).rounded(.down)
            return .double(op == "//" ? q : x - q * y)
        case "**": return .double(pow(x, y))
        default: throw EvalError(message: "unknown operator \(op)")
        }
    }

    static func double(_ v: Value) -> Double {
        switch v {
        case .int(let n): return Double(n)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return .nan
        }
    }

    static func compare(_ op: String, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case "==": return equal(a, b)
        case "!=": return !equal(a, b)
        case "in": return try contains(b, a)
        case "not in": return !(try contains(b, a))
        default:
            guard let order = less(a, b), let reverse = less(b, a) else {
                throw EvalError(message: "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
            }
            switch op {
            case "<": return order
            case ">": return reverse
            case "<=": return !reverse
            default: return !order
            }
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return x.string.unicodeScalars.elementsEqual(y.string.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && x.pairs.allSatisfy { k, v in y[k].map { equal(v, $0) } ?? false }
        case (.namespace(let x), .namespace(let y)): return x === y
        default:
            guard let x = number(a), let y = number(b) else { return false }
            if case .int(let i) = x, case .int(let j) = y { return i == j }
            return double(x) == double(y)
        }
    }

    /// Python's `<`, nil when the types cannot be ordered.
    static func less(_ a: Value, _ b: Value) -> Bool? {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.string.unicodeScalars.lexicographicallyPrecedes(y.string.unicodeScalars)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return less(p, q) }
            return x.count < y.count
        default:
            guard let x = number(a), let y = number(b) else { return nil }
            if case .int(let i) = x, case .int(let j) = y { return i < j }
            return double(x) < double(y)
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let needle) = item else {
                throw EvalError(message: "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return needle.string.isEmpty || s.string.unicodeScalars.contains(subsequence: needle.string.unicodeScalars)
        case .list(let items), .tuple(let items): return items.contains { equal($0, item) }
        case .dict(let d):
            guard case .string(let k) = item else { return false }
            return d[k.string] != nil
        case .undefined(let hint): throw EvalError(message: hint)
        default: throw EvalError(message: "argument of type '\(container.typeName)' is not iterable")
        }
    }
}

extension Sequence where Element: Equatable {
    func contains<S: Sequence>(subsequence: S) -> Bool where S.Element == Element {
        let hay = Array(self), needle = Array(subsequence)
        guard needle.count <= hay.count else { return false }
        if needle.isEmpty { return true }
        for start in 0...(hay.count - needle.count) where hay[start] == needle[0] {
            if hay[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
