import Foundation

/// The globals transformers' chat-template environment has (`raise_exception`,
/// `strftime_now`) plus jinja2's `range`, `namespace`, `dict`; and iteration rules.
enum Builtins {
    static let globals: [String: Value] = [
        "raise_exception": function("raise_exception") { args, _ in
            throw EvalError(message: args.first.map { (try? Format.str($0).string) ?? "" } ?? "", raised: true)
        },
        "strftime_now": function("strftime_now") { args, _ in
            guard case .string(let format)? = args.first else { throw EvalError(message: "strftime_now needs a format string") }
            return .string(strftimeNow(format.string), literal: false)
        },
        "range": function("range") { try range($0, $1) },
        "namespace": function("namespace") { args, kwargs in
            var d = OrderedDict()
            if case .dict(let initial)? = args.first { d = initial }
            for (k, v) in kwargs { d[k] = v }
            return .namespace(Namespace(d))
        },
        "dict": function("dict") { args, kwargs in
            var d = OrderedDict()
            if case .dict(let initial)? = args.first { d = initial }
            for (k, v) in kwargs { d[k] = v }
            return .dict(d)
        },
    ]

    static func function(_ name: String,
                         _ body: @escaping @Sendable ([Value], [(String, Value)]) throws -> Value) -> Value {
        .callable(Callable(name: name) { args, kwargs, _ in try body(args, kwargs) })
    }

    private static func range(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        let ints = try args.map { v -> Int in
            guard case .int(let n)? = Operators.number(v) else { throw EvalError(message: "range() needs integers") }
            return n
        }
        let (start, stop, step): (Int, Int, Int)
        switch ints.count {
        case 1: (start, stop, step) = (0, ints[0], 1)
        case 2: (start, stop, step) = (ints[0], ints[1], 1)
        case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
        default: throw EvalError(message: "range() takes 1 to 3 arguments")
        }
        guard step != 0 else { throw EvalError(message: "range() arg 3 must not be zero") }
        // The sandbox caps ranges too (jinja2's MAX_RANGE is 100000).
        guard (stop - start) / step <= 100_000 else { throw EvalError(message: "range too big") }
        return .list(Swift.stride(from: start, to: stop, by: step).map { .int($0) })
    }

    /// Python's `datetime.now().strftime(format)` in local time.
    private static func strftimeNow(_ format: String) -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [Int8](repeating: 0, count: 256)
        let n = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a `for` loop walks: list items, dict keys, string characters; undefined is empty.
    static func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let items), .tuple(let items): return items
        case .dict(let d): return d.keys.map { .string($0, literal: false) }
        case .string(let s): return s.string.unicodeScalars.map { .string(JText(String($0), isLiteral: s.isLiteral)) }
        case .undefined: return []
        default: throw EvalError(message: "'\(v.typeName)' object is not iterable")
        }
    }
}
